"""Reference data the assistant reads out: tariffs and the service commitments.

Both come from the operator's configuration, so the bot never hard-codes a
price or a deadline.
"""
from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field, root_validator

from backend.api import PLATFORM
from backend.api.registry import ApiRoutes
from backend.api.validation import json_response, read_query
from backend.billing import get_tariff, price_month
from backend.billing.tariffs import Tariff
from backend.errors import NotFound
from backend.openapi_hints import declares
from backend.sla.durations import Duration

routes = ApiRoutes("reference")


def _duration(d: Duration) -> dict[str, str]:
    return {"limit": f"{d.value}{d.unit}", "text": str(d)}


class PriceQuery(BaseModel):
    kwh: int = Field(..., ge=0, le=1_000_000, description="the month's usage")
    annual_kwh_before: int = Field(0, ge=0, le=10_000_000, description="usage earlier in the tier year")
    kwh_peak: int | None = Field(None, ge=0)
    kwh_valley: int | None = Field(None, ge=0)

    @root_validator(skip_on_failure=True)
    @declares(anyOf=[{"required": ["kwh_peak", "kwh_valley"]},
                     {"not": {"anyOf": [{"required": ["kwh_peak"]}, {"required": ["kwh_valley"]}]}}],
              description="kwh_peak and kwh_valley together (their sum is kwh) or neither")
    def _tou(cls, values: dict) -> dict:  # noqa: N805
        peak, valley = values.get("kwh_peak"), values.get("kwh_valley")
        if (peak is None) != (valley is None):
            raise ValueError("峰、谷电量须同时提供")
        if peak is not None and peak + valley != values["kwh"]:
            raise ValueError("峰、谷电量之和应等于当月电量")
        return values


def _tariff(request: web.Request) -> Tariff:
    try:
        return get_tariff(request.match_info["key"], request.app[PLATFORM].settings.tariff_dir)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        raise NotFound("未找到该电价表。", code="tariff_not_found") from exc


@routes.op("GET", "/api/tariffs/{key}/price", "Price one month's usage (the worked example the bot reads)",
           query=PriceQuery, responses={200: "OK", 404: "No such tariff", 422: "Invalid usage"})
async def get_price(request: web.Request) -> web.Response:
    tariff = _tariff(request)
    q = read_query(request, PriceQuery)
    charge = price_month(tariff, q.annual_kwh_before, q.kwh, q.kwh_peak, q.kwh_valley)
    return json_response({
        "kwh": charge.kwh_total, "annual_kwh": charge.annual_kwh, "tier": charge.tier,
        "amount": str(charge.amount), "time_of_use": charge.time_of_use,
        "segments": [{"tier": seg.tier, "kwh": seg.kwh, "price": str(seg.price), "amount": str(seg.amount),
                      "peak_price": str(seg.peak_price) if seg.peak_price is not None else None,
                      "valley_price": str(seg.valley_price) if seg.valley_price is not None else None}
                     for seg in charge.segments],
    })


@routes.op("GET", "/api/tariffs/{key}", "A province's residential tariff: tiers, time-of-use, late fee",
           responses={200: "OK", 404: "No such tariff"})
async def get_tariff_table(request: web.Request) -> web.Response:
    tariff = _tariff(request)
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
