"""``--profile``: py-spy samples a server during a load level; the hottest frames are reported.

py-spy attaches to the running process (it needs ptrace: root, or
``kernel.yama.ptrace_scope=0``) and writes collapsed stacks (``--format raw``), one line per
distinct stack with its sample count. Summing the innermost frame of each line gives where
the CPU went; the file itself opens in speedscope or flamegraph.pl for the whole picture.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["hottest_frames", "py_spy"]


def _py_spy() -> str | None:
    beside_python = Path(sys.executable).parent / "py-spy"
    return str(beside_python) if beside_python.is_file() else shutil.which("py-spy")


@contextmanager
def py_spy(pid: int, output: Path, rate: int = 1000) -> Iterator[str | None]:
    """Record ``pid`` while the block runs; yields why it cannot (``None`` when recording)."""
    executable = _py_spy()
    if executable is None:
        yield "py-spy is not installed (pip install py-spy)"
        return
    command = [executable, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw", "--nonblocking"]
    recorder = subprocess.Popen([*command, "-o", str(output)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # attaching takes a moment: do not miss the start of the load
    try:
        yield None
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            recorder.wait(timeout=30)
        except subprocess.TimeoutExpired:
            recorder.kill()
            recorder.wait()


def hottest_frames(collapsed: Path, count: int = 12) -> tuple[int, list[tuple[float, str]]]:
    """The number of samples, and the ``count`` frames with the most samples of their own."""
    own: Counter[str] = Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        frames = stack.split(";")
        if not frames or not samples.isdigit() or any("_connection_worker_thread" in f for f in frames):
            continue  # aiosqlite's idle worker thread is waiting, not working
        own[frames[-1]] += int(samples)
    total = sum(own.values())
    return total, [(round(100 * n / (total or 1), 1), frame) for frame, n in own.most_common(count)]
