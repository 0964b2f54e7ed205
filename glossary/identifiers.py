"""户号, phone and ticket number: their formats, and reading them from what customers say.

The one definition for the NLU (bot/nlu/identifiers.py), the actions and the backend.

Formats (digits only once normalised):
- 户号 (account_no): 10 digits; or 13 digits in provinces that added a prefix: a province
  code (GB/T 2260, e.g. 33 Zhejiang, 11 Beijing) + "0" + 10 digits (330…, 110…). Any
  other 13 digits is not a 户号.
- phone: an 11-digit mobile 1[3-9]… (a leading 86/+86 is dropped), or a landline
  0 + area code + a 7-8 digit local number not starting with 0/1; the area code is
  3 digits for 01x/02x and 4 otherwise. Stored as digits only: 057187654321.
- ticket number: `GD` + the local date of acceptance (YYYYMMDD) + the row id's last
  6 digits, e.g. GD20261126000123 (`ticket_number`).
- improvement plan number (整改计划编号): `ZG` + the local date of creation (YYYYMMDD) +
  the row id's last 6 digits, e.g. ZG20261206000007 (`plan_number`). Staff-only: no
  customer says one, so nothing parses it from free text.

Public API:
- `parse_account_no(text)`, `parse_phone(text)`: the normalised value of a field or an
  answer ("3301 2345 67890", "138-1234-5678", "幺三八…", "我的户号是…"), else None.
  With `free_text=False` only separators and spoken digits are tolerated (API fields).
- `parse_ticket_id(text)`: the first ticket number in free text, else None.
- `ticket_number(local_date, row_id)`: the number of a new ticket.
- `plan_number(local_date, row_id)`: the number of a new improvement plan.
- `find_identifiers(text)`: every identifier in free text with its span (for the NLU).

How `find_identifiers` reads a text:
1. Spoken digits (一三八…, 幺三八…, 两/洞/拐/勾) are turned into ASCII digits in a shadow
   copy of the text, one character for one, so every span found in the shadow is a span
   of the original. Only runs of two or more digit characters are converted: a lone 一 or
   三 is a word (一下, 三楼), not a digit.
2. Ticket numbers (`GD` + 8-digit date + 6 digits, any case, spaces/dashes allowed) are
   taken first and blanked out, so their digits cannot become a phone or a 户号.
3. The remaining digits form maximal runs: digit groups joined by short separators
   (spaces, dashes, commas that speech recognition inserts). Because runs are maximal, a
   number is never read inside a longer one: a 13-digit 户号 yields no phone, an 11-digit
   mobile no 10-digit 户号.
4. A run is split at its separators into consecutive segments that each form a complete
   identifier, choosing the split that covers the most digits (fewest segments on a tie):
   "户号3301234567 13812345678" is a 户号 and a phone. Splits happen only where the
   customer put a separator; an unseparated 21-digit blob is left alone.

Classification of a segment (digits only):
- 11 digits 1[3-9]… -> phone (mobile); 86 + mobile -> phone without the country code.
- 0 + area code + 7-8 digit local number not starting with 0/1 -> phone (landline); the
  area code is 3 digits for 01x/02x and 4 otherwise.
- 10 digits -> account_no, unless the nearest keyword before it says phone (电话/手机…).
- 13 digits starting with a province code + 0 (330…, 110…, per GB/T 2260) -> account_no.
Values are normalised: digits only for phones and 户号, `GD` + 14 digits for tickets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

ACCOUNT_NO = "account_no"
PHONE = "phone"
TICKET_ID = "ticket_id"

_SPOKEN = str.maketrans("零〇洞一幺二两兩三四五六七拐八九勾", "00011222345677899")
# Chinese digits only: an Arabic number followed by 一定/两个 must not swallow the 一 or 两.
_SPOKEN_RUN = re.compile(r"[零〇洞一幺二两兩三四五六七拐八九勾]{2,}")
_TICKET = re.compile(r"(?<![A-Za-z])[Gg][ \t]*[Dd][ \t\-]*(?P<digits>[0-9](?:[ \t\-]?[0-9]){13})(?![0-9])")
_SEPARATOR = r"(?:[ \t\-－–—]{1,3}|[ \t]*[,，、][ \t]*)"
_RUN = re.compile(rf"[0-9]+(?:{_SEPARATOR}[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# 0 + area code (01x/02x: 3 digits with the 0, others 4) + local number not starting with 0/1.
_LANDLINE = re.compile(r"0(?:[12][0-9]|[3-9][0-9]{2})[2-9][0-9]{6,7}")
# Province codes of GB/T 2260 (the first two digits of a 13-digit 户号).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
})
# "号码" is left out: "户号号码" and "手机号码" both contain it.
_KEYWORDS = re.compile(r"户号|戶號|户口号|用户编号|用户号|账号|帐号|电话|電話|手机|手機|联系方式|聯繫方式")
_PHONE_WORDS = {"电话", "電話", "手机", "手機", "联系方式", "聯繫方式"}
_CONTEXT = 10  # characters looked back for a keyword


# The HTTP header by which the assistant names the customer's conversation (its sender id) on a
# look-up by 户号, so the backend counts each customer's guesses apart (backend/api/lookups.py).
CUSTOMER_REF_HEADER = "X-Customer-Ref"
TICKET_PREFIX = "GD"
PLAN_PREFIX = "ZG"  # 整改
_TICKET_NO = re.compile(r"GD[0-9]{14}")
# Whole normalised values, for code that matches a compiled pattern (`.match(digits)`).
ACCOUNT_NO_RE = re.compile(rf"^(?:[0-9]{{10}}|(?:{'|'.join(sorted(PROVINCES))})0[0-9]{{10}})\Z")
PHONE_RE = re.compile(rf"^(?:{_MOBILE.pattern}|{_LANDLINE.pattern})\Z")
# A ticket number inside free text; `parse_ticket_id` normalises it.
TICKET_ID_RE = _TICKET
# What customers and speech recognition put inside a number.
_INSIDE = re.compile(r"[\s\-－–—_.,，、·()（）]")


@dataclass(frozen=True)
class Identifier:
    entity: str
    start: int
    end: int
    value: str


def is_account_no(digits: str) -> bool:
    """A normalised 户号: 10 digits, or province code + "0" + 10 digits."""
    return ACCOUNT_NO_RE.match(digits) is not None


def is_mobile(digits: str) -> bool:
    """An 11-digit mainland mobile number."""
    return _MOBILE.fullmatch(digits) is not None


def is_phone(digits: str) -> bool:
    """A normalised phone number: mobile or landline with its area code."""
    return is_mobile(digits) or _is_landline(digits)


def is_ticket_id(value: str) -> bool:
    """A normalised ticket number (GD + 14 digits)."""
    return _TICKET_NO.fullmatch(value) is not None


def ticket_number(local_date: date, row_id: int) -> str:
    """The ticket number of row `row_id` accepted on `local_date` (Asia/Shanghai).

    Six digits of the row id: unique unless a million tickets are accepted in one day.
    """
    return f"{TICKET_PREFIX}{local_date:%Y%m%d}{row_id % 1_000_000:06d}"


def plan_number(local_date: date, row_id: int) -> str:
    """The number of improvement plan `row_id` made on `local_date` (Asia/Shanghai), like a ticket's."""
    return f"{PLAN_PREFIX}{local_date:%Y%m%d}{row_id % 1_000_000:06d}"


