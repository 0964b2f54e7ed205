"""The sliding-window limit: counts per client, forgets what left the window."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import yaml

from backend.rules import RulesError, load_rules
from backend.settings import CONFIG_DIR
from backend.sla.calendar import TZ
from backend.web.rate_limit import SlidingWindowLimiter

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)


def test_allows_the_limit_then_refuses_with_the_wait():
    limiter = SlidingWindowLimiter(3, 60)
    assert [limiter.hit("a", T0 + timedelta(seconds=i)).allowed for i in range(3)] == [True] * 3
    verdict = limiter.hit("a", T0 + timedelta(seconds=10))
    assert not verdict.allowed and verdict.retry_after == 50


def test_clients_are_counted_apart():
    limiter = SlidingWindowLimiter(1, 60)
    assert limiter.hit("a", T0).allowed and limiter.hit("b", T0).allowed
    assert not limiter.hit("a", T0).allowed


def test_the_window_slides():
    limiter = SlidingWindowLimiter(2, 60)
    limiter.hit("a", T0)
    limiter.hit("a", T0 + timedelta(seconds=30))
    assert not limiter.hit("a", T0 + timedelta(seconds=59)).allowed
    assert limiter.hit("a", T0 + timedelta(seconds=60)).allowed  # the first one left
    assert not limiter.hit("a", T0 + timedelta(seconds=61)).allowed


def test_refused_requests_do_not_extend_the_wait():
    limiter = SlidingWindowLimiter(1, 60)
    limiter.hit("a", T0)
    for s in range(1, 59):
        limiter.hit("a", T0 + timedelta(seconds=s))
    assert limiter.hit("a", T0 + timedelta(seconds=60)).allowed


def test_the_form_limits_are_read_and_checked_from_service_rules(tmp_path):
    raw = yaml.safe_load((CONFIG_DIR / "service_rules.yml").read_text(encoding="utf-8"))
    rules = load_rules(CONFIG_DIR / "service_rules.yml").public_form
    assert rules.max_submissions == raw["public_form"]["max_submissions"]
    raw["public_form"]["max_submissions"] = 0
    bad = tmp_path / "rules.yml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match="public_form"):
        load_rules(bad)
