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

The table code (`table`, `as_csv`, `as_xlsx`, `attachment`) also writes the
published monthly assessment (backend/api/assessments.py) from its stored rows
and its own indicator keys, so a table published before an indicator existed
is written as it was published.

Supervisors export their own subtree, admins any unit (the access table,
backend/api/policy.py, and `visible_unit`); every export is written to the audit log.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
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
from backend.sla.calendar import MONTH, TZ, month_range

EXPORT_PATH = "/api/kpi/export"
MEDIA_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ExportQuery(BaseModel):
    unit: str | None = Field(None, max_length=32, description="unit id; default: the caller's unit (admins: the root)")
    month: str | None = Field(None, regex=MONTH,
                              description="YYYY-MM (Asia/Shanghai); default: the current month")
    format: Literal["csv", "xlsx"] = "csv"


@dataclass(frozen=True)
class Table:
    """An assessment table ready to write: its headers, its rows and which columns hold a ratio."""

    sheet: str
    header: list[str]
    rows: list[list[Any]]
    ratio_columns: frozenset[int]
    decimals: dict[int, int] = field(default_factory=dict)  # a ratio column's percent decimals, where not 2


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


def headers(keys: Sequence[str], ratios: Collection[str], breakdowns: Collection[str] = ()) -> list[str]:
    """The column headers for these indicators (a ratio also gets its numerator and denominator,
    an indicator of `breakdowns` its parts)."""
    cols = say.EXPORT_COLUMNS
    names = [cols["month"], cols["unit_id"], cols["unit_name"], cols["scope"]]
    for key in keys:
        name = say.INDICATORS.get(key, key)  # an indicator a later release dropped keeps its code
        names.append(name)
        if key in ratios:
            num, den = say.RATIO_PARTS.get(key, say.RATIO_PARTS_UNNAMED)
            names += [cols["numerator"].format(name=name, part=num), cols["denominator"].format(name=name, part=den)]
        if key in breakdowns:
            names += breakdown_headers(key, name)
    return names


def table(month: str, units: Sequence[tuple[str, dict[str, Any], dict[str, Any]]],
          keys: Sequence[str] | None = None, ratios: Collection[str] | None = None) -> Table:
    """One row per (scope, unit, indicators); a ratio as its ratio (None when undefined), numerator, denominator.

    `keys`/`ratios` default to the indicators computed today (wording.INDICATORS, kpi.RATIOS);
    a published table passes its own, so it is written from what it holds.
    """
    keys = list(say.INDICATORS) if keys is None else list(keys)
    ratios = set(RATIOS) if ratios is None else set(ratios)
    # Breakdowns the values hold (a table published before they existed has none).
    first = units[0][2] if units else {}
    breakdowns = {k for k in keys if k in BREAKDOWNS and k in ratios and BREAKDOWNS[k][0] in first.get(k, {})}
    rows = []
    for scope, unit, values in units:
        row: list[Any] = [month, unit["id"], unit["name"], say.EXPORT_SCOPES[scope]]
        for key in keys:
            value = values[key]
            row += [value["ratio"], value["numerator"], value["denominator"]] if key in ratios else [value]
            if key in breakdowns:
                row += breakdown_cells(key, value)
        rows.append(row)
    header = headers(keys, ratios, breakdowns)
    names = {say.INDICATORS.get(k, k): k for k in ratios}
    names |= {title: key for key in breakdowns if BREAKDOWNS[key][2]
              for title in breakdown_headers(key, say.INDICATORS.get(key, key))[::3]}
    digits = percent_decimals()
    return Table(say.EXPORT_SHEET.format(month=month), header, rows,
                 frozenset(i for i, name in enumerate(header) if name in names),
                 {i: digits[names[name]] for i, name in enumerate(header) if names.get(name) in digits})


def report_table(month: str, data: dict[str, Any]) -> Table:
    """The table of one report (backend.api.kpi.report): the unit over its subtree (合计), then each child."""
    units = [("total", data["unit"], data["indicators"])]
    units += [("child", child["unit"], child["indicators"]) for child in data["children"]]
    return table(month, units)


def as_csv(sheet: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow(["" if v is None else (f"{v * 100:.{sheet.decimals.get(i, 2)}f}%" if i in sheet.ratio_columns
                                               else v) for i, v in enumerate(row)])
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(sheet: Table) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet.sheet
    ws.append(sheet.header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        ws.append(row)
        for i in sheet.ratio_columns:
            ws.cell(row=ws.max_row, column=i + 1).number_format = f"0.{'0' * sheet.decimals.get(i, 2)}%"
    ws.freeze_panes = "E2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attachment(sheet: Table, file_format: str, filename: str) -> web.Response:
    """The table as a download in the format asked for."""
    body = as_csv(sheet) if file_format == "csv" else as_xlsx(sheet)
    return web.Response(body=body, content_type=MEDIA_TYPES[file_format],
                        charset="utf-8" if file_format == "csv" else None,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


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
    unit_id = data["unit"]["id"]
    await audit.record(platform, who, "kpi.export", "unit", unit_id, unit_id=unit_id,
                       details={"month": month, "format": q.format}, client=audit.client_tag(request.remote))
    return attachment(report_table(month, data), q.format, f"kpi-{unit_id}-{month}.{q.format}")
