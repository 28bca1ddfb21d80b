# mypy: disable-error-code="empty-body"
"""The inference API's registration hook; the plugin host adds it from ``API.hookspecs``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.hookspecs import hookspec

if TYPE_CHECKING:
    from plugstack.provider_spec import ProviderSpec


@hookspec
def plugstack_inference_providers() -> list[ProviderSpec]:
    """Return the inference providers this plugin offers (chat, completions, embeddings).

    Called once when the provider registry is first built. Each spec's ``api`` must be
    ``Api.inference``. All plugins' lists are merged; a ``provider_type`` offered twice is
    reported as a conflict and the first plugin loaded wins.
    """
