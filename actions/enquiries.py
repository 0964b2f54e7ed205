"""24-hour enquiries that need data: tariffs (with the customer's own worked
example once verified) and business processes (deadlines from the commitments)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import billing
from actions.backend import BackendError, BackendUnavailable, backend
from actions.settings import ActionSettings
from actions.text import Both, compose, phrase, say_sentence
from glossary.replies import enquiries as replies


@lru_cache(maxsize=1)
def business_processes() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((Path(__file__).parent / "content" / "business.yml").read_text("utf-8"))


def tier_lines(tiers: list[dict[str, Any]]) -> str:
    """'第1档（年用电2760度及以下）0.538元/度；第2档（年用电2761至4800度）…'"""
    lines, lower = [], 0
    for tier in tiers:
        upto = tier["upto_kwh"]
        if upto is None:
            span = compose(replies.TIER_ABOVE, False, lower=lower + 1)
        elif lower == 0:
            span = compose(replies.TIER_UP_TO, False, upto=upto)
        else:
            span = compose(replies.TIER_BETWEEN, False, lower=lower + 1, upto=upto)
        lines.append(compose(replies.TIER_LINE, False, tier=tier["tier"], span=span, price=tier["price"]))
        lower = upto or lower
    return "；".join(lines)


class ActionTariff(Action):
    def name(self) -> str:
        return "action_tariff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        try:
            table = await backend().get(f"/api/tariffs/{ActionSettings.load().tariff}")
        except (BackendUnavailable, BackendError):
            say_sentence(dispatcher, tracker, replies.TARIFF_UNAVAILABLE)
            return []
        tiers = table["tiers"]
        peak, valley = table["time_of_use"]["peak"], table["time_of_use"]["valley"]
        time_of_use = phrase(replies.TIME_OF_USE, peak_start=peak["start"], peak_end=peak["end"],
                             peak_add=peak["adjustment"], valley_start=valley["start"], valley_end=valley["end"],
                             valley_cut=valley["adjustment"].lstrip("-"))
        first = compose(replies.FIRST_TIER_SPOKEN, True, price=tiers[0]["price"])
        say_sentence(dispatcher, tracker, replies.TARIFF, name=table["name"], tiers=Both(tier_lines(tiers), first),
                     time_of_use=time_of_use)
        if tracker.get_slot("verified"):
            return await billing.tariff_example(dispatcher, tracker)
        say_sentence(dispatcher, tracker, replies.TARIFF_EXAMPLE_OFFER)
        return [SlotSet("offer", "tariff_example")]


class ActionBusinessProcess(Action):
    def name(self) -> str:
        return "action_business_process"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        processes = business_processes()
        kind = tracker.get_slot("business_type")
        if kind not in processes:
            say_sentence(dispatcher, tracker, replies.WHICH_PROCESS,
                         names="、".join(p["name"] for p in processes.values()))
            return []
        process = processes[kind]
        deadline: object = ""
        if process.get("commitment"):
            limit = await billing.commitment(tuple(process["commitment"]))
            deadline = phrase(replies.DEADLINE, limit=limit) if limit else ""
        say_sentence(dispatcher, tracker, replies.PROCESS, name=process["name"], materials=process["materials"],
                     steps=process["steps"], deadline=deadline)
        return [SlotSet("business_type", None)]
