"""The reviewer's sheet (docs/customer-wording.md) is what scripts/wording_sheet.py
writes today, and every (text, spoken) pair a customer can get fits its channel:
the same placeholders in both forms (or the spoken one a documented subset), and
a spoken form the hotline's speech synthesis can read."""
from __future__ import annotations

import importlib
import re
from pathlib import Path
from string import Formatter

import pytest

from glossary import replies, wording
from scripts.wording_sheet import ROOT, SHEET, is_sentence, render

# Characters of a spoken form's own words (its {placeholders} not counted). About 15 seconds
# of speech: the longest acceptable today is billing.PREPAID_RECONNECTS (61). The values come on
# top (a date, an amount; a ticket number read in groups is ~25 characters), which keeps a whole
# reply near the 90 characters of domain.yml's IVR variations (tests/test_domain.py MAX_SPOKEN).
# Not a service rule an operator tunes, so it is not in service_rules.yml.
MAX_SPOKEN_WORDS = 70
LINK = re.compile(r"https?://|http|www\.", re.IGNORECASE)
MARKUP = re.compile(r"[<>*#\[\]`]|\n")
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
# Callers are already on the hotline; they answer by voice or keypad, not by typing or tapping.
NOT_FOR_CALLERS = ("95598", "九五五九八", "回复", "点击")


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(template) if field}


def _modules():
    found = [importlib.import_module(f"glossary.replies.{domain}") for domain in replies.DOMAINS]
    return [*found, wording]


def _pairs() -> list[tuple[str, tuple[str, str], tuple[str, ...]]]:
    """(where, pair, the placeholders its spoken form is documented to leave out) for every pair."""
    pairs = []
    for module in _modules():
        omits = getattr(module, "SPOKEN_OMITS", {})
        for name, value in vars(module).items():
            values = value.items() if isinstance(value, dict) else [(None, value)]
            for key, item in values:
                if name.isupper() and is_sentence(item):
                    where = f"{module.__name__}.{name}" + (f"[{key}]" if key is not None else "")
                    pairs.append((where, item, tuple(omits.get(name, ()))))
    return pairs


def _spoken() -> list[tuple[str, str]]:
    """Every spoken form, and the IVR's own sentences."""
    said = [(where, pair[1]) for where, pair, _ in _pairs() if pair[1]]
    return said + [(f"glossary.wording.{name}", value) for name, value in vars(wording).items()
                   if name.startswith("IVR_") and isinstance(value, str)]


def test_the_committed_sheet_is_what_the_script_writes():
    committed = SHEET.read_text("utf-8") if SHEET.exists() else ""
    assert committed == render(), (
        "docs/customer-wording.md is stale (a sentence or response changed): run `make wording` and commit it")


def test_every_replies_module_is_a_listed_domain():
    modules = {path.stem for path in (ROOT / "glossary" / "replies").glob("*.py")} - {"__init__"}
    assert modules == set(replies.DOMAINS)


def test_there_are_pairs_to_check():
    assert len(_pairs()) > 100


@pytest.mark.parametrize("where, pair, omitted", _pairs(), ids=lambda v: v if isinstance(v, str) else "")
def test_both_forms_fill_the_same_placeholders(where, pair, omitted):
    text, spoken = (_placeholders(form) for form in pair)
    if not pair[1]:  # said on the page only: the hotline's sentence does without it
        return
    assert spoken <= text, f"{where}: the spoken form has placeholders the text lacks: {spoken - text}"
    assert text - spoken == set(omitted), (
        f"{where}: the spoken form leaves out {sorted(text - spoken)}, SPOKEN_OMITS says {sorted(omitted)}")


def test_spoken_omits_name_real_sentences():
    for module in _modules():
        for name in getattr(module, "SPOKEN_OMITS", {}):
            assert is_sentence(getattr(module, name, None)), f"{module.__name__}.SPOKEN_OMITS: no sentence {name}"


@pytest.mark.parametrize("where, spoken", _spoken(), ids=lambda v: v if v.startswith("glossary") else "")
def test_spoken_forms_can_be_read_out(where, spoken):
    assert not LINK.search(spoken), f"{where}: a link"
    assert not MARKUP.search(spoken), f"{where}: markup or a line break"
    assert not EMOJI.search(spoken), f"{where}: an emoji"
    assert not any(word in spoken for word in NOT_FOR_CALLERS), f"{where}: {spoken}"
    words = re.sub(r"\{\w+\}", "", spoken)
    assert len(words) <= MAX_SPOKEN_WORDS, f"{where}: {len(words)} characters of words, {spoken}"


def test_the_model_hash_leaves_the_wording_out():
    from bot.model_cache import NOT_MODEL_INPUTS, _left_out

    assert {"glossary/wording.py", "glossary/speech.py", "glossary/replies"} <= set(NOT_MODEL_INPUTS)
    assert all(_left_out(str(path.relative_to(ROOT))) for path in Path(ROOT / "glossary" / "replies").glob("*.py"))
