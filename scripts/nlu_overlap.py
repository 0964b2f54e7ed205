"""`python -m scripts.nlu_overlap [--remove]`: training sentences that leak an evaluation sentence.

An evaluation figure is only honest when no sentence of the evaluation sets
(tests/nlu/dev/, tests/nlu/test/) is in the training data (data/nlu/), verbatim
or nearly so. This module finds such pairs; tests/test_nlu_data.py fails when
one appears, and `--remove` deletes the training lines concerned (the evaluation
sets are never edited to make a leak go away).

The rule (`overlaps`):
1. Both sentences are reduced to a key (`key`): entity markup `[x](entity)` /
   `[x]{...}` is replaced by x; whitespace and every punctuation character goes
   (Chinese and ASCII, including …～“”); full-width letters and digits become
   ASCII and Traditional becomes Simplified (bot.nlu.text_normalisation.normalise);
   Latin letters are lower-cased. The key is computed on top of the simpler key
   (`basic_key`: markup stripped, a fixed list of punctuation removed, lower-cased),
   so two sentences with the same basic key always have the same key.
2. Two sentences overlap when their keys are equal, or nearly equal:
   - difflib's character-level similarity ratio (2·matches / total length) is
     >= 0.85: up to one changed character in seven, two in fourteen, or a few
     characters of filler around a longer sentence (停電了什麼時候來電 ~
     停殿了 什么时候来电, 恢复供电还要等多久 ~ 恢复供电大概还要等多久); or
   - the keys are one edit apart (one character added, dropped or changed) and the
     shorter has at least 3 characters (叫个人工来 ~ 叫人工来, 嗨你好呀 ~ 嗨你好啊).
   Two-character replies are only compared for equality: 满意 and its typo 满仪, or
   两星 and 五星, are different test cases, not a leak.
   Measured on the sentences that existed when the rule was chosen, a ratio of 0.9
   missed pairs a reader calls the same sentence (叫个人工来 ~ 叫人工来 at 0.89), and an
   edit distance of 2 on short sentences flagged unrelated replies of opposite intent
   (不是我的号码 ~ 是我的号).
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "data" / "nlu"
DEV = ROOT / "tests" / "nlu" / "dev"
TEST = ROOT / "tests" / "nlu" / "test"
THRESHOLD = 0.85
MIN_EDIT_LENGTH = 3  # one-edit pairs count as near from this key length up

_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_BASIC_PUNCTUATION = re.compile(r"[\s\u3000，。！？、,.!?~～…:：;；\"'“”‘’]")
_INTENT = re.compile(r"^- intent:\s*(\S+)")
_EXAMPLE = re.compile(r"^\s+- (.*?)\s*$")


@dataclass(frozen=True)
class Example:
    path: Path
    line: int  # 1-based line number in `path`
    intent: str
    raw: str  # the example as written, with entity markup

    @property
    def text(self) -> str:
        return strip_markup(self.raw)

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def strip_markup(text: str) -> str:
    return _MARKUP.sub(r"\1", text)


def basic_key(text: str) -> str:
    return _BASIC_PUNCTUATION.sub("", strip_markup(text)).lower()


def key(text: str) -> str:
    from bot.nlu.text_normalisation import normalise

    simplified = normalise(basic_key(text)).text
    kept = (c for c in simplified if not (c.isspace() or unicodedata.category(c)[0] == "P"))
    return "".join(kept).lower()


def read_examples(path: Path) -> list[Example]:
    """The intent examples of one Rasa NLU YAML file, with their line numbers (regexes,
    synonyms and lookup tables are not sentences and are skipped)."""
    examples: list[Example] = []
    intent, in_block, block_indent = None, False, 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if match := _INTENT.match(line):
            intent, in_block = match[1], False
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:  # any other top-level item (- regex:, - synonym:, nlu:, version:)
            intent, in_block = None, False
            continue
        if intent and line.strip().startswith("examples:"):
            in_block, block_indent = True, indent
            continue
        if in_block and indent > block_indent and (match := _EXAMPLE.match(line)):
            examples.append(Example(path, number, intent, match[1]))
        elif in_block and indent <= block_indent:
            in_block = False
    return examples


def read_set(path: Path) -> list[Example]:
    if not path.exists():
        return []
    files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
    return [example for file in files for example in read_examples(file)]


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def one_edit_apart(a: str, b: str) -> bool:
    """True when b is a with exactly one character added, dropped or substituted."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1 or a == b:
        return False
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]


def near(a: str, b: str, threshold: float = THRESHOLD) -> float | None:
    """The similarity of two keys when they count as near (see the module doc), else None."""
    if min(len(a), len(b)) >= MIN_EDIT_LENGTH and one_edit_apart(a, b):
        return round(similarity(a, b), 3)
    total = len(a) + len(b)
    # Upper bounds first: ratio <= 2·min(len)/total, then difflib's multiset bound.
    if not total or 2 * min(len(a), len(b)) / total < threshold:
        return None
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.quick_ratio() < threshold:
        return None
    ratio = matcher.ratio()
    return round(ratio, 3) if ratio >= threshold else None


def overlaps(candidates: list[Example], references: list[Example],
             threshold: float = THRESHOLD) -> list[tuple[Example, Example, float]]:
    """(candidate, reference, similarity) for every candidate that overlaps a reference."""
    reference_keys = [(key(r.raw), r) for r in references]
    exact = {}
    for k, reference in reference_keys:
        exact.setdefault(k, reference)
    found = []
    for candidate in candidates:
        k = key(candidate.raw)
        if k in exact:
            found.append((candidate, exact[k], 1.0))
            continue
        best, best_ratio = None, -1.0
        for other, reference in reference_keys:
            ratio = near(k, other, threshold)
            if ratio is not None and ratio > best_ratio:
                best, best_ratio = reference, ratio
        if best is not None:
            found.append((candidate, best, best_ratio))
    return found


def training_leaks(threshold: float = THRESHOLD) -> list[tuple[Example, Example, float]]:
    """Training sentences overlapping any sentence of the dev or test set."""
    return overlaps(read_set(TRAINING), read_set(DEV) + read_set(TEST), threshold)


def remove_lines(examples: list[Example]) -> None:
    """Deletes the given example lines from their files, touching nothing else."""
    by_file: dict[Path, set[int]] = {}
    for example in examples:
        by_file.setdefault(example.path, set()).add(example.line)
    for path, numbers in by_file.items():
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for i, line in enumerate(lines, start=1) if i not in numbers), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--remove", action="store_true", help="delete the leaking lines from data/nlu")
    args = parser.parse_args()
    leaks = training_leaks(args.threshold)
    for train, reference, ratio in leaks:
        print(f"{ratio:.3f}  {train.where()}  {train.intent}: {train.text}\n"
              f"       {reference.where()}  {reference.intent}: {reference.text}")
    test_vs_dev = overlaps(read_set(TEST), read_set(DEV), args.threshold)
    for test, dev, ratio in test_vs_dev:
        print(f"test/dev {ratio:.3f}  {test.where()}: {test.text}  ~  {dev.where()}: {dev.text}")
    print(f"{len(leaks)} training sentences overlap the dev/test sets; "
          f"{len(test_vs_dev)} test sentences overlap the dev set")
    if args.remove and leaks:
        remove_lines([train for train, _, _ in leaks])
        print(f"removed {len(leaks)} lines from data/nlu")
    sys.exit(1 if leaks and not args.remove else 0)


if __name__ == "__main__":
    main()
