"""Masking of personal data (PIPL) for lists, logs and transcripts."""
from __future__ import annotations

import re

# An address is shown down to its community: cut after the last community-level
# word that comes before the first house-number digit.
_COMMUNITY = re.compile(r"^(.*(?:小区|社区|村|苑|花园|公寓|大厦|新村|家园|广场|里|庄|组))")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ACCOUNT = re.compile(r"(?<!\d)(?:\d[ -]?){6,9}(\d{4})(?!\d)")
_ID_CARD = re.compile(r"(?<![0-9Xx])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9Xx])")


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_account(account_no: str | None) -> str | None:
    if not account_no:
        return account_no
    return "*" * max(len(account_no) - 4, 0) + account_no[-4:]


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_address(address: str | None) -> str | None:
    if not address:
        return address
    head = address
    digit = re.search(r"\d", address)
    if digit:
        head = address[: digit.start()]
    match = _COMMUNITY.match(head)
    kept = match.group(1) if match else head
    return kept + "****" if kept != address else kept


def mask_text(text: str) -> str:
    """Mask identifiers inside free text (transcripts, log lines)."""
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _ACCOUNT.sub(lambda m: "******" + m.group(1), text)
