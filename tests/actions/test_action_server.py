"""The action server offers every custom action the domain names, and nothing
abstract is registered in their place."""
from __future__ import annotations

import yaml
from rasa_sdk.executor import ActionExecutor

from bot.model_cache import ROOT


def test_every_domain_action_is_served():
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    wanted = {a for a in domain["actions"] if a.startswith(("action_", "validate_"))}
    assert wanted <= set(executor.actions), sorted(wanted - set(executor.actions))
