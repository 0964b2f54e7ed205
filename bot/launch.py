"""`python -m bot.launch`: the whole assistant on 127.0.0.1 — backend, action
server and Rasa — started side by side, each waited for, all stopped together.

If one process dies the others are stopped too, so a half-running system is
never mistaken for a working one.
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
        f"  action server  http://127.0.0.1:{env['ACTION_PORT']}/health\n"
        "Ctrl-C stops everything.")


def main() -> None:
    env = settings()
    Path(env["RASA_TRACKER_DB"]).parent.mkdir(parents=True, exist_ok=True)
    model = ensure_model()
    processes: list[subprocess.Popen] = []

    def start(args: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(args, cwd=ROOT, env=env)
        processes.append(process)
        return process

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        # Side by side: none needs another to start (each reaches the next only when a customer
        # writes), and Rasa's model load is most of the wait (issue #10: ready in 30 s).
        rasa = start([PY, "-m", "bot.rasa_server", "run", "--model", str(model), "--enable-api",
                      "--auth-token", env.get("RASA_TOKEN", ""), "--interface", "127.0.0.1",
                      "--port", env["RASA_PORT"], "--credentials", "credentials.yml",
                      "--endpoints", "endpoints.yml"])
        backend = start([PY, "-m", "backend"])
        actions = start([PY, "-m", "actions.server"])
        wait_for(f"http://127.0.0.1:{env['BACKEND_PORT']}/healthz", backend, 180)
        wait_for(f"http://127.0.0.1:{env['ACTION_PORT']}/health", actions, 120)
        wait_for(f"http://127.0.0.1:{env['RASA_PORT']}/", rasa, 300)
        print(ready_banner(env), flush=True)
        sweep: subprocess.Popen | None = None
        next_sweep = time.monotonic()
        while all(p.poll() is None for p in processes):
            if time.monotonic() >= next_sweep and (sweep is None or sweep.poll() is not None):
                # Rasa's conversations idle past retention.assistant_tracker_days (bot/tracker_retention.py).
                sweep = subprocess.Popen([PY, "-m", "bot.tracker_retention"], cwd=ROOT, env=env)
                next_sweep = time.monotonic() + TRACKER_SWEEP_SECONDS
            time.sleep(1)
        print("a process exited; stopping the others", file=sys.stderr)
        raise SystemExit(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop()


if __name__ == "__main__":
    main()
