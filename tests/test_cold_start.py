"""Discovering every plugin of the repo imports no provider SDK, and `import plugstack` is light."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SDKS = [
    "openai",
    "anthropic",
    "groq",
    "boto3",
    "botocore",
    "llama_cpp",
    "chromadb",
    "aiohttp",
    "httpx",
    "tokenizers",
    "numpy",
    "sqlite_vec",
    "uvicorn",
    "starlette",
]

PROBE = f"""
import json, sys, contextlib, io
from plugstack.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    main(["list-providers"])
print(json.dumps({{"loaded": [m for m in {SDKS!r} if m in sys.modules], "listing": out.getvalue()}}))
"""


def _clean_env() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if k not in ("PLUGSTACK_DISABLE_PLUGIN_AUTOLOAD", "PLUGSTACK_LOAD_PLUGINS")
    }


def test_list_providers_imports_no_provider_sdk() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=_clean_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == [], f"plugin discovery imported SDKs: {report['loaded']}"
    for plugin_dir in sorted(REPO.glob("plugins/*/pyproject.toml")):  # every plugin of the repo was discovered
        assert plugin_dir.parent.name in report["listing"], f"{plugin_dir.parent.name} is not installed or not listed"


def test_import_plugstack_stays_small() -> None:
    code = "import sys, plugstack; print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'sqlalchemy', 'yaml', 'starlette')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", "import plugstack must not import pydantic, sqlalchemy, yaml or starlette"
