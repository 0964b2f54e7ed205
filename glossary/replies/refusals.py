"""Refusals: what the customer is told when the backend refuses an action's request (a 4xx).

One sentence per backend error `code` a customer can bring about; the backend's own
`message` is written for API clients and never reaches a customer (actions.text.say_refusal
logs it). A code with no sentence here gets session.REFUSED. An entry is named after its
code in capitals (TICKET_BUSY is code `busy`); its comment names the call sites (actions/)
that can receive it.
"""
from __future__ import annotations

from glossary.wording import Sentence

# --- Identity -------------------------------------------------------------------------------
# Too many wrong last-4 answers for this 户号 (actions/identity.py). {wait}: WAIT_MINUTES from the
# backend's details.retry_after_seconds, else WAIT_LATER.
TOO_MANY_ATTEMPTS: Sentence = (
    "验证失败次数过多，为保护您的账户安全，请{wait}再试，或携带有效身份证件到营业厅办理。",
    "验证失败次数过多，为保护您的账户安全，请{wait}再试，也可以带身份证件到营业厅办理。")
# Too many different 户号 looked up from this conversation (backend/api/lookups.py; actions/outages.py,
# identity.py, billing.py). {wait} as above.
TOO_MANY_LOOKUPS: Sentence = (
    "您短时间内查询的户号较多，为保护用户信息安全，请{wait}再试；查询停电也可以直接告诉我所在的小区或村名称。",
    "您查询的户号较多，请{wait}再试；查停电也可以直接说小区或村名称。")
# Fragments for {wait}.
WAIT_MINUTES: Sentence = ("{minutes}分钟后", "{minutes}分钟后")
WAIT_LATER: Sentence = ("稍后", "稍后")

# --- Tickets --------------------------------------------------------------------------------
# No ticket with that number (actions/followup.py: progress, chasing, rating).
TICKET_NOT_FOUND: Sentence = (
    "抱歉，没有查到该工单。请您核对工单编号（以GD开头）后重新查询，也可以提供登记时留的手机号码查询。",
    "抱歉，没有查到这个工单，请核对工单编号后重新查询，也可以说登记时留的手机号码。")
# Chasing or rating a ticket that is already closed (actions/followup.py).
TICKET_CLOSED: Sentence = (
    "您的工单已经办结。如您对处理结果仍不满意，可以说“转人工”，由人工客服为您进一步处理。",
    "您的工单已经办结。如对处理结果仍不满意，请说转人工。")
# Someone else was updating the same ticket at that moment (actions/followup.py: chasing, rating).
TICKET_BUSY: Sentence = ("抱歉，该工单正在更新中，本次未能办理成功，请您稍后再试。",
                         "抱歉，该工单正在更新中，本次未能办理成功，请您稍后再试。")
# A repair, complaint or feedback without a contact phone where one is needed (actions/filing.py).
PHONE_REQUIRED: Sentence = (
    "抱歉，需要您留下联系电话，工作人员才能与您联系，本次未能提交。请您重新办理并提供手机号码。",
    "抱歉，需要您的联系电话才能提交，请重新办理时说一下您的手机号码。")
# A repair without an address or place (actions/filing.py).
ADDRESS_REQUIRED: Sentence = (
    "抱歉，需要故障地址才能为您报修，本次未能提交。请您重新报修，并告诉我详细地址或所在的小区、村名称。",
    "抱歉，需要故障地址才能报修，请重新报修，并说一下详细地址或小区、村名称。")

# --- What the customer said does not fit ----------------------------------------------------
# Something the customer gave is malformed or too long: a ticket's description or address
# (actions/filing.py), the words of a chase (actions/followup.py), the 户号 or date of an outage
# lookup (actions/outages.py).
INVALID_INPUT: Sentence = (
    "抱歉，您提供的信息格式不正确或内容过长，本次未能办理。请您核对并简要说明后再试一次，或者说“转人工”。",
    "抱歉，您提供的信息不符合要求，本次未能办理。请简要说明后再试一次，或者说转人工。")
# The request as a whole was too big to accept (actions/filing.py: a very long description).
TOO_LARGE: Sentence = (
    "抱歉，您提供的内容过长，本次未能提交。请您精简后重新办理，或者说“转人工”。",
    "抱歉，您说的内容过长，本次未能提交。请简要说明后重新办理，或者说转人工。")

_BY_CODE: dict[str, Sentence] = {
    "too_many_attempts": TOO_MANY_ATTEMPTS, "too_many_lookups": TOO_MANY_LOOKUPS, "ticket_not_found": TICKET_NOT_FOUND,
    "ticket_closed": TICKET_CLOSED, "busy": TICKET_BUSY, "phone_required": PHONE_REQUIRED,
    "address_required": ADDRESS_REQUIRED,
    "invalid_input": INVALID_INPUT, "too_large": TOO_LARGE,
}


def for_code(code: str) -> Sentence | None:
    """The sentence for a backend error code, or None when the customer has none (say REFUSED)."""
    return _BY_CODE.get(code)
