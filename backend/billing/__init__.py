"""Residential billing: tariff tables, monthly pricing, arrears and late fees."""
from .bills import (
    account_balance,
    bill_status,
    due_date_for,
    format_period,
    last_complete_period,
    parse_period,
    shift_period,
)
from .tariffs import (
    MonthlyCharge,
    Tariff,
    Tier,
    TierSegment,
    TouPeriod,
    available_tariffs,
    get_tariff,
    late_fee,
    load_tariff,
    price_month,
    tier_year_of,
    to_fen,
)

__all__ = [
    "MonthlyCharge", "Tariff", "Tier", "TierSegment", "TouPeriod", "account_balance",
    "available_tariffs", "bill_status", "due_date_for", "format_period", "get_tariff",
    "last_complete_period", "late_fee", "load_tariff", "parse_period", "price_month",
    "shift_period", "tier_year_of", "to_fen",
]
