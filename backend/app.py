"""Wiring: settings → database → platform → aiohttp application."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from backend import scheduler
from backend.api import (
    DRAINING,
    HEALTH_CHECKS,
    OPENAPI,
    PLATFORM,
    SCHEDULER_STATE,
    accounts,
    assessments,
    audit,
    conversations,
    health,
    kpi,
    lookups,
    outages,
    places,
    plans,
    privacy_requests,
    reference,
    reveal,
    staff,
    takeover,
    tickets,
    units,
)
from backend.api.errors import PARSER_LINE_BYTES, error_middleware
from backend.api.headers import install_headers
from backend.api.policy import access_middleware
from backend.api.registry import openapi_document
from backend.channels import ivr, wechat
from backend.console import api_routes as console_api_routes
from backend.console import routes as console_routes
from backend.console import setup as console_setup
from backend.context import Platform
from backend.db import create_engine, migrate, session_factory
from backend.observability import gauges, metrics
from backend.observability import middleware as observability
from backend.observability.health import DependencyChecks
from backend.router import ConversationRouter, install_router
from backend.settings import Settings
from backend.sla.calendar import TZ
from backend.web import chat, complaint_form, survey_page

log = logging.getLogger(__name__)
ROUTE_TABLES = [health.routes, tickets.routes, kpi.routes, outages.routes, accounts.routes,
                units.routes, places.routes, staff.routes, reference.routes,
                conversations.routes, takeover.routes, complaint_form.routes, ivr.routes, wechat.routes,
                chat.routes, console_routes, console_api_routes, audit.routes, reveal.routes, assessments.routes,
                survey_page.routes,
                plans.routes, privacy_requests.routes]


async def build_platform(settings: Settings) -> Platform:
    engine = create_engine(settings.database_url)
    await migrate(engine)
    platform = Platform.build(settings, engine, session_factory(engine))
    if settings.demo_data:
        from backend.demo.plans import seed_demo_plans
        from backend.demo.seed import seed_demo
        from backend.demo.tickets import seed_demo_tickets

        counts = await seed_demo(platform.sessions, today=platform.clock().astimezone(TZ).date())
        platform.places.invalidate()  # the seed wrote areas and their aliases
        if counts:  # only a database that was empty gets demo tickets too
            counts["tickets"] = await seed_demo_tickets(platform)
            counts["plans"] = await seed_demo_plans(platform)
            log.info("demo data seeded: %s", counts)
    return platform


def create_app(platform: Platform) -> web.Application:
    # The request id first: every later middleware and handler logs under it.
    app = web.Application(middlewares=[observability.request_middleware, error_middleware, access_middleware],
                          client_max_size=1024 ** 2, handler_args={"max_line_size": PARSER_LINE_BYTES})
    app[PLATFORM] = platform
    scheduler_state: dict[str, object] = {"enabled": False}
    app[SCHEDULER_STATE] = scheduler_state
    app[HEALTH_CHECKS] = DependencyChecks(platform, scheduler_state)
    app[DRAINING] = {"draining": False}
    app.on_shutdown.append(_drain)
    app.on_cleanup.append(lambda app: app[HEALTH_CHECKS].close())
    for table in ROUTE_TABLES:
        app.add_routes(table)
    complaint_form.setup(app, platform)
    lookups.setup(app)
    survey_page.setup(app, platform)
    chat.setup(app, platform)
    console_setup(app)
    install_router(app, ConversationRouter.build(platform))
    install_headers(app)
    observability.install(app)
    wechat.setup(app)  # after the router: registers the channel's Delivery with its outbox
    app[OPENAPI] = openapi_document(ROUTE_TABLES, title="95598 service platform", version="1")
    if platform.settings.scheduler_enabled:
        app.cleanup_ctx.append(_scheduler)
    return app


async def _drain(app: web.Application) -> None:
    app[DRAINING]["draining"] = True  # /readyz says 503 from now on


async def _scheduler(app: web.Application) -> AsyncIterator[None]:
    platform: Platform = app[PLATFORM]
    state = app[SCHEDULER_STATE]
    state.update(enabled=True, interval_seconds=platform.rules.scheduler_interval,
                 started_monotonic=time.monotonic(), last_pass_monotonic=None, last_pass_at=None)

    async def beat() -> None:
        state.update(last_pass_monotonic=time.monotonic(), last_pass_at=platform.clock().isoformat())
        metrics.SCHEDULER_LAST_PASS.set(time.time())
        await gauges.refresh_clocks(platform)

    task = asyncio.create_task(scheduler.run_forever(platform, beat))
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
