"""Every sentence the web chat (backend/web/chat.py, its page and its widget) shows a customer.

Polite standard Chinese (文明用语): an instruction starts with 请, a refusal with
抱歉, and each says what to do next. The page's script and the widget read
these from the server (a JSON block in the page, a JSON object in widget.js:
`page_texts()`, `widget_texts()`), so no sentence is written in JavaScript.
The assistant's own replies are not here: they come from domain.yml and the
actions; the router's queue notices from glossary/wording.py.
"""
from __future__ import annotations

BRAND = "95598 供电服务"
TITLE = "在线客服"
WELCOME = "您好，我是95598智能客服，可以帮您报修停电、查询电费和停电信息、办理投诉和业务咨询。请问有什么可以帮您？"
HOTLINE = "如遇停电、触电、电线断落等紧急情况，请直接拨打 95598 供电服务热线。"
NO_SCRIPT = "抱歉，在线客服需要启用浏览器脚本。您也可以拨打 95598 供电服务热线，或使用投诉页面留言。"

# Privacy notice: shown on the first visit until the customer closes it.
PRIVACY_TITLE = "隐私提示"
PRIVACY = ("为了更好地为您服务，我们会保存本次对话记录，客服人员可以查看。记录中的手机号、户号、身份证号会被部分隐藏"
           "（如 138****5678）。请不要发送银行卡号、密码或验证码。")
PRIVACY_OK = "我知道了"

# The composer.
INPUT_LABEL = "输入您的问题"
PLACEHOLDER = "请输入您的问题，按回车发送"
SEND = "发送"
COUNTER = "还可输入{left}字"
QUICK_REPLIES = "可选回复"

# Who said a line (read before each line by screen readers; shown above agent lines).
SENDERS = {"customer": "您", "bot": "智能客服", "agent": "人工客服", "system": "系统消息"}

# Lines the customer sent that have not been answered yet.
SENDING = "发送中"
NOT_SENT = "未发送，联网后将自动发送"
FAILED = "发送失败"
TYPING = "客服正在回复，请稍候……"

# The status bar: the conversation's state (icon and words, never colour alone).
STATUS = {
    "bot": "智能客服为您服务",
    "waiting_agent": "正在为您转接人工客服，您前面还有{ahead}位，请稍候",
    "waiting_next": "正在为您转接人工客服，您是下一位，请稍候",
    "agent": "人工客服正在为您服务",
    "closed": "本次会话已结束，您可以继续留言，智能客服会为您服务",
}
CONNECTING = "正在连接……"
OFFLINE = "网络连接已断开，正在重新连接。您可以继续输入，连接后消息会自动发送。"
RECONNECTING = "网络连接已断开，{seconds}秒后重新连接……"
NEW_SESSION = "抱歉，未找到您之前的会话记录，已为您开始新的会话。"

# Refusals (socket and session errors), by code.
ERRORS = {
    "bad_json": "抱歉，消息格式不正确，请刷新页面后重试。",
    "bad_message": "抱歉，无法识别这条消息，请刷新页面后重试。",
    "empty": "请输入内容后再发送。",
    "too_long": "抱歉，每条消息最多{limit}个字，请分几次发送。",
    "rate_limited": "抱歉，您发送得太快了，请稍等{seconds}秒后再发送。",
    "sessions_limited": "抱歉，当前访问人数较多，请稍等{minutes}分钟后再试；紧急情况请拨打95598。",
    "hello_first": "抱歉，连接尚未就绪，请刷新页面后重试。",
    "in_progress": "您的上一条消息正在处理中，请稍候。",
    "failed": "抱歉，消息没有发送成功，请稍后再试；紧急情况请拨打95598。",
    "network": "抱歉，网络连接出现问题，请检查网络后刷新页面。",
}

# A ticket card (the assistant names a ticket of this conversation).
TICKET_TITLE = "工单已受理"
TICKET_ID = "工单编号"
TICKET_STATUS = "当前状态"
TICKET_KEEP = "请记下工单编号，拨打95598或再次咨询时可凭它查询进度。"
# Names of ticket types, statuses and clocks come from glossary/names.py (one name per code).
DEADLINE_BY = "{when}前"

# The widget (/chat/widget.js) on another site.
WIDGET_OPEN = "在线客服"
WIDGET_OPEN_LABEL = "打开95598在线客服"
WIDGET_CLOSE = "关闭在线客服"
WIDGET_PANEL = "95598 在线客服"


def error(code: str, **values: object) -> str:
    """The refusal for an error code, filled in; an unknown code gets the general one."""
    return ERRORS.get(code, ERRORS["failed"]).format(**values)


def local_time(value: object) -> str:
    """11月29日 14:30 (a datetime already in Asia/Shanghai): deadlines are days away, not years."""
    return f"{value.month}月{value.day}日 {value:%H:%M}"  # type: ignore[attr-defined]


def page_texts() -> dict[str, object]:
    """What the page's script shows, handed to it in the page (chat.html's JSON block)."""
    return {
        "welcome": WELCOME, "senders": SENDERS, "sending": SENDING, "notSent": NOT_SENT, "failed": FAILED,
        "typing": TYPING, "status": STATUS, "connecting": CONNECTING, "offline": OFFLINE,
        "reconnecting": RECONNECTING, "newSession": NEW_SESSION, "errors": ERRORS, "counter": COUNTER,
        "quickReplies": QUICK_REPLIES, "ticketTitle": TICKET_TITLE, "ticketId": TICKET_ID,
        "ticketStatus": TICKET_STATUS, "ticketKeep": TICKET_KEEP,
    }


def widget_texts() -> dict[str, str]:
    """What the widget's button and panel say, handed to widget.js by the server."""
    return {"open": WIDGET_OPEN, "openLabel": WIDGET_OPEN_LABEL, "close": WIDGET_CLOSE, "panel": WIDGET_PANEL}
