"""``ProviderContext``: what an adapter factory learns besides its config.

``factory(config, context)``: ``context[api]`` is the router of each API the provider
depends on (a ``Mapping``, so factories written for the older ``deps`` dict keep
working), and ``context.provider_id`` is the provider's id in the run config. Errors,
log lines and metrics name the provider by that id, so that two entries of one
provider type (a vLLM and an Ollama ``remote::openai-compatible``) say which one failed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["ProviderContext"]


class ProviderContext(Mapping[str, Any]):
    """The routers a provider depends on, by API name, and who the provider is."""

    def __init__(self, *, api: str, provider_id: str, provider_type: str, routers: Mapping[str, Any]) -> None:
        self.api = api
        self.provider_id = provider_id
        self.provider_type = provider_type
        self._routers = dict(routers)

    def __getitem__(self, api: str) -> Any:
        return self._routers[api]

    def __iter__(self) -> Iterator[str]:
        return iter(self._routers)

    def __len__(self) -> int:
        return len(self._routers)

    def __repr__(self) -> str:
        return f"ProviderContext(api={self.api!r}, provider_id={self.provider_id!r}, routers={sorted(self._routers)})"
