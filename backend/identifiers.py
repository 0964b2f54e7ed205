"""Normalising what customers type for a 户号 or a phone number.

Used by every request model that takes one, so "3301 2345 67890" and
"3301-234567890" are the same account everywhere.
"""
from __future__ import annotations

import re

ACCOUNT_NO = re.compile(r"^(\d{10}|\d{13})$")
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def account_no(value: str) -> str:
    value = re.sub(r"[\s-]", "", value)
    if not ACCOUNT_NO.match(value):
        raise ValueError("户号应为10位或13位数字")
    return value


def phone(value: str) -> str:
    # Mobile numbers lose spaces and dashes; a landline keeps the dash after its area code.
    value = re.sub(r"[\s-]", "", value) if value.startswith("1") else value.replace(" ", "")
    if not PHONE.match(value):
        raise ValueError("联系电话格式不正确，请提供11位手机号码或带区号的固定电话")
    return value


def optional(check):  # noqa: ANN001, ANN201 - wraps a validator for Optional fields
    def run(value: str | None) -> str | None:
        return None if value is None else check(value)

    return run
