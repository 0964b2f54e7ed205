"""GET /api/kpi/export: the monthly assessment table (考核表) as CSV or Excel (issue #8, dashboard).

The numbers are GET /api/kpi's, computed by the same function
(`backend.api.kpi.report`) for the calendar month asked for: one row for the
unit over its whole subtree (合计), then one per direct child, one column per
count and, for a ratio, its value, numerator and denominator (names:
backend/console/wording.py). A ratio without a denominator is an empty cell.

- CSV: UTF-8 with a BOM, because Excel on Chinese Windows reads a CSV without
  it as GBK and shows the headers as mojibake; ratios as "66.67%", which Excel
  reads as a percentage number (the API's ratio has 4 decimals, so no digit is lost).
- xlsx (openpyxl): ratios as the API's numbers with a percentage format.
- Supply reliability has 4 decimals of a percentage in both (99.9712%), the API's 6 of a fraction.
- An indicator with a breakdown (backend/kpi.py BREAKDOWNS) is followed by its parts: satisfaction
  by source (回访, 问卷: each a ratio with its numerator and denominator), service compliance by
  commitment breached (a count per commitment).

Supervisors export their own subtree, admins any unit (the access table,
backend/api/policy.py, and `visible_unit`); every export is written to the audit log.
"""
from __future__ import annotations

import calendar
import csv
import io
from datetime import date
from typing import Any, Literal

from aiohttp import web
from openpyxl import Workbook
from openpyxl.styles import Font
from pydantic import BaseModel, Field

from backend import audit
from backend.api import PLATFORM
from backend.api.auth import principal
from backend.api.kpi import report
from backend.api.validation import read_query
from backend.console import wording as say
from backend.console.api import routes
from backend.context import Platform
from backend.kpi import BREAKDOWNS, RATIOS, percent_decimals
from backend.sla.calendar import TZ

EXPORT_PATH = "/api/kpi/export"
MEDIA_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ExportQuery(BaseModel):
    unit: str | None = Field(None, max_length=32, description="unit id; default: the caller's unit (admins: the root)")
    month: str | None = Field(None, regex=r"^\d{4}-(0[1-9]|1[0-2])$",
                              description="YYYY-MM (Asia/Shanghai); default: the current month")
    format: Literal["csv", "xlsx"] = "csv"


def month_range(month: str) -> tuple[date, date]:
    """The first and last day of a YYYY-MM month."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def breakdown_headers(key: str, name: str) -> list[str]:
    """The columns of an indicator's breakdown: a ratio part gets three (as an indicator), a count one."""
    kind, parts, ratio_parts = BREAKDOWNS[key]
    cols, names = say.EXPORT_COLUMNS, []
    for part in parts.values():
        title = say.EXPORT_BREAKDOWN[kind].format(name=name, part=part)
        names.append(title)
        if ratio_parts:
            num, den = say.RATIO_PARTS[key]
            names += [cols["numerator"].format(name=title, part=num), cols["denominator"].format(name=title, part=den)]
    return names


def breakdown_cells(key: str, value: dict[str, Any]) -> list[Any]:
    """The cells of an indicator's breakdown, in breakdown_headers' order (empty for a part not given)."""
    kind, parts, ratio_parts = BREAKDOWNS[key]
    given = value.get(kind, {})
    if not ratio_parts:
        return [given.get(code) for code in parts]
    return [cell for code in parts
            for cell in ((given[code]["ratio"], given[code]["numerator"], given[code]["denominator"])
                         if code in given else (None, None, None))]


def headers() -> list[str]:
    """The table's column headers, in the API's indicator order (a breakdown after its indicator)."""
    cols = say.EXPORT_COLUMNS
    names = [cols["month"], cols["unit_id"], cols["unit_name"], cols["scope"]]
    for key, name in say.INDICATORS.items():
        names.append(name)
        if key in RATIOS:
            num, den = say.RATIO_PARTS[key]
            names += [cols["numerator"].format(name=name, part=num), cols["denominator"].format(name=name, part=den)]
        if key in BREAKDOWNS:
            names += breakdown_headers(key, name)
    return names


def rows(month: str, data: dict[str, Any]) -> list[list[Any]]:
    """One row per unit (the total first); a ratio as its ratio (None when undefined), numerator, denominator."""
    units = [("total", data["unit"], data["indicators"])]
    units += [("child", child["unit"], child["indicators"]) for child in data["children"]]
    table = []
    for scope, unit, values in units:
        row: list[Any] = [month, unit["id"], unit["name"], say.EXPORT_SCOPES[scope]]
        for key in say.INDICATORS:
            value = values[key]
            row += [value["ratio"], value["numerator"], value["denominator"]] if key in RATIOS else [value]
            if key in BREAKDOWNS:
                row += breakdown_cells(key, value)
        table.append(row)
    return table


def ratio_columns() -> dict[int, int]:
    """Indexes of the columns holding a ratio, each with its percent decimals."""
    names = {say.INDICATORS[k]: k for k in RATIOS}
    names |= {title: key for key in BREAKDOWNS if BREAKDOWNS[key][2]
              for title in breakdown_headers(key, say.INDICATORS[key])[::3]}
    digits = percent_decimals()
    return {i: digits.get(names[name], 2) for i, name in enumerate(headers()) if name in names}


def as_csv(month: str, data: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers())
    ratios = ratio_columns()
    for row in rows(month, data):
        writer.writerow(["" if v is None else (f"{v * 100:.{ratios[i]}f}%" if i in ratios else v)
                         for i, v in enumerate(row)])
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(month: str, data: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = say.EXPORT_SHEET.format(month=month)
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    ratios = ratio_columns()
    for row in rows(month, data):
        sheet.append(row)
        for i, digits in ratios.items():
            sheet.cell(row=sheet.max_row, column=i + 1).number_format = f"0.{'0' * digits}%"
    sheet.freeze_panes = "E2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@routes.op("GET", EXPORT_PATH, "The monthly assessment table of a unit and its children, as CSV or xlsx",
           query=ExportQuery,
           responses={200: "The file (attachment)", 403: "Another unit's table", 404: "No such unit",
                      422: "Invalid month or format"})
async def export_kpi(request: web.Request) -> web.Response:
    platform: Platform = request.app[PLATFORM]
    q = read_query(request, ExportQuery)
    month = q.month or platform.clock().astimezone(TZ).strftime("%Y-%m")
    first, last = month_range(month)
    who = principal(request)
    data = await report(platform, who, q.unit, first, last)
    body = as_csv(month, data) if q.format == "csv" else as_xlsx(month, data)
    unit_id = data["unit"]["id"]
    await audit.record(platform, who, "kpi.export", "unit", unit_id, unit_id=unit_id,
                       details={"month": month, "format": q.format}, client=audit.client_tag(request.remote))
    filename = f"kpi-{unit_id}-{month}.{q.format}"
    return web.Response(body=body, content_type=MEDIA_TYPES[q.format],
                        charset="utf-8" if q.format == "csv" else None,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
