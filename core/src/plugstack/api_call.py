"""``ApiCall``: one call of an API method, as the ``plugstack_api_call`` hook sees it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pluggy

__all__ = ["ApiCall", "CoreDispatch", "call_api", "calls_are_wrapped"]


@dataclass
class ApiCall:
    """``api`` and ``method`` name the call; wrappers may change ``params`` before yielding."""

    api: str
    method: str
    params: dict[str, Any]
    target: Callable[..., Awaitable[Any]]


class CoreDispatch:
    """The core's own ``plugstack_api_call``: the innermost implementation, which calls."""

    @pluggy.HookimplMarker("plugstack")(trylast=True)
    def plugstack_api_call(self, call: ApiCall) -> Awaitable[Any]:
        return call.target(**call.params)


async def call_api(
    pm: pluggy.PluginManager, api: str, method: str, target: Callable[..., Awaitable[Any]], **params: Any
) -> Any:
    """Run ``target(**params)`` through the hook, skipping pluggy when nobody wraps calls."""
    if not calls_are_wrapped(pm):  # save the hook's few microseconds
        return await target(**params)
    return await pm.hook.plugstack_api_call(call=ApiCall(api=api, method=method, params=params, target=target))


def calls_are_wrapped(pm: pluggy.PluginManager) -> bool:
    """Whether a plugin implements ``plugstack_api_call`` besides :class:`CoreDispatch`."""
    return len(pm.hook.plugstack_api_call.get_hookimpls()) > 1
