"""The run config (``run.yaml``): which provider serves which API, storage and server.

:func:`load_run_config` reads a file, applies ``${env...}`` substitution and validates;
every error names the file, the YAML path and what was expected. Provider ``config``
blocks are validated later by the resolver, against each provider's own config model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from plugstack.apis import canonical_api
from plugstack.env_substitution import substitute_env
from plugstack.errors import ConfigError
from plugstack.redaction import SECRET_NAME

__all__ = [
    "AuthConfig",
    "ProviderConfig",
    "RunConfig",
    "ServerConfig",
    "StorageConfig",
    "StoreConfig",
    "format_validation_error",
    "load_run_config",
    "plugstack_home",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProviderConfig(_Strict):
    """One entry of ``providers.<api>``. An empty ``provider_id`` disables the entry."""

    provider_id: str | None
    provider_type: str
    config: dict[str, Any] = Field(default_factory=dict)


class StoreConfig(_Strict):
    """A SQL database: SQLite by ``db_path`` (the default) or any SQLAlchemy async ``url``.

    ``url`` is a secret because it usually carries a password, e.g.
    ``postgresql+asyncpg://user:password@127.0.0.1:5432/plugstack``.
    """

    type: Literal["sqlite", "postgres"] = "sqlite"
    db_path: str | None = None
    url: SecretStr | None = None


class StorageConfig(_Strict):
    """``kvstore`` holds the resource registries; ``sqlstore`` holds API data (files...)."""

    kvstore: StoreConfig = Field(default_factory=StoreConfig)
    sqlstore: StoreConfig = Field(default_factory=StoreConfig)


class AuthConfig(_Strict):
    """Bearer API keys the server accepts. Off when the list is empty.

    Empty entries are dropped, so ``api_keys: ["${env.PLUGSTACK_API_KEY:=}"]`` turns auth
    on exactly when the variable is set: an empty string is never a valid key.
    """

    api_keys: list[SecretStr] = Field(default_factory=list)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _drop_empty_keys(cls, value: Any) -> Any:
        return [key for key in value if key not in (None, "")] if isinstance(value, list) else value


class ServerConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8321, ge=0, le=65535)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    max_request_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)


class RunConfig(_Strict):
    """A whole run config.

    API names (under ``apis`` and ``providers``) and the keys of ``registered_resources``
    (resources to register at start-up, in the shape of each API's register request) are
    checked when the stack starts, against the APIs the core and the installed plugins
    define.
    """

    version: int = 1
    distribution_name: str = Field(min_length=1)
    apis: list[str] = Field(default_factory=list)
    providers: dict[str, list[ProviderConfig]] = Field(default_factory=dict)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    registered_resources: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    server: ServerConfig = Field(default_factory=ServerConfig)

    source: str = Field(default="<memory>", exclude=True)

    @field_validator("apis")
    @classmethod
    def _canonical_apis(cls, value: list[str]) -> list[str]:
        return [canonical_api(name) for name in value]

    @field_validator("providers")
    @classmethod
    def _canonical_provider_apis(cls, value: dict[str, list[ProviderConfig]]) -> dict[str, list[ProviderConfig]]:
        return {canonical_api(name): entries for name, entries in value.items()}

    def state_dir(self) -> Path:
        """Where this distribution keeps its SQLite files by default."""
        return plugstack_home() / "distributions" / self.distribution_name

    def enabled_providers(self, api: str) -> list[tuple[int, ProviderConfig]]:
        return [(i, p) for i, p in enumerate(self.providers.get(api, [])) if p.provider_id]


def plugstack_home() -> Path:
    """``$PLUGSTACK_HOME``, by default ``~/.plugstack``."""
    return Path(os.environ.get("PLUGSTACK_HOME") or Path.home() / ".plugstack")


def load_run_config(source: str | Path | Mapping[str, Any], env: Mapping[str, str] | None = None) -> RunConfig:
    """Read, substitute and validate a run config from a path or an already-parsed mapping."""
    env = os.environ if env is None else env
    if isinstance(source, Mapping):
        name, raw = "<memory>", dict(source)
    else:
        name = str(source)
        try:
            raw = yaml.safe_load(Path(source).read_text())
        except FileNotFoundError:
            raise ConfigError(f"{name}: no such run config") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{name}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: expected a mapping at the top level, got {type(raw).__name__}")
    data = substitute_env(raw, env, source=name)
    try:
        config = RunConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source=name)) from None
    config.source = name
    for api in config.providers:
        if config.apis and api not in config.apis:
            raise ConfigError(f"{name}: providers.{api}: api is not listed under 'apis'")
    return config


def format_validation_error(exc: ValidationError, *, source: str, prefix: str = "") -> str:
    """One line per problem: ``file: yaml.path: what was expected (got ...)``."""
    lines = []
    for error in exc.errors(include_url=False):
        path = prefix
        for part in error["loc"]:
            path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else str(part))
        secret = any(isinstance(part, str) and SECRET_NAME.search(part) for part in error["loc"])
        got = "" if error["type"] == "missing" else f" (got {'<redacted>' if secret else _short(error.get('input'))})"
        lines.append(f"{source}: {path or '<root>'}: {error['msg']}{got}")
    return "\n".join(lines)


def _short(value: Any) -> str:
    if isinstance(value, SecretStr):
        return "**********"
    if isinstance(value, dict):  # may hold secrets: show its shape only
        return f"a mapping with keys {sorted(map(str, value))}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
