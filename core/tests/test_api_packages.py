"""The core's API packages: each defines itself, exports its public names, and stays cheap to read."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from plugstack.apis import Api
from plugstack.plugins import new_plugin_host


@pytest.mark.parametrize("api", list(Api))
def test_each_api_package_defines_itself_and_exports_its_names(api: Api) -> None:
    package = importlib.import_module(f"plugstack.apis.{api.value}")
    assert package.API.name == api.value
    for name in package.__all__:
        assert getattr(package, name) is not None, f"plugstack.apis.{api.value}.{name}"
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchName'"):
        package.NoSuchName  # noqa: B018


def test_every_core_api_is_in_the_registry_in_enum_order() -> None:
    assert [d.name for d in new_plugin_host().apis] == [api.value for api in Api]


def test_reading_the_registry_imports_no_api_types() -> None:
    code = (
        "import sys; from plugstack.plugins import new_plugin_host; new_plugin_host(); "
        "print(sorted(m for m in sys.modules if m.startswith('plugstack.apis.') and "
        "m.rsplit('.', 1)[-1] in ('types', 'provider', 'router', 'routes')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
