"""Outage lookup for the place the customer names (or their 户号) and a day;
self-check advice and a repair offer when no notice explains a loss of supply.

Which place: a 户号 in the message, else the place the message names as the
backend's area table resolves it (actions.places), else the account verified
earlier in this session. A place named now always beats a remembered account.
A place that is not exactly one area (a bare 社区, a name two counties share,
a name the table lacks) is asked about, never guessed; every answer names
the place it looked up.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import BackendError, BackendUnavailable, backend
from actions.forms import StepwiseFormValidation, latest_entities, times_asked
from actions.places import FOUND, NONE, Place, Resolution, resolve_place
from actions.session import clear_form_slots
from actions.text import Both, compose, joined, mask_account, moment, phrase, say_refusal, say_sentence, when
from bot.flows import MAX_ASKS
from glossary.identifiers import parse_account_no
from glossary.replies import outages as replies
from glossary.replies.places import ASK_PLACE
from glossary.replies.session import WAY_OUT

log = logging.getLogger(__name__)
MAX_NOTICES = 3
# The place slot holds what to look up: {"account_no": …}, a resolved Place, or the
# question still open about the customer's words ({"question": …, "spoken": …}).
ACCOUNT, QUESTION = "account_no", "question"


def account_in(tracker: Tracker) -> str | None:
    found = latest_entities(tracker, "account_no")
    return found[0]["value"] if found else parse_account_no(tracker.latest_message.get("text"))


class ValidateOutageForm(StepwiseFormValidation):
    """The place is resolved in validation: rasa_sdk keeps only the form's own slots from
    extraction, and the resolved place (`place`) is not one of them."""

    def name(self) -> str:
        return "validate_outage_form"

    async def extract_outage_place(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        """The request that opened the form, and every answer to its question."""
        if tracker.get_slot("outage_place") and tracker.get_slot("requested_slot") != "outage_place":
            return {}
        return {"outage_place": (tracker.latest_message.get("text") or "").strip()}

    async def validate_outage_place(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        """A 户号, else the place the words name, else (for the opening request only) the
        account verified earlier; anything unclear is asked about."""
        asked = tracker.get_slot("requested_slot") == "outage_place"
        account_no = account_in(tracker)
        if account_no:
            return {"outage_place": f"户号{mask_account(account_no)}", "place": {ACCOUNT: account_no}}
        text = str(value or "")
        mention = tracker.get_slot("place_mention") if asked else None
        resolution = await resolve_place(f"{text} {mention}" if mention else text)
        if resolution is None:  # the backend is down: the lookup will say so
            return {"outage_place": text or "您所在的区域", "place": {}}
        if resolution.status == FOUND and resolution.place:
            return {"outage_place": resolution.place.short_name, "place": resolution.place.to_slot(),
                    "place_mention": None}
        if resolution.status == NONE and not asked:
            # Nothing named in the request itself: the account checked earlier serves.
            if tracker.get_slot("verified") and tracker.get_slot("account_no"):
                account_no = tracker.get_slot("account_no")
                return {"outage_place": f"户号{mask_account(account_no)}", "place": {ACCOUNT: account_no}}
            return {"outage_place": None, "place": None}
        return self._ask_again(resolution, mention)

    @staticmethod
    def _ask_again(resolution: Resolution, mention: str | None) -> dict[str, Any]:
        if resolution.status == NONE and mention:
            resolution = Resolution("unknown", mention=mention)
        question = resolution.question()
        return {"outage_place": None, "place_mention": resolution.mention or mention,
                "place": {QUESTION: question.text, "spoken": question.spoken}}


class ActionAskOutagePlace(Action):
    """The form's question: the open question about the customer's words, else the plain one."""

    def name(self) -> str:
        return "action_ask_outage_place"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        place = tracker.get_slot("place") or {}
        way_out = times_asked(tracker, "outage_place") >= MAX_ASKS - 1
        if QUESTION in place:
            asked = replies.OPEN_QUESTION
            say_sentence(dispatcher, tracker, joined(asked, WAY_OUT) if way_out else asked,
                         question=Both(place[QUESTION], place["spoken"]))
        elif way_out:
            say_sentence(dispatcher, tracker, joined(ASK_PLACE, WAY_OUT))
        else:
            dispatcher.utter_message(response="utter_ask_outage_place")
        return []


def _notice(item: dict) -> Both:
    """One notice, written and spoken (the hotline names the community or street alone)."""
    sentence = replies.NOTICE_RESTORED if item["restored_at"] else replies.NOTICE_EXPECTED
    area = Both(item["area_text"], item.get("community") or item.get("street") or item["area_text"])
    return phrase(sentence, kind=item["type_name"], start=moment(item["start_at"]),
                  end=moment(item["restored_at"] or item["expected_end_at"]), area=area, reason=item["reason"])


def _query(place: dict[str, Any], day: str | None) -> tuple[dict[str, Any], Both | str]:
    """The /api/outages parameters for the place slot, and the place's name for the answer."""
    if place.get(ACCOUNT):
        return ({"account_no": place[ACCOUNT], "date": day},
                phrase(replies.ACCOUNT_AREA, account=mask_account(place[ACCOUNT])))
    resolved = Place.from_slot(place)
    if resolved is not None:
        return {"area_ids": ",".join(str(i) for i in resolved.area_ids), "date": day}, resolved.short_name
    return {}, ""


class ActionOutageLookup(Action):
    def name(self) -> str:
        return "action_outage_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        reset = clear_form_slots()
        params, where = _query(tracker.get_slot("place") or {}, tracker.get_slot("date"))
        if not params:
            log.warning("outage lookup without a place to look up (place slot: %s)", tracker.get_slot("place"))
            say_sentence(dispatcher, tracker, replies.OUTAGES_UNAVAILABLE)
            return reset
        try:
            found = await backend().get("/api/outages", customer=tracker.sender_id, **params)
        except BackendUnavailable:
            say_sentence(dispatcher, tracker, replies.OUTAGES_UNAVAILABLE)
            return reset
        except BackendError as error:
            say_refusal(dispatcher, tracker, error)
            return reset
        day = when(found["date"] + "T23:59:00+08:00")  # "11月28日", written and spoken alike
        if found["items"]:
            notices = [_notice(item) for item in found["items"][:MAX_NOTICES]]
            more = found["total"] - MAX_NOTICES
            say_sentence(dispatcher, tracker, replies.NOTICES_FOUND, where=where, day=day,
                         notices=Both("；\n".join(n.text for n in notices), notices[0].spoken),
                         more=phrase(replies.MORE_NOTICES, count=more) if more > 0 else "")
            return reset
        advice = ("；".join(a.rstrip("。") for a in found["advice"][:3]) if found.get("advice")
                  else compose(replies.SELF_CHECK, False))
        say_sentence(dispatcher, tracker, replies.NO_OUTAGE_FOUND, where=where, day=day, advice=advice)
        return [*reset, SlotSet("offer", "repair")]