def _compact(text: str) -> str:
    return _INSIDE.sub("", spoken_to_digits(text.strip())).removeprefix("+")


def parse_account_no(text: str | None, *, free_text: bool = True) -> str | None:
    """The 户号 in `text` (digits only), or None.

    The whole value may carry spaces, dashes and spoken digits; with `free_text` a
    sentence that contains exactly one 户号 ("我的户号是3301234567") is also read.
    """
    if not text:
        return None
    compact = _compact(text)
    if is_account_no(compact):
        return compact
    if not free_text:
        return None
    found = {i.value for i in find_identifiers(text) if i.entity == ACCOUNT_NO}
    return found.pop() if len(found) == 1 else None


def parse_phone(text: str | None, *, free_text: bool = True) -> str | None:
    """The phone number in `text` (digits only, without 86), or None.

    Tolerates spaces, dashes, spoken digits and +86; with `free_text` a sentence that
    contains exactly one phone number is also read.
    """
    if not text:
        return None
    compact = _compact(text)
    if len(compact) == 13 and compact.startswith("86") and is_mobile(compact[2:]):
        compact = compact[2:]
    if is_phone(compact):
        return compact
    if not free_text:
        return None
    found = {i.value for i in find_identifiers(text) if i.entity == PHONE}
    return found.pop() if len(found) == 1 else None


