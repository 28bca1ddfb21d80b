"""What a scoring provider implements (auto-routed by scoring function id)."""

from __future__ import annotations

from typing import Any, Protocol

from plugstack.apis.scoring.types import ScoringResult
from plugstack.apis.scoring_functions.types import ScoringFn

__all__ = ["Scoring"]


class Scoring(Protocol):
    """A scoring provider.

    ``score`` gets the whole :class:`ScoringFn` (its ``provider_resource_id`` says which of
    the provider's functions runs; its ``params`` are the call's laid over the function's
    own) and the rows, and returns one score row per row, in order. A row it cannot score
    (an unparseable judge answer, a value of the wrong kind) gets a score row with
    ``score: None`` and ``error`` saying why: one bad row never fails the call. Params
    that make every row fail (an unknown judge model, a malformed regex) raise a
    :class:`~plugstack.errors.PlugstackError` instead. The router computes the
    ``aggregated_results`` of the function's ``aggregation_functions`` and prefixes each
    row's error with the row's index; a provider may add aggregates of its own.

    Optional methods:

    - ``async list_scoring_functions() -> list[ScoringFn]``: functions served without registration;
    - ``async register_scoring_function(function: ScoringFn) -> None``: check a function's
      ``provider_resource_id`` and params when it is registered (raise
      :class:`~plugstack.errors.BadRequestError` on bad ones);
    - ``required_columns(function: ScoringFn) -> list[str]``: the columns each row needs;
      the router gives rows lacking one an error naming the row and the column, and
      passes only the others to ``score``.
    """

    async def score(self, function: ScoringFn, rows: list[dict[str, Any]]) -> ScoringResult: ...
