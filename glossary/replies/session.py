"""Session and steering: the human handoff, the way out of a form, switching task and goodbye mid-form."""
from __future__ import annotations

from glossary.wording import Sentence

# --- Any form -------------------------------------------------------------------------------
# After a retry prompt when the same question is about to be asked a third time (actions/forms.py).
WAY_OUT: Sentence = ("如需帮助，您可以说“转人工”，或者说“取消”结束本次办理。", "需要帮助请说转人工，不办了请说取消。")

# --- The backend refused a request ------------------------------------------------------------
# Said when the backend refuses (4xx) with a code glossary/replies/refusals.py has no sentence
# for (actions.text.say_refusal); the backend's own message is logged, never shown.
REFUSED: Sentence = ("抱歉，请求未能完成，请稍后再试。", "抱歉，请求未能完成，请稍后再试。")

# --- Handing over to a human agent --------------------------------------------------------
HANDOFF_UNAVAILABLE: Sentence = (
    "非常抱歉，人工客服暂时无法接入。您可以直接拨打95598供电服务热线，我们24小时为您服务。",
    "非常抱歉，人工客服暂时无法接入，请您稍后再说转人工，或者先告诉我您要办理的业务。")
# {ahead}: AHEAD when others are waiting, else empty.
HANDOFF_QUEUED: Sentence = (
    "正在为您转接人工客服，{ahead}请稍候，工作人员会尽快接待您。",
    "正在为您转接人工客服，{ahead}请稍候。")
AHEAD: Sentence = ("您前面还有{count}位客户，", "您前面还有{count}位客户，")

# --- Another task in the middle of a form (actions/steering.py) -----------------------------
# {current}: the form's name (bot/flows.py) or ANY_FLOW; {task}: what the customer asked for
# (bot/flows.py TASK_NAMES, "查询停电") or ANY_TASK.
CONFIRM_SWITCH: Sentence = (
    "您正在办理{current}，尚未完成。是否先为您{task}？请回答“是”或“否”；回答“否”将继续办理{current}。",
    "您的{current}还没有办完，是否先为您{task}？请说是或否。")
ANY_FLOW: Sentence = ("当前业务", "当前业务")
ANY_TASK: Sentence = ("办理新的业务", "办理新的业务")
SWITCHING: Sentence = ("好的，先为您{task}。", "好的，先为您{task}。")
RESUMING: Sentence = ("好的，我们继续办理{current}。", "好的，我们继续办理{current}。")
GOODBYE_IN_FORM: Sentence = ("好的，您的{current}还没有办完，本次未提交。如有需要欢迎随时再来，再见！",
                             "好的，{current}未提交。感谢您的来电，再见。")
