"""How personal data is shown wherever the reader does not need it (PIPL).

- phone: first 3 and last 4 digits, 138****1234 (fewer than 7 digits: all stars);
- 户号: only the last 4 digits, the others as stars (`mask_account_no`), or in a
  customer sentence "尾号1234" (`account_no_tail`);
- name: the first character, 张* / 欧***;
- address: down to the community, 杭州市西湖区文三路幸福里小区****.
Free text (transcripts, log lines) is masked by backend/privacy.py with these rules.
"""
from __future__ import annotations

import re

# An address is shown down to its community: cut after the last community-level
# word that comes before the first house-number digit.
_COMMUNITY = re.compile(r"^(.*(?:小区|社区|村|苑|花园|公寓|大厦|新村|家园|广场|里|庄|组))")


def mask_phone(phone: str | None) -> str | None:
    """138****5678; None and "" are returned as they are."""
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_account_no(account_no: str | None) -> str | None:
    """******7890: the last 4 digits only."""
    if not account_no:
        return account_no
    return "*" * max(len(account_no) - 4, 0) + account_no[-4:]


def account_no_tail(account_no: str) -> str:
    """"尾号7890": how a sentence to the customer names a 户号."""
    return f"尾号{account_no[-4:]}"


def mask_name(name: str | None) -> str | None:
    """张*: the first character only."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_address(address: str | None) -> str | None:
    """The address down to its community, the rest as ****."""
    if not address:
        return address
    head = address
    digit = re.search(r"\d", address)
    if digit:
        head = address[: digit.start()]
    match = _COMMUNITY.match(head)
    kept = match.group(1) if match else head
    return kept + "****" if kept != address else kept
