"""The assistant's flows in one table: which intents start which form, what runs
after it, which of its slots take free text, and how long every other slot lives.

Read by scripts/form_rules.py (the generated rules), bot/policies/turn.py (the
turns that pre-empt a flow) and the actions (switching task, clearing a flow's
slots when it ends), so the three cannot disagree.

Slot lifetimes (also written beside each slot in domain.yml):
- turn: read from the current message only; never decides a later turn
  (`hazard`, `date`, `area`, `address`, `business_type`).
- flow: belongs to one flow and is cleared when that flow ends — filed,
  answered, cancelled or switched away from (every form's slots, `ticket_id`,
  `rating`, `pending_task`, `switch_to`, `complaint_fixing`).
- offer: a yes/no offer (`offer`) expires after the next customer turn unless
  that turn answers it (bot/policies/turn.py).
- session: the identity unit (`account_no`, `phone_last4`, `verified`), set and
  reset together and gone with the session (30 minutes idle); `last_ticket_id`,
  the ticket filed in this session, which a later "my ticket" refers to.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flow:
    form: str
    name: str  # what the customer is doing, in their words ("故障报修")
    intents: tuple[str, ...]  # intents that start it
    remember_task: bool  # the action after the form needs to know which intent started it
    after: str  # the action that carries the flow out once the form is done
    slots: tuple[str, ...]  # the form's own slots, cleared when the flow ends
    free_text: tuple[str, ...] = ()  # slots that take whatever the customer says


FLOWS: tuple[Flow, ...] = (
    Flow("identity_form", "账户查询", ("query_bill", "bill_dispute", "ask_reconnection"), True,
         "action_after_identity", ()),
    Flow("outage_form", "停电查询", ("query_outage",), False, "action_outage_lookup",
         ("outage_place", "place_mention")),
    Flow("repair_form", "故障报修", ("report_fault",), False, "action_submit_repair",
         ("fault_description", "safety_hazard", "address", "area_id", "site_class", "contact_phone"),
         free_text=("fault_description", "address")),
    Flow("complaint_form", "投诉", ("file_complaint",), False, "action_submit_complaint",
         ("complaint_what", "complaint_when", "complaint_where", "complaint_outcome", "contact_phone",
          "complaint_confirmed", "complaint_fixing", "complaint_fix", "anonymous", "confidential"),
         free_text=("complaint_what", "complaint_outcome")),
    Flow("feedback_form", "意见建议", ("report_violation", "give_suggestion", "praise"), True,
         "action_submit_feedback", ("feedback_text", "contact_phone"), free_text=("feedback_text",)),
    Flow("ticket_form", "工单查询", ("query_ticket", "urge_ticket", "rate_service"), True,
         "action_ticket_followup", ("ticket_ref", "ticket_id", "rating")),
)

BY_FORM = {flow.form: flow for flow in FLOWS}
BY_INTENT = {intent: flow for flow in FLOWS for intent in flow.intents}
# What a task intent asks for, in the customer's words (the switch question names it).
TASK_NAMES = {
    "query_bill": "查询电费", "bill_dispute": "核查电费", "ask_reconnection": "办理复电",
    "query_outage": "查询停电", "report_fault": "故障报修", "file_complaint": "投诉",
    "report_violation": "举报", "give_suggestion": "提建议", "praise": "表扬",
    "query_ticket": "查询工单", "urge_ticket": "催办工单", "rate_service": "评价服务",
}

# Questions answered inside any form, which then asks its question again.
SIDE_ANSWERS = {
    "ask_payment_methods": "utter_payment_methods",
    "ask_service_channels": "utter_service_channels",
    "ask_tariff": "action_tariff",
    "ask_business_process": "action_business_process",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
    "greet": "utter_greet_in_form",
    "thank": "utter_thank_in_form",
}
# Intents that never fill a text slot (they are answered, or end the flow).
NOT_AN_ANSWER = (*SIDE_ANSWERS, "cancel", "request_human", "goodbye")

# Yes/no offers and the intents that answer each; any other turn lets the offer lapse.
OFFER_ANSWERS = {
    "repair": ("affirm", "deny"),
    "meter_test": ("affirm", "deny"),
    # "可以提供户号为您测算": giving the 户号 is the answer.
    "tariff_example": ("affirm", "deny", "inform"),
}

# Identity is one unit: set and reset together.
IDENTITY_SLOTS = ("account_no", "phone_last4", "verified")
# How often one question may be asked before 转人工 / 取消 are offered with it.
MAX_ASKS = 3
