"""`python -m bot.launch` (what `make run` runs) keeps the system up: a process that crashes
after start-up is started again after a pause, says so in the log, and the others go on
serving untouched; SIGTERM stops every process."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.model_cache import ROOT, ensure_model
from tests.assistant_fixtures import free_port
from tests.conftest import API_TOKEN

READY = "ready — customers' doors"


def children(pid: int) -> dict[str, int]:
    """The launcher's processes by what they run."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        found[" ".join(part.decode() for part in cmdline[1:4])] = int(child)
    return found


def wait_until(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"not within {seconds:.0f} s: {what}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def operations_are_visible(ports: dict[str, str], log_path: Path) -> None:
    """`make run` serves metrics and follows one message by its request id through every process's log."""
    service = {"Authorization": f"Bearer {API_TOKEN}"}
    for port in (ports["BACKEND_PORT"], ports["ACTION_PORT"]):
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=service),
                                    timeout=5) as resp:
            assert b"p95598_" in resp.read()
    turn = urllib.request.Request(
        f"http://127.0.0.1:{ports['BACKEND_PORT']}/webhooks/ivr", method="POST",
        data=json.dumps({"call_id": "call-launch", "seq": 1, "event": "text", "text": "我家停电了"}).encode(),
        headers={**service, "Content-Type": "application/json", "X-Request-Id": "launch-msg-0001"})
    with urllib.request.urlopen(turn, timeout=30) as resp:
        assert resp.headers["X-Request-Id"] == "launch-msg-0001"
    wait_until(lambda: all(any(name in line and "[launch-msg-0001]" in line
                                for line in log_path.read_text(errors="replace").splitlines())
                            for name in ("aiohttp.access", "bot.channels.rest", "actions.observability")),
               10, "the message's id in the backend's, Rasa's and the action server's lines")


def test_a_crashed_process_is_started_again_and_the_others_keep_running(tmp_path):
    ensure_model()
    ports = {name: str(free_port()) for name in ("BACKEND_PORT", "ACTION_PORT", "RASA_PORT")}
    env = {**os.environ, **ports, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "DEMO_DATA": "1",
           "BACKEND_API_TOKEN": API_TOKEN, "RASA_TOKEN": "launch-test", "SCHEDULER": "0",
           "RASA_TRACKER_DB": str(tmp_path / "tracker.db"), "OUTBOX_PATH": str(tmp_path / "outbox.db"),
           "RASA_TELEMETRY_ENABLED": "false"}
    log_path = tmp_path / "launch.log"
    with log_path.open("w") as log:
        launcher = subprocess.Popen([sys.executable, "-m", "bot.launch"], cwd=ROOT, env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
    health = f"http://127.0.0.1:{ports['BACKEND_PORT']}/healthz"
    try:
        wait_until(lambda: READY in log_path.read_text(errors="replace"), 180, "the launcher's ready banner")
        operations_are_visible(ports, log_path)
        before = children(launcher.pid)
        backend = next(pid for what, pid in before.items() if what.startswith("-m backend"))
        os.kill(backend, signal.SIGKILL)  # a crash: nothing flushed
        wait_until(lambda: "restarting it in 1 s" in log_path.read_text(errors="replace"), 30, "the crash told")
        wait_until(lambda: answers(health), 60, "the backend answering again")
        after = children(launcher.pid)
        assert next(pid for what, pid in after.items() if what.startswith("-m backend")) != backend
        unchanged = {what: pid for what, pid in before.items()
                     if what.startswith(("-m bot.rasa_server", "-m actions.server"))}  # not the hourly sweep
        assert len(unchanged) == 2
        assert {what: after.get(what) for what in unchanged} == unchanged, "the others were restarted too"
        text = log_path.read_text(errors="replace")
        assert "launch: backend exited with status -9 (crash 1 in a row)" in text
        assert "launch: starting backend again" in text
    finally:
        running = list(children(launcher.pid).values()) if launcher.poll() is None else []
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=30)
    for pid in running:
        wait_until(lambda pid=pid: not Path(f"/proc/{pid}").exists() or "Z" in
                   Path(f"/proc/{pid}/stat").read_text().split()[2], 20, f"process {pid} stopped with the launcher")
