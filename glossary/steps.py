"""A ticket's lifecycle steps: their codes (the `kind` of POST /api/tickets/{id}/events)
and the names staff read on the console's buttons and in a ticket's history.

The one home of these names, beside glossary/names.py rather than in it: names.py is
an input of the assistant's model (bot/model_cache.py hashes it), and the assistant
never names a step, so these names change without retraining.
"""
from __future__ import annotations

TICKET_STEPS = {
    "dispatch": "派单", "accept": "接单", "contact": "联系客户", "arrive": "到达现场", "restore": "恢复送电",
    "reply": "答复处理意见", "callback": "回访", "reopen": "重新开启", "escalate": "升级督办", "close": "办结",
    "urge": "催办", "note": "备注", "grade": "定级",
}
# Every line of a ticket's history: the steps, and what the system writes beside them
# (backend/tickets/, the deadline sweep).
TICKET_EVENTS = {**TICKET_STEPS, "create": "受理", "repeat": "识别为重复投诉", "warning": "时限预警",
                 "overdue": "时限超时"}
