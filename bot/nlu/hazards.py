"""Hazard reports in free Chinese text, whatever else the message is about.

No Rasa imports: the NLU component (bot.nlu.hazard_detector) and the actions both call
`detect_hazards`, on normalised or on raw customer text.

Kinds (string codes, `KINDS`): sparks, smoke, fire, fallen_wire, broken_wire, shock,
trapped_lift, flooding, explosion, pole_down. The lexicon, with a comment per kind, is
bot/nlu/hazards.yml, read once.

How a text is read:
1. A shadow copy is made with the length-preserving steps of text_normalisation
   (full-width -> ASCII, Traditional -> Simplified), so the detector gives the same
   answer on raw text as on the NLU's normalised text. Whitespace is then dropped
   (IVR transcripts put spaces inside words) and every shadow position remembers its
   position in the input: spans always index the text as given.
2. Typos: same-length rewrites from `typos` (冒姻 -> 冒烟, 冒火化 -> 冒火花, 电现 -> 电线,
   著 -> 着). A typo is rewritten only where the lexicon says so: 火化 alone stays.
3. Masking: every `not_hazards` match is overwritten with a blocker that no pattern
   matches or gaps over (火花塞, 烟花, 抽烟, 打火机, 触电保护器, 漏电开关, 充电线, 怎么
   预防触电, 水管被挖断…). A question about a device or about prevention is therefore
   not a report; a report elsewhere in the same message still is.
4. Each kind's patterns are matched (`{gap}` = up to 6 characters of one clause with
   no negator 没不未无别 among them, so 电线没断 and 电线杆没倒 never match). A pattern
   with `needs` counts only when that expression occurs anywhere in the message
   (里面有人 is a trapped-lift report only in a message about a lift).
5. Overlapping matches of one kind merge into one span; then negation is judged on
   the merged span, within its clause (clauses end at ，。！？；：、 and their ASCII
   forms). It is not a report when
   - the clause text before it ends with a negator and at most three fillers:
     没有冒烟, 不冒烟, 没起火, 没看到火花, 也没有电线掉下来, 没闻到什么焦味, 不会着火吧,
     有没有漏电 (a question is not a report either);
   - or everything after it up to the end of the clause is a closing negation:
     冒烟倒是没有，/ 起火了没？
   Exception: a bare 没 right before a span that starts with 电 is read as 没电 ("no
   power"), because unpunctuated text such as 家里没电线掉地上了 means 没电，线掉地上了.
   Scope ends at the clause: 没电了，还冒烟 and 没电了还冒烟 are both smoke.
6. A kind that `supersedes` another drops that kind's overlapping spans (a wire blown
   down by the wind is fallen_wire, not also broken_wire). Different kinds may
   otherwise overlap or repeat: 电线杆倒了压着线 is pole_down and fallen_wire.
Result: hazards ordered by start, then kind.

Deliberately not flagged: "有" or "有危险" on its own (the repair form asks yes/no and
reads the answer); negated or questioned hazards (above); words that merely contain a
hazard word (火花塞, 烟花, 抽烟, 吸烟区, 火星人, 打火机, 汽车打不着火); protective devices
and prevention (触电保护器怎么装, 漏电开关跳了, 怎么预防触电) — a tripping breaker is a
fault, not a danger, unless the customer also says it shocks, smokes or sparks; a lift
that is merely stopped (电梯什么时候修好, 电梯停了); 触点, 停电/来电 and other 电 that is
not a verb; other utilities' lines and pipes (网线, 电话线, 水管被挖断); 烧了 on its own
(保险丝烧了 is a fault).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.nlu.text_normalisation import fold_width, to_simplified

LEXICON_FILE = Path(__file__).with_name("hazards.yml")

SPARKS = "sparks"
SMOKE = "smoke"
FIRE = "fire"
FALLEN_WIRE = "fallen_wire"
BROKEN_WIRE = "broken_wire"
SHOCK = "shock"
TRAPPED_LIFT = "trapped_lift"
FLOODING = "flooding"
EXPLOSION = "explosion"
POLE_DOWN = "pole_down"
KINDS = (SPARKS, SMOKE, FIRE, FALLEN_WIRE, BROKEN_WIRE, SHOCK, TRAPPED_LIFT, FLOODING, EXPLOSION, POLE_DOWN)

BLOCK = "\x00"  # what masked characters become; no pattern or gap crosses it
_BOUNDARY = "，。！？；：、,.!?;:…" + BLOCK
_NEGATORS = "没不未无别"
_MACROS = {
    "gap": f"[^{_BOUNDARY}{_NEGATORS}]{{0,6}}",
    "near": f"[^{_BOUNDARY}{_NEGATORS}]{{0,4}}",
    "short": f"[^{_BOUNDARY}{_NEGATORS}]{{0,2}}",
}
_CLAUSE_END = re.compile(f"[{_BOUNDARY}]")


@dataclass(frozen=True)
class Hazard:
    kind: str
    start: int  # span of the text passed to detect_hazards
    end: int
    text: str  # the customer's own characters (Traditional stays Traditional)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    needs: re.Pattern[str] | None


@dataclass(frozen=True)
class _Lexicon:
    typos: tuple[tuple[re.Pattern[str], str], ...]
    masks: tuple[re.Pattern[str], ...]
    before: re.Pattern[str]
    after: re.Pattern[str]
    patterns: dict[str, tuple[_Pattern, ...]]
    supersedes: dict[str, frozenset[str]]


def _expand(pattern: str, words: dict[str, str]) -> str:
    table = {**words, **_MACROS}
    return re.sub(r"\{(\w+)\}", lambda m: table[m[1]] if m[1] in table else m[0], pattern)


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    raw: dict[str, Any] = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    words = {name: _expand(value, {}) for name, value in raw["words"].items()}
    typos = []
    for key, replacement in raw["typos"].items():
        literal = re.escape(key) == key
        if literal and len(key) != len(replacement):
            raise ValueError(f"{LEXICON_FILE.name}: typo {key!r} -> {replacement!r} changes the length")
        typos.append((re.compile(key), replacement))
    patterns: dict[str, tuple[_Pattern, ...]] = {}
    supersedes: dict[str, frozenset[str]] = {}
    for kind, spec in raw["kinds"].items():
        if kind not in KINDS:
            raise ValueError(f"{LEXICON_FILE.name}: unknown hazard kind {kind!r}")
        compiled = []
        for entry in spec["patterns"]:
            entry = entry if isinstance(entry, dict) else {"pattern": entry}
            needs = entry.get("needs")
            compiled.append(_Pattern(re.compile(_expand(str(entry["pattern"]), words)),
                                     re.compile(_expand(needs, words)) if needs else None))
        patterns[kind] = tuple(compiled)
        supersedes[kind] = frozenset(spec.get("supersedes", ()))
    missing = set(KINDS) - set(patterns)
    if missing:
        raise ValueError(f"{LEXICON_FILE.name}: no patterns for {sorted(missing)}")
    return _Lexicon(
        typos=tuple(typos),
        masks=tuple(re.compile(_expand(m, words)) for m in raw["not_hazards"]),
        before=re.compile(raw["negation"]["before"]),
        after=re.compile(raw["negation"]["after"]),
        patterns=patterns,
        supersedes=supersedes,
    )


def _shadow(text: str) -> tuple[str, list[int]]:
    """Simplified, whitespace-free copy of `text` and the input position of each character."""
    simplified = to_simplified(fold_width(text))  # both keep every position
    positions = [i for i, char in enumerate(simplified) if not char.isspace()]
    return "".join(simplified[i] for i in positions), positions


def _rewrite(shadow: str, lex: _Lexicon) -> str:
    for typo, replacement in lex.typos:
        # A rewrite that would change the length is a lexicon error, not a rewrite.
        shadow = typo.sub(lambda m, r=replacement: r if len(r) == len(m[0]) else m[0], shadow)
    for mask in lex.masks:
        shadow = mask.sub(lambda m: BLOCK * len(m[0]), shadow)
    return shadow


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _negated(shadow: str, start: int, end: int, lex: _Lexicon) -> bool:
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(shadow, 0, start)), default=0)
    before = shadow[clause_start:start]
    cue = lex.before.search(before)
    if cue and not (cue[0] == "没" and shadow[start] == "电"):
        return True
    clause_end = _CLAUSE_END.search(shadow, end)
    after = shadow[end:clause_end.start() if clause_end else len(shadow)]
    return bool(after) and lex.after.search(after) is not None


def detect_hazards(text: str) -> list[Hazard]:
    """Every hazard the customer reports in `text` (raw or normalised), in text order."""
    if not text:
        return []
    lex = lexicon()
    shadow, positions = _shadow(text)
    shadow = _rewrite(shadow, lex)
    found: dict[str, list[tuple[int, int]]] = {}
    for kind, patterns in lex.patterns.items():
        spans = [m.span() for p in patterns if p.needs is None or p.needs.search(shadow)
                 for m in p.regex.finditer(shadow) if m.end() > m.start()]
        kept = [s for s in _merged(spans) if not _negated(shadow, *s, lex)]
        if kept:
            found[kind] = kept
    for kind, spans in list(found.items()):
        for dropped in lex.supersedes[kind]:
            if dropped in found:
                found[dropped] = [d for d in found[dropped] if not any(d[0] < e and s < d[1] for s, e in spans)]
    hazards = []
    for kind, spans in found.items():
        for start, end in spans:
            first, last = positions[start], positions[end - 1] + 1
            hazards.append(Hazard(kind, first, last, text[first:last]))
    return sorted(hazards, key=lambda h: (h.start, KINDS.index(h.kind), h.end))


def hazard_kinds(text: str) -> list[str]:
    """The distinct kinds reported in `text`, in order of first mention."""
    return list(dict.fromkeys(h.kind for h in detect_hazards(text)))
