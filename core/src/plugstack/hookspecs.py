# mypy: disable-error-code="empty-body"
"""The hooks of the core itself. Every hook is named ``plugstack_*``.

Each API's registration hook (``plugstack_<api>_providers``) lives with its API, in
``plugstack/apis/<api>/hookspec.py``, and the plugin host adds it from the API's
definition. Those hooks are called once, when plugstack first needs the provider
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
    from plugstack.apis.definition import ApiDefinition

hookspec = pluggy.HookspecMarker("plugstack")


# -- APIs --------------------------------------------------------------------------------


@hookspec
def plugstack_apis() -> list[ApiDefinition]:
    """Return the APIs this plugin defines, beside the core's own.

    Called once per plugin, when the plugin is registered, before its other hooks are
    checked: an API's registration hookspec (named by ``ApiDefinition.hookspecs``) is
    added to the plugin manager then, so the same plugin may also offer providers for
    it. All plugins' lists are merged; a name that is already defined (by the core or
    another plugin) is refused and the plugin skipped.
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
