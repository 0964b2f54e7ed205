"""Customer-facing wording shared by the actions: times, channel, masking, and
how a reply's words (glossary/replies/) meet the values an action computed.

An entry of glossary/replies is a `Sentence`, (text, spoken): the text for web
chat and WeChat, the spoken form for the hotline's IVR, with named
{placeholders}. `say_sentence` picks the form for the customer's channel and
fills it in. A value that is written one way and spoken another (a deadline, a
ticket number, a fragment that is itself a Sentence) is passed as `Both`, and
each form gets its own half.

A refusal from the backend (actions.backend.BackendError) is said with
`say_refusal`: the sentence glossary/replies/refusals.py has for its code, or
session.REFUSED; the backend's own message is logged, never shown.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from glossary import names
from glossary.masking import account_no_tail
from glossary.replies import refusals
from glossary.replies.session import REFUSED
from glossary.speech import spoken_digits, spoken_ticket_id
from glossary.wording import BUSY, NO_BACKEND, Sentence, pick

if TYPE_CHECKING:
    from actions.backend import BackendError

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Shanghai")
# Customer sentences live in glossary/replies/ and glossary/wording.py, spoken numbers in glossary/speech.py.
__all__ = ["BUSY", "NO_BACKEND", "spoken_digits", "spoken_ticket_id"]
TYPE_NAMES, STATUS_NAMES, DEADLINE_NAMES = names.TICKET_TYPES, names.TICKET_STATUSES, names.DEADLINES


@dataclass(frozen=True)
class Both:
    """A value written one way and spoken another: Both("11月27日 09:45", "11月27日9点45分")."""

    text: str
    spoken: str


def is_ivr(tracker: Tracker) -> bool:
    return tracker.get_latest_input_channel() == "ivr"


def when(iso: str | None, ivr: bool = False) -> str:
    """'11月27日 09:45' for text; '11月27日9点45分' for the IVR's speech synthesis."""
    if not iso:
        return ""
    at = datetime.fromisoformat(iso).astimezone(TZ)
    if at.hour == 23 and at.minute == 59:  # end-of-day deadlines
        return f"{at.month}月{at.day}日"
    if ivr:
        minute = f"{at.minute}分" if at.minute else ""
        return f"{at.month}月{at.day}日{at.hour}点{minute}"
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def moment(iso: str | None) -> Both:
    """A deadline or a time, as `when` writes it and as the IVR says it."""
    return Both(when(iso), when(iso, True))


def ticket_no(ticket_id: str) -> Both:
    """A ticket number, written and read out in groups."""
    return Both(ticket_id, spoken_ticket_id(ticket_id))


def compose(sentence: Sentence, spoken: bool, **values: object) -> str:
    """One form of the sentence, filled in (each `Both` value gives that form's half)."""
    filled = {name: (value.spoken if spoken else value.text) if isinstance(value, Both) else value
              for name, value in values.items()}
    return pick(sentence, spoken).format(**filled)


def phrase(sentence: Sentence, **values: object) -> Both:
    """A fragment filled in for both forms, to go into a bigger sentence."""
    return Both(compose(sentence, False, **values), compose(sentence, True, **values))


def joined(*sentences: Sentence) -> Sentence:
    """Sentences said one after the other (e.g. a retry prompt and the way out)."""
    return "".join(s[0] for s in sentences), "".join(s[1] for s in sentences)


def say_sentence(dispatcher: CollectingDispatcher, tracker: Tracker, sentence: Sentence, **values: object) -> None:
    """Send the sentence filled in: its spoken form on the IVR, its text form elsewhere."""
    dispatcher.utter_message(text=compose(sentence, is_ivr(tracker), **values))


def say_refusal(dispatcher: CollectingDispatcher, tracker: Tracker, error: BackendError) -> None:
    """Tell the customer the backend refused: refusals.py's sentence for the error's code, else REFUSED."""
    sentence = refusals.for_code(error.code)
    if sentence is None:
        # Backend messages carry no customer data in the clear (numbers are masked there).
        log.info("backend refusal with no customer sentence: %s %s: %s", error.status, error.code, error.message)
        say_sentence(dispatcher, tracker, REFUSED)
    elif sentence in (refusals.TOO_MANY_ATTEMPTS, refusals.TOO_MANY_LOOKUPS):
        say_sentence(dispatcher, tracker, sentence, wait=_wait(error.details))
    else:
        say_sentence(dispatcher, tracker, sentence)


def _wait(details: object) -> Both:
    """'15分钟后' from a lock-out's details.retry_after_seconds (rounded up), else '稍后'."""
    seconds = details.get("retry_after_seconds") if isinstance(details, dict) else None
    if isinstance(seconds, int) and seconds > 0:
        return phrase(refusals.WAIT_MINUTES, minutes=-(-seconds // 60))
    return phrase(refusals.WAIT_LATER)


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def mask_account(account_no: str) -> str:
    return account_no_tail(account_no)
