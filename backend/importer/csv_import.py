"""Validate whole CSV files first, then write them in one transaction (all or nothing).

Column headers and upsert semantics are documented in ``backend/importer/__init__.py``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import selectinload, sessionmaker

from backend.billing import available_tariffs, due_date_for, get_tariff, price_month, tier_year_of
from backend.billing import parse_period as split_period
from backend.models import Account, Area, Bill, Outage, OutageScope, utcnow
from backend.models.accounts import ACCOUNT_STATUSES
from backend.models.outages import OUTAGE_STATUSES, OUTAGE_TYPES

from .reading import (
    ACCOUNT_STATUS,
    OUTAGE_STATUS,
    OUTAGE_TYPE,
    Row,
    parse_account_no,
    parse_bool,
    parse_choice,
    parse_count,
    parse_date,
    parse_datetime,
    parse_money,
    parse_period,
    parse_phone,
    parse_text,
    read_table,
)

KIND_LABELS = {"accounts": "账户", "bills": "账单", "outages": "停电信息"}
_CHUNK = 500  # keeps IN (...) lists under every database's parameter limit


class ImportFailed(Exception):
    """Validation failed and nothing was written; ``problems`` lists (file, messages)."""

    def __init__(self, problems: list[tuple[Path, list[str]]]) -> None:
        super().__init__("; ".join(m for _, ms in problems for m in ms))
        self.problems = problems


@dataclass
class ImportResult:
    kind: str
    path: Path
    inserted: int = 0
    updated: int = 0

    def summary(self) -> str:
        return (f"已导入{KIND_LABELS[self.kind]} {self.inserted + self.updated} 条"
                f"（新增 {self.inserted} 条，更新 {self.updated} 条）：{self.path}")


# --- validation ----------------------------------------------------------------------

class _Context:
    """What rows are checked against: areas, tariffs, and accounts in the DB or this run."""

    def __init__(self, session: Any, tariff_dir: Path | None) -> None:
        self.session = session
        self.tariff_dir = tariff_dir
        self.tariffs = set(available_tariffs(tariff_dir))
        self.areas: dict[str, list[Area]] = {}
        self.db_accounts: dict[str, str] = {}  # 户号 -> tariff key
        self.file_accounts: dict[str, str] = {}  # accounts validated earlier in this run

    async def load(self, numbers: set[str]) -> None:
        if not self.areas:
            for area in (await self.session.execute(select(Area))).scalars():
                self.areas.setdefault(area.name, []).append(area)
        wanted = sorted(numbers - set(self.db_accounts))
        for i in range(0, len(wanted), _CHUNK):
            stmt = select(Account.account_no, Account.tariff).where(
                Account.account_no.in_(wanted[i:i + _CHUNK]))
            self.db_accounts.update((await self.session.execute(stmt)).all())

    def area(self, row: Row, name: str, county: str) -> Area | None:
        found = [a for a in self.areas.get(name, []) if not county or a.county == county]
        if not found:
            row.fail(f"区域“{name}”不存在" + (f"于{county}" if county else ""))
        elif len(found) > 1:
            counties = "、".join(sorted({a.county for a in found}))
            row.fail(f"区域“{name}”重名（{counties}），请填写区县")
        return found[0] if len(found) == 1 else None

    def new_tariff(self, row: Row, given: str | None) -> str | None:
        if given and given not in self.tariffs:
            row.fail(f"电价“{given}”不存在（可用：{'、'.join(sorted(self.tariffs))}）")
        elif not given and len(self.tariffs) != 1:
            row.fail("电价不能为空（有多个电价表，请注明）")
        # A single configured tariff is the obvious default for a new account.
        return given or (next(iter(self.tariffs)) if len(self.tariffs) == 1 else None)

    def tariff_of(self, account_no: str) -> str | None:
        return self.file_accounts.get(account_no) or self.db_accounts.get(account_no)


def _numbers(rows: list[Row]) -> set[str]:
    out = set()
    for row in rows:
        try:
            out.add(parse_account_no(row.raw("account_no")))
        except ValueError:
            pass
    return out


def _first_seen(row: Row, seen: dict[Any, int], key: Any, what: str) -> None:
    if key in seen:
        row.fail(f"{what}与第{seen[key]}行重复")
    else:
        seen[key] = row.line


async def _check_accounts(rows: list[Row], ctx: _Context) -> list[dict]:
    await ctx.load(_numbers(rows))
    seen: dict[str, int] = {}
    records = []
    for row in rows:
        no = row.get("account_no", parse_account_no, True)
        rec = {
            "account_no": no,
            "name": row.get("name", parse_text(50), True),
            "phone": row.get("phone", parse_phone, True),
            "address": row.get("address", parse_text(200), True),
            "transformer_area": row.get("transformer_area", parse_text(50), True),
            "time_of_use": row.get("time_of_use", parse_bool),
            "prepaid": row.get("prepaid", parse_bool),
            # Prepaid balances go below zero before supply stops, so negatives are real.
            "balance": row.get("balance", lambda t: parse_money(t, negative_ok=True)),
            "status": row.get("status", parse_choice(ACCOUNT_STATUS, ACCOUNT_STATUSES)),
        }
        area_name = row.get("area", required=True)
        area = ctx.area(row, area_name, row.raw("county")) if area_name else None
        given = row.get("tariff")
        exists = no in ctx.db_accounts
        rec["tariff"] = ctx.new_tariff(row, given) if given or not exists else None
        if no:
            _first_seen(row, seen, no, "户号")
        if row.ok:
            rec["area_id"] = area.id  # type: ignore[union-attr]
            records.append({k: v for k, v in rec.items() if v is not None})
            ctx.file_accounts[no] = rec["tariff"] or ctx.db_accounts[no]
    return records


async def _bill_history(session: Any, numbers: set[str]) -> dict[str, dict[str, int]]:
    wanted, history = sorted(numbers), {}
    for i in range(0, len(wanted), _CHUNK):
        stmt = (select(Account.account_no, Bill.period, Bill.kwh_total).join(Bill.account)
                .where(Account.account_no.in_(wanted[i:i + _CHUNK])))
        for no, period, kwh in (await session.execute(stmt)).all():
            history.setdefault(no, {})[period] = kwh
    return history


async def _check_bills(rows: list[Row], ctx: _Context) -> list[dict]:
    numbers = _numbers(rows)
    await ctx.load(numbers)
    history = await _bill_history(ctx.session, numbers)
    seen: dict[tuple[str, str], int] = {}
    valid: list[tuple[Row, dict]] = []
    for row in rows:
        no = row.get("account_no", parse_account_no, True)
        period = row.get("period", parse_period, True)
        rec = {"account_no": no, "period": period, "kwh_total": row.get("kwh_total", parse_count, True)}
        for field in ("kwh_peak", "kwh_valley", "annual_kwh", "tier"):
            rec[field] = row.get(field, parse_count)
        for field in ("amount", "paid_amount"):
            rec[field] = row.get(field, parse_money)
        rec["due_date"] = row.get("due_date", parse_date)
        rec["paid_at"] = row.get("paid_at", parse_datetime)
        tariff = ctx.tariff_of(no) if no else None
        if no and tariff is None:
            row.fail(f"户号（尾号{no[-4:]}）在数据库和本次导入的账户中都不存在")
        total, peak, valley = rec["kwh_total"], rec["kwh_peak"], rec["kwh_valley"]
        if (peak is None) != (valley is None):
            row.fail("峰电量和谷电量须同时填写或同时留空")
        elif peak is not None and total is not None and peak + valley != total:
            row.fail(f"峰电量{peak}加谷电量{valley}不等于总电量{total}")
        if rec["annual_kwh"] is not None and total is not None and rec["annual_kwh"] < total:
            row.fail("年累计电量小于本月总电量")
        tiers = len(get_tariff(tariff, ctx.tariff_dir).tiers) if tariff else 0
        if tiers and rec["tier"] is not None and not 1 <= rec["tier"] <= tiers:
            row.fail(f"阶梯应为1到{tiers}")
        if None not in (rec["amount"], rec["paid_amount"]) and rec["paid_amount"] > rec["amount"]:
            row.fail("已缴金额大于电费金额")
        if no and period:
            _first_seen(row, seen, (no, period), "户号和账期")
        if row.ok:
            valid.append((row, rec))
            history.setdefault(no, {})[period] = total  # the file's month replaces the DB's
    records = []
    for _row, rec in sorted(valid, key=lambda item: (item[1]["account_no"], item[1]["period"])):
        tariff = get_tariff(ctx.tariff_of(rec["account_no"]), ctx.tariff_dir)  # type: ignore[arg-type]
        year, month = split_period(rec["period"])
        tier_year = tier_year_of(tariff, year, month)
        if rec["annual_kwh"] is not None:
            before = rec["annual_kwh"] - rec["kwh_total"]
        else:  # the tier year's earlier months known so far, from the DB and this file
            before = sum(kwh for p, kwh in history[rec["account_no"]].items()
                         if p < rec["period"] and tier_year_of(tariff, *split_period(p)) == tier_year)
        charge = price_month(tariff, before, rec["kwh_total"], rec["kwh_peak"], rec["kwh_valley"])
        for field, computed in (("annual_kwh", charge.annual_kwh), ("tier", charge.tier),
                                ("amount", charge.amount)):
            if rec[field] is None:
                rec[field] = computed
        rec["due_date"] = rec["due_date"] or due_date_for(tariff, rec["period"])
        records.append(rec)
    return records


def _area_list(text: str) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in re.split(r"[、,，;；/]", text) if n.strip()))


async def _check_outages(rows: list[Row], ctx: _Context, now: datetime) -> list[dict]:
    await ctx.load(set())
    seen: dict[tuple, int] = {}
    records = []
    for row in rows:
        rec = {
            "type": row.get("type", parse_choice(OUTAGE_TYPE, OUTAGE_TYPES), True),
            "status": row.get("status", parse_choice(OUTAGE_STATUS, OUTAGE_STATUSES)),
            **{f: row.get(f, parse_datetime, f in ("start_at", "expected_end_at"))
               for f in ("start_at", "expected_end_at", "restored_at", "published_at")},
            "transformer_area": row.get("transformer_area", parse_text(50)),
            "line": row.get("line", parse_text(100)),
            "reason": row.get("reason", parse_text(200), True),
            "area_text": row.get("area_text"),
        }
        given = row.get("areas", required=True)
        names = _area_list(given or "")
        if given and not names:
            row.fail("停电区域不能为空")
        areas = [ctx.area(row, name, row.raw("county")) for name in names]
        start, end, restored = rec["start_at"], rec["expected_end_at"], rec["restored_at"]
        if start and end and end <= start:
            row.fail("预计恢复时间应晚于开始时间")
        if start and restored and restored < start:
            row.fail("实际恢复时间早于开始时间")
        if rec["status"] == "restored" and not restored:
            row.fail("状态为已恢复时须填写实际恢复时间")
        if row.ok:
            _first_seen(row, seen, (rec["type"], start, frozenset(a.id for a in areas),
                                    rec["transformer_area"]), "停电信息")
        if not row.ok:
            continue
        first = areas[0]
        if rec["status"] is None:  # derived from the times when the export has no status
            rec["status"] = "restored" if restored else "scheduled" if start > now else "in_progress"
        rec["area_text"] = rec["area_text"] or (
            f"{first.county}{first.street}{'、'.join(names)}"
            + (f"（{rec['transformer_area']}）" if rec["transformer_area"] else ""))
        rec.update(published_at=rec["published_at"] or now, city=first.city, county=first.county,
                   street=first.street, community="、".join(names)[:100], unit_id=first.unit_id,
                   area_ids=[a.id for a in areas])  # type: ignore[union-attr]
        records.append(rec)
    return records


# --- writing ---------------------------------------------------------------------------

async def _account_ids(session: Any, numbers: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for i in range(0, len(numbers), _CHUNK):
        stmt = select(Account.account_no, Account.id).where(Account.account_no.in_(numbers[i:i + _CHUNK]))
        ids.update((await session.execute(stmt)).all())
    return ids


async def _write_accounts(session: Any, records: list[dict], result: ImportResult) -> None:
    existing = await _account_ids(session, [r["account_no"] for r in records])
    defaults = {"time_of_use": False, "prepaid": False, "balance": Decimal("0.00"),
                "status": "normal", "created_at": utcnow()}
    new = [defaults | r for r in records if r["account_no"] not in existing]
    if new:
        await session.execute(insert(Account), new)
    for rec in records:
        if rec["account_no"] in existing:  # empty cells were dropped: they keep stored values
            await session.execute(update(Account).where(Account.id == existing[rec["account_no"]])
                                  .values(**rec))
    result.inserted, result.updated = len(new), len(records) - len(new)


async def _write_bills(session: Any, records: list[dict], result: ImportResult) -> None:
    ids = await _account_ids(session, sorted({r["account_no"] for r in records}))
    existing: dict[tuple[int, str], int] = {}
    for i in range(0, len(ids), _CHUNK):
        stmt = select(Bill.account_id, Bill.period, Bill.id).where(
            Bill.account_id.in_(list(ids.values())[i:i + _CHUNK]))
        existing.update({(a, p): b for a, p, b in (await session.execute(stmt)).all()})
    new = []
    for rec in records:
        account_id = ids[rec.pop("account_no")]
        bill_id = existing.get((account_id, rec["period"]))
        if bill_id is None:
            new.append(rec | {"account_id": account_id,
                              "paid_amount": rec["paid_amount"] or Decimal("0.00")})
        else:  # usage and price always replace; empty payment cells keep what is stored
            values = {k: v for k, v in rec.items()
                      if v is not None or k not in ("paid_amount", "paid_at", "due_date")}
            await session.execute(update(Bill).where(Bill.id == bill_id).values(**values))
    if new:
        await session.execute(insert(Bill), new)
    result.inserted, result.updated = len(new), len(records) - len(new)


async def _write_outages(session: Any, records: list[dict], result: ImportResult) -> None:
    for rec in records:
        area_ids = rec.pop("area_ids")
        stmt = (select(Outage).options(selectinload(Outage.scopes))
                .where(Outage.type == rec["type"], Outage.start_at == rec["start_at"]))
        match = next((o for o in (await session.execute(stmt)).scalars()
                      if {s.area_id for s in o.scopes} == set(area_ids)
                      and o.transformer_area == rec["transformer_area"]), None)
        scopes = [OutageScope(area_id=a, transformer_area=rec["transformer_area"]) for a in area_ids]
        if match is None:
            session.add(Outage(**rec, scopes=scopes))
            result.inserted += 1
        else:
            for key, value in rec.items():
                setattr(match, key, value)
            result.updated += 1
    await session.flush()


async def import_files(
    factory: sessionmaker, jobs: list[tuple[str, Path]], *,
    tariff_dir: Path | None = None, now: datetime | None = None,
) -> list[ImportResult]:
    """Import (kind, file) jobs in order, all in one transaction.

    Every row of every file is validated before anything is written; bills may
    refer to accounts from an accounts file earlier in ``jobs``. Raises
    ImportFailed (and writes nothing) if any row is bad.
    """
    now = now or utcnow()
    problems: list[tuple[Path, list[str]]] = []
    tables = []
    for kind, path in jobs:
        if kind not in KIND_LABELS:
            raise ValueError(f"unknown import kind {kind!r}; expected one of {sorted(KIND_LABELS)}")
        found: list[str] = []
        tables.append((kind, Path(path), read_table(kind, Path(path), found), found))
    async with factory() as session, session.begin():
        ctx = _Context(session, tariff_dir)
        checked = []
        for kind, path, rows, found in tables:
            if rows is not None:  # None: the header is wrong, so no row can be read
                if kind == "accounts":
                    records = await _check_accounts(rows, ctx)
                elif kind == "bills":
                    records = await _check_bills(rows, ctx)
                else:
                    records = await _check_outages(rows, ctx, now)
                checked.append((kind, path, records))
            if found:
                found.sort(key=lambda m: int(re.match(r"第(\d+)行", m).group(1)))  # type: ignore[union-attr]
                problems.append((path, found))
        if problems:
            raise ImportFailed(problems)  # leaving the block rolls the transaction back
        results = []
        for kind, path, records in checked:
            result = ImportResult(kind, path)
            writer = {"accounts": _write_accounts, "bills": _write_bills, "outages": _write_outages}[kind]
            await writer(session, records, result)
            results.append(result)
    return results


async def import_csv(factory: sessionmaker, kind: str, path: Path, **kwargs: Any) -> ImportResult:
    """Import one file; see ``import_files``."""
    return (await import_files(factory, [(kind, path)], **kwargs))[0]
