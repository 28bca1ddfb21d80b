# mypy: disable-error-code="empty-body"
"""The tool runtime API's registration hook; the plugin host adds it from ``API.hookspecs``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.hookspecs import hookspec

if TYPE_CHECKING:
    from plugstack.provider_spec import ProviderSpec


@hookspec
def plugstack_tool_runtime_providers() -> list[ProviderSpec]:
    """Return the tool runtime providers this plugin offers.

    Called once when the provider registry is first built; each spec's ``api`` must be
    ``Api.tool_runtime``. All plugins' lists are merged.
    """
