"""The classifier shield's thresholds, scores and threads, with the real model."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from plugstack_classifier_shield.adapter import ProfanityClassifierShield
from plugstack_classifier_shield.config import ProfanityClassifierConfig
from plugstack_classifier_shield.model import load
from pydantic import ValidationError

from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.types import OPENAI_MODERATION_CATEGORIES
from plugstack.apis.shields.types import Shield
from plugstack.errors import BadRequestError, NotImplementedByProviderError
from plugstack.stack import Stack

BORDERLINE = "Have a nice day, shithead."  # the model says about 0.83


@pytest_asyncio.fixture
async def shield() -> AsyncIterator[ProfanityClassifierShield]:
    provider = ProfanityClassifierShield(ProfanityClassifierConfig())
    await provider.initialize()
    yield provider


def user(text: str) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=text)]


async def test_the_threshold_param_moves_the_verdict(shield: ProfanityClassifierShield) -> None:
    strict, lenient = Shield(id="strict"), Shield(id="lenient", params={"threshold": 0.9})
    violation = (await shield.run_shield(strict, user(BORDERLINE))).violation
    assert violation is not None and violation.categories == ["harassment"]
    assert 0.5 <= violation.category_scores["harassment"] < 0.9
    assert violation.metadata["threshold"] == 0.5 and violation.metadata["model"] == "alt-profanity-check 1.9.1"
    assert (await shield.run_shield(lenient, user(BORDERLINE))).violation is None


async def test_moderation_scores_are_the_models_probabilities(shield: ProfanityClassifierShield) -> None:
    texts = ["What is the capital of France?", BORDERLINE, "You are a fucking idiot."]
    model = load()
    expected = model.classifier.predict_proba(model.vectorizer.transform(texts))[:, 1]
    results = await shield.run_moderation(Shield(id="s"), texts)
    assert [r.category_scores["harassment"] for r in results] == pytest.approx(list(expected))
    assert [r.flagged for r in results] == [False, True, True]
    assert all(set(OPENAI_MODERATION_CATEGORIES) == set(r.categories) for r in results)
    assert all(r.category_scores["hate"] == 0.0 for r in results)


async def test_the_model_runs_off_the_event_loop(
    shield: ProfanityClassifierShield, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    model = shield.model
    assert model is not None
    real = type(model).scores

    def recording(self: object, texts: list[str]) -> list[float]:
        threads.append(threading.current_thread())
        return real(model, texts)

    monkeypatch.setattr(type(model), "scores", recording)
    await shield.run_shield(Shield(id="s"), user("hello"))
    assert threads and threads[0] is not threading.current_thread()


async def test_only_the_last_message_is_judged_and_images_are_refused(shield: ProfanityClassifierShield) -> None:
    messages = [*user("You are a fucking idiot."), ChatMessage(role="assistant", content="Let's keep it civil.")]
    assert (await shield.run_shield(Shield(id="s"), messages)).violation is None
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
    with pytest.raises(NotImplementedByProviderError):
        await shield.run_shield(Shield(id="s"), [ChatMessage(role="user", content=[image])])


@pytest.mark.parametrize("params", [{"threshold": 1.5}, {"threshold": "high"}, {"treshold": 0.5}])
async def test_bad_params_are_refused_at_registration(params: dict[str, object]) -> None:
    config = {
        "distribution_name": "profanity-bad-params",
        "providers": {"safety": [{"provider_id": "p", "provider_type": "inline::profanity-classifier", "config": {}}]},
        "registered_resources": {"shields": [{"shield_id": "bad", "params": params}]},
    }
    with pytest.raises(BadRequestError):
        await Stack.from_config(config)


def test_the_config_threshold_is_bounded() -> None:
    with pytest.raises(ValidationError):
        ProfanityClassifierConfig(threshold=0.0)
