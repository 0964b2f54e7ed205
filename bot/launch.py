"""`python -m bot.launch`: the whole assistant on 127.0.0.1 — backend, action
server and Rasa — started side by side, each waited for, all stopped together.

A process that fails to start stops the others (a system that never ran whole is
a setting to fix, not something to keep retrying). A process that crashes once the
system was ready is started again after a pause that doubles with each crash in a
row (RESTART_BACKOFF_SECONDS, up to RESTART_BACKOFF_MAX_SECONDS; a process that then
stays up STABLE_SECONDS starts the count afresh), and the log says so: the others
keep serving meanwhile (the router tells customers the assistant is unavailable while
Rasa is away; the action server keeps tickets in its outbox while the backend is).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dotenv import dotenv_values

from bot.model_cache import ensure_model

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TRACKER_SWEEP_SECONDS = 3600.0
RESTART_BACKOFF_SECONDS = 1.0
RESTART_BACKOFF_MAX_SECONDS = 60.0
STABLE_SECONDS = 120.0


class Child:
    """One process of the system, restarted with backoff when it crashes."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name, self.args, self.env = name, args, env
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.crashes_in_a_row = 0
        self.restart_at: float | None = None

    def start(self) -> subprocess.Popen:
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env)
        self.started_at = time.monotonic()
        return self.process

    def watch(self, now: float) -> None:
        """Start it again when it crashed and its pause is over; say what happens."""
        assert self.process is not None
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restart_at = None
                print(f"launch: starting {self.name} again", file=sys.stderr, flush=True)
                self.start()
            return
        status = self.process.poll()
        if status is None:
            if now - self.started_at >= STABLE_SECONDS:
                self.crashes_in_a_row = 0
            return
        pause = min(RESTART_BACKOFF_SECONDS * 2 ** self.crashes_in_a_row, RESTART_BACKOFF_MAX_SECONDS)
        self.crashes_in_a_row += 1
        self.restart_at = now + pause
        print(f"launch: {self.name} exited with status {status} (crash {self.crashes_in_a_row} in a row); "
              f"restarting it in {pause:.0f} s", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self.restart_at = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()


def settings() -> dict[str, str]:
    values = {k: v for k, v in dotenv_values(ROOT / ".env").items() if v is not None}
    values.update(os.environ)
    values.setdefault("BACKEND_PORT", "8000")
    values.setdefault("ACTION_PORT", "5055")
    values.setdefault("RASA_PORT", "5005")
    values.setdefault("DEMO_DATA", "1")
    values["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{values['ACTION_PORT']}/webhook"
    values["RASA_TELEMETRY_ENABLED"] = "false"
    values.setdefault("RASA_URL", f"http://127.0.0.1:{values['RASA_PORT']}")
    # endpoints.yml keeps Rasa's conversations here, so a restart resumes a half-finished form.
    values.setdefault("RASA_TRACKER_DB", str(ROOT / "var" / "rasa-tracker.db"))
    return values


def wait_for(url: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def ready_banner(env: dict[str, str]) -> str:
    """Where each customer door and each process answers."""
    backend = f"http://127.0.0.1:{env['BACKEND_PORT']}"
    return (
        "\nready — customers' doors (all through the backend's conversation router):\n"
        f"  web chat       {backend}/chat   (embed: <script src=\"{backend}/chat/widget.js\" defer></script>)\n"
        f"  complaint form {backend}/complaint\n"
        f"  WeChat         {backend}/webhooks/wechat   (server URL for the Official Account; README)\n"
        f"  hotline IVR    {backend}/webhooks/ivr   (POST per turn, bearer BACKEND_API_TOKEN; README)\n"
        "processes:\n"
        f"  backend        {backend}/healthz  (API: /api/openapi.json)\n"
        f"  assistant      http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook  (Rasa, behind the router)\n"
        f"  action server  http://127.0.0.1:{env['ACTION_PORT']}/healthz\n"
        "operations (README: Operations):\n"
        f"  readiness      {backend}/readyz\n"
        f"  metrics        {backend}/metrics and http://127.0.0.1:{env['ACTION_PORT']}/metrics"
        "   (bearer METRICS_TOKEN or BACKEND_API_TOKEN, .env)\n"
        "Ctrl-C stops everything.")


def main() -> None:
    env = settings()
    Path(env["RASA_TRACKER_DB"]).parent.mkdir(parents=True, exist_ok=True)
    model = ensure_model()
    # Side by side: none needs another to start (each reaches the next only when a customer
    # writes), and Rasa's model load is most of the wait (issue #10: ready in 30 s).
    children = [
        Child("rasa", [PY, "-m", "bot.rasa_server", "run", "--model", str(model), "--enable-api",
                       "--auth-token", env.get("RASA_TOKEN", ""), "--interface", "127.0.0.1",
                       "--port", env["RASA_PORT"], "--credentials", "credentials.yml",
                       "--endpoints", "endpoints.yml"], env),
        Child("backend", [PY, "-m", "backend"], env),
        Child("action server", [PY, "-m", "actions.server"], env),
    ]

    def stop(*_: object) -> None:
        for child in children:
            child.stop()
        for child in children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.process.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        rasa, backend, actions = (child.start() for child in children)
        wait_for(f"http://127.0.0.1:{env['BACKEND_PORT']}/healthz", backend, 180)
        wait_for(f"http://127.0.0.1:{env['ACTION_PORT']}/healthz", actions, 120)
        wait_for(f"http://127.0.0.1:{env['RASA_PORT']}/", rasa, 300)
        print(ready_banner(env), flush=True)
        sweep: subprocess.Popen | None = None
        next_sweep = time.monotonic()
        while True:
            now = time.monotonic()
            for child in children:
                child.watch(now)
            if now >= next_sweep and (sweep is None or sweep.poll() is not None):
                # Rasa's conversations idle past retention.assistant_tracker_days (bot/tracker_retention.py).
                sweep = subprocess.Popen([PY, "-m", "bot.tracker_retention"], cwd=ROOT, env=env)
                next_sweep = now + TRACKER_SWEEP_SECONDS
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop()


if __name__ == "__main__":
    main()
