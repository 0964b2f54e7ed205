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
from actions.text import say


@lru_cache(maxsize=1)
def business_processes() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((Path(__file__).parent / "content" / "business.yml").read_text("utf-8"))


def tier_lines(tiers: list[dict[str, Any]]) -> str:
    """'第1档（年用电2760度及以下）0.538元/度；第2档（年用电2761至4800度）…'"""
    lines, lower = [], 0
    for tier in tiers:
        upto = tier["upto_kwh"]
        if upto is None:
            span = f"{lower + 1}度以上"
        elif lower == 0:
            span = f"{upto}度及以下"
        else:
            span = f"{lower + 1}至{upto}度"
        lines.append(f"第{tier['tier']}档（年用电{span}）{tier['price']}元/度")
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
            say(dispatcher, tracker, "非常抱歉，电价信息暂时无法查询，您可以在网上国网App的“电价标准”中查看。")
            return []
        tiers = table["tiers"]
        tier_text = tier_lines(tiers)
        peak, valley = table["time_of_use"]["peak"], table["time_of_use"]["valley"]
        tou = (f"开通峰谷电价后，{peak['start']}-{peak['end']}为高峰，电价在阶梯电价基础上加{peak['adjustment']}元/度；"
               f"{valley['start']}-{valley['end']}为低谷，减{valley['adjustment'].lstrip('-')}元/度。")
        say(dispatcher, tracker,
            f"{table['name']}：居民生活用电实行阶梯电价，按年累计用电量分档：{tier_text}。{tou}",
            f"居民用电按年累计用电量分三档，第一档{tiers[0]['price']}元一度，用得越多单价越高。")
        if tracker.get_slot("verified"):
            return await billing.tariff_example(dispatcher, tracker)
        say(dispatcher, tracker, "如需按您家的实际用电测算，请提供户号，核实身份后我来为您计算。",
            "如需按您家的用电测算，请说出户号。")
        return [SlotSet("offer", "tariff_example")]


class ActionBusinessProcess(Action):
    def name(self) -> str:
        return "action_business_process"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        processes = business_processes()
        kind = tracker.get_slot("business_type")
        if kind not in processes:
            names = "、".join(p["name"] for p in processes.values())
            say(dispatcher, tracker, f"我可以为您介绍这些业务的办理方法：{names}。请问您想办理哪一项？",
                "请问您要办理新装、增容、过户、充电桩、电表校验，还是销户？")
            return []
        process = processes[kind]
        deadline = ""
        if process.get("commitment"):
            limit = await billing.commitment(tuple(process["commitment"]))
            deadline = f"办理时限：受理后{limit}内完成。" if limit else ""
        say(dispatcher, tracker,
            f"{process['name']}：需要准备{process['materials']}。办理方式：{process['steps']}。{deadline}",
            f"{process['name']}需要准备{process['materials']}。{deadline}")
        return [SlotSet("business_type", None)]
