"""Masking of personal data (PIPL) in free text: transcripts, descriptions, notes, log lines.

The masks of single fields (phone, 户号, name, address) are defined once in
glossary.masking and re-exported here for the backend's modules. Free text is
read the way the assistant reads a customer (glossary.identifiers.find_identifiers),
on a same-length shadow of the text in which full-width digits are ASCII and a dot
between digits is a separator, so every spelling a customer uses is masked where it
stands:
- a phone: 138****5678, whether written 13812345678, 138-1234-5678, 138.1234.5678,
  "1 3 8 …", １３８…, 一三八… or 幺三八…; a landline keeps its area code's first
  digits and its last 4;
- a 户号 (10 digits, or 13 with a province prefix), spaces and dashes allowed:
  ******7890, only its last 4 digits; and, as before, any other run of 10-13 ASCII digits keeps its
  last 4 (a log line masks everything that could be a 户号, valid or not);
- an ID-card number keeps its first 6 and last 4 characters;
- an address's house number after a community, village or road word (幸福里小区3幢2单元501室,
  屏门村二十三号, 文三路88号): ****, as mask_address shows a whole address field;
- a WeChat openid in a URL's query (`openid=…`, which the access log prints): `openid=***`.
- a name the text introduces (我叫王建国, 联系人：李梅, 户主是张三, 姓名:欧阳娜娜): 王**, as
  mask_name shows a name field; two or three characters after the cue are taken as the
  name (a two-character name followed by more words loses one more character to the mask,
  which errs on the side of the customer);
- the names the caller knows belong to the text (`names`: a ticket's customer, whose name
  a description or a handler's note repeats without a cue), wherever they stand.
A date or time (2026-11-29 20:53) is not a 户号, and ticket numbers (GD + 14 digits)
stay readable: they identify a ticket, not a person. A name written without a cue, in a
text whose owner is unknown, is not recognised.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from glossary.identifiers import ACCOUNT_NO, PHONE, find_identifiers, is_mobile, spoken_to_digits
from glossary.masking import mask_account_no, mask_address, mask_name, mask_phone

__all__ = ["mask_account_no", "mask_address", "mask_name", "mask_phone", "mask_text"]

# In free text a 户号 shows six stars whatever its length (a log line never tells 10 from 13 digits).
_ACCOUNT_IN_TEXT = "******"
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
_ACCOUNT = re.compile(r"(?<!\d)(?:\d[ -]?){6,9}(\d{4})(?!\d)")
_OPENID_PARAM = re.compile(r"(?<![A-Za-z_])(openid=)[^&\s\"']+", re.IGNORECASE)
_ID_CARD = re.compile(r"(?<![0-9Xx])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9Xx])")
# Same length, one character for one: full-width digits as ASCII, dots and middle dots
# between digits as dashes (138.1234.5678 is a phone; 3.5元 stays two short numbers).
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_DOT_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[.·](?=[0-9])")
# A 10-digit run that is really a date and hour, as log lines start: never a 户号.
_DATE_LIKE = re.compile(r"(?:19|20)\d\d[-/.年]")
# A ticket number, also as read out for the hotline ("G D，二零二六，幺幺三零，…"): blanked in
# the shadow so its digits are never taken for a 户号.
_TICKET_NUMBER = re.compile(r"[Gg][ \t]*[Dd](?:[ \t,，、\-]*[0-9]){14}")
# A name after the words that introduce one; 我是 is left out (我是户主, 我是这里的住户).
_NAME_AFTER_CUE = re.compile(
    r"((?:我叫|名叫|我的名字是|我的名字叫|姓名|联系人|户主|户名|收件人)(?:是|为|叫)?[:：]?\s*)"
    r"(?![\u4e00-\u9fff]{0,5}(?:小区|社区|村|路|街|号))"  # 户名是坪山社区…: a place, not a name
    r"((?:欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|尉迟|长孙)?[\u4e00-\u9fff]{2,3})")
# A house number after the word that ends the part of an address mask_address keeps.
_NUMERAL = "0-9０-９零〇一二三四五六七八九十百两幺"
_HOUSE_NUMBER = re.compile(
    rf"(小区|社区|新村|家园|花园|公寓|大厦|广场|[村苑里庄组路街巷弄道])"
    rf"(?:[{_NUMERAL}]+(?:号楼|幢|栋|号|单元|室|楼|层|户|组)[-—之]?)+(?:[{_NUMERAL}]+(?![{_NUMERAL}]))?")


def _mask_mobile(match: re.Match[str]) -> str:
    number = match.group()
    return mask_phone(number) if is_mobile(number) else number


def _shadow(text: str) -> str:
    shadow = spoken_to_digits(_DOT_BETWEEN_DIGITS.sub("-", text.translate(_FULL_WIDTH)))
    return _TICKET_NUMBER.sub(lambda m: "#" * len(m.group()), shadow)


def _mask_identifiers(text: str) -> str:
    """Phones and 户号 in any spelling, masked where they stand (right to left keeps spans valid)."""
    shadow = _shadow(text)
    for found in sorted(find_identifiers(shadow), key=lambda i: i.start, reverse=True):
        span = shadow[found.start:found.end]
        if found.entity == PHONE:
            masked = mask_phone(found.value)
        elif found.entity == ACCOUNT_NO and not (len(found.value) == 10 and _DATE_LIKE.match(span)):
            masked = _ACCOUNT_IN_TEXT + found.value[-4:]
        else:
            continue
        text = text[:found.start] + str(masked) + text[found.end:]
    return text


def mask_text(text: str, names: Iterable[str | None] = ()) -> str:
    """Mask identifiers, introduced names, the known `names` and house numbers inside free text."""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) > 1}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    text = _NAME_AFTER_CUE.sub(lambda m: m.group(1) + mask_name(m.group(2)), text)
    text = _OPENID_PARAM.sub(r"\1***", text)
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _mask_identifiers(text)
    text = _ELEVEN_DIGITS.sub(_mask_mobile, text)
    text = _ACCOUNT.sub(lambda m: "******" + m.group(1), text)
    return _HOUSE_NUMBER.sub(r"\1****", text)
