"""Province tariff tables (阶梯电价, 峰谷电价, 违约金) and the arithmetic on them.

Every number comes from a YAML file in ``config/tariffs/``; this module only
knows the shape of the rules. Money is ``Decimal`` end to end and amounts are
rounded once, half up to the fen (分), where a customer would see them.

Pricing rules chosen here (documented for operators and tests):

* Tiers apply to the cumulative usage of the tier year. A tier covers usage
  above the previous tier's bound up to and including its own bound, so with
  2760/4800 the 2760th kWh is still tier 1 and the 2761st is tier 2. A month
  that crosses a bound is split into one segment per tier it touches.
* Time-of-use (峰谷): the meter gives the month's peak and valley kWh only,
  not which of them fell into which tier. Each tier segment is therefore
  assumed to have the month's peak/valley proportion: its peak kWh is
  segment kWh × month peak / month total. The proportion is kept exact (a
  fraction, never rounded) in the amount; ``TierSegment.kwh_peak`` /
  ``kwh_valley`` are shown rounded to 0.01 kWh for display only.
* Each segment's amount is rounded half up to the fen and the month's amount
  is the sum of the rounded segment amounts, so the bill lines add up.
* Late fee: overdue amount × daily rate × days after the due date, rounded
  half up to the fen, at least the configured minimum; 0 when nothing is
  overdue (paying on the due date itself is on time).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

FEN = Decimal("0.01")
_KEY = re.compile(r"[a-z0-9_-]+")


@dataclass(frozen=True)
class Tier:
    number: int  # 1-based
    upto_kwh: int | None  # inclusive upper bound of annual usage; None = unbounded
    price: Decimal  # yuan/kWh, base price plus this tier's surcharge


@dataclass(frozen=True)
class TouPeriod:
    start: time
    end: time
    adjustment: Decimal  # added to the tier price, yuan/kWh


@dataclass(frozen=True)
class Tariff:
    key: str  # file stem, stored on accounts.tariff
    name: str
    province: str
    tier_year_start_month: int
    tiers: tuple[Tier, ...]
    peak: TouPeriod
    valley: TouPeriod
    late_fee_daily_rate: Decimal
    late_fee_minimum: Decimal
    due_day: int  # day of the month after the billing period
    disconnect_after_days_overdue: int
    notice_days_before_disconnect: int

    def tier_for(self, annual_kwh: int) -> Tier:
        """The tier that the ``annual_kwh``-th kWh of the tier year falls in."""
        for tier in self.tiers:
            if tier.upto_kwh is None or annual_kwh <= tier.upto_kwh:
                return tier
        return self.tiers[-1]  # unreachable: load_tariff makes the last tier unbounded


@dataclass(frozen=True)
class TierSegment:
    tier: int
    kwh: int
    price: Decimal  # flat tier price
    amount: Decimal  # rounded to the fen
    kwh_peak: Decimal | None = None  # display only (0.01 kWh); see module docstring
    kwh_valley: Decimal | None = None
    peak_price: Decimal | None = None
    valley_price: Decimal | None = None


@dataclass(frozen=True)
class MonthlyCharge:
    kwh_total: int
    annual_kwh_before: int
    annual_kwh: int  # cumulative in the tier year, this month included
    tier: int  # tier the cumulative usage has reached
    time_of_use: bool
    segments: tuple[TierSegment, ...]
    amount: Decimal  # sum of the segment amounts


# --- loading -----------------------------------------------------------------

class _Reader:
    """Strict accessors that name the file and the key in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> ValueError:
        return ValueError(f"{self.path}: {key}: {problem}")

    def mapping(self, raw: Any, key: str, required: set[str], optional: frozenset[str] = frozenset()) -> dict:
        if not isinstance(raw, dict):
            raise self.fail(key, f"expected a mapping, got {type(raw).__name__}")
        missing = required - set(raw)
        if missing:
            raise self.fail(key, f"missing keys {sorted(missing)}")
        unknown = set(raw) - required - optional
        if unknown:
            raise self.fail(key, f"unknown keys {sorted(map(str, unknown))}")
        return raw

    def decimal(self, raw: Any, key: str, *, minimum: Decimal | None = None) -> Decimal:
        # bool is an int subclass; `true` as a price is a typo, not 1 yuan.
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise self.fail(key, f"expected a number, got {raw!r}")
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise self.fail(key, f"expected a number, got {raw!r}") from None
        if not value.is_finite():
            raise self.fail(key, f"expected a finite number, got {raw!r}")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {value}")
        return value

    def integer(self, raw: Any, key: str, low: int, high: int | None = None) -> int:
        if type(raw) is not int or raw < low or (high is not None and raw > high):
            bound = f"{low}..{high}" if high is not None else f">= {low}"
            raise self.fail(key, f"expected an integer {bound}, got {raw!r}")
        return raw

    def text(self, raw: Any, key: str) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise self.fail(key, f"expected non-empty text, got {raw!r}")
        return raw.strip()

    def clock(self, raw: Any, key: str) -> time:
        if isinstance(raw, str) and re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", raw.strip()):
            hour, minute = map(int, raw.strip().split(":"))
            if hour < 24:
                return time(hour, minute)
        raise self.fail(key, f"expected a quoted \"HH:MM\" time, got {raw!r}")


