"""What a sentence becomes when speech synthesis reads it to a hotline caller.

The one definition of spoken numbers, for the actions (their IVR variants) and
the backend's IVR channel (backend/channels/ivr.py):
- a number a caller writes down (ticket number, 户号, phone) is read digit by
  digit in groups, 1 as 幺: `spoken_digits`, `spoken_ticket_id`;
- money is read as 元/角/分: "12.50元" and "¥12.5" → "12元5角";
- `speakable(text)` turns any line meant for a screen into one for the ear:
  links, markup (Markdown emphasis, headings, HTML tags, [title](link) keeps the
  title) and emoji are dropped; ticket numbers, 户号 and phone numbers are read
  digit by digit; a masked number (138****5678, ******7890) is read as 尾号 and
  its last digits; money as above. Nothing is cut: every sentence is kept whole.

Pure Python; read by no NLU component (bot/model_cache.py leaves it out of the
model's hash).
"""
from __future__ import annotations

import re

from glossary.identifiers import ACCOUNT_NO, PHONE, TICKET_ID, find_identifiers

_SPOKEN_DIGITS = str.maketrans("0123456789", "零幺二三四五六七八九")
TICKET_GROUPS = (4, 4, 3, 3)  # after "G D": the date, then the day's number
_GROUPS = {ACCOUNT_NO: (4, 3, 3), PHONE: (3, 4, 4)}

_LINK = re.compile(r"\[([^\]]*)\]\((?:[^)]*)\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_MARKUP = re.compile(r"\*\*|__|`+|^\s{0,3}#{1,6}\s*|^\s*[-*+]\s+|^\s*>\s*", re.MULTILINE)
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0E\uFE0F\u200D\u20E3]")
_MASKED = re.compile(r"(?:\d{3})?\*{4,}(\d{3,4})")
_TAIL = re.compile(r"尾号\s*(\d{3,4})")
_MONEY = re.compile(r"[¥￥]\s*(\d+)(?:\.(\d{1,2}))?(?![\d.])(?:\s*元)?|(?<![\d.])(\d+)(?:\.(\d{1,2}))?(?![\d.])\s*元")
_PER = re.compile(r"/(?=千瓦时|度|月|年|次|户|kWh)")
_SPACES = re.compile(r"[ \t]{2,}")
_ENDS = "。！？；，、：!?;,:"
_BEFORE_END = re.compile(r"[ \t]+(?=[。！？；，、：])")


def spoken_digits(number: str, groups: tuple[int, ...]) -> str:
    """Digits read one by one in groups, as a caller writes them down: '二零二六，幺幺二九'."""
    parts, at = [], 0
    for size in groups:
        if at < len(number):
            parts.append(number[at:at + size].translate(_SPOKEN_DIGITS))
        at += size
    if at < len(number):
        parts.append(number[at:].translate(_SPOKEN_DIGITS))
    return "，".join(parts)


def spoken_ticket_id(ticket_id: str) -> str:
    """'GD20261129000123' → 'G D，二零二六，幺幺二九，零零零，幺二三'."""
    return "G D，" + spoken_digits(ticket_id[2:], TICKET_GROUPS)


def spoken_money(yuan: str, decimals: str | None) -> str:
    """'12', '50' → '12元5角'; '0', '05' → '5分'."""
    cents = (decimals or "").ljust(2, "0")
    jiao, fen = int(cents[0]), int(cents[1])
    parts = [f"{int(yuan)}元"] if int(yuan) or not (jiao or fen) else []
    if jiao:
        parts.append(f"{jiao}角")
    if fen:
        parts.append(f"{'零' if parts and not jiao else ''}{fen}分")
    return "".join(parts)


def _numbers(text: str) -> str:
    """Ticket numbers, 户号 and phones in `text` read digit by digit."""
    out, at = [], 0
    for found in find_identifiers(text):
        original = text[found.start:found.end]
        if not re.search(r"[0-9]", original):  # spoken already (一三八…)
            continue
        if found.entity == TICKET_ID:
            spoken = spoken_ticket_id(found.value)
        else:
            spoken = spoken_digits(found.value, _GROUPS.get(found.entity, (4, 4, 4)))
        out.append(text[at:found.start] + spoken)
        at = found.end
    return "".join(out) + text[at:]


def _money(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return spoken_money(match.group(1), match.group(2))
    return spoken_money(match.group(3), match.group(4))


def speakable(text: str) -> str:
    """The line as speech synthesis should read it (module docstring); '' when nothing is left."""
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _TAG.sub("", text)
    text = _MASKED.sub(lambda m: "尾号" + m.group(1).translate(_SPOKEN_DIGITS), text)  # before markup: the stars
    text = _TAIL.sub(lambda m: "尾号" + m.group(1).translate(_SPOKEN_DIGITS), text)
    text = _MARKUP.sub("", text)
    text = _EMOJI.sub("", text)
    text = _numbers(text)
    text = _MONEY.sub(_money, text)
    text = _PER.sub("每", text)
    spoken = ""
    for line in (_BEFORE_END.sub("", _SPACES.sub(" ", line)).strip() for line in text.splitlines()):
        if line:
            spoken += ("，" if spoken and spoken[-1] not in _ENDS else "") + line
    return spoken
