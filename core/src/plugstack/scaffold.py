"""``plugstack new-plugin``: write a ready-to-edit plugin package.

The package installs as is, its provider shows up in ``plugstack list-providers`` and
satisfies its API's Protocol, so a stack starts it. For inference the adapter is a
working client of any OpenAI-compatible server (httpx, non-streamed): the author changes
what their upstream does differently. For other APIs each method of the Protocol raises
``NotImplementedByProviderError`` until the author fills it in.
"""

from __future__ import annotations

import re
from pathlib import Path

from plugstack.errors import BadRequestError, ConflictError
from plugstack.plugins import get_plugin_host
from plugstack.protocols import protocol_methods
from plugstack.provider_spec import import_object

__all__ = ["write_plugin"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def write_plugin(name: str, *, api: str = "inference", parent: Path = Path(".")) -> Path:
    """Create ``parent/plugstack-NAME/`` and return its path."""
    if not _NAME.match(name):
        raise BadRequestError(f"plugin name {name!r} must be lower case letters, digits, '-' or '_'")
    definition = get_plugin_host().apis.get(api)
    if definition is None:
        raise BadRequestError(f"unknown API {api!r}; see `plugstack list-apis`")
    if not definition.registration_hook or not definition.protocol:
        hint = f"; write a {definition.table_of!r} provider" if definition.table_of else ""
        raise BadRequestError(f"{api!r} takes no providers{hint}")
    dist = f"plugstack-{name.replace('_', '-')}"
    module = f"plugstack_{name.replace('-', '_')}"
    folder = parent / dist
    if folder.exists():
        raise ConflictError(f"{folder} already exists")
    protocol_path = definition.protocol
    inference = api == "inference"
    values = {
        "dist": dist,
        "module": module,
        "name": name,
        "api": api,
        "hook": definition.registration_hook,
        "provider_type": f"remote::{name}",
        "name_upper": name.upper().replace("-", "_"),
        "name_class": "".join(part.capitalize() for part in re.split(r"[-_]", name)),
        "protocol_module": protocol_path.partition(":")[0],
        "protocol": protocol_path.partition(":")[2],
        "stub_methods": _stub_methods(import_object(protocol_path)),
        "dependencies": '["plugstack", "httpx"]' if inference else '["plugstack"]',
        "sdk_modules": '{"httpx": "httpx"}' if inference else "{}",
    }
    files = dict(_FILES)
    if inference:
        files.update(_INFERENCE_FILES)
    for relative, template in files.items():
        path = folder / _render(relative, values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_render(template, values))
    return folder


def _render(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``{key}`` of ``values`` filled in; other braces stay as they are."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _stub_methods(protocol: type) -> str:
    return "".join(
        f"\n    async def {method}(self, *args: Any, **kwargs: Any) -> Any:\n"
        f'        raise NotImplementedByProviderError(f"{{self.provider_id}}: {method} is not implemented yet")\n'
        for method in protocol_methods(protocol)
    )


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
dependencies = {dependencies}

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
        base_url: ${env.{name_upper}_BASE_URL:=http://127.0.0.1:8000}
```

## Test it

    pytest tests
""",
    "src/{module}/__init__.py": """\
\"\"\"Registers the {provider_type} provider. Imports nothing heavy: the adapter module does.\"\"\"

import plugstack
from plugstack.provider_spec import ProviderSpec


@plugstack.hookimpl
def {hook}() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api="{api}",
            provider_type="{provider_type}",
            config_class="{module}.config:{name_class}Config",
            adapter_factory="{module}.adapter:create_provider",
            pip_packages=["{dist}"],
            sdk_modules={sdk_modules},
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
        return {"base_url": "${env.{name_upper}_BASE_URL:=http://127.0.0.1:8000}", "api_key": "${env.{name_upper}_API_KEY:=}"}
""",
    "src/{module}/adapter.py": """\
\"\"\"The {provider_type} provider. Import the upstream SDK here, not in __init__.py.\"\"\"

from typing import Any

from plugstack.errors import NotImplementedByProviderError
from plugstack.provider_context import ProviderContext

from {module}.config import {name_class}Config


class {name_class}Provider:
    \"\"\"Implements :class:`{protocol_module}.{protocol}`.\"\"\"

    def __init__(self, config: {name_class}Config, provider_id: str) -> None:
        self.config = config
        self.provider_id = provider_id  # as the run config names it: use it in every error

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
{stub_methods}

def create_provider(config: {name_class}Config, context: ProviderContext) -> {name_class}Provider:
    return {name_class}Provider(config, context.provider_id)
""",
    "tests/test_{module}.py": """\
from plugstack.plugins import get_plugin_host


def test_provider_is_registered() -> None:
    assert get_plugin_host().provider("{api}", "{provider_type}") is not None
""",
}

_INFERENCE_FILES = {
    "src/{module}/config.py": """\
from typing import Any

from pydantic import BaseModel, SecretStr


class {name_class}Config(BaseModel):
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key: SecretStr | None = None
    timeout: float = 60.0
    models: list[str] = []  # the model ids the upstream serves

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {
            "base_url": "${env.{name_upper}_BASE_URL:=http://127.0.0.1:8000/v1}",
            "api_key": "${env.{name_upper}_API_KEY:=}",
        }
""",
    "src/{module}/adapter.py": """\
\"\"\"The {provider_type} provider. Import the upstream SDK here, not in __init__.py.

As written, it is a client of any OpenAI-compatible server at ``config.base_url``
(non-streamed chat, completions and embeddings, through httpx): change what your
upstream does differently.
\"\"\"

from typing import Any

import httpx
from pydantic import BaseModel

from plugstack.apis.inference import (
    ChatCompletion,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    EmbeddingsRequest,
    EmbeddingsResponse,
)
from plugstack.apis.models import Model
from plugstack.errors import NotImplementedByProviderError, ProviderError, error_for_status, upstream_message
from plugstack.provider_context import ProviderContext

from {module}.config import {name_class}Config


class {name_class}Provider:
    \"\"\"Implements :class:`plugstack.apis.inference.Inference`.\"\"\"

    def __init__(self, config: {name_class}Config, provider_id: str) -> None:
        self.config = config
        self.provider_id = provider_id  # as the run config names it: use it in every error
        self._client: httpx.AsyncClient | None = None

    async def initialize(self) -> None:
        headers = {}
        if self.config.api_key is not None:
            headers["authorization"] = f"Bearer {self.config.api_key.get_secret_value()}"
        self._client = httpx.AsyncClient(base_url=self.config.base_url, headers=headers, timeout=self.config.timeout)

    async def shutdown(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def list_models(self) -> list[Model]:
        return [Model(id=model, owned_by=self.provider_id) for model in self.config.models]

    async def chat_completion(self, request: ChatCompletionRequest) -> ChatCompletion:
        self._refuse_stream(request.stream)
        return ChatCompletion.model_validate(await self._post("/chat/completions", request))

    async def completion(self, request: CompletionRequest) -> Completion:
        self._refuse_stream(request.stream)
        return Completion.model_validate(await self._post("/completions", request))

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        return EmbeddingsResponse.model_validate(await self._post("/embeddings", request))

    def _refuse_stream(self, stream: bool | None) -> None:
        if stream:
            raise NotImplementedByProviderError(f"{self.provider_id}: streaming is not implemented yet", param="stream")

    async def _post(self, path: str, request: BaseModel) -> Any:
        assert self._client is not None, "initialize() was not called"
        body = request.model_dump_json(exclude_none=True)
        try:
            response = await self._client.post(path, content=body, headers={"content-type": "application/json"})
        except httpx.TimeoutException:
            raise ProviderError("request timed out", provider_id=self.provider_id, status_code=504) from None
        except httpx.HTTPError as exc:
            message = f"cannot reach {self.config.base_url}: {type(exc).__name__}"
            raise ProviderError(message, provider_id=self.provider_id, status_code=503) from None
        if response.status_code >= 400:
            try:
                detail = upstream_message(response.json())
            except ValueError:
                detail = None
            message = detail or f"the upstream answered {response.status_code}"
            raise error_for_status(response.status_code, message, provider_id=self.provider_id)
        return response.json()


def create_provider(config: {name_class}Config, context: ProviderContext) -> {name_class}Provider:
    return {name_class}Provider(config, context.provider_id)
""",
    "tests/test_conformance.py": """\
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
    unsupported: dict[str, str] = {}  # feature -> why it is not supported; see conformance.FEATURES

    @classmethod
    def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
        key = "${env.{name_upper}_API_KEY:=}" if valid_credentials else "wrong-key-for-conformance"
        return {
            "distribution_name": "{name}-conformance",
            "providers": {"inference": [{"provider_id": "{name}", "provider_type": "{provider_type}", "config": {"api_key": key}}]},
        }
""",
}
