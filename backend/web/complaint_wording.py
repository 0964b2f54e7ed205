"""Every sentence the complaint form (backend/web/complaint_form.py) shows a customer.

Polite standard Chinese (文明用语): an instruction starts with 请, a refusal with
抱歉, and each says what to do next. The phone and 户号 format messages are the
project's own (backend/identifiers.py), so the form and the assistant agree.
The page's script reads its few sentences from the page (data-msg-* attributes),
so none is written in JavaScript.
"""
from __future__ import annotations

from dataclasses import dataclass

BRAND = "95598 供电服务"
TITLE = "我要投诉"
INTRO = ("请告诉我们您遇到的问题。我们会按供电服务承诺的时限与您联系并答复处理意见，"
         "提交后本页会显示具体时间。带“必填”的项目请务必填写。")
REQUIRED_MARK = "（必填）"
OPTIONAL_MARK = "（选填）"
SUBMIT = "提交投诉"
OPTIONS_LEGEND = "匿名与保密"
HOTLINE = "如遇停电、触电等紧急情况，请直接拨打 95598 供电服务热线。"


@dataclass(frozen=True)
class FieldText:
    label: str
    hint: str = ""


FIELDS = {
    "customer": FieldText("联系人信息"),
    "description": FieldText("投诉内容", "请写明发生了什么、涉及的人员或地点，以及对您的影响。"),
    "customer.name": FieldText("您的姓名"),
    "customer.phone": FieldText("联系电话", "工作人员将通过此号码与您联系。匿名投诉可以不填。"),
    "customer.account_no": FieldText("户号", "10位或13位数字，印在电费账单上；不清楚可以不填。"),
    "address": FieldText("发生地址", "例如：淳安县千岛湖镇坪山社区12幢。"),
    "occurred_at": FieldText("发生时间", "大致时间即可。"),
    "desired_outcome": FieldText("您希望如何处理"),
    "anonymous": FieldText("匿名投诉", "匿名投诉不记录您的姓名、电话和户号。抱歉，匿名后我们无法主动联系您、"
                                    "反馈处理结果，处理也可能因此受到影响。"),
    "confidential": FieldText("为我保密", "处理单位将看不到您的姓名、电话、户号和详细地址。"),
}

# Validation, per field and kind of problem.
REQUIRED = {
    "description": "请填写投诉内容，简要说明发生了什么。",
    "customer.phone": "请填写联系电话，以便工作人员与您联系；如不便留下电话，请勾选“匿名投诉”。",
}
DESCRIPTION_SHORT = "请再多写几个字，说明发生了什么。"
TOO_LONG = "抱歉，{label}最多{limit}个字，请精简后再提交。"
OCCURRED_AT_FORMAT = "请按“年-月-日 时:分”填写发生时间，例如 2026-11-29 09:30；不清楚可以不填。"
OCCURRED_AT_FUTURE = "请填写已经发生的时间，发生时间不能晚于现在。"
CHECKBOX = "请重新勾选或取消该选项后再提交。"
UNKNOWN_FIELD = "抱歉，表单中有无法识别的内容（{field}），请刷新页面后重新填写。"
FIELD_FALLBACK = "请核对{label}后重新提交。"
SUMMARY_TITLE = "请修改以下内容后再提交："

# Whole-request refusals.
RATE_LIMITED = "抱歉，您提交得太频繁了，请稍等{minutes}分钟后再试；紧急情况请拨打95598。"
TOO_LARGE = "抱歉，提交的内容过多，请精简投诉内容后再提交。"
BAD_FORMAT = "抱歉，提交的内容格式不正确，请刷新页面后重新填写。"
UNSUPPORTED = "抱歉，无法识别提交方式，请在投诉页面填写后提交。"
BAD_TOKEN = "抱歉，表单已失效，请刷新页面后重新填写。"
ALREADY_SUBMITTED = "抱歉，这份表单已经提交过了。如需补充或提交新的投诉，请刷新页面后重新填写。"
FAILED = "抱歉，提交没有成功，请稍后再试；紧急情况请拨打95598。"
# The database away while a form post is filed: the page comes back with what was typed.
NOT_FILED = ("抱歉，系统暂时繁忙，投诉尚未提交。您填写的内容已保留，请稍后再次点击“提交投诉”，不会重复登记；"
             "紧急情况请拨打95598。")
NETWORK = "抱歉，网络连接出现问题，投诉尚未确认提交。请检查网络后再次点击“提交投诉”，不会重复登记。"
SENDING = "正在提交，请稍候……"
BACK = "返回投诉页面"

# The result.
RESULT_TITLE = "您的投诉已受理"
RESULT_ID = "工单编号"
RESULT_FIRST_CONTACT = "最迟联系您的时间"
RESULT_REPLY = "最迟答复处理意见的时间"
RESULT_KEEP = "请记下工单编号，拨打95598或再次来访时可凭它查询进度。"
RESULT_ANONYMOUS = "您选择了匿名投诉，我们无法主动联系您，请凭工单编号查询处理进度。"
RESULT_AGAIN = "再提交一件投诉"

# What the handler reads in the description, after the customer's own words.
DESCRIPTION_OCCURRED_AT = "发生时间"
DESCRIPTION_OUTCOME = "期望处理结果"


def local_time(value: object) -> str:
    """2026年3月11日 09:00 (a datetime already in Asia/Shanghai)."""
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"  # type: ignore[attr-defined]


def rate_limited(retry_after_seconds: int) -> str:
    return RATE_LIMITED.format(minutes=max(1, -(-retry_after_seconds // 60)))