def load_tariff(path: Path | str) -> Tariff:
    """Parse and strictly validate one tariff file; ValueError names file and key."""
    path = Path(path)
    if not _KEY.fullmatch(path.stem):
        raise ValueError(f"{path}: file name must be a lower-case key such as zhejiang.yml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read tariff file: {exc}") from exc
    r = _Reader(path)
    top = r.mapping(data, "(top level)", {
        "name", "province", "tier_year", "base_price", "tiers", "time_of_use",
        "late_fee", "payment", "arrears",
    })
    start_month = r.integer(
        r.mapping(top["tier_year"], "tier_year", {"start_month"})["start_month"],
        "tier_year.start_month", 1, 12)
    base = r.decimal(top["base_price"], "base_price", minimum=Decimal(0))

    raw_tiers = top["tiers"]
    if not isinstance(raw_tiers, list) or not raw_tiers:
        raise r.fail("tiers", "expected a non-empty list")
    tiers: list[Tier] = []
    previous = 0
    for i, raw in enumerate(raw_tiers):
        key = f"tiers[{i}]"
        entry = r.mapping(raw, key, {"upto_kwh", "surcharge"})
        last = i == len(raw_tiers) - 1
        upto = entry["upto_kwh"]
        if last and upto is not None:
            raise r.fail(f"{key}.upto_kwh", "the last tier must be unbounded (null)")
        if not last:
            upto = r.integer(upto, f"{key}.upto_kwh", previous + 1)
            previous = upto
        surcharge = r.decimal(entry["surcharge"], f"{key}.surcharge", minimum=Decimal(0))
        tiers.append(Tier(i + 1, upto, base + surcharge))

    tou = r.mapping(top["time_of_use"], "time_of_use", {"peak", "valley"})
    periods: dict[str, TouPeriod] = {}
    for name in ("peak", "valley"):
        entry = r.mapping(tou[name], f"time_of_use.{name}", {"from", "to", "adjustment"})
        periods[name] = TouPeriod(
            r.clock(entry["from"], f"time_of_use.{name}.from"),
            r.clock(entry["to"], f"time_of_use.{name}.to"),
            r.decimal(entry["adjustment"], f"time_of_use.{name}.adjustment"),
        )
    peak, valley = periods["peak"], periods["valley"]
    if peak.end != valley.start or valley.end != peak.start or peak.start == peak.end:
        raise r.fail("time_of_use", "peak and valley windows must together cover the whole day")
    for tier in tiers:
        for name, period in periods.items():
            if tier.price + period.adjustment < 0:
                raise r.fail(f"time_of_use.{name}.adjustment", f"makes tier {tier.number} price negative")

    fee = r.mapping(top["late_fee"], "late_fee", {"daily_rate", "minimum"})
    daily_rate = r.decimal(fee["daily_rate"], "late_fee.daily_rate", minimum=Decimal(0))
    if daily_rate >= 1:
        raise r.fail("late_fee.daily_rate", f"must be a fraction below 1 (1‰ is 0.001), got {daily_rate}")
    payment = r.mapping(top["payment"], "payment", {"due_day_of_following_month"})
    arrears = r.mapping(top["arrears"], "arrears",
                        {"disconnect_after_days_overdue", "notice_days_before_disconnect"})
    return Tariff(
        key=path.stem,
        name=r.text(top["name"], "name"),
        province=r.text(top["province"], "province"),
        tier_year_start_month=start_month,
        tiers=tuple(tiers),
        peak=peak,
        valley=valley,
        late_fee_daily_rate=daily_rate,
        late_fee_minimum=r.decimal(fee["minimum"], "late_fee.minimum", minimum=Decimal(0)),
        # 28 so that the day exists in every month, February included.
        due_day=r.integer(payment["due_day_of_following_month"],
                          "payment.due_day_of_following_month", 1, 28),
        disconnect_after_days_overdue=r.integer(
            arrears["disconnect_after_days_overdue"], "arrears.disconnect_after_days_overdue", 0),
        notice_days_before_disconnect=r.integer(
            arrears["notice_days_before_disconnect"], "arrears.notice_days_before_disconnect", 0),
    )


def _default_dir() -> Path:
    from backend.settings import Settings

    return Settings.load().tariff_dir


