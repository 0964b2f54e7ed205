"""Wiring: settings → database → platform → aiohttp application."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from backend import scheduler
from backend.api import (
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
    app = web.Application(middlewares=[error_middleware, access_middleware], client_max_size=1024 ** 2,
                          handler_args={"max_line_size": PARSER_LINE_BYTES})
    app[PLATFORM] = platform
    for table in ROUTE_TABLES:
        app.add_routes(table)
    complaint_form.setup(app, platform)
    lookups.setup(app)
    survey_page.setup(app, platform)
    chat.setup(app, platform)
    console_setup(app)
    install_router(app, ConversationRouter.build(platform))
    install_headers(app)
    wechat.setup(app)  # after the router: registers the channel's Delivery with its outbox
    app[OPENAPI] = openapi_document(ROUTE_TABLES, title="95598 service platform", version="1")
    if platform.settings.scheduler_enabled:
        app.cleanup_ctx.append(_scheduler)
    return app


async def _scheduler(app: web.Application) -> AsyncIterator[None]:
    platform: Platform = app[PLATFORM]
    app[SCHEDULER_STATE] = {"enabled": True, "interval_seconds": platform.rules.scheduler_interval}
    task = asyncio.create_task(scheduler.run_forever(platform))
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
