"""``ProviderSpec``: what a plugin tells plugstack about one provider it offers.

A spec is plain data. The config class and the adapter factory are named by import path
and imported only when a run config uses the provider, so that discovering plugins never
imports a provider's SDK.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plugstack.apis import canonical_api

__all__ = ["ProviderSpec", "import_object"]

_PROVIDER_TYPE = re.compile(r"^(inline|remote)::[a-z0-9][a-z0-9_.-]*$")


class ProviderSpec(BaseModel):
    """One provider: which API it serves, how to configure it and how to build it.

    ``api`` is the API's name: an :class:`~plugstack.apis.Api` member or the name of an
    API a plugin defines. ``adapter_factory`` names an (async or sync) callable
    ``factory(config, context)`` that returns the provider object: ``config`` is an
    instance of ``config_class``; ``context`` is a
    :class:`~plugstack.provider_context.ProviderContext`, which maps each API of
    ``api_dependencies`` (and those of ``optional_api_dependencies`` that the run config
    provides) to that API's router and names the provider as the run config does
    (``context.provider_id``). The object must implement its API's Protocol and may
    define ``async initialize()``, ``async shutdown()`` and ``async health()``.

    ``sdk_modules`` maps the modules the adapter imports (``"llama_cpp"``) to the pip
    requirement that provides each (``"llama-cpp-python"``): a missing one is reported
    when the stack starts, with the command that installs it.
    """

    model_config = ConfigDict(frozen=True)

    api: str
    provider_type: str = Field(description='"remote::NAME" or "inline::NAME"')
    config_class: str = Field(description='import path of the pydantic config model, "pkg.mod:Class"')
    adapter_factory: str = Field(description='import path of the factory, "pkg.mod:function"')
    api_dependencies: list[str] = Field(default_factory=list)
    optional_api_dependencies: list[str] = Field(default_factory=list)
    pip_packages: list[str] = Field(default_factory=list)
    sdk_modules: dict[str, str] = Field(default_factory=dict)
    description: str = ""
    deprecation_warning: str | None = None

    @field_validator("provider_type")
    @classmethod
    def _check_provider_type(cls, value: str) -> str:
        if not _PROVIDER_TYPE.match(value):
            raise ValueError(f"provider_type {value!r} must look like 'remote::name' or 'inline::name'")
        return value

    @field_validator("api")
    @classmethod
    def _canonical_api(cls, value: str) -> str:
        return canonical_api(value)

    @field_validator("api_dependencies", "optional_api_dependencies")
    @classmethod
    def _canonical_apis(cls, value: list[str]) -> list[str]:
        return [canonical_api(name) for name in value]

    @field_validator("config_class", "adapter_factory")
    @classmethod
    def _check_import_path(cls, value: str) -> str:
        module, _, attr = value.partition(":")
        if not module or not attr:
            raise ValueError(f"{value!r} must be an import path like 'package.module:name'")
        return value

    def load_config_class(self) -> type[BaseModel]:
        cls = import_object(self.config_class)
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            raise TypeError(f"{self.config_class} is not a pydantic model")
        return cls

    def load_adapter_factory(self) -> Any:
        return import_object(self.adapter_factory)

    def sample_run_config(self) -> dict[str, Any]:
        """The config snippet a distribution template uses for this provider."""
        cls = self.load_config_class()
        sample = getattr(cls, "sample_run_config", None)
        return dict(sample()) if callable(sample) else {}


def import_object(path: str) -> Any:
    """Import ``"package.module:attr.sub"`` and return the object."""
    module_name, _, attr_path = path.partition(":")
    obj: Any = importlib.import_module(module_name)
    for attr in attr_path.split("."):
        obj = getattr(obj, attr)
    return obj
