# mypy: disable-error-code="empty-body"
"""The datasetio API's registration hook; the plugin host adds it from ``API.hookspecs``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.hookspecs import hookspec

if TYPE_CHECKING:
    from plugstack.provider_spec import ProviderSpec


@hookspec
def plugstack_datasetio_providers() -> list[ProviderSpec]:
    """Return the datasetio providers (readers of dataset rows) this plugin offers.

    Called once when the provider registry is first built; each spec's ``api`` must be
    ``Api.datasetio``. All plugins' lists are merged.
    """
