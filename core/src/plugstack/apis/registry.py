"""``ApiRegistry``: every API the running plugstack knows, the core's and the plugins'.

The plugin host owns one (``host.apis``): it starts with the core's APIs, one per member
of :class:`~plugstack.apis.Api`, and grows by the definitions plugins return from the
``plugstack_apis`` hook.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from plugstack.apis import Api
from plugstack.apis.definition import ApiDefinition
from plugstack.errors import ConfigError

__all__ = ["ApiRegistry", "core_api_definitions"]


def core_api_definitions() -> list[ApiDefinition]:
    """``plugstack.apis.<name>.API`` for each member of :class:`Api`."""
    definitions = []
    for api in Api:
        definition = importlib.import_module(f"plugstack.apis.{api.value}").API
        if not isinstance(definition, ApiDefinition) or definition.name != api.value:
            raise TypeError(f"plugstack.apis.{api.value}.API must be an ApiDefinition named {api.value!r}")
        definitions.append(definition)
    return definitions


class ApiRegistry:
    """API definitions by name, in the order they were added."""

    def __init__(self, definitions: list[ApiDefinition]) -> None:
        self._by_name: dict[str, ApiDefinition] = {}
        for definition in definitions:
            self.add(definition)

    def add(self, definition: ApiDefinition) -> None:
        """Add one definition; ``ValueError`` if its name, resources or table are taken."""
        if definition.name in self._by_name:
            raise ValueError(f"API {definition.name!r} is already defined")
        for key in definition.resources:
            owner = self.accepting(key)
            if owner is not None:
                raise ValueError(f"registered_resources.{key} already belongs to the {owner.name} API")
        self._by_name[definition.name] = definition

    def remove(self, name: str) -> None:
        self._by_name.pop(name, None)

    def __iter__(self) -> Iterator[ApiDefinition]:
        return iter(self._by_name.values())

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> ApiDefinition | None:
        return self._by_name.get(name)

    def __getitem__(self, name: str) -> ApiDefinition:
        definition = self._by_name.get(name)
        if definition is None:
            raise ConfigError(f"unknown API {name!r}; known APIs: {', '.join(self._by_name)}")
        return definition

    def routed(self) -> list[ApiDefinition]:
        """The APIs that providers implement (each with a registration hook)."""
        return [d for d in self if d.registration_hook]

    def router_api(self, name: str) -> str:
        """The API whose router serves ``name``: itself, or the API a routing table lists resources for."""
        return self[name].table_of or name

    def accepting(self, resource_key: str) -> ApiDefinition | None:
        """The API that takes ``registered_resources.<resource_key>``."""
        return next((d for d in self if resource_key in d.resources), None)
