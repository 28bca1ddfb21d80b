"""``plugstack new-plugin``: write a ready-to-edit plugin package.

The package installs as is and its provider shows up in ``plugstack list-providers``; its
adapter raises ``NotImplementedByProviderError`` until the author fills it in.
"""

from __future__ import annotations

import re
from pathlib import Path

from plugstack.apis import ROUTING_TABLE_APIS, Api
from plugstack.errors import BadRequestError, ConflictError
from plugstack.hookspecs import REGISTRATION_HOOKS

__all__ = ["write_plugin"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


def write_plugin(name: str, *, api: str = "inference", parent: Path = Path(".")) -> Path:
    """Create ``parent/plugstack-NAME/`` and return its path."""
    if not _NAME.match(name):
        raise BadRequestError(f"plugin name {name!r} must be lower case letters, digits, '-' or '_'")
    try:
        api_enum = Api(api)
    except ValueError:
        raise BadRequestError(f"unknown API {api!r}; see `plugstack list-apis`") from None
    if api_enum in ROUTING_TABLE_APIS:
        raise BadRequestError(f"{api!r} is a routing table; write a {ROUTING_TABLE_APIS[api_enum].value!r} provider")
    dist = f"plugstack-{name.replace('_', '-')}"
    module = f"plugstack_{name.replace('-', '_')}"
    folder = parent / dist
    if folder.exists():
        raise ConflictError(f"{folder} already exists")
    values = {
        "dist": dist,
        "module": module,
        "name": name,
        "api": api,
        "hook": REGISTRATION_HOOKS[api],
        "provider_type": f"remote::{name}",
        "name_upper": name.upper().replace("-", "_"),
        "name_class": "".join(part.capitalize() for part in re.split(r"[-_]", name)),
    }
    files = dict(_FILES)
    if api_enum is Api.inference:
        files["tests/test_conformance.py"] = _INFERENCE_CONFORMANCE
    for relative, template in files.items():
        path = folder / relative.format(**values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values))
    return folder


_FILES = {
    "pyproject.toml": """\
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "{dist}"
version = "0.1.0"
description = "plugstack provider {provider_type}"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["plugstack"]

[project.entry-points.plugstack]
{name} = "{module}"

[tool.hatch.build.targets.wheel]
packages = ["src/{module}"]
""",
    "README.md": """\
# {dist}

A plugstack plugin offering the `{provider_type}` provider for the `{api}` API.

## Install

    pip install -e .
    plugstack list-providers --api {api}

## Use it in a run.yaml

```yaml
providers:
  {api}:
    - provider_id: {name}
      provider_type: {provider_type}
      config:
        base_url: ${{env.{name_upper}_BASE_URL:=http://127.0.0.1:8000}}
```

## Test it

    pytest tests
""",
    "src/{module}/__init__.py": """\
\"\"\"Registers the {provider_type} provider. Imports nothing heavy: the adapter module does.\"\"\"

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec


@plugstack.hookimpl
def {hook}() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.{api},
            provider_type="{provider_type}",
            config_class="{module}.config:{name_class}Config",
            adapter_factory="{module}.adapter:create_provider",
            pip_packages=["{dist}"],
            description="TODO: one line saying what {provider_type} serves",
        )
    ]
""",
    "src/{module}/config.py": """\
from typing import Any

from pydantic import BaseModel, SecretStr


class {name_class}Config(BaseModel):
    base_url: str = "http://127.0.0.1:8000"
    api_key: SecretStr | None = None
    timeout: float = 60.0

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {{"base_url": "${{env.{name_upper}_BASE_URL:=http://127.0.0.1:8000}}", "api_key": "${{env.{name_upper}_API_KEY:=}}"}}
""",
    "src/{module}/adapter.py": """\
\"\"\"The {provider_type} provider. Import the upstream SDK here, not in __init__.py.\"\"\"

from typing import Any

from plugstack.apis import Api
from plugstack.errors import NotImplementedByProviderError

from {module}.config import {name_class}Config


class {name_class}Provider:
    def __init__(self, config: {name_class}Config) -> None:
        self.config = config

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def list_models(self) -> list[Any]:
        return []

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedByProviderError(f"{provider_type} does not implement {{name}} yet")


def create_provider(config: {name_class}Config, deps: dict[Api, Any]) -> {name_class}Provider:
    return {name_class}Provider(config)
""",
    "tests/test_{module}.py": """\
from plugstack.apis import Api
from plugstack.plugins import get_plugin_host


def test_provider_is_registered() -> None:
    assert get_plugin_host().provider(Api.{api}, "{provider_type}") is not None
""",
}

_INFERENCE_CONFORMANCE = """\
\"\"\"The shared inference conformance suite, replayed from tests/cassettes/.

Record the cassettes once against the real upstream (or a local server that speaks its
protocol) and commit them with a tests/cassettes/README.md saying what they came from:

    {name_upper}_API_KEY=... PLUGSTACK_TEST_MODE=record pytest tests/test_conformance.py
\"\"\"

from typing import Any

from plugstack.testing.conformance import InferenceConformance


class Test{name_class}Conformance(InferenceConformance):
    chat_model = "TODO-chat-model-id"
    embedding_model = None  # or the id of an embedding model
    unsupported: dict[str, str] = {{}}  # feature -> why it is not supported; see conformance.FEATURES

    @classmethod
    def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
        key = "${{env.{name_upper}_API_KEY:=}}" if valid_credentials else "wrong-key-for-conformance"
        return {{
            "distribution_name": "{name}-conformance",
            "providers": {{"inference": [{{"provider_id": "{name}", "provider_type": "{provider_type}", "config": {{"api_key": key}}}}]}},
        }}
"""
