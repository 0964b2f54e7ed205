"""`python -m backend`: migrate, seed demo data if asked and empty, serve."""
from __future__ import annotations

import asyncio

from aiohttp import web

from backend.app import build_platform, create_app
from backend.logs import configure_logging
from backend.settings import Settings, ensure_env_file


def main() -> None:
    configure_logging()
    ensure_env_file()
    settings = Settings.load()
    loop = asyncio.new_event_loop()
    platform = loop.run_until_complete(build_platform(settings))
    app = create_app(platform)
    app.on_cleanup.append(lambda _app: platform.engine.dispose())
    print(f"backend: http://{settings.host}:{settings.backend_port}/healthz "
          f"(API http://{settings.host}:{settings.backend_port}/api/openapi.json)", flush=True)
    web.run_app(app, host=settings.host, port=settings.backend_port, loop=loop, print=None,
                access_log_format='%a "%r" %s %Tf %{X-Request-Id}o')


if __name__ == "__main__":
    main()
