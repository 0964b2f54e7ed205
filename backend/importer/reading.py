"""CSV reading for the importer: encodings, headers, and strict cell parsers.

Column headers and semantics are documented in ``backend/importer/__init__.py``.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from glossary import identifiers, names

TZ = ZoneInfo("Asia/Shanghai")


def _by_name(table: dict[str, str]) -> dict[str, str]:
    return {name: code for code, name in table.items()}


@dataclass(frozen=True)
class Col:
    header: str
    field: str
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: dict[str, tuple[Col, ...]] = {
    "accounts": (
        Col("户号", "account_no", True), Col("户名", "name", True),
        Col("联系电话", "phone", True, ("手机号", "电话")), Col("地址", "address", True),
        Col("区县", "county"), Col("社区", "area", True, ("社区/村", "村社区", "小区", "村")),
        Col("台区", "transformer_area", True), Col("电价", "tariff"),
        Col("峰谷电价", "time_of_use", aliases=("峰谷",)), Col("费控", "prepaid", aliases=("预付费",)),
        Col("余额", "balance"), Col("状态", "status"),
    ),
    "bills": (
        Col("户号", "account_no", True), Col("账期", "period", True), Col("总电量", "kwh_total", True),
        Col("峰电量", "kwh_peak"), Col("谷电量", "kwh_valley"), Col("年累计电量", "annual_kwh"),
        Col("阶梯", "tier"), Col("电费金额", "amount"), Col("已缴金额", "paid_amount"),
        Col("缴费截止日", "due_date"), Col("缴费时间", "paid_at"),
    ),
    "outages": (
        Col("类型", "type", True), Col("状态", "status"), Col("开始时间", "start_at", True),
        Col("预计恢复时间", "expected_end_at", True), Col("实际恢复时间", "restored_at"),
        Col("发布时间", "published_at"), Col("区县", "county"),
        Col("停电区域", "areas", True), Col("台区", "transformer_area"), Col("线路", "line"),
        Col("原因", "reason", True), Col("停电范围", "area_text"),
    ),
}
# Column values: the names of glossary.names, plus the short forms operators' exports use.
ACCOUNT_STATUS = {**_by_name(names.ACCOUNT_STATUSES), "销户": "closed"}
OUTAGE_TYPE = {**_by_name(names.OUTAGE_TYPES), "计划": "planned", "临时": "temporary", "故障": "fault"}
OUTAGE_STATUS = {**_by_name(names.OUTAGE_STATUSES), "计划中": "scheduled", "已恢复": "restored", "已送电": "restored"}
_BOOLEANS = {"是": True, "否": False, "y": True, "n": False, "yes": True, "no": False,
             "true": True, "false": False, "1": True, "0": False}


# --- field parsers: return the value or raise ValueError(reason) ------------------

def parse_account_no(text: str) -> str:
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        raise ValueError("被表格软件转成了科学计数法，请把该列设为文本格式后重新导出")
    parsed = identifiers.parse_account_no(text, free_text=False)
    if parsed is None:
        digits = re.sub(r"[\s-]", "", text)
        raise ValueError(f"应为10位数字或以省份代码开头的13位数字（实际{len(digits)}个字符）")
    return parsed


def parse_phone(text: str) -> str:
    parsed = identifiers.parse_phone(text, free_text=False)
    if parsed is None:
        raise ValueError("格式不正确（应为11位手机号或带区号的固定电话）")
    return parsed


def parse_text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ValueError(f"过长（最多{limit}个字）")
        return text
    return parse


def parse_count(text: str) -> int:
    plain = text.replace(",", "")
    if not re.fullmatch(r"\d+(\.0*)?", plain):
        raise ValueError(f"应为非负整数，实际为“{text}”")
    return int(Decimal(plain))


def parse_money(text: str, negative_ok: bool = False) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").lstrip("¥￥"))
    except InvalidOperation:
        raise ValueError(f"应为金额数字，实际为“{text}”") from None
    if not value.is_finite() or (value < 0 and not negative_ok):
        raise ValueError(f"应为非负金额，实际为“{text}”")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"最多两位小数，实际为“{text}”")
    return value.quantize(Decimal("0.01"))


def parse_date(text: str) -> date:
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    try:
        if match:
            return date(*map(int, match.groups()))
    except ValueError:
        pass
    raise ValueError(f"不是有效日期“{text}”（应为YYYY-MM-DD）")


def parse_datetime(text: str) -> datetime:
    match = re.fullmatch(r"(\S+?)(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
    day = parse_date(match.group(1)) if match else parse_date(text)
    try:
        clock = time(*(int(g) for g in match.groups()[1:] if g is not None))  # type: ignore[union-attr]
    except ValueError:
        raise ValueError(f"不是有效时间“{text}”（应为YYYY-MM-DD HH:MM）") from None
    return datetime.combine(day, clock, TZ)  # exports are in Beijing time


def parse_period(text: str) -> str:
    match = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2})|(\d{2}))", text)
    month = int(match.group(2) or match.group(3)) if match else 0
    if not 1 <= month <= 12:
        raise ValueError(f"应为年月YYYY-MM，实际为“{text}”")
    return f"{match.group(1)}-{month:02d}"  # type: ignore[union-attr]


def parse_bool(text: str) -> bool:
    value = _BOOLEANS.get(text.lower())
    if value is None:
        raise ValueError(f"应为“是”或“否”，实际为“{text}”")
    return value


def parse_choice(mapping: dict[str, Any], english: Iterable[str] = ()) -> Callable[[str], Any]:
    allowed = {**mapping, **{v: v for v in english}}

    def parse(text: str) -> Any:
        value = allowed.get(text) if text in allowed else allowed.get(text.lower())
        if value is None:
            raise ValueError(f"应为{'/'.join(mapping)}之一，实际为“{text}”")
        return value
    return parse


# --- reading --------------------------------------------------------------------

def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK: Excel on Chinese Windows saves GBK."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_utf8 = exc.start
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        # Neither fits; the first byte that is not UTF-8 is the likeliest culprit.
        line = data[:bad_utf8].count(b"\n") + 1
        raise ValueError(f"第{line}行: 无法识别文件编码（应为 UTF-8 或 GBK）") from None


class Row:
    """One data line: typed access to its cells, collecting every problem."""

    def __init__(self, line: int, cells: dict[str, str], labels: dict[str, str],
                 problems: list[str]) -> None:
        self.line, self.cells, self.labels, self.problems, self.ok = line, cells, labels, problems, True

    def fail(self, message: str) -> None:
        self.problems.append(f"第{self.line}行: {message}")
        self.ok = False

    def raw(self, field: str) -> str:
        return self.cells.get(field, "").strip()

    def get(self, field: str, parser: Callable[[str], Any] = str, required: bool = False) -> Any:
        text = self.raw(field)
        if not text:
            if required:
                self.fail(f"{self.labels[field]}不能为空")
            return None
        try:
            return parser(text)
        except ValueError as exc:
            self.fail(f"{self.labels[field]}{exc}")
            return None


def read_table(kind: str, path: Path, problems: list[str]) -> list[Row] | None:
    """Decode and split a file. None means the file or its header (line 1) is unusable."""
    try:
        text = _decode(path.read_bytes())
    except ValueError as exc:
        problems.append(str(exc))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.append(f"第1行: 表头无法解析（{exc}）")
        return None
    if not header or not any(h.strip() for h in header):
        problems.append("第1行: 文件为空或缺少表头")
        return None
    columns = COLUMNS[kind]
    lookup = {name: col for col in columns for name in (col.header, col.field, *col.aliases)}
    fields: list[str | None] = []
    for name in (h.strip() for h in header):
        col = lookup.get(name) or lookup.get(name.lower())
        if name and col is None:
            problems.append(f"第1行: 未知列“{name}”（可用列：{'、'.join(c.header for c in columns)}）")
        elif col is not None and col.field in fields:
            problems.append(f"第1行: 列“{name}”重复")
        fields.append(col.field if col else None)
    missing = [c.header for c in columns if c.required and c.field not in fields]
    if missing:
        problems.append(f"第1行: 缺少必填列：{'、'.join(missing)}")
    if problems:
        return None
    labels = {c.field: c.header for c in columns}
    rows: list[Row] = []
    while True:
        line = reader.line_num + 1  # where the next record starts; a quoted cell may span lines
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            problems.append(f"第{line}行: 无法解析（{exc}）")
            return rows
        if not any(c.strip() for c in cells):
            continue
        row = Row(line, {}, labels, problems)
        if len(cells) > len(fields) and any(c.strip() for c in cells[len(fields):]):
            row.fail(f"本行有{len(cells)}列，表头只有{len(fields)}列")
        row.cells = {f: c for f, c in zip(fields, cells, strict=False) if f is not None}
        rows.append(row)
