"""The word rules of the place resolver (backend/places.py): what the words around
the index's terms say, as opposed to what the area table says.

Two rules live here:

- `place_like`: words that look like a place (a name before 小区, 村, 街道, 路 …)
  whether or not the table knows them (steps 5 and 6 of the resolver).
- `counted_terms`: whether a *bare two-character stem* counts as a place. Most
  Chinese words have two characters, so many stems of the table are also
  everyday words (复兴, 城中, 联盟, 城南, 天河, 白鹤, 迎春 …: 复兴一下, 加入联盟,
  迎春花). Such a stem names a place only when the text gives it place context:
  1. it is said on its own: the part of the text between punctuation or spaces
     holding it is nothing but place words (the answer 联盟; 桐庐 分水; an address
     and a place field joined with a space);
  2. it stands next to another place word that counts, 的 allowed between
     (桐庐的迎春社区, 景宁县复兴, 桐庐幸福里小区 where 幸福里小区 is unknown);
  3. a word of location comes right before it (在, 住, 去, 来到, 回到, 来自, 位于 …),
     or right after it (那边, 这边, 附近, 一带 …, a house number such as 12号), or a
     word of supply comes after it in its clause (停电, 没电, 来电 …: 分水今天停电吗).
  Full names, aliases and stems of three or more characters always count; a
  stem followed by a place suffix never does (the resolver's own rule).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

MIN_NAME = 2  # characters of name a stem or an unknown mention needs
MAX_NAME = 8
SHORT_STEM = 2  # stems this long need place context (`counted_terms`)

# What makes words a place (step 5); 街道/镇/乡 name a street, the others an area.
PLACE_SUFFIX = re.compile(r"街道|新村|社区|小区|花园|家园|公寓|大厦|广场|村|苑|镇|乡|路|街|巷")
_STREET_SUFFIXES = frozenset({"街道", "镇", "乡"})
# A bare one of these (我们社区, 村里) is a place too vague to look up.
_VAGUE_SUFFIXES = frozenset({"社区", "小区", "新村", "村", "街道", "镇", "乡"})
# Words before a place's name that are not part of it ("我家住在幸福里小区").
_FILLER = re.compile(
    "我家|咱家|你家|他家|老家|家里|家住|我们|咱们|你们|他们|大家|住在|位于|就在|请问|一下|那边|这边|"
    "那里|这里|那个|这个|附近|旁边|对面|隔壁|整个|在|住|是|到|的|了|问|查|我|你|他|她")
# Administrative words that end the name before them (杭州市西湖区文三路: 文三路).
_ADMIN = re.compile("[省市县区]")
# Residential places are what a customer's address is about; roads come second.
_RESIDENTIAL = frozenset({"新村", "社区", "小区", "花园", "家园", "公寓", "大厦", "广场", "村", "苑"})
# Words that end like a place but are not one.
_NOT_PLACES = ("线路", "电路", "短路", "道路", "马路", "公路", "铁路", "网路", "回路", "出路", "思路", "一路",
               "走路", "上路", "逛街", "上街", "下乡", "老乡", "家乡", "城乡", "乡镇", "城镇", "农村", "乡村")

# --- context of a bare two-character stem (`counted_terms`) ---------------------------

# Right before it; 在 not as part of an adverb (现在, 正在). A bare 到 is left out: it
# mostly ends a verb (得到, 说到, 感到 …), so only 来到 and 回到 count.
_LOCATION_BEFORE = re.compile(r"(?:(?<![现正实存好])在|住|去|来到|回到|来自|位于|靠近)$")
# Right after it: where, or a house number (联盟12号, 联盟三组).
_LOCATION_AFTER = re.compile(
    r"那边|这边|那里|这里|那儿|这儿|那块|这块|那片|这片|附近|一带|周边|周围|片区|地区|境内"
    r"|[0-9一二三四五六七八九十]+(?:号|幢|栋|弄|组|单元|排)")
# After it in its clause: the customer asks about the supply there.
_SUPPLY_AFTER = re.compile("停电|没电|没有电|断电|来电|通电|复电|送电|跳闸")
_CLAUSE_END = re.compile(r"[,.!?;:。！？；：\n]")
# Between two place words that name one place (桐庐的迎春社区, 迎春社区 桐庐县).
_JOINER = re.compile(r"\s*的?\s*")
# Parts of a text said on their own, and what may stand beside a place there (是联盟的).
_SEPARATOR = re.compile(r"[\W_]+")
_PARTICLES = re.compile("[是的呢啊呀吧哦嗯噢]*")


def _cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def counted_terms(text: str, spans: Sequence[tuple[int, int]], short: Sequence[bool],
                  unknown: Sequence[tuple[int, int]] = ()) -> list[bool]:
    """Which terms found in `text` count as places: every one not `short`, and each short one
    (a bare two-character stem) with place context (module docstring). `spans` are the terms'
    (start, end), in text order and not overlapping; `unknown`, words that look like a place
    the table lacks (幸福里小区), which count as place words beside a stem."""
    counts = [not s or _on_its_own(text, spans, i) or _location_words(text, *spans[i])
              for i, s in enumerate(short)]
    changed = True
    while changed:  # next to a place word that counts
        changed = False
        for i, span in enumerate(spans):
            neighbours = [*unknown, *(other for j, other in enumerate(spans) if counts[j] and j != i)]
            if not counts[i] and any(_next_to(text, span, other) for other in neighbours):
                counts[i] = changed = True
    return counts


def _on_its_own(text: str, spans: Sequence[tuple[int, int]], i: int) -> bool:
    start, end = spans[i]
    begin = max((m.end() for m in _SEPARATOR.finditer(text, 0, start)), default=0)
    after = _SEPARATOR.search(text, end)
    finish = after.start() if after else len(text)
    rest, cursor = [], begin
    for s, e in spans:
        if begin <= s and e <= finish:
            rest.append(text[cursor:s])
            cursor = e
    rest.append(text[cursor:finish])
    return all(_PARTICLES.fullmatch(part) for part in rest)


def _location_words(text: str, start: int, end: int) -> bool:
    if _LOCATION_BEFORE.search(text, max(0, start - 2), start) or _LOCATION_AFTER.match(text, end):
        return True
    clause_end = _CLAUSE_END.search(text, end)
    return _SUPPLY_AFTER.search(text, end, clause_end.start() if clause_end else len(text)) is not None


def _next_to(text: str, one: tuple[int, int], other: tuple[int, int]) -> bool:
    first, second = sorted((one, other))
    return first[1] <= second[0] and _JOINER.fullmatch(text, first[1], second[0]) is not None


# --- words that look like a place -------------------------------------------------------

def place_like(text: str, known: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Words that look like a place outside the known terms' spans: (start, end, level), level
    "area" (a residential name: 小区, 村 …), "road" (路, 街, 巷: an area-level place the
    customer names when there is no residential one), "street" (街道, 镇, 乡) or "vague"
    (a suffix without a name: the suffix alone). Residential mentions come first, then roads, then streets."""
    found: list[tuple[int, int, str]] = []
    boundaries = {end for _, end in known}
    for suffix in PLACE_SUFFIX.finditer(text):
        if any(start <= suffix.start() < end for start, end in known):
            continue
        begin = suffix.start()
        while (begin > 0 and _cjk(text[begin - 1]) and begin not in boundaries
               and suffix.start() - begin < MAX_NAME + 4):
            begin -= 1
        name_start = begin
        for cut in (*_FILLER.finditer(text, begin, suffix.start()), *_ADMIN.finditer(text, begin, suffix.start())):
            name_start = max(name_start, cut.end())
        mention = text[name_start:suffix.end()]
        if any(mention.endswith(word) for word in _NOT_PLACES):
            if suffix.group() in _VAGUE_SUFFIXES and mention.endswith(("农村", "乡村", "乡镇", "城镇")):
                found.append((suffix.start(), suffix.end(), "vague"))
            continue
        if MIN_NAME <= suffix.start() - name_start <= MAX_NAME:
            level = "street" if suffix.group() in _STREET_SUFFIXES else "area"
            found.append((name_start, suffix.end(), level if suffix.group() in _RESIDENTIAL or level == "street"
                          else "road"))
        elif suffix.start() - name_start < MIN_NAME and suffix.group() in _VAGUE_SUFFIXES:
            found.append((suffix.start(), suffix.end(), "vague"))
        boundaries.add(suffix.end())
    order = {"area": 0, "road": 1, "street": 2, "vague": 3}
    return sorted(found, key=lambda f: (order[f[2]], f[0]))
