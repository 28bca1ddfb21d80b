"""``plugstack run`` in a subprocess: it serves, logs what it started (secrets redacted), and
shuts every provider down on SIGINT or SIGTERM with exit code 0.

``inline::echo`` is a test double that is never registered through an entry point, so the
subprocess registers it in the process-wide plugin host and then calls the CLI's ``main``
(exactly what the ``plugstack`` console script calls).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from plugstack.testing.ports import free_port

RUN_CLI_WITH_ECHO = """
import sys
from plugstack.cli import main
from plugstack.plugins import get_plugin_host
from plugstack.testing.echo import EchoPlugin
get_plugin_host().register(EchoPlugin(), name="echo")
sys.exit(main(sys.argv[1:]))
"""

RUN_YAML = """
distribution_name: cli-test
providers:
  inference:
    - provider_id: echo
      provider_type: inline::echo
      config:
        api_key: ${env.ECHO_TEST_KEY}
        delay_seconds: ${env.ECHO_TEST_DELAY:=0}
storage:
  kvstore:
    db_path: {db}
"""


def plugstack(*args: str, **env_vars: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PLUGSTACK_DISABLE_PLUGIN_AUTOLOAD": "1", **env_vars}
    return subprocess.Popen(
        [sys.executable, "-c", RUN_CLI_WITH_ECHO, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until_healthy(process: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"plugstack run exited early with {process.returncode}:\n{process.communicate()[0]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"plugstack run did not serve {url} within 30 s:\n{process.communicate()[0]}")


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "bind"), [(signal.SIGINT, "127.0.0.1"), (signal.SIGTERM, "0.0.0.0")])
def test_run_serves_and_shuts_down_on_a_signal(tmp_path: Path, sig: signal.Signals, bind: str) -> None:
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(RUN_YAML.replace("{db}", str(tmp_path / "kv.db")))
    port = free_port()
    process = plugstack(
        "run", str(run_yaml), "--host", bind, "--port", str(port), "--env", "ECHO_TEST_KEY=sk-very-secret"
    )
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}/v1/health")
        models = httpx.get(f"http://127.0.0.1:{port}/v1/models").json()
        assert {m["id"] for m in models["data"]} == {"echo-1", "echo-embed"}
        process.send_signal(sig)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "started provider echo (inference, inline::echo)" in output
    assert "'api_key': '<redacted>'" in output and "sk-very-secret" not in output
    assert "route POST   /v1/chat/completions" in output
    assert f"at http://{bind}:{port}/v1" in output
    assert ("auth OFF" in output) is (bind == "0.0.0.0")  # the loud warning, only off loopback
    assert "GET /v1/models 200" in output  # the access log
    assert output.index("shutting down providers: echo") < output.index("providers shut down")
    assert "Traceback" not in output, output


@pytest.mark.slow
def test_shutdown_does_not_wait_for_a_long_stream(tmp_path: Path) -> None:
    """A stream of 40 words at 1 s each ends with a "shutting down" error event after the
    grace period, instead of holding the shutdown for 40 s."""
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(RUN_YAML.replace("{db}", str(tmp_path / "kv.db")))
    port = free_port()
    process = plugstack("run", str(run_yaml), "--port", str(port), ECHO_TEST_KEY="k", ECHO_TEST_DELAY="1")
    received: list[str] = []

    def stream() -> None:
        body = {"model": "echo-1", "messages": [{"role": "user", "content": "word " * 40}], "stream": True}
        try:
            with httpx.stream(
                "POST", f"http://127.0.0.1:{port}/v1/chat/completions", json=body, timeout=60
            ) as response:
                for line in response.iter_lines():
                    received.append(line)
        except httpx.HTTPError as exc:
            received.append(f"client error: {exc!r}")

    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}/v1/health")
        client = threading.Thread(target=stream)
        client.start()
        while not received and client.is_alive():
            time.sleep(0.05)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
        stopped_after = time.monotonic() - started
        client.join(10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert stopped_after < 15, f"shutdown took {stopped_after:.1f} s"
    assert "timeout graceful shutdown exceeded" in output
    assert output.index("shutting down providers: echo") < output.index("providers shut down")
    events = [line for line in received if line]
    assert events[0].startswith("data: {") and "server_shutting_down" in events[-1]
    assert "data: [DONE]" not in events
    assert "Traceback" not in output, output


@pytest.mark.parametrize(
    ("run_yaml", "message"),
    [
        (None, "no such run config"),
        (
            "distribution_name: x\nproviders: {inference: [{provider_id: a, provider_type: remote::nope}]}\n",
            "remote::nope",
        ),
        ("distribution_name: x\nserver: {port: many}\n", "server.port"),
    ],
)
def test_run_with_a_bad_config_exits_1_with_a_message(tmp_path: Path, run_yaml: str | None, message: str) -> None:
    path = tmp_path / "run.yaml"
    if run_yaml is not None:
        path.write_text(run_yaml)
    process = plugstack("run", str(path), "--port", str(free_port()))
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    assert output.startswith("plugstack: error: ") and message in output
    assert "Traceback" not in output, output
