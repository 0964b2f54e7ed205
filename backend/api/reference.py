"""Reference data the assistant reads out: tariffs and the service commitments.

Both come from the operator's configuration, so the bot never hard-codes a
price or a deadline.
"""
from __future__ import annotations

from aiohttp import web

from backend.api import PLATFORM
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response
from backend.billing import get_tariff
from backend.errors import NotFound
from backend.sla.durations import Duration

routes = ApiRoutes("reference")


def _duration(d: Duration) -> dict[str, str]:
    return {"limit": f"{d.value}{d.unit}", "text": str(d)}


@routes.op("GET", "/api/tariffs/{key}", "A province's residential tariff: tiers, time-of-use, late fee",
           responses={200: "OK", 404: "No such tariff"})
async def get_tariff_table(request: web.Request) -> web.Response:
    platform = request.app[PLATFORM]
    try:
        tariff = get_tariff(request.match_info["key"], platform.settings.tariff_dir)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        raise NotFound("未找到该电价表。", code="tariff_not_found") from exc
    return json_response({
        "key": tariff.key, "name": tariff.name, "province": tariff.province,
        "tier_year_start_month": tariff.tier_year_start_month,
        "tiers": [{"tier": t.number, "upto_kwh": t.upto_kwh, "price": str(t.price)} for t in tariff.tiers],
        "time_of_use": {
            name: {"start": p.start.strftime("%H:%M"), "end": p.end.strftime("%H:%M"),
                   "adjustment": str(p.adjustment)}
            for name, p in (("peak", tariff.peak), ("valley", tariff.valley))
        },
        "late_fee": {"daily_rate": str(tariff.late_fee_daily_rate), "minimum": str(tariff.late_fee_minimum)},
        "due_day_of_following_month": tariff.due_day,
        "disconnect_after_days_overdue": tariff.disconnect_after_days_overdue,
        "notice_days_before_disconnect": tariff.notice_days_before_disconnect,
    })


@routes.op("GET", "/api/service-commitments", "The service commitments (deadlines) as configured")
async def get_commitments(request: web.Request) -> web.Response:
    rules = request.app[PLATFORM].rules
    clocks: dict[str, dict[str, object]] = {}
    for key, rule_set in rules.clocks.items():
        for rule in rule_set:
            clocks.setdefault(key, {})[rule.name] = {
                site: _duration(limit) for site, limit in rule.limits.items()
            } if "*" not in rule.limits else _duration(rule.limits["*"])
    return json_response({
        "clocks": clocks,
        "planned_outage_notice": _duration(rules.planned_outage_lead),
        "temporary_outage_notice": _duration(rules.temporary_outage_lead),
        "residential_connection": _duration(rules.residential_connection),
    })
