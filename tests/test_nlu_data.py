"""The NLU evaluation sets stay honest (no model needed): no training sentence of
data/nlu/ repeats, verbatim or nearly (scripts/nlu_overlap.py), a sentence of the
development set (tests/nlu/dev/) or of the test set (tests/nlu/test/), and the test
set keeps its size and covers every intent."""
from __future__ import annotations

from collections import Counter

import pytest

from scripts.nlu_overlap import DEV, TEST, TRAINING, key, near, overlaps, read_set, training_leaks

# The contract's intents (shared/contract/intents.md) and the project's own `cancel`.
INTENTS = {
    "greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "request_human", "out_of_scope", "inform",
    "ask_payment_methods", "ask_tariff", "ask_business_process", "ask_service_channels", "query_outage",
    "report_fault", "query_bill", "bill_dispute", "ask_reconnection", "file_complaint", "report_violation",
    "give_suggestion", "praise", "query_ticket", "urge_ticket", "rate_service", "cancel",
}


def test_no_training_sentence_repeats_a_dev_or_test_sentence():
    leaks = training_leaks()
    assert not leaks, "\n".join(f"{t.where()} {t.text!r} ~ {r.where()} {r.text!r} ({ratio})" for t, r, ratio in leaks)


def test_the_test_set_does_not_repeat_the_dev_set():
    repeated = overlaps(read_set(TEST), read_set(DEV))
    assert not repeated, [(t.text, d.text) for t, d, _ in repeated]


@pytest.mark.parametrize("a, b", [
    ("[停電](x)了，什麼時候來電？", "停电了什么时候来电"),  # markup, punctuation, Traditional
    ("户号 [3301 2345 67](account_no)", "户号3301234567"),
    ("ＯＫ 好的", "ok好的"),  # full width and case
])
def test_sentences_that_differ_only_in_form_have_one_key(a, b):
    assert key(a) == key(b)


@pytest.mark.parametrize("a, b, expected", [
    ("叫个人工来", "叫人工来", True),  # one character added
    ("停電了什麼時候來電", "停殿了 什么时候来电", True),  # a homophone typo in a longer sentence
    ("恢复供电还要等多久", "恢复供电大概还要等多久", True),  # filler
    ("满意", "满仪", False),  # two-character replies: equality only
    ("不是我的号码", "是我的号", False),
    ("电费怎么交", "电费怎么这么高", False),
])
def test_near_sentences(a, b, expected):
    assert (near(key(a), key(b)) is not None) is expected


def test_the_overlap_check_reads_every_example_rasa_reads():
    from rasa.shared.nlu.training_data.loading import load_data

    for path in (TRAINING, DEV, TEST):
        ours = {example.text for example in read_set(path)}
        rasa = {example.get("text") for example in load_data(str(path)).training_examples}
        assert ours == rasa, (path, rasa ^ ours)


def test_the_test_set_is_large_and_covers_every_intent():
    ordinary, hard = read_set(TEST / "ordinary.yml"), read_set(TEST / "hard.yml")
    assert len(ordinary) >= 160 and len(hard) >= 240 and len(ordinary) + len(hard) >= 400
    for part in (ordinary, hard):
        counts = Counter(example.intent for example in part)
        assert set(counts) == INTENTS, set(counts) ^ INTENTS
