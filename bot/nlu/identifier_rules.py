"""户号 / phone / ticket number recognition in free Chinese text (no word boundaries).

No Rasa imports: actions and the IVR adapter can reuse `find_identifiers`.

How a text is read:
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
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
}
# "号码" is left out: "户号号码" and "手机号码" both contain it.
_KEYWORDS = re.compile(r"户号|戶號|户口号|用户编号|用户号|账号|帐号|电话|電話|手机|手機|联系方式|聯繫方式")
_PHONE_WORDS = {"电话", "電話", "手机", "手機", "联系方式", "聯繫方式"}
_CONTEXT = 10  # characters looked back for a keyword


@dataclass(frozen=True)
class Identifier:
    entity: str
    start: int
    end: int
    value: str


def spoken_to_digits(text: str) -> str:
    """Same-length copy of `text` with runs of spoken digits as ASCII digits."""
    return _SPOKEN_RUN.sub(lambda m: m.group().translate(_SPOKEN), text)


def find_identifiers(text: str) -> list[Identifier]:
    shadow = spoken_to_digits(text)
    found: list[Identifier] = []
    for m in _TICKET.finditer(shadow):
        found.append(Identifier(TICKET_ID, m.start(), m.end(), "GD" + re.sub(r"[^0-9]", "", m["digits"])))
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
    if len(digits) == 13 and digits[:2] in _PROVINCES and digits[2] == "0":
        return Identifier(ACCOUNT_NO, start, end, digits)
    return None


def _is_landline(digits: str) -> bool:
    if not digits.startswith("0") or len(digits) < 3 or digits[1] == "0":
        return False
    local = digits[3:] if digits[1] in "12" else digits[4:]
    return 7 <= len(local) <= 8 and local[0] not in "01" and local.isdigit()


def _keyword_before(text: str, start: int) -> str | None:
    window = text[max(0, start - _CONTEXT):start]
    matches = _KEYWORDS.findall(window)
    return matches[-1] if matches else None