def available_tariffs(tariff_dir: Path | None = None) -> list[str]:
    """Keys of the tariff files in ``tariff_dir`` (default: the configured one)."""
    directory = tariff_dir or _default_dir()
    return sorted(p.stem for p in directory.glob("*.yml") if _KEY.fullmatch(p.stem))


def get_tariff(key: str, tariff_dir: Path | None = None) -> Tariff:
    """The tariff an account refers to by key, loaded once per process."""
    if not _KEY.fullmatch(key):
        # Keys come from the database and CSV files; never let one name a path.
        raise ValueError(f"invalid tariff key {key!r}")
    return _cached_tariff(key, tariff_dir or _default_dir())


@lru_cache(maxsize=32)
def _cached_tariff(key: str, tariff_dir: Path) -> Tariff:
    path = tariff_dir / f"{key}.yml"
    if not path.is_file():
        raise ValueError(f"{path}: no tariff file for key {key!r}")
    return load_tariff(path)


# --- arithmetic ----------------------------------------------------------------

def to_fen(value: Fraction | Decimal) -> Decimal:
    """Round half up to the fen, exactly (no intermediate decimal precision)."""
    frac = Fraction(value) * 100
    sign = -1 if frac < 0 else 1
    whole = (abs(frac.numerator) * 2 + frac.denominator) // (frac.denominator * 2)
    return (Decimal(sign * whole) / 100).quantize(FEN)


def tier_year_of(tariff: Tariff, year: int, month: int) -> int:
    """Calendar year in which the tier year containing (year, month) began."""
    return year if month >= tariff.tier_year_start_month else year - 1


def price_month(
    tariff: Tariff,
    annual_kwh_before: int,
    kwh_total: int,
    kwh_peak: int | None = None,
    kwh_valley: int | None = None,
) -> MonthlyCharge:
    """Price one month's residential usage; see the module docstring for the rules.

    ``annual_kwh_before`` is the usage already billed in this tier year (0 in
    the tier year's first month). Peak/valley are both given (time-of-use
    customer) or both omitted, and must add up to ``kwh_total``.
    """
    for name, value in (("annual_kwh_before", annual_kwh_before), ("kwh_total", kwh_total),
                        ("kwh_peak", kwh_peak), ("kwh_valley", kwh_valley)):
        if value is not None and (type(value) is not int or value < 0):
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    if (kwh_peak is None) != (kwh_valley is None):
        raise ValueError("give both kwh_peak and kwh_valley, or neither")
    tou = kwh_peak is not None
    if tou and kwh_peak + kwh_valley != kwh_total:  # type: ignore[operator]
        raise ValueError(f"kwh_peak + kwh_valley = {kwh_peak + kwh_valley} "  # type: ignore[operator]
                         f"differs from kwh_total = {kwh_total}")

    segments: list[TierSegment] = []
    used = annual_kwh_before
    remaining = kwh_total
    for tier in tariff.tiers:
        if remaining == 0:
            break
        room = remaining if tier.upto_kwh is None else max(0, tier.upto_kwh - used)
        kwh = min(room, remaining)
        if kwh == 0:
            continue
        used += kwh
        remaining -= kwh
        if not tou:
            segments.append(TierSegment(tier.number, kwh, tier.price, to_fen(tier.price * kwh)))
            continue
        peak_kwh = Fraction(kwh * kwh_peak, kwh_total)  # type: ignore[operator]
        valley_kwh = kwh - peak_kwh
        peak_price = tier.price + tariff.peak.adjustment
        valley_price = tier.price + tariff.valley.adjustment
        exact = peak_kwh * Fraction(peak_price) + valley_kwh * Fraction(valley_price)
        segments.append(TierSegment(
            tier.number, kwh, tier.price, to_fen(exact),
            kwh_peak=to_fen(peak_kwh), kwh_valley=to_fen(valley_kwh),
            peak_price=peak_price, valley_price=valley_price,
        ))
    annual = annual_kwh_before + kwh_total
    return MonthlyCharge(
        kwh_total=kwh_total,
        annual_kwh_before=annual_kwh_before,
        annual_kwh=annual,
        tier=tariff.tier_for(annual).number,
        time_of_use=tou,
        segments=tuple(segments),
        amount=sum((s.amount for s in segments), Decimal("0.00")),
    )


def late_fee(tariff: Tariff, overdue_amount: Decimal, due_date: date, on: date) -> Decimal:
    """违约金 owed on ``on`` for ``overdue_amount`` that fell due on ``due_date``."""
    days = (on - due_date).days
    if days <= 0 or overdue_amount <= 0:
        return Decimal("0.00")
    fee = to_fen(Decimal(overdue_amount) * tariff.late_fee_daily_rate * days)
    return max(fee, tariff.late_fee_minimum.quantize(FEN))
