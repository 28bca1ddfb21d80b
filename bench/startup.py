"""Import cost: ``import plugstack`` and discovering every installed plugin, in fresh processes.

``python -X importtime`` reports each module's cumulative import time on stderr; the
``plugstack`` line is the package with everything it pulls in. Plugin discovery (loading
every ``plugstack`` entry point and collecting their providers) is what a server pays on
top before it can start its providers.
"""

from __future__ import annotations

import shlex
import statistics
import subprocess
import sys
from typing import Any

__all__ = ["IMPORT_COMMAND", "measure_imports"]

IMPORT_COMMAND = [sys.executable, "-X", "importtime", "-c", "import plugstack"]
_DISCOVERY_CODE = (
    "import time; t = time.perf_counter(); "
    "from plugstack.plugins import get_plugin_host; h = get_plugin_host(); h.providers(); "
    "print((time.perf_counter() - t) * 1000, len(h.plugins()), len(h.failures))"
)
DISCOVERY_COMMAND = [sys.executable, "-c", _DISCOVERY_CODE]


def _import_ms() -> float:
    stderr = subprocess.run(IMPORT_COMMAND, capture_output=True, text=True, check=True).stderr
    for line in stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == "plugstack":
            return int(parts[1]) / 1000
    raise RuntimeError("python -X importtime printed no line for plugstack")


def measure_imports(runs: int = 5) -> dict[str, Any]:
    """Median milliseconds of ``import plugstack`` and of plugin discovery, each in new processes."""
    imports = [_import_ms() for _ in range(runs)]
    discovery: list[float] = []
    plugins = failures = 0
    for _ in range(runs):
        out = subprocess.run(DISCOVERY_COMMAND, capture_output=True, text=True, check=True).stdout.split()
        discovery.append(float(out[0]))
        plugins, failures = int(out[1]), int(out[2])
    return {
        "import_plugstack_ms": round(statistics.median(imports), 1),
        "import_plugstack_ms_runs": [round(v, 1) for v in imports],
        "plugin_discovery_ms": round(statistics.median(discovery), 1),
        "plugins_loaded": plugins,
        "plugin_failures": failures,
        "commands": [shlex.join(IMPORT_COMMAND), shlex.join(DISCOVERY_COMMAND)],
    }
