"""Complaints and feedback: the complaint read back and filed; reports, suggestions and praise."""
from __future__ import annotations

from glossary.wording import Sentence

# --- The complaint form's answers not taken --------------------------------------------------
WHAT_AGAIN: Sentence = ("请您具体说一下发生了什么，例如哪位工作人员、什么时候、做了什么。", "请您具体说一下发生了什么。")
ANONYMOUS_TAKEN: Sentence = (
    "好的，按匿名投诉受理。匿名后我们无法向您反馈处理结果，处理也可能受到一定限制。",
    "好的，按匿名受理，匿名后无法向您反馈处理结果。")
COMPLAINT_PHONE_AGAIN: Sentence = (
    "抱歉，没有识别到电话号码。请您提供11位手机号码或带区号的固定电话；如希望匿名，请回复“匿名”。",
    "抱歉没有听清号码，请再说一次；希望匿名请说匿名。")

# --- Read back, corrected, filed ----------------------------------------------------------
# The customer's own words in {what}, {when}, {where}, {outcome}; {contact} the masked phone,
# CONTACT_ANONYMOUS or CONTACT_NONE.
READ_BACK: Sentence = (
    "请确认您的投诉内容：事情经过：{what}；发生时间：{when}；地点或人员：{where}；您的诉求：{outcome}；"
    "联系电话：{contact}。确认提交请回复“确认”，需要修改请回复“不对”。",
    "您投诉的是：{what}。确认提交请说确认，需要修改请说不对。")
CONTACT_ANONYMOUS: Sentence = ("匿名", "匿名")
CONTACT_NONE: Sentence = ("未留", "未留")
FIX_WHICH: Sentence = ("抱歉，没有听清要修改哪一项。", "抱歉，没有听清要修改哪一项。")
REOPEN: Sentence = ("好的，请您重新说一下这一项，其他内容保持不变。", "好的，请重新说一下这一项。")
# {promise}: PROMISE, or PROMISE_ANONYMOUS (nobody to call back); {repeat}: REPEAT for a
# complaint the customer made before.
COMPLAINT_FILED: Sentence = ("您的投诉已受理，工单号{ticket}。{promise}{repeat}感谢您的监督。",
                             "您的投诉已受理，工单号{ticket}。{promise}")
# {first_contact}, {reply}: the complaint's deadlines.
PROMISE: Sentence = ("我们将在{first_contact}前与您联系，并在{reply}前答复处理意见。", "我们将在{first_contact}前与您联系。")
PROMISE_ANONYMOUS: Sentence = ("我们将在{reply}前答复处理意见，您可凭工单号查询处理进度。", "")
REPEAT: Sentence = ("我们注意到您此前反映过同类问题，已作为重复投诉提请督办。", "")
# Before the handoff, when the backend escalates the complaint.
ESCALATED: Sentence = ("您的诉求我们非常重视，已升级处理。", "您的诉求我们非常重视，已升级处理。")

# --- Reports (举报), suggestions, praise -------------------------------------------------------
FEEDBACK_AGAIN: Sentence = ("请您具体说一下内容，我们会如实记录。", "请您具体说一下内容，我们会如实记录。")
FEEDBACK_PHONE_AGAIN: Sentence = ("抱歉，没有识别到电话号码。请您重新提供；不方便留电话请回复“不留”。",
                                  "抱歉没有听清号码，请再说一次；不方便留请说不留。")
# {reply}: the reply deadline.
REPORT_FILED: Sentence = ("您的举报已受理，工单号{ticket}，我们会严格保密并认真核查，{reply}前给出处理意见。",
                          "您的举报已受理，工单号{ticket}。我们会严格保密，{reply}前给出处理意见。")
SUGGESTION_FILED: Sentence = ("感谢您的宝贵建议，已记录，工单号{ticket}，我们会在{reply}前答复。",
                              "感谢您的建议，工单号{ticket}，我们会在{reply}前答复。")
PRAISE_FILED: Sentence = ("非常感谢您的表扬！我们会转达给相关工作人员，工单号{ticket}。",
                          "非常感谢您的表扬，我们会转达给相关工作人员。")
# After REPORT_FILED or SUGGESTION_FILED when the customer left no phone.
NO_FEEDBACK: Sentence = ("由于未留联系电话，处理结果将无法向您反馈。", "由于未留电话，处理结果无法反馈给您。")

# Placeholders the spoken form leaves out: the caller hears what was filed, not the whole read-back.
SPOKEN_OMITS = {
    "READ_BACK": ("when", "where", "outcome", "contact"),
    "COMPLAINT_FILED": ("repeat",),
    "PROMISE": ("reply",),
    "PRAISE_FILED": ("ticket",),
}
