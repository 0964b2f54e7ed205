"""Every sentence of the satisfaction survey (满意度问卷) a customer reads or hears, on every channel.

The survey's rules are backend/surveys.py; this is only what it says. A sentence
that differs by channel is a dict keyed by channel: `web` (the chat page, which
draws the ratings as buttons and a comment box), `wechat` (plain text: the
customer replies with a digit) and `ivr` (spoken: the caller presses one key).
The ratings' own names (满意 / 基本满意 / 不满意) are glossary.names.RATINGS.
Polite standard Chinese (文明用语), one sentence or two, short enough to be spoken.
"""
from __future__ import annotations

# --- In a conversation ---------------------------------------------------------------------
# When a chat ends (the customer says goodbye or thanks after being served, or an agent closes it).
CHAT_OFFER = {
    "web": "为了不断改进服务，请您对本次服务进行评价：",
    "wechat": "为了不断改进服务，请您对本次服务进行评价，回复数字即可：1 满意，2 基本满意，3 不满意。",
    "ivr": "为了改进服务，请您对本次服务进行评价。满意请按1，基本满意请按2，不满意请按3。",
}
# When a ticket filed in this conversation is closed; `{ticket}` its number.
TICKET_OFFER = {
    "web": "您的工单{ticket}已办结，请您对处理结果进行评价：",
    "wechat": "您的工单{ticket}已办结，请您对处理结果进行评价，回复数字即可：1 满意，2 基本满意，3 不满意。",
}
# After a rating: thanks, and the optional comment (`{limit}` its longest length in characters).
ASK_COMMENT = {
    "web": "感谢您的评价！如有意见或建议，欢迎在下方留言（选填）。",
    "wechat": "感谢您的评价！如有意见或建议，请直接回复文字（{limit}字以内）；无需留言请回复0。",
}
# After 不满意: an apology, and the comment asked for (same channels as ASK_COMMENT).
ASK_COMMENT_DISSATISFIED = {
    "web": "非常抱歉没能让您满意。请告诉我们哪里做得不好（选填），我们会认真改进。",
    "wechat": "非常抱歉没能让您满意。请直接回复文字告诉我们哪里做得不好（{limit}字以内）；无需留言请回复0。",
}
# The hotline after its one key (满意 or 基本满意; 不满意): no comment by voice; the call ends after it.
RATED_BY_PHONE = "感谢您的评价，我们会继续努力，祝您生活愉快，再见。"
RATED_BY_PHONE_DISSATISFIED = "非常抱歉没能让您满意，我们会认真改进。感谢您的评价，再见。"
# The caller pressed no key at the survey: the call ends.
PHONE_GOODBYE = "感谢您的来电，再见。"
# The comment was received, or skipped.
COMMENT_THANKS = "感谢您的宝贵意见，我们会认真改进服务。"
SKIPPED = "好的，感谢您的评价，祝您生活愉快！"
# A rating for a survey already answered (a second click, an old button).
ALREADY_ANSWERED = "您已完成本次评价，感谢您的支持。"
# A button of an offer that has lapsed (answer time over, or another chat since).
OFFER_OVER = "抱歉，本次评价已结束，感谢您的支持。如有问题，请直接留言。"
# A comment longer than allowed (web: the box refuses it before sending; this is the server's word).
COMMENT_TOO_LONG = "抱歉，留言最多{limit}字，请精简后再提交。"

# --- The web page's survey controls (the chat page's script reads them from survey_texts()) ----
RATE_LABEL = "服务评价"
COMMENT_LABEL = "意见或建议（选填）"
COMMENT_PLACEHOLDER = "请输入您的意见或建议"
COMMENT_SEND = "提交"
COMMENT_SKIP = "跳过"
DONE = "已评价：{rating}"

# --- The survey link (/survey/{token}) of a ticket filed on the complaint form -------------
# On the form's confirmation, above the link.
LINK_OFFER = "工单办结后，您可以通过以下链接对处理结果进行评价（请妥善保存，仅限本人使用）："
LINK_TITLE = "服务评价"
LINK_INTRO = "请您对工单{ticket}的处理结果进行评价："
LINK_RATING = "您的评价"
LINK_SUBMIT = "提交评价"
LINK_THANKS = "感谢您的评价！您的意见会转给处理单位，帮助我们改进服务。"
# Why the link does not take an answer now, by code.
LINK_REFUSALS = {
    "not_closed": "您的工单尚在处理中，办结后即可评价，请稍后再来。",
    "not_handled": "您的工单已结束，无需评价，感谢您的支持。",
    "answered": "您已完成本次评价，感谢您的支持。",
    "expired": "抱歉，该评价链接已过期。如有意见，请拨打95598供电服务热线。",
    "unknown": "抱歉，评价链接无效，请核对链接后重试。",
    "rating": "请选择一项评价：满意、基本满意或不满意。",
    "comment_too_long": "抱歉，留言最多{limit}字，请精简后再提交。",
    "rate_limited": "抱歉，您提交得太频繁了，请稍后再试。",
}


def survey_texts() -> dict[str, object]:
    """What the chat page's script shows for a survey, handed to it in the page."""
    return {"rateLabel": RATE_LABEL, "commentLabel": COMMENT_LABEL, "commentPlaceholder": COMMENT_PLACEHOLDER,
            "commentSend": COMMENT_SEND, "commentSkip": COMMENT_SKIP, "done": DONE,
            "commentTooLong": COMMENT_TOO_LONG}
