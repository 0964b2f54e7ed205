"""Follow-up on a ticket: finding it, its progress, chasing it (催办) and the customer's rating."""
from __future__ import annotations

from glossary.wording import Sentence

TICKET_REF_AGAIN: Sentence = ("抱歉，没有识别到工单编号或手机号码。请您再提供一次，工单编号以GD开头。",
                              "抱歉没有听清，请再说一次工单编号或手机号码。")
NO_TICKETS_FOR_PHONE: Sentence = ("抱歉，没有查到该号码登记的工单。请您核对号码，或者提供工单编号。",
                                  "抱歉，没有查到该号码的工单，请核对后再说一次。")

# --- Progress -------------------------------------------------------------------------------
# {type}, {status}, {unit}: names (glossary/names.py) and the handling unit; {deadline}: PROMISED
# or OVERDUE for the next open clock, else empty.
PROGRESS: Sentence = ("工单{ticket}（{type}）当前状态：{status}，处理单位：{unit}。{deadline}",
                      "您的工单当前状态：{status}。{deadline}")
# {step}: what the clock is for (glossary/names.py DEADLINES: 到达现场, 答复 …) or ANY_STEP; {due}: when.
PROMISED: Sentence = ("承诺在{due}前{step}。", "承诺在{due}前{step}。")
OVERDUE: Sentence = ("{step}已超过承诺时限（{due}），我们已督促处理单位尽快处理，如需催办请说“催一下”。",
                     "{step}已超过承诺时限，我们已督促处理单位尽快处理，如需催办请说催一下。")
ANY_STEP: Sentence = ("处理", "处理")

# --- Chasing --------------------------------------------------------------------------------
URGE_UNAVAILABLE: Sentence = ("非常抱歉，系统暂时繁忙，催办未能提交，请稍后再试或拨打95598。",
                              "非常抱歉，系统暂时繁忙，催办未能提交，请稍后再试或说转人工。")
URGED: Sentence = ("已为您催办工单{ticket}，处理单位会尽快处理并与您联系。给您带来不便，敬请谅解。",
                   "已为您催办，处理单位会尽快与您联系。")

# --- The customer's rating ------------------------------------------------------------------
RATING_TOO_EARLY: Sentence = ("该工单目前还在处理中，处理完成后我们会回访您，届时再请您评价。",
                              "该工单目前还在处理中，处理完成后我们会回访您，届时再请您评价。")
RATING_UNAVAILABLE: Sentence = ("非常抱歉，评价暂时未能提交，请稍后再试。", "非常抱歉，评价暂时未能提交，请稍后再试。")
DISSATISFIED: Sentence = ("非常抱歉没能让您满意，已将工单退回重新处理，处理人员会尽快与您联系。",
                          "非常抱歉没能让您满意，已将工单退回重新处理，处理人员会尽快与您联系。")
# A closed ticket rated in chat: the rating is kept as the ticket's satisfaction survey (no rework).
RATED_CLOSED: Sentence = ("感谢您的评价（{rating}），您的意见已记录，我们会继续努力为您提供更好的服务。",
                          "感谢您的评价，您的意见已记录，我们会继续努力为您提供更好的服务。")
DISSATISFIED_CLOSED: Sentence = ("非常抱歉没能让您满意，您的意见已记录并转给处理单位。如需继续处理，请说“转人工”。",
                                 "非常抱歉没能让您满意，您的意见已记录。如需继续处理，请说转人工。")
ALREADY_RATED: Sentence = ("您已评价过该工单，感谢您的支持。", "您已评价过该工单，感谢您的支持。")
# {rating}: 满意, 基本满意 (glossary/names.py RATINGS).
RATED: Sentence = ("感谢您的评价（{rating}），我们会继续努力为您提供更好的服务。",
                   "感谢您的评价，我们会继续努力为您提供更好的服务。")

# Placeholders the spoken form leaves out: the caller knows which ticket they asked about.
SPOKEN_OMITS = {
    "PROGRESS": ("ticket", "type", "unit"),
    "OVERDUE": ("due",),
    "URGED": ("ticket",),
    "RATED": ("rating",),
    "RATED_CLOSED": ("rating",),
}
