"""TurnPolicy: the turns that come before whatever flow is running.

Rules and forms decide most turns. A few decisions hold on every turn, inside a
form or not, and written as rules they would need a copy per form and intent;
this policy makes them in one place, right after the customer speaks:

1. Safety first. A message with a `hazard` entity (bot/nlu/hazard_detector.py)
   gets `action_safety_first` — advice, then an urgent repair offered — whatever
   the intent and whatever form is active. The repair flow is the exception: it
   hears hazards itself (the form validator) and never asks for one twice.
2. Switching task. Inside a form, a message that clearly starts another flow
   (its intent starts another form, confidence at least `switch_confidence`)
   gets `action_confirm_switch` instead of being taken as the answer — except
   where the form asked for free text (a complaint's account of what happened
   may well say "停电" or "没人来修"). The next turn's yes/no goes to
   `action_switch_task` / `action_resume_form`; any other answer lets the
   question lapse.
3. Offers lapse. A yes/no offer (`offer`) is answered on the very next turn or
   forgotten, so a later "好的" meant for something else accepts nothing.

Predictions are made "without user" (like a form's happy path in RulePolicy):
that is what lets them come before an active form. After the two questions
this policy causes, it predicts `action_listen`, so the form does not ask its
own question in the same breath.
"""
from __future__ import annotations

import re
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.flows import BY_FORM, BY_INTENT, OFFER_ANSWERS

SAFETY_FIRST = "action_safety_first"
CONFIRM_SWITCH = "action_confirm_switch"
SWITCH_TASK = "action_switch_task"
RESUME_FORM = "action_resume_form"
HAZARD_ENTITY = "hazard"
REPAIR_FORM = "repair_form"
# An answer to "when did it happen" that mentions a time is that answer, whatever the intent
# ("昨天下午停电的时候").
TIME_WORDS = re.compile(r"[0-9一二三四五六七八九十两]+[月号日点天周]|[昨今前明]天|上午|下午|晚上|早上|中午|凌晨"
                        r"|刚才|上周|上个?月|星期|礼拜")
# Actions that end the bot's turn with a question of this policy's; after a switch the new
# form runs as the switch's follow-up action, so no prediction is needed then either.
ASKS = (SAFETY_FIRST, CONFIRM_SWITCH, SWITCH_TASK)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class TurnPolicy(Policy):
    """Safety, task switches and lapsing offers, before any flow (see the module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Above RulePolicy (6): on a tie in confidence the higher priority wins.
        return {"priority": 7, "switch_confidence": 0.6}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        """Nothing to learn: the decisions are the module's rules."""
        return self._resource

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: dict[str, Any] | None = None,
                                     **kwargs: Any) -> PolicyPrediction:
        """The pre-empting action for this turn, or no prediction (all zeros)."""
        if tracker.latest_action_name in ASKS:
            return self._predict(domain, ACTION_LISTEN_NAME)
        if tracker.latest_action_name != ACTION_LISTEN_NAME or not tracker.latest_message:
            return self._prediction(self._default_predictions(domain))
        message = tracker.latest_message
        intent = message.intent.get("name")
        events = lapsed_offers(tracker, intent)
        action = decide(tracker, intent, message.intent.get("confidence") or 0.0,
                        [e.get("entity") for e in message.entities], self.config["switch_confidence"],
                        message.text or "")
        if action is None:
            return self._prediction(self._default_predictions(domain), events=events)
        return self._predict(domain, action, events)

    def _predict(self, domain: Domain, action: str, events: list | None = None) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, events=events, is_no_user_prediction=True)


def lapsed_offers(tracker: DialogueStateTracker, intent: str | None) -> list[SlotSet]:
    """An offer the customer did not answer on this turn is withdrawn."""
    events = []
    offer = tracker.get_slot("offer")
    if offer and intent not in OFFER_ANSWERS.get(offer, ()):
        events.append(SlotSet("offer", None))
    if tracker.get_slot("switch_to") and intent not in ("affirm", "deny"):
        events.append(SlotSet("switch_to", None))
    return events


def decide(tracker: DialogueStateTracker, intent: str | None, confidence: float, entities: list[str],
           switch_confidence: float, text: str = "") -> str | None:
    """Which action pre-empts the running flow on this user turn, if any."""
    form = tracker.active_loop_name
    if HAZARD_ENTITY in entities and form != REPAIR_FORM and not (form is None and intent == "report_fault"):
        return SAFETY_FIRST
    if tracker.get_slot("switch_to") and intent in ("affirm", "deny"):
        return SWITCH_TASK if intent == "affirm" else RESUME_FORM
    if form in BY_FORM and intent in BY_INTENT and confidence >= switch_confidence:
        asked = tracker.get_slot(REQUESTED_SLOT)
        answers = asked in BY_FORM[form].free_text or (asked == "complaint_when" and (
            "date" in entities or TIME_WORDS.search(text)))
        if BY_INTENT[intent].form != form and not answers:
            return CONFIRM_SWITCH
    return None
