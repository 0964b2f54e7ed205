"""Every code the system stores, with its one Chinese name.

The keys are the codes (database values, API values, slot values); their order is
the order forms and lists show them in. The values are the names shown to
customers and staff. Nothing else defines a name: the backend's views, the
actions' sentences and the importer's column values all read these tables.

Choices made once here:
- `replied` is 已答复 everywhere; a sentence that wants to add "待回访" says so itself.
- the remote site class is 特殊边远地区 (the 95598 commitment's wording).
"""
from __future__ import annotations

TICKET_TYPES = {
    "consultation": "业务咨询", "fault_repair": "故障报修", "complaint": "投诉", "report": "举报",
    "suggestion": "意见建议", "praise": "表扬", "service_request": "服务申请", "urge": "催办",
}
SERVICE_REQUEST_KINDS = {
    "reconnection": "复电", "meter_test": "电表校验", "meter_fault": "电表故障",
    "appliance_damage": "家电损坏", "other": "其他",
}
TICKET_STATUSES = {
    "accepted": "已受理", "dispatched": "已派单", "processing": "处理中",
    "replied": "已答复", "closed": "已办结",
}
COMPLAINT_CLASSES = {
    "service": "服务", "business": "营业", "outage": "停送电", "supply_quality": "供电质量",
    "grid_construction": "电网建设",
}
# Ascending; backend/config/service_rules.yml must list the same codes in this order.
COMPLAINT_GRADES = {"general": "一般", "important": "重要", "major": "重大", "special": "特殊"}
# The customer's answer at the callback (回访), or its failure after repeated no answer.
RATINGS = {
    "satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意",
    "callback_failed": "回访失败",
}
# The customer's own answers in a satisfaction survey (问卷): the callback's ratings without its failure
# (codes only; their names are RATINGS').
SURVEY_RATINGS = tuple(code for code in RATINGS if code != "callback_failed")
# Where a satisfaction answer came from: the handler's callback (回访) or the customer's survey (问卷).
RATING_SOURCES = {"callback": "回访", "survey": "问卷"}
# Drives the fault-repair clocks (backend/config/service_rules.yml).
SITE_CLASSES = {"urban": "城区", "rural": "农村", "remote": "特殊边远地区"}
ACCOUNT_STATUSES = {"normal": "正常", "disconnected_arrears": "欠费停电", "closed": "已销户"}
OUTAGE_TYPES = {"planned": "计划停电", "temporary": "临时停电", "fault": "故障停电"}
OUTAGE_STATUSES = {"scheduled": "待停电", "in_progress": "停电中", "restored": "已恢复送电", "cancelled": "已取消"}
# An improvement plan (整改计划, backend/plans.py). `overdue` is never stored: a plan in progress
# past its due date is shown so (the stored codes are PLAN_STORED_STATUSES).
PLAN_STATUSES = {"in_progress": "进行中", "overdue": "已逾期", "completed": "已完成", "withdrawn": "已撤销"}
PLAN_STORED_STATUSES = tuple(code for code in PLAN_STATUSES if code != "overdue")
# How a plan's target is compared with the indicator's value.
PLAN_TARGET_OPS = {">=": "不低于", "<=": "不高于"}
# Ticket clocks (the SLA table's clock names): what is promised by the deadline.
DEADLINES = {
    "dispatch": "派单", "arrival": "抢修人员到达现场", "restore": "恢复供电", "first_contact": "与您首次联系",
    "reply": "答复处理意见", "escalation": "上报督办", "callback": "回访",
}


def name_of(table: dict[str, str], code: str | None) -> str | None:
    """The name of `code` in `table`; an unknown code is shown as itself, None stays None."""
    if code is None:
        return None
    return table.get(code, code)
