"""Canonical form of customer text, with an offset map so entity spans survive it.

Steps, in order:
1. Full-width digits, Latin letters, the ideographic space and the separators used inside
   numbers and dates (－ ． ／ ＋) become ASCII (NFKC on those characters only). Chinese
   punctuation such as ，。？ is left alone: it carries no identifier and jieba handles it.
2. Traditional -> Simplified with OpenCC t2s. Its dictionaries map characters and phrases
   1:1 in length (checked for every CJK character; the phrase table has no length change),
   but if a future dictionary ever changed the length, we fall back to converting
   character by character so positions still line up.
3. Runs of whitespace become one space; leading/trailing whitespace goes. This is the only
   step that moves offsets, and `Normalised.offsets` records how.

No Rasa imports: the IVR adapter or actions can normalise text the same way.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

# Code points folded to ASCII: full-width 0-9, A-Z, a-z, ＋ － ． ／ and U+3000.
_FOLDED = (
    {chr(c) for c in range(0xFF10, 0xFF1A)}
    | {chr(c) for c in range(0xFF21, 0xFF3B)}
    | {chr(c) for c in range(0xFF41, 0xFF5B)}
    | set("＋－．／\u3000")
)


@dataclass(frozen=True)
class Normalised:
    text: str
    # offsets[i] is where original position i landed (len(original) + 1 entries), so a
    # span [start, end) of the original is [offsets[start], offsets[end]) of `text`.
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Maps an original span; whitespace the span gained at its edges is trimmed."""
        new_start, new_end = self.offsets[start], self.offsets[end]
        while new_start < new_end and self.text[new_start].isspace():
            new_start += 1
        while new_end > new_start and self.text[new_end - 1].isspace():
            new_end -= 1
        return new_start, new_end


@functools.lru_cache(maxsize=1)
def _converter():  # noqa: ANN202 - opencc ships no usable type for the instance
    import opencc

    return opencc.OpenCC("t2s")


def fold_width(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", c) if c in _FOLDED else c for c in text)


def to_simplified(text: str) -> str:
    """Traditional -> Simplified, guaranteed to keep the length and every position."""
    converter = _converter()
    converted = converter.convert(text)
    if len(converted) == len(text):
        return converted
    # Per character a conversion is 1:1; keep the original where one would not be.
    return "".join(out if len(out := converter.convert(c)) == 1 else c for c in text)


def collapse_whitespace(text: str) -> Normalised:
    out: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for char in text:
        # A whitespace character lands where its run's single space will be (or at the
        # end, for a leading/trailing run that is dropped); Normalised.span trims edges.
        offsets.append(len(out))
        if char.isspace():
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            offsets[-1] += 1
            pending_space = False
        out.append(char)
    offsets.append(len(out))
    return Normalised("".join(out), tuple(offsets))


def normalise(text: str) -> Normalised:
    return collapse_whitespace(to_simplified(fold_width(text)))
