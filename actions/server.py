"""`python -m actions.server`: the rasa_sdk action server plus the outbox drain.

rasa_sdk's own runner has no hook for a background task; this is its `run`
with one listener added: undelivered tickets are retried every OUTBOX_DRAIN_SECONDS (30).
Logging is the backend's (masked, request ids, LOG_FORMAT=json); actions/observability.py
adds the request ids, /healthz and /metrics.
"""
from __future__ import annotations

import asyncio
import logging
import os

from rasa_sdk.endpoint import create_app

from actions import observability
from actions.backend import backend
from actions.outbox import drain_forever, outbox
from actions.settings import ActionSettings
from backend.logs import configure_logging

log = logging.getLogger(__name__)


def main() -> None:
    configure_logging()
    observability.apply()
    app = create_app("actions")
    observability.install(app, ActionSettings.load(), outbox())
    tasks: list[asyncio.Task] = []

    @app.listener("after_server_start")
    async def start_outbox(_app: object, _loop: object) -> None:
        every = ActionSettings.load().outbox_drain_seconds
        tasks.append(asyncio.get_running_loop().create_task(drain_forever(outbox(), backend(), every)))

    @app.listener("before_server_stop")
    async def stop_outbox(_app: object, _loop: object) -> None:
        for task in tasks:
            task.cancel()
        await backend().close()

    host, port = os.environ.get("ACTION_HOST", "127.0.0.1"), int(os.environ.get("ACTION_PORT", "5055"))
    log.info("action server on http://%s:%d", host, port)
    app.run(host, port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
