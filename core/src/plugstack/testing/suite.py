"""What every conformance suite shares: declared-unsupported features, and the packaging test.

A suite (``InferenceConformance``, ``SafetyConformance``, ``ToolRuntimeConformance``)
subclasses :class:`ConformanceSuite`, names its ``api`` and its ``features``, and marks
each test with :func:`requires`. A plugin's test class lists what its provider lacks in
``unsupported`` (feature -> why): those tests are skipped with the reason, and a key that
is not a known feature fails the suite, so a typo cannot skip a test silently.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
import pytest_asyncio

from plugstack.plugins import PluginHost
from plugstack.stack import Stack

__all__ = ["ConformanceSuite", "requires"]


def requires(*features: str) -> pytest.MarkDecorator:
    """Mark a test as needing ``features``; it is skipped when the class declares one unsupported."""
    return pytest.mark.plugstack_features(*features)


class ConformanceSuite:
    api: ClassVar[str]
    features: ClassVar[dict[str, str]] = {}
    """Every feature the suite's tests may require, with what it means."""
    unsupported: ClassVar[dict[str, str]] = {}
    provider_type: ClassVar[str | None] = None
    """The provider type the installed plugin registers (``None`` for in-process plugins):
    the packaging test checks its entry point, spec and lazy imports."""
    sdk_modules: ClassVar[tuple[str, ...]] = ()
    """Modules that discovering the plugin must not import: its SDK, its adapter module."""

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        """The run config (a mapping, as in run.yaml) of a stack that serves the provider under test."""
        raise NotImplementedError(f"{cls.__name__} must implement run_config()")

    @classmethod
    def plugin_host(cls) -> PluginHost | None:
        """The plugin host the stack uses; ``None``: the installed plugins (entry points)."""
        return None

    @pytest_asyncio.fixture
    async def stack(self, plugstack_cassette: Any) -> AsyncIterator[Stack]:
        """A started stack (library mode), its upstream traffic recorded or replayed by ``plugstack_cassette``."""
        async with await Stack.from_config(self.run_config(), host=self.plugin_host()) as stack:
            yield stack

    @pytest.fixture(autouse=True)
    def _skip_unsupported(self, request: pytest.FixtureRequest) -> None:
        unknown = sorted(set(self.unsupported) - set(self.features))
        if unknown:
            pytest.fail(
                f"{type(self).__name__}.unsupported names unknown features {unknown}; known: {sorted(self.features)}"
            )
        for marker in request.node.iter_markers("plugstack_features"):
            for feature in marker.args:
                if feature in self.unsupported:
                    pytest.skip(f"{type(self).__name__} does not support {feature}: {self.unsupported[feature]}")

    def test_entry_point_registers_the_provider_without_importing_its_sdk(self) -> None:
        if self.provider_type is None:
            pytest.skip(f"{type(self).__name__} tests an in-process plugin: no entry point to check")
        # A fresh interpreter, so that no earlier test has imported the SDK already.
        code = f"""
import sys
from plugstack.plugins import load_entry_points, new_plugin_host
host = new_plugin_host()
load_entry_points(host)
spec = host.provider({self.api!r}, {self.provider_type!r})
assert spec is not None, "no installed plugin registers {self.provider_type}"
imported = [m for m in {list(self.sdk_modules)!r} if m in sys.modules]
assert not imported, f"plugin discovery imported {{imported}}"
assert isinstance(spec.sample_run_config(), dict)
assert callable(spec.load_adapter_factory())
"""
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
