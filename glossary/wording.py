"""Sentences a customer can see or hear that are not the assistant's own
(the assistant's live in domain.yml and glossary/replies/): what the backend
says when the assistant cannot answer, and what the conversation router tells
a customer about the human-agent queue.

Each is a pair (text, spoken): the text for web chat and WeChat, the spoken
form for the hotline's speech synthesis (no links, no 95598: callers are
already on it, short). `pick` chooses one for a channel.

Not an input of the NLU model (bot/model_cache.py leaves this file out of the
model's hash): rewording a sentence never retrains.
"""
from __future__ import annotations

Sentence = tuple[str, str]

# The assistant's actions when the backend does not answer.
NO_BACKEND: Sentence = (
    "非常抱歉，系统暂时繁忙，您的诉求已记录，系统恢复后会自动提交，工作人员会按您留的电话与您联系。"
    "如情况紧急，请直接拨打95598。",
    "非常抱歉，系统暂时繁忙，您的诉求已记录，稍后会自动提交。如情况紧急，请说转人工。")
BUSY: Sentence = ("非常抱歉，系统暂时繁忙，请稍后再试，或拨打95598供电服务热线。",
                  "非常抱歉，系统暂时繁忙，请稍后再试，或说转人工。")

# The router, when the assistant does not answer (down, timed out, 5xx).
ASSISTANT_UNAVAILABLE: Sentence = (
    "非常抱歉，智能客服暂时无法应答，您的留言已记录。请稍后再试，或直接拨打95598供电服务热线。",
    "非常抱歉，系统暂时无法应答，您的话已记录。请稍后再说一遍，或者说转人工。")
# The same on WeChat and the hotline, where the router queues the customer for an agent instead
# (backend/router/service.py); on the hotline IVR_TRANSFER and the transfer follow.
ASSISTANT_UNAVAILABLE_QUEUED: Sentence = (
    "非常抱歉，智能客服暂时无法应答，已为您转接人工客服，工作人员会尽快在这里回复您，请稍候。",
    "非常抱歉，系统暂时无法应答。")
# A channel whose own database is away: the message was not taken (nothing stored), so the
# customer is asked to send it again; on the hotline IVR_TRANSFER and the transfer follow.
NOT_RECEIVED: Sentence = (
    "非常抱歉，系统暂时繁忙，您的消息未能收到，请稍后再发送一次，或拨打95598供电服务热线。",
    "非常抱歉，系统暂时繁忙。")
# A customer writing while waiting for an agent: `{ahead}` customers before them.
QUEUE_AHEAD: Sentence = ("您已在人工客服队列中，前面还有{ahead}位客户，请稍候，工作人员会尽快接待您。",
                         "您正在排队等待人工客服，前面还有{ahead}位客户，请稍候。")
QUEUE_NEXT: Sentence = ("您已在人工客服队列中，下一位就为您接通，请稍候。",
                        "您正在排队等待人工客服，下一位就为您接通，请稍候。")
# Told through the channel's delivery when an agent takes, releases or closes the conversation.
AGENT_JOINED: Sentence = ("人工客服已为您接入，请问有什么可以帮您？", "人工客服已为您接入，请问有什么可以帮您？")
BACK_TO_ASSISTANT: Sentence = ("人工客服已结束本次服务，接下来由智能客服继续为您服务，有问题可以直接留言。",
                               "人工客服已结束服务，接下来由智能客服继续为您服务，请问还有什么可以帮您？")
CLOSED: Sentence = ("本次服务已结束，感谢您的咨询。如还有需要，随时给我们留言。",
                    "本次服务已结束，感谢您的来电，再见。")


def pick(sentence: Sentence, spoken: bool) -> str:
    """The text form, or the spoken form for the hotline."""
    return sentence[1] if spoken else sentence[0]


# The hotline's IVR channel (backend/channels/ivr.py): spoken only, never shown on a screen.
# It is also the privacy notice of a call (actions/session.py says none of its own on the hotline).
IVR_GREETING = ("您好，欢迎致电供电服务热线，我是智能客服，您提供的信息仅用于本次服务。"
                "请说出您要办理的业务，比如停电报修、查电费或投诉，需要人工请说转人工。")
# Speech recognition was unsure what the caller said: nothing was passed on.
IVR_SAY_AGAIN = "抱歉，刚才没有听清，请您再说一遍。"
# The caller said nothing (fewer times in a row than service_rules.yml ivr.max_no_input).
IVR_REPROMPT = "您好，请问还在线吗？请说出您要办理的业务，户号也可以直接按键输入，以井号键结束。"
# Too many silent turns in a row: the caller goes to a human agent.
IVR_SILENT_TRANSFER = "您好，一直没有听到您的声音，现在为您转接人工客服，请稍候。"
# The assistant or the queue hands the caller to a human agent.
IVR_TRANSFER = "正在为您转接人工客服，请稍候。"
# A reply that offers choices as buttons: `{options}` their titles, joined by 、.
IVR_OPTIONS = "您可以说：{options}。"


# --- WeChat Official Account (backend/channels/wechat.py): shown in WeChat only -------------
# A new follower (subscribe) or a follower scanning the account's QR code.
WECHAT_GREETING = ("您好，欢迎关注供电服务公众号！我是智能客服，可以帮您查询停电、报修故障、查询电费、"
                   "查询工单或提出投诉建议。请直接用文字留言，或点击下方菜单。紧急情况请拨打95598。")
# A picture, a voice message WeChat could not transcribe, a location, a file …
WECHAT_TEXT_ONLY = "抱歉，目前只能识别文字消息，请用文字描述您的问题，我们马上为您处理。"
# Under a reply's choices, listed as "1. …", "2. …" (WeChat shows no buttons).
WECHAT_CHOOSE_BY_NUMBER = "回复数字即可选择。"
