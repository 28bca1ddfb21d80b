"""The classifier: alt-profanity-check's TF-IDF vectorizer and calibrated linear SVM.

Both ship inside the ``alt-profanity-check`` wheel (``profanity_check/data/*.joblib``,
under 1 MB), so nothing is downloaded; the package pins the scikit-learn they were saved
with. Importing ``profanity_check`` unpickles them (seconds on a cold start), so
:func:`load` is called in a thread, once, when the provider starts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

__all__ = ["ProfanityModel", "load"]


@dataclass(frozen=True)
class ProfanityModel:
    vectorizer: Any
    classifier: Any
    name: str

    def scores(self, texts: list[str]) -> list[float]:
        """The probability that each text is offensive language (class 1), from ``predict_proba``.

        Blocking and CPU-bound: call it in a thread. scikit-learn's transform and
        predict_proba only read the fitted model, so concurrent calls are safe.
        """
        if not texts:
            return []
        column = list(self.classifier.classes_).index(1)
        probabilities = self.classifier.predict_proba(self.vectorizer.transform(texts))
        return [float(row[column]) for row in probabilities]


@functools.cache
def load() -> ProfanityModel:
    """The model, unpickled once per process (every provider instance shares it)."""
    from profanity_check import profanity_check  # type: ignore[import-untyped]  # no type hints shipped

    return ProfanityModel(
        vectorizer=profanity_check.vectorizer,
        classifier=profanity_check.model,
        name=f"alt-profanity-check {version('alt-profanity-check')}",
    )
