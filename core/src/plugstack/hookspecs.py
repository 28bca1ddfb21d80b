# mypy: disable-error-code="empty-body"
"""The hooks plugins implement. Every hook is named ``plugstack_*``.

Registration hooks (one per API) are called once, when plugstack first needs the provider
registry: at ``plugstack list-providers`` and when a stack starts. They take no arguments
and return a list of :class:`~plugstack.provider_spec.ProviderSpec`; the results of all
plugins are collected (no first-result-wins). They must not import provider SDKs: the
spec names the adapter factory by import path instead.

The call hook ``plugstack_api_call`` wraps every API call; implement it with
``@hookimpl(wrapper=True)``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from plugstack.api_call import ApiCall
    from plugstack.provider_spec import ProviderSpec

hookspec = pluggy.HookspecMarker("plugstack")


# -- registration: one hook per API ---------------------------------------------------


@hookspec
def plugstack_inference_providers() -> list[ProviderSpec]:
    """Return the inference providers this plugin offers (chat, completions, embeddings).

    Called once when the provider registry is first built. Each spec's ``api`` must be
    ``Api.inference``. All plugins' lists are merged; a ``provider_type`` offered twice is
    reported as a conflict and the first plugin loaded wins.
    """


@hookspec
def plugstack_vector_io_providers() -> list[ProviderSpec]:
    """Return the vector IO providers (vector store backends) this plugin offers.

    Called once when the provider registry is first built; each spec's ``api`` must be
    ``Api.vector_io``. All plugins' lists are merged.
    """


@hookspec
def plugstack_files_providers() -> list[ProviderSpec]:
    """Return the files providers (file storage backends) this plugin offers.

    Called once when the provider registry is first built; each spec's ``api`` must be
    ``Api.files``. All plugins' lists are merged.
    """


@hookspec
def plugstack_safety_providers() -> list[ProviderSpec]:
    """Return the safety providers (shield implementations) this plugin offers.

    Called once when the provider registry is first built; each spec's ``api`` must be
    ``Api.safety``. All plugins' lists are merged.
    """


@hookspec
def plugstack_tool_runtime_providers() -> list[ProviderSpec]:
    """Return the tool runtime providers this plugin offers.

    Called once when the provider registry is first built; each spec's ``api`` must be
    ``Api.tool_runtime``. All plugins' lists are merged.
    """


# -- around every API call ---------------------------------------------------------------


@hookspec(firstresult=True)
def plugstack_api_call(call: ApiCall) -> Awaitable[Any]:
    """Perform one API call; wrap it to observe or change requests and responses.

    Called for every call of every routed API method, in library and server mode alike.
    ``call`` holds ``api``, ``method`` and the mutable ``params`` (for inference, the
    request object). The core's own implementation returns an awaitable that performs
    the call (first result wins); plugins implement this hook with
    ``@hookimpl(wrapper=True)``: change ``call.params`` before ``yield``, and after it
    receive that awaitable and return it or another awaitable that wraps it::

        @plugstack.hookimpl(wrapper=True)
        def plugstack_api_call(call):
            awaitable = yield
            async def timed():
                start = time.perf_counter()
                try:
                    return await awaitable
                finally:
                    log.info("%s.%s took %.1f ms", call.api, call.method, ...)
            return timed()

    For a streaming call the awaited result is an async iterator of chunks, which a
    wrapper may wrap in turn. Raising a :class:`plugstack.errors.PlugstackError` from the
    wrapper rejects the call with that error.
    """


# The registration hook for each API that providers implement, used by the registry and
# the docs test. Routing-table APIs have none: the core builds them.
REGISTRATION_HOOKS: dict[str, str] = {
    "inference": "plugstack_inference_providers",
    "vector_io": "plugstack_vector_io_providers",
    "files": "plugstack_files_providers",
    "safety": "plugstack_safety_providers",
    "tool_runtime": "plugstack_tool_runtime_providers",
}