def parse_ticket_id(text: str | None) -> str | None:
    """The first ticket number in free text ("gd 20261126-000123" too), normalised, or None."""
    if not text:
        return None
    match = _TICKET.search(spoken_to_digits(text))
    return TICKET_PREFIX + re.sub(r"[^0-9]", "", match["digits"]) if match else None


def spoken_to_digits(text: str) -> str:
    """Same-length copy of `text` with runs of spoken digits as ASCII digits."""
    return _SPOKEN_RUN.sub(lambda m: m.group().translate(_SPOKEN), text)


def find_identifiers(text: str) -> list[Identifier]:
    shadow = spoken_to_digits(text)
    found: list[Identifier] = []
    for m in _TICKET.finditer(shadow):
        found.append(Identifier(TICKET_ID, m.start(), m.end(), TICKET_PREFIX + re.sub(r"[^0-9]", "", m["digits"])))
        shadow = shadow[: m.start()] + "#" * (m.end() - m.start()) + shadow[m.end():]
    for run in _RUN.finditer(shadow):
        groups = [(g.start(), g.end(), g.group()) for g in _GROUP.finditer(shadow, run.start(), run.end())]
        found.extend(_split(shadow, groups))
    return sorted(found, key=lambda i: i.start)


def _split(text: str, groups: list[tuple[int, int, str]]) -> list[Identifier]:
    """Best segmentation of a run's digit groups into identifiers (dynamic programming)."""
    # best[i]: (digits covered, -segments, identifiers) for groups[i:]
    best: list[tuple[int, int, list[Identifier]]] = [(0, 0, [])] * (len(groups) + 1)
    for i in range(len(groups) - 1, -1, -1):
        options = [best[i + 1]]  # leave group i uncovered
        for j in range(i + 1, len(groups) + 1):
            digits = "".join(g[2] for g in groups[i:j])
            if len(digits) > 15:
                break
            found = _classify(text, groups[i][0], groups[j - 1][1], digits)
            if found:
                covered, neg_segments, rest = best[j]
                options.append((covered + len(digits), neg_segments - 1, [found, *rest]))
        best[i] = max(options, key=lambda o: (o[0], o[1]))
    return best[0][2]


def _classify(text: str, start: int, end: int, digits: str) -> Identifier | None:
    if _MOBILE.fullmatch(digits):
        return Identifier(PHONE, start, end, digits)
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return Identifier(PHONE, start, end, digits[2:])
    if _is_landline(digits):
        return Identifier(PHONE, start, end, digits)
    if len(digits) == 10 and _keyword_before(text, start) not in _PHONE_WORDS:
        return Identifier(ACCOUNT_NO, start, end, digits)
    if len(digits) == 13 and is_account_no(digits):
        return Identifier(ACCOUNT_NO, start, end, digits)
    return None


def _is_landline(digits: str) -> bool:
    return _LANDLINE.fullmatch(digits) is not None


def _keyword_before(text: str, start: int) -> str | None:
    window = text[max(0, start - _CONTEXT):start]
    matches = _KEYWORDS.findall(window)
    return matches[-1] if matches else None
