# mypy: disable-error-code="empty-body"
"""The scoring API's registration hook; the plugin host adds it from ``API.hookspecs``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.hookspecs import hookspec

if TYPE_CHECKING:
    from plugstack.provider_spec import ProviderSpec


@hookspec
def plugstack_scoring_providers() -> list[ProviderSpec]:
    """Return the scoring providers (scoring function implementations) this plugin offers.

    Called once when the provider registry is first built; each spec's ``api`` must be
    ``Api.scoring``. All plugins' lists are merged.
    """
