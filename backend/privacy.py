"""Masking of personal data (PIPL) in free text: transcripts and log lines.

The masks of single fields (phone, 户号, name, address) are defined once in
glossary.masking and re-exported here for the backend's modules. In free text:
- an ID-card number keeps its first 6 and last 4 characters;
- an 11-digit mobile number (glossary.identifiers.is_mobile) becomes 138****5678;
- any other run of 10-13 digits (spaces and dashes allowed) keeps its last 4 digits:
  a log line masks everything that could be a 户号, valid or not;
- a WeChat openid in a URL's query (`openid=…`, which WeChat adds to every push
  and the access log prints) becomes `openid=***`.
"""
from __future__ import annotations

import re

from glossary.identifiers import is_mobile
from glossary.masking import mask_account_no, mask_address, mask_name, mask_phone

__all__ = ["mask_account_no", "mask_address", "mask_name", "mask_phone", "mask_text"]

_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
_ACCOUNT = re.compile(r"(?<!\d)(?:\d[ -]?){6,9}(\d{4})(?!\d)")
_OPENID_PARAM = re.compile(r"(?<![A-Za-z_])(openid=)[^&\s\"']+", re.IGNORECASE)
_ID_CARD = re.compile(r"(?<![0-9Xx])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9Xx])")


def _mask_mobile(match: re.Match[str]) -> str:
    number = match.group()
    return mask_phone(number) if is_mobile(number) else number


def mask_text(text: str) -> str:
    """Mask identifiers inside free text (transcripts, log lines)."""
    text = _OPENID_PARAM.sub(r"\1***", text)
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _ELEVEN_DIGITS.sub(_mask_mobile, text)
    return _ACCOUNT.sub(lambda m: "******" + m.group(1), text)
