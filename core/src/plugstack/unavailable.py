"""``unavailable_provider``: the stand-in for a provider whose SDK is not installed.

The stack still starts, so that everything else serves; this object takes the provider's
place. Its health says what to install, and each method of its API's Protocol raises a
503 saying the same, instead of an ``ImportError`` deep inside the first request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plugstack.errors import ProviderError
from plugstack.protocols import protocol_methods

__all__ = ["unavailable_provider"]


def unavailable_provider(provider_id: str, provider_type: str, reason: str, protocol: type | None) -> object:
    """An object with ``protocol``'s methods, each raising a 503 that gives ``reason``."""
    message = f"{provider_type} cannot serve: {reason}"

    def refuse(name: str) -> Callable[..., Any]:
        async def method(self: object, *args: Any, **kwargs: Any) -> Any:
            raise ProviderError(message, provider_id=provider_id, status_code=503)

        method.__name__ = name
        return method

    async def health(self: object) -> dict[str, str]:
        return {"status": "Error", "message": message}

    methods: dict[str, Any] = {name: refuse(name) for name in (protocol_methods(protocol) if protocol else [])}
    methods["health"] = health
    return type("UnavailableProvider", (), methods)()
