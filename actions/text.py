"""Customer-facing wording shared by the actions: times, channel, masking."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from glossary import names
from glossary.masking import account_no_tail
from glossary.speech import spoken_digits, spoken_ticket_id
from glossary.wording import BUSY, NO_BACKEND

TZ = ZoneInfo("Asia/Shanghai")
# Customer sentences live in glossary/wording.py, spoken numbers in glossary/speech.py.
__all__ = ["BUSY", "NO_BACKEND", "spoken_digits", "spoken_ticket_id"]
TYPE_NAMES, STATUS_NAMES, DEADLINE_NAMES = names.TICKET_TYPES, names.TICKET_STATUSES, names.DEADLINES


def is_ivr(tracker: Tracker) -> bool:
    return tracker.get_latest_input_channel() == "ivr"


def when(iso: str | None, ivr: bool = False) -> str:
    """'11月27日 09:45' for text; '11月27日9点45分' for the IVR's speech synthesis."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso).astimezone(TZ)
    if moment.hour == 23 and moment.minute == 59:  # end-of-day deadlines
        return f"{moment.month}月{moment.day}日"
    if ivr:
        minute = f"{moment.minute}分" if moment.minute else ""
        return f"{moment.month}月{moment.day}日{moment.hour}点{minute}"
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def say(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, ivr_text: str | None = None) -> None:
    """Send the text, or its shorter spoken form on the IVR."""
    dispatcher.utter_message(text=ivr_text if ivr_text and is_ivr(tracker) else text)


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def mask_account(account_no: str) -> str:
    return account_no_tail(account_no)

