"""What the assistant itself would answer to an intent, for the agent's suggestion.

The suggestion must come without touching the customer's conversation (no
tracker, no webhook: those would run actions and file tickets), so it is read
from the assistant's own files instead:

- a one-step rule: a rule in data/rules/*.yml with no condition whose steps are
  exactly `intent: X` then `action: utter_Y`. The suggestion for X is the text
  of utter_Y in domain.yml: its first variation without a channel (web chat,
  WeChat), or its `channel: ivr` variation for a hotline call;
- otherwise the canned suggestion for X in backend/console/wording.py;
- otherwise none: the agent answers in their own words.

The files are read once per process (they change only with a new model).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from backend.console import wording

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Suggestion:
    """A reply an agent may edit and send; `source` is "rule" (the assistant's own words) or "canned"."""

    text: str
    source: str
    response: str | None = None  # the domain.yml response, for a rule


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        log.warning("assistant file %s not read for console suggestions: %s", path, exc)
        return None


@lru_cache(maxsize=1)
def one_step_rules(root: Path = ROOT) -> dict[str, str]:
    """intent → utter_… of every unconditional two-step rule in data/rules/."""
    found: dict[str, str] = {}
    for path in sorted((root / "data" / "rules").glob("*.yml")):
        for rule in (_load(path) or {}).get("rules") or ():
            steps = rule.get("steps") or []
            if rule.get("condition") or len(steps) != 2:
                continue
            intent, action = steps[0].get("intent"), steps[1].get("action")
            if isinstance(intent, str) and isinstance(action, str) and action.startswith("utter_"):
                found.setdefault(intent, action)
    return found


@lru_cache(maxsize=1)
def responses(root: Path = ROOT) -> dict[str, list[dict[str, Any]]]:
    """domain.yml's responses (name → variations)."""
    domain = _load(root / "domain.yml") or {}
    return {name: list(variations) for name, variations in (domain.get("responses") or {}).items()
            if isinstance(variations, list)}


def response_text(name: str, ivr: bool) -> str | None:
    """The variation of a response a customer on this channel would get."""
    variations = [v for v in responses().get(name, []) if isinstance(v, dict) and v.get("text")]
    wanted = [v for v in variations if (v.get("channel") == "ivr") == ivr and not v.get("condition")]
    chosen = wanted or [v for v in variations if not v.get("channel")]
    return str(chosen[0]["text"]) if chosen else None


def suggest(intent: str | None, channel: str) -> Suggestion | None:
    """The reply suggested for an intent on a channel, or None."""
    if not intent:
        return None
    response = one_step_rules().get(intent)
    if response:
        text = response_text(response, channel == "ivr")
        if text:
            return Suggestion(text, "rule", response)
    canned = wording.SUGGESTIONS.get(intent)
    return Suggestion(canned, "canned") if canned else None
