"""Tariff loading and monthly pricing against hand-computed amounts.

Zhejiang (config/tariffs/zhejiang.yml): tier 1 up to 2760 kWh at 0.538,
tier 2 up to 4800 kWh at 0.538 + 0.05 = 0.588, tier 3 above at
0.538 + 0.30 = 0.838 yuan/kWh. Time-of-use: peak = tier price + 0.03,
valley = tier price - 0.25, so tier 1 peak 0.568 / valley 0.288 and
tier 2 peak 0.618 / valley 0.338.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from backend.billing import get_tariff, late_fee, load_tariff, price_month, tier_year_of, to_fen
from backend.settings import CONFIG_DIR

ZJ_FILE = CONFIG_DIR / "tariffs" / "zhejiang.yml"


@pytest.fixture(scope="module")
def zj():
    return load_tariff(ZJ_FILE)


def test_zhejiang_file_values(zj):
    assert zj.key == "zhejiang"
    assert [(t.upto_kwh, t.price) for t in zj.tiers] == [
        (2760, Decimal("0.538")), (4800, Decimal("0.588")), (None, Decimal("0.838"))]
    assert zj.peak.adjustment == Decimal("0.03")
    assert zj.valley.adjustment == Decimal("-0.25")
    assert zj.late_fee_daily_rate == Decimal("0.001")
    assert zj.late_fee_minimum == Decimal("1.00")
    assert zj.tier_year_start_month == 1
    assert zj.due_day == 15


def test_month_inside_tier_1(zj):
    # 200 × 0.538 = 107.60
    charge = price_month(zj, 0, 200)
    assert charge.amount == Decimal("107.60")
    assert (charge.tier, charge.annual_kwh) == (1, 200)
    assert len(charge.segments) == 1


def test_month_crossing_2760(zj):
    # 2700 already used, 100 this month: 60 kWh left in tier 1, 40 in tier 2.
    # 60 × 0.538 = 32.28; 40 × 0.588 = 23.52; total 55.80.
    charge = price_month(zj, 2700, 100)
    assert [(s.tier, s.kwh, s.amount) for s in charge.segments] == [
        (1, 60, Decimal("32.28")), (2, 40, Decimal("23.52"))]
    assert charge.amount == Decimal("55.80")
    assert (charge.tier, charge.annual_kwh) == (2, 2800)


def test_bound_is_inclusive(zj):
    # 2660 + 100 = 2760 exactly: all tier 1, 100 × 0.538 = 53.80.
    charge = price_month(zj, 2660, 100)
    assert charge.amount == Decimal("53.80") and charge.tier == 1
    # The 2761st kWh is tier 2: 1 × 0.588 = 0.588 → 0.59 (half up).
    charge = price_month(zj, 2760, 1)
    assert charge.amount == Decimal("0.59") and charge.tier == 2


def test_month_crossing_both_bounds(zj):
    # 2700 + 2200 = 4900: 60 kWh tier 1, 2040 kWh tier 2, 100 kWh tier 3.
    # 60 × 0.538 = 32.28; 2040 × 0.588 = 1199.52; 100 × 0.838 = 83.80.
    # Total 1315.60.
    charge = price_month(zj, 2700, 2200)
    assert [s.amount for s in charge.segments] == [
        Decimal("32.28"), Decimal("1199.52"), Decimal("83.80")]
    assert charge.amount == Decimal("1315.60")
    assert (charge.tier, charge.annual_kwh) == (3, 4900)


def test_already_in_tier_3(zj):
    # 5000 + 10: all tier 3, 10 × 0.838 = 8.38.
    charge = price_month(zj, 5000, 10)
    assert charge.amount == Decimal("8.38") and charge.tier == 3


def test_zero_usage(zj):
    charge = price_month(zj, 3000, 0)
    assert charge.amount == Decimal("0.00") and charge.segments == ()
    assert (charge.tier, charge.annual_kwh) == (2, 3000)


def test_time_of_use_inside_tier_1(zj):
    # peak 180 × 0.568 = 102.24; valley 120 × 0.288 = 34.56; total 136.80.
    # (flat it would be 300 × 0.538 = 161.40)
    charge = price_month(zj, 0, 300, kwh_peak=180, kwh_valley=120)
    assert charge.amount == Decimal("136.80")
    assert charge.time_of_use
    seg = charge.segments[0]
    assert (seg.peak_price, seg.valley_price) == (Decimal("0.568"), Decimal("0.288"))


def test_time_of_use_split_proportionally_across_tiers(zj):
    # 2700 + 100 kWh, 60% peak. Tier 1 segment 60 kWh → 36 peak / 24 valley:
    #   36 × 0.568 = 20.448; 24 × 0.288 = 6.912; sum 27.36.
    # Tier 2 segment 40 kWh → 24 peak / 16 valley:
    #   24 × 0.618 = 14.832; 16 × 0.338 = 5.408; sum 20.24.
    # Total 47.60.
    charge = price_month(zj, 2700, 100, kwh_peak=60, kwh_valley=40)
    assert [(s.kwh_peak, s.kwh_valley, s.amount) for s in charge.segments] == [
        (Decimal("36.00"), Decimal("24.00"), Decimal("27.36")),
        (Decimal("24.00"), Decimal("16.00"), Decimal("20.24")),
    ]
    assert charge.amount == Decimal("47.60")


def test_time_of_use_share_kept_exact(zj):
    # 2750 + 30 kWh, peak 10 / valley 20 (one third peak).
    # Tier 1 segment 10 kWh: 10/3 × 0.568 + 20/3 × 0.288 = 11.44 / 3 = 3.8133… → 3.81.
    # Tier 2 segment 20 kWh: 20/3 × 0.618 + 40/3 × 0.338 = 25.88 / 3 = 8.6266… → 8.63.
    # Total 12.44. (Rounding the kWh to 3.33/6.67 first would give other fen.)
    charge = price_month(zj, 2750, 30, kwh_peak=10, kwh_valley=20)
    assert [s.amount for s in charge.segments] == [Decimal("3.81"), Decimal("8.63")]
    assert charge.amount == Decimal("12.44")
    assert (charge.segments[0].kwh_peak, charge.segments[0].kwh_valley) == (
        Decimal("3.33"), Decimal("6.67"))


@pytest.mark.parametrize("args", [
    (-1, 10, None, None), (0, -5, None, None), (0, 10, 5, None),
    (0, 10, 4, 5), (0, 10.5, None, None), (0, True, None, None),
])
def test_price_month_rejects_bad_input(zj, args):
    with pytest.raises(ValueError):
        price_month(zj, *args)


def test_late_fee(zj):
    due = date(2026, 11, 15)
    # Not overdue: before and on the due date.
    assert late_fee(zj, Decimal("500.00"), due, date(2026, 11, 1)) == Decimal("0.00")
    assert late_fee(zj, Decimal("500.00"), due, due) == Decimal("0.00")
    # 1500.00 × 0.001 × 10 days = 15.00
    assert late_fee(zj, Decimal("1500.00"), due, date(2026, 11, 25)) == Decimal("15.00")
    # 200.00 × 0.001 × 3 = 0.60 → raised to the 1 yuan minimum.
    assert late_fee(zj, Decimal("200.00"), due, date(2026, 11, 18)) == Decimal("1.00")
    # 1005.00 × 0.001 × 5 = 5.025 → 5.03 (half up, not banker's 5.02).
    assert late_fee(zj, Decimal("1005.00"), due, date(2026, 11, 20)) == Decimal("5.03")
    # 1234.50 × 0.001 × 3 = 3.7035 → 3.70
    assert late_fee(zj, Decimal("1234.50"), due, date(2026, 11, 18)) == Decimal("3.70")
    # Nothing owed, nothing charged.
    assert late_fee(zj, Decimal("0.00"), due, date(2026, 12, 31)) == Decimal("0.00")


def test_to_fen_half_up():
    assert to_fen(Decimal("0.005")) == Decimal("0.01")
    assert to_fen(Decimal("2.675")) == Decimal("2.68")
    assert to_fen(Decimal("-0.005")) == Decimal("-0.01")
    assert to_fen(Decimal("0.0049")) == Decimal("0.00")


def test_tier_year(zj):
    assert tier_year_of(zj, 2026, 1) == 2026
    assert tier_year_of(zj, 2026, 12) == 2026


def test_get_tariff_by_key():
    assert get_tariff("zhejiang", ZJ_FILE.parent).key == "zhejiang"
    with pytest.raises(ValueError, match="invalid tariff key"):
        get_tariff("../etc/passwd", ZJ_FILE.parent)
    with pytest.raises(ValueError, match="no tariff file"):
        get_tariff("atlantis", ZJ_FILE.parent)


# --- invalid files --------------------------------------------------------------

GOOD = ZJ_FILE.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, name: str = "testprov.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "key"), [
    ('base_price: "0.538"', 'base_price: "abc"', "base_price"),
    ('base_price: "0.538"', "base_price: true", "base_price"),
    ('base_price: "0.538"', 'base_price: "-0.1"', "base_price"),
    ("upto_kwh: 4800", "upto_kwh: 2000", "tiers[1].upto_kwh"),
    ("{upto_kwh: null", "{upto_kwh: 9000", "tiers[2].upto_kwh"),
    ('surcharge: "0.30"', 'surcharge: "0.30", extra: 1', "tiers[2]"),
    ('from: "22:00", to: "08:00"', 'from: "21:00", to: "08:00"', "time_of_use"),
    ('from: "08:00", to: "22:00"', 'from: "8am", to: "22:00"', "time_of_use.peak.from"),
    ('adjustment: "-0.25"', 'adjustment: "-0.60"', "time_of_use.valley.adjustment"),
    ('daily_rate: "0.001"', 'daily_rate: "1"', "late_fee.daily_rate"),
    ('minimum: "1.00"', "minimum: ", "late_fee.minimum"),
    ("due_day_of_following_month: 15", "due_day_of_following_month: 31",
     "payment.due_day_of_following_month"),
    ("start_month: 1", "start_month: 13", "tier_year.start_month"),
    ("province: 浙江省", "province: 浙江省\ncurrency: CNY", "(top level)"),
    ("province: 浙江省", "", "(top level)"),
])
def test_invalid_values_rejected(tmp_path, old, new, key):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ValueError) as exc:
        load_tariff(path)
    assert str(path) in str(exc.value)
    assert f": {key}:" in str(exc.value)


def test_broken_yaml_rejected(tmp_path):
    path = _write(tmp_path, "tiers: [unclosed\n")
    with pytest.raises(ValueError, match="cannot read tariff file"):
        load_tariff(path)


def test_not_a_mapping_rejected(tmp_path):
    with pytest.raises(ValueError, match="expected a mapping"):
        load_tariff(_write(tmp_path, "- 1\n- 2\n"))


def test_bad_file_name_rejected(tmp_path):
    with pytest.raises(ValueError, match="lower-case key"):
        load_tariff(_write(tmp_path, GOOD, "Zhe Jiang.yml"))


def test_empty_tier_list_rejected(tmp_path):
    start = GOOD.index("tiers:")
    end = GOOD.index("# Time-of-use")
    path = _write(tmp_path, GOOD[:start] + "tiers: []\n\n" + GOOD[end:])
    with pytest.raises(ValueError, match=r": tiers: expected a non-empty list"):
        load_tariff(path)
