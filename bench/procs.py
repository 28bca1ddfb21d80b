"""Server processes under test: started pinned to a core, timed to their first 200, measured.

CPU time and memory come from ``/proc`` for the process and all its descendants, so a
server that forks a worker is measured whole. ``VmHWM`` is the kernel's own record of
peak resident memory, so peak RSS needs no sampling.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from plugstack.testing.ports import free_port

__all__ = ["ServerProcess", "StartFailed", "free_port", "wait_for_200"]


class StartFailed(RuntimeError):
    """The server exited or never answered 200 in time; the message ends with its log tail."""


def wait_for_200(
    url: str, timeout: float, process: subprocess.Popen[bytes] | None = None, statuses: Container[int] = (200,)
) -> float:
    """Poll ``url`` every 5 ms until it answers 200 (or one of ``statuses``); seconds waited.

    Raises on timeout or exit.
    """
    started = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status in statuses:
                    return time.perf_counter() - started
        except urllib.error.HTTPError as exc:
            if exc.code in statuses:
                return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process is not None and process.poll() is not None:
            raise StartFailed(f"exited with code {process.returncode} before answering {url}")
        if time.perf_counter() - started > timeout:
            raise StartFailed(f"no 200 from {url} within {timeout:.0f} s")
        time.sleep(0.005)


@dataclass
class ServerProcess:
    """One server command, started with ``taskset -c CORE`` and its output sent to a log file."""

    name: str
    command: Sequence[str]
    ready_url: str
    core: int
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    start_timeout: float = 60.0
    ready_statuses: tuple[int, ...] = (200,)
    process: subprocess.Popen[bytes] | None = None

    @property
    def full_command(self) -> list[str]:
        return ["taskset", "-c", str(self.core), *self.command]

    def start(self) -> float:
        """Start and wait for the first 200 on ``ready_url``; the cold start in seconds."""
        log = self.log_path.open("ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.full_command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
            cwd=self.cwd,
            start_new_session=True,
        )
        log.close()
        try:
            wait_for_200(self.ready_url, self.start_timeout, self.process, self.ready_statuses)
        except StartFailed as exc:
            self.stop()
            raise StartFailed(f"{self.name}: {exc}\n{self.log_tail()}") from None
        return time.perf_counter() - started

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def pids(self) -> list[int]:
        """The server and every descendant (the ``taskset`` process execs the command itself)."""
        assert self.process is not None
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def cpu_seconds(self) -> float:
        """CPU time of the server, its threads and descendants so far (``schedstat``: in ns)."""
        total_ns = 0
        for pid in self.pids():
            try:
                tasks = list(Path(f"/proc/{pid}/task").iterdir())
            except OSError:
                continue
            for task in tasks:
                try:
                    total_ns += int((task / "schedstat").read_text().split()[0])
                except (OSError, IndexError, ValueError):
                    continue
        return total_ns / 1e9

    def rss_mb(self, key: str = "VmRSS") -> float:
        """Resident memory summed over the process tree; ``key="VmHWM"`` for the peak."""
        total_kb = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith(key + ":"):
                    total_kb += int(line.split()[1])
        return total_kb / 1024
