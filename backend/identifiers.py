"""Validators for the 户号 and phone fields of request bodies.

Thin wrappers around glossary.identifiers (the one definition of the formats):
"3301 2345 67890" and "3301-234567890" are the same account everywhere, and a
phone is stored as digits only. A value that is not one raises ValueError with
the sentence the customer or operator sees.
"""
from __future__ import annotations

import re

from backend.openapi_hints import declared, declares
from glossary.identifiers import ACCOUNT_NO_RE, PHONE_RE, parse_account_no, parse_phone

ACCOUNT_NO_MESSAGE = "请您核对户号：户号为10位数字，或以省份代码开头的13位数字。"
PHONE_MESSAGE = "请您提供11位手机号码，或带区号的固定电话号码。"


def _ecma(pattern: re.Pattern[str]) -> str:
    """A whole-value Python pattern (`^…\\Z`) as JSON Schema's (ECMA 262) pattern."""
    return pattern.pattern.removesuffix(r"\Z") + "$"


# The documented form is the normalised one (digits only); separators are tolerated on input.
@declares(pattern=_ecma(ACCOUNT_NO_RE))
def account_no(value: str) -> str:
    parsed = parse_account_no(value, free_text=False)
    if parsed is None:
        raise ValueError(ACCOUNT_NO_MESSAGE)
    return parsed


@declares(pattern=_ecma(PHONE_RE))
def phone(value: str) -> str:
    parsed = parse_phone(value, free_text=False)
    if parsed is None:
        raise ValueError(PHONE_MESSAGE)
    return parsed


def optional(check):  # noqa: ANN001, ANN201 - wraps a validator for Optional fields
    @declares(**declared(check))
    def run(value: str | None) -> str | None:
        return None if value is None else check(value)

    return run
