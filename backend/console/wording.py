"""Every sentence the staff console shows an agent, supervisor or admin.

One home, so a reviewer reads the console's whole vocabulary here: page titles,
labels, statuses in words, refusals, the canned replies an agent may send, and
the suggestions offered when the assistant has no one-step rule for an intent.
The page's script gets these from the server (a JSON block in the page:
`page_texts()`), so no sentence is written in JavaScript.

Canned replies and suggestions reach customers once an agent sends them: they
are polite standard Chinese (文明用语) like every customer sentence. Names of
ticket types, statuses and clocks come from glossary/names.py.
"""
from __future__ import annotations

from backend.router.service import UNAVAILABLE_REASON
from glossary.names import (
    COMPLAINT_GRADES,
    DEADLINES,
    PLAN_STATUSES,
    PLAN_TARGET_OPS,
    RATINGS,
    TICKET_STATUSES,
    TICKET_TYPES,
)
from glossary.steps import TICKET_EVENTS, TICKET_STEPS

BRAND = "95598 客服工作台"
LOGIN_TITLE = "客服登录"
LOGIN_USERNAME = "用户名"
LOGIN_PASSWORD = "密码"
LOGIN_SUBMIT = "登录"
LOGIN_BUSY = "正在登录……"
LOGIN_HINT = "请使用工作账号登录。会话记录中的手机号、户号等已部分隐藏。"
NO_SCRIPT = "客服工作台需要启用浏览器脚本。"
LOGIN_ERRORS = {
    "empty": "请输入用户名和密码。",
    "network": "网络连接出现问题，请检查网络后重试。",
    "failed": "登录失败，请稍后再试。",
}

ROLES = {"agent": "客服", "supervisor": "班长", "admin": "管理员"}
NAV_CONVERSATIONS = "会话"
NAV_TICKETS = "工单"
NAV_DASHBOARD = "看板"
NAV_SOON = "即将上线"
LOGOUT = "退出登录"
FORBIDDEN = "您的账号没有使用客服工作台的权限。"
NOT_SERVING = "您的账号不接待客户会话：会话列表仅向客服和班长开放。"
NEW_WAITING = "新的排队会话：{channel}，{reason}"

# Queues (tabs) and the channel filter.
QUEUES = {"waiting": "排队中", "mine": "我接待的", "bot": "智能客服接待中", "all": "全部"}
CHANNEL_FILTER = "渠道"
CHANNELS = {"": "全部渠道", "web": "网页", "wechat": "微信", "ivr": "热线"}
EMPTY_QUEUE = "当前没有会话。"
QUEUE_POSITION = "第{position}位"
WAITED = "已等待{minutes}分钟"
WAITED_SECONDS = "已等待不到1分钟"
HELD_BY = "接待人：{name}"
STATES = {"bot": "智能客服接待中", "waiting_agent": "排队等待人工", "agent": "人工接待中", "closed": "已结束"}
REASONS = {"request_human": "客户要求转人工", "misunderstood_twice": "连续两次未理解",
           "escalation": "投诉升级", "ivr_no_input": "热线多次无应答", UNAVAILABLE_REASON: "智能客服无法应答"}

# The feed's connection, in words.
LIVE = {"connecting": "正在连接实时更新……", "live": "实时更新中", "offline": "实时更新已断开，正在重新连接……"}

# The conversation view.
PICK_ONE = "请从左侧列表选择一个会话。"
SENDERS = {"customer": "客户", "bot": "智能客服", "agent": "人工客服", "system": "系统"}
SENDER_ME = "我"
INTENT_SEEN = "识别意图：{intent}（置信度 {confidence}）"
INTENT_NONE = "未经智能客服识别"
PENDING = "未送达"
CLAIM = "接入会话"
RELEASE = "交还智能客服"
CLOSE = "结束会话"
TRANSFER = "转给其他客服"
TRANSFER_TO = "转给（用户名）"
TRANSFER_GO = "确认转接"
REPLY_LABEL = "回复客户"
REPLY_HINT = "按 Enter 发送，Shift+Enter 换行"
SEND = "发送"
CANNED_LABEL = "常用语"
CANNED_PICK = "选择常用语……"
CLAIM_FIRST = "接入会话后才能回复客户。"
HELD_BY_OTHER = "该会话由其他客服接待，您只能查看。"
CLAIMED = "已接入会话，客户会收到人工客服接入的提示。"
RELEASED = "已交还智能客服，客户已收到提示。"
CLOSED = "会话已结束，客户已收到提示。"
TRANSFERRED = "会话已转给 {name}。"
SENT = "已发送。"

# The customer panel.
CUSTOMER = "客户信息"
CHANNEL = "渠道"
STARTED = "开始时间"
REASON = "转人工原因"
MASKED_ONLY = "客户信息已部分隐藏。确需联系客户时，可填写原因查看完整信息，查看将记入审计日志。"
# The reveal (backend/console/static/reveal.js, backend/api/reveal.py): a reason, then the full fields.
REVEAL = {
    "button": "查看完整信息", "reason": "查看原因（必填，将记入审计日志）", "submit": "确认查看", "cancel": "取消",
    "title": "完整客户信息", "ticket": "工单", "name": "姓名", "phone": "电话", "accountNo": "户号", "address": "地址",
    "description": "诉求内容", "reasonShort": "请填写查看原因（至少4个字）。",
    "recorded": "本次查看已记入审计日志；完整信息仅在本页显示，离开或打开其他记录后不再保留。",
    "network": "网络连接出现问题，请稍后重试。", "failed": "查看未成功，请稍后重试。",
}
WECHAT_QUOTA = "微信客服消息：还可发送{remaining}条，{until}前有效"
WECHAT_NO_QUOTA = "微信客服消息额度已用完，需等客户再次留言后才能回复。"
IVR_CONTEXT = "热线转接信息"
IVR_INTENT = "意图"
IVR_FORM = "进行中的表单"
IVR_SLOTS = "已收集信息"
IVR_TICKET = "工单"
# What the assistant collected, by slot (domain.yml); a slot not named here shows its own name.
SLOT_NAMES = {
    "account_no": "户号", "phone": "电话", "contact_phone": "联系电话", "address": "地址", "area_id": "区域",
    "site_class": "地区类别", "fault_description": "故障描述", "safety_hazard": "安全隐患", "hazard": "危险情况",
    "last_ticket_id": "工单编号", "ticket_id": "工单编号", "ticket_ref": "工单编号", "date": "日期",
    "business_type": "业务类型", "rating": "评价", "complaint_what": "投诉内容", "complaint_when": "发生时间",
    "complaint_where": "发生地点", "complaint_outcome": "诉求", "anonymous": "匿名", "confidential": "保密",
    "feedback_text": "意见内容", "verified": "已核实身份", "place": "地点", "outage_place": "停电地点",
}
NONE = "无"

# Agent assist.
ASSIST = "辅助建议"
SUGGESTION = "智能客服建议回复"
SUGGESTION_FOR = "针对客户：“{text}”"
SUGGESTION_USE = "填入回复框"
SUGGESTION_NONE = "暂无建议：客户还没有发言。"
SUGGESTION_NO_REPLY = "暂无该意图的建议回复，请人工回复。"
ASSISTANT_DOWN = "智能客服暂时无法连接，暂无建议回复；其他功能不受影响。"
TICKETS = "客户的未办结工单"
TICKETS_NONE = "没有未办结的工单。"
TICKET_NEXT = "{clock}：{due}前"
TICKET_OVERDUE = "（已超时）"
TICKET_THIS = "本次会话"
TICKET_SAME_CUSTOMER = "同一客户"

# Refusals the page shows (the server's own Chinese message is preferred when it has one).
ERRORS = {
    "held_by_another": "已由其他客服接入。",
    "network": "网络连接出现问题，请稍后重试。",
    "session": "登录已过期，请重新登录。",
    "empty": "请输入回复内容。",
    "transfer_to": "请输入要转给的客服用户名。",
    "failed": "操作未成功，请稍后重试。",
}

# Replies an agent picks instead of typing (sent as written; the transcript masks them anyway).
CANNED_REPLIES = (
    ("问候", "您好，我是95598人工客服，很高兴为您服务。请问有什么可以帮您？"),
    ("请稍候", "好的，正在为您查询，请稍候。"),
    ("询问户号", "请提供您的户号（可在电费单或“网上国网”App中查看），以便为您查询。"),
    ("核实身份", "为保护您的信息安全，请提供户号及登记手机号码的后四位。"),
    ("已记录", "您反映的情况已记录，我们会尽快处理，请保持电话畅通。"),
    ("结束语", "感谢您的耐心等待，请问还有其他可以帮您的吗？如没有，本次服务就到这里，祝您生活愉快！"),
)

# Suggestions by intent when the assistant has no one-step rule `intent → utter_…` for it.
SUGGESTIONS = {
    "request_human": "您好，我是95598人工客服，很高兴为您服务。请问有什么可以帮您？",
    "report_fault": "很抱歉给您带来不便。请告诉我停电的详细地址，以及是只有您家停电还是周围都停电了。",
    "query_outage": "请提供您的户号或所在地址，我为您查询停电信息。",
    "query_bill": "请提供您的户号及登记手机号码的后四位，核实身份后为您查询电费。",
    "bill_dispute": "理解您的疑问。请提供户号及登记手机号码的后四位，我为您核对电费明细。",
    "ask_reconnection": "请提供户号及登记手机号码的后四位，我为您查询复电进度。",
    "file_complaint": "非常抱歉给您带来不好的体验。请您详细说明情况，我为您登记投诉并跟进处理。",
    "report_violation": "感谢您的反映。请说明具体地点和情况，我为您登记举报。",
    "give_suggestion": "感谢您的宝贵建议，请详细说明，我为您登记。",
    "praise": "感谢您的肯定，我们会继续努力做好供电服务。",
    "query_ticket": "请提供工单编号，我为您查询办理进度。",
    "urge_ticket": "请提供工单编号，我为您催办并告知处理进度。",
    "rate_service": "感谢您对我们服务的评价。",
    "ask_tariff": "请问您想了解居民阶梯电价还是峰谷电价？如需按您家实际用电测算，请提供户号。",
    "ask_business_process": "请问您要办理哪项业务？我为您说明所需材料和办理方式。",
    "affirm": "好的，我继续为您办理。",
    "deny": "好的。请问还有什么可以帮您？",
    "inform": "好的，已收到，请稍候。",
    "cancel": "好的，已为您取消。请问还有什么可以帮您？",
}


# The ticket desk (工单, backend/console/ticket_page.py): queues, timers, the detail, the steps.
# Names of types, statuses, clocks, grades and ratings come from glossary/names.py.
DESK_TITLE = "工单处理"
DESK_QUEUES = {"all": "本单位工单", "escalated": "已升级", "overdue": "已超时", "repeat": "重复投诉"}
DESK_SUPERVISE = "督办视图"  # the tabs only supervisors and admins get: escalated, overdue, repeat complaints
DESK = {
    "filters": "筛选", "type": "类型", "status": "状态", "anyType": "全部类型", "anyStatus": "全部状态",
    "overdueOnly": "只看已超时", "escalatedOnly": "只看已升级", "repeatOnly": "只看重复投诉", "apply": "筛选",
    "empty": "没有符合条件的工单。", "page": "第{page}页，共{pages}页（{total}张工单）", "prev": "上一页",
    "next": "下一页", "pickOne": "请从左侧队列选择一张工单。", "loading": "正在加载……",
    "unit": "处理单位", "created": "受理时间", "channel": "渠道", "grade": "等级", "description": "诉求内容",
    "address": "地址", "customer": "客户（已部分隐藏）", "name": "姓名", "phone": "电话", "accountNo": "户号",
    "clocks": "服务时限", "clock": "时限", "due": "截止时间", "state": "状态", "left": "剩余 / 超时",
    "history": "处理记录", "actions": "可执行的操作", "noSteps": "该工单当前没有可执行的操作。",
    "submit": "确认", "cancel": "取消", "required": "（必填）", "optional": "（选填）",
    "escalatedMark": "已升级", "repeatMark": "重复投诉", "manualMark": "待人工派单",
    "nearest": "最近时限：{clock}，{due}截止", "noClock": "无进行中的时限", "maskedOnly": MASKED_ONLY,
    "done": "已完成“{step}”。", "system": "系统", "service": "智能客服", "now": "数据时间：{time}",
    "drillScope": "看板条件：单位 {unit}，受理日期 {from} 至 {to}", "drillClear": "清除条件",
}
TIMER = {"on_time": "正常", "warning": "即将超时", "overdue": "已超时", "met": "按时完成", "met_late": "超时完成",
         "cancelled": "已取消", "none": "无进行中的时限"}
TIME_LEFT = "剩余{time}"
TIME_OVER = "已超时{time}"
DURATION = {"days": "{d}天{h}小时", "hours": "{h}小时{m}分钟", "minutes": "{m}分钟", "under": "不到1分钟"}
STEP_NAMES = TICKET_STEPS
EVENT_NAMES = TICKET_EVENTS
STEP_FIELDS = {"unit": "派往单位", "note": "说明", "rating": "客户评价", "reason": "原因", "grade": "投诉等级",
               "clock": "时限", "channel": "渠道", "parent": "原工单"}
# The field's label when the step gives it its own meaning.
STEP_FIELD_LABELS = {("reply", "note"): "处理意见", ("close", "reason"): "办结原因",
                     ("escalate", "reason"): "升级原因", ("reopen", "reason"): "重新开启原因"}
NO_ANSWER = "无人接听"
# A ticket's satisfaction surveys (问卷, the customer's own rating: backend/surveys.py); rating names: RATINGS.
DESK_SURVEYS = {"title": "满意度问卷（客户自评）", "none": "暂无问卷。", "unanswered": "已发出，客户尚未评价",
                "offered": "发出：{when}", "answered": "{rating}（{when}评价）", "comment": "客户留言：{comment}",
                "subjects": {"conversation": "会话问卷", "ticket": "工单问卷"}, "form": "投诉表单链接"}
DESK_ERRORS = {"illegal": "该操作在工单当前状态下不可执行：{message}", "outside": "该工单不在您的单位范围内。",
               "missing": "请填写“{field}”。"}


def desk_texts() -> dict[str, object]:
    """What the ticket desk's script shows (tickets.html's JSON block)."""
    return {**DESK, "queues": DESK_QUEUES, "supervise": DESK_SUPERVISE, "timer": TIMER, "timeLeft": TIME_LEFT,
            "timeOver": TIME_OVER, "duration": DURATION, "surveys": DESK_SURVEYS,
            "steps": STEP_NAMES, "events": EVENT_NAMES,
            "fields": STEP_FIELDS, "fieldLabels": {f"{s}.{f}": t for (s, f), t in STEP_FIELD_LABELS.items()},
            "types": TICKET_TYPES, "statuses": TICKET_STATUSES, "clocks": DEADLINES, "grades": COMPLAINT_GRADES,
            "ratings": {**RATINGS, "no_answer": NO_ANSWER}, "channels": CHANNELS, "live": LIVE,
            "errors": {**ERRORS, **DESK_ERRORS}, "reveal": REVEAL}

def page_texts() -> dict[str, object]:
    """What the console's script shows, handed to it in the page (console.html's JSON block)."""
    return {
        "queues": QUEUES, "channels": CHANNELS, "emptyQueue": EMPTY_QUEUE, "queuePosition": QUEUE_POSITION,
        "waited": WAITED, "waitedSeconds": WAITED_SECONDS, "heldBy": HELD_BY, "states": STATES,
        "reasons": REASONS, "live": LIVE, "pickOne": PICK_ONE, "senders": SENDERS, "senderMe": SENDER_ME,
        "intentSeen": INTENT_SEEN, "intentNone": INTENT_NONE, "pending": PENDING, "claimFirst": CLAIM_FIRST,
        "heldByOther": HELD_BY_OTHER, "claimed": CLAIMED, "released": RELEASED, "closed": CLOSED,
        "transferred": TRANSFERRED, "sent": SENT, "channel": CHANNEL, "started": STARTED, "reason": REASON,
        "maskedOnly": MASKED_ONLY, "wechatQuota": WECHAT_QUOTA, "wechatNoQuota": WECHAT_NO_QUOTA,
        "ivrContext": IVR_CONTEXT, "ivrIntent": IVR_INTENT, "ivrForm": IVR_FORM, "ivrSlots": IVR_SLOTS,
        "ivrTicket": IVR_TICKET, "slotNames": SLOT_NAMES,
        "none": NONE, "suggestionFor": SUGGESTION_FOR, "suggestionUse": SUGGESTION_USE,
        "suggestionNone": SUGGESTION_NONE, "suggestionNoReply": SUGGESTION_NO_REPLY,
        "assistantDown": ASSISTANT_DOWN, "ticketsNone": TICKETS_NONE, "ticketNext": TICKET_NEXT,
        "ticketOverdue": TICKET_OVERDUE, "ticketThis": TICKET_THIS, "ticketSameCustomer": TICKET_SAME_CUSTOMER,
        "errors": ERRORS, "notServing": NOT_SERVING, "newWaiting": NEW_WAITING, "reveal": REVEAL,
    }


# The dashboard (看板, backend/console/dashboard.py) and the export's column headers
# (backend/console/export.py). Indicator names follow the seed's assessment indicators.
DASHBOARD_TITLE = "服务质量看板"
INDICATORS = {
    "accepted": "受理工单数", "satisfaction": "客户满意率", "complaint_handling_rate": "投诉处理率",
    "complaint_timeliness_rate": "投诉处理及时率", "repair_arrival_timeliness": "故障抢修到达现场及时率",
    "callback_rate": "回访率", "service_compliance": "服务规范执行情况", "supply_reliability": "供电可靠率",
    "supply_reliability_excl_planned": "供电可靠率（不计计划停电）",
    "overdue_count": "超时工单数", "repeat_complaint_count": "重复投诉数",
}
# A ratio's numerator and denominator, in words (backend/kpi.py RATIOS).
RATIO_PARTS = {
    "satisfaction": ("满意及基本满意", "已评价"),
    "complaint_handling_rate": ("已处理投诉", "受理投诉"),
    "complaint_timeliness_rate": ("按时答复投诉", "已处理投诉"),
    "repair_arrival_timeliness": ("按时到达", "到达时限已有结果"),
    "callback_rate": ("已回访", "应回访"),
    "service_compliance": ("时限全部按时", "时限均有结果"),
    "supply_reliability": ("供电户时数", "统计户时数"),
    "supply_reliability_excl_planned": ("供电户时数（不计计划停电）", "统计户时数"),
}
# An indicator's breakdown in the export (backend/kpi.py BREAKDOWNS): its name and the part's name
# (glossary.names.RATING_SOURCES for satisfaction's sources, DEADLINES for the commitments breached).
EXPORT_BREAKDOWN = {"by_source": "{name}·{part}", "breaches": "{name}·超时工单（{part}）"}
DASHBOARD = {
    "unit": "单位", "month": "考核月份", "months": "趋势月数", "chosen": "趋势指标", "compare": "对比指标",
    "show": "查看", "export": "导出考核表", "exportCsv": "导出 CSV", "exportXlsx": "导出 Excel",
    "trendTitle": "近{n}个月趋势：{name}", "trendHeading": "近{n}个月趋势",
    "trendTable": "{unit} 近{n}个月趋势（数据表）",
    "compareTitle": "下级单位对比：{name}（{month}）", "compareTable": "{month} 考核表：{unit}及下级单位",
    "monthCol": "月份", "unitCol": "单位", "total": "{name}（合计）", "noData": "无数据",
    "noChildren": "该单位没有下级单位。", "loading": "正在加载……", "loaded": "已更新：{unit} {month}",
    "drillHint": "带下划线的数字可点击，查看对应工单。", "drillTo": "查看对应工单：{what}",
    "chartHint": "图表的数据见旁边的数据表。", "pickOne": "请至少选择一项趋势指标。",
}
EXPORT_COLUMNS = {"month": "考核月份", "unit_id": "单位编码", "unit_name": "单位名称", "scope": "统计范围",
                  "numerator": "{name}·分子（{part}）", "denominator": "{name}·分母（{part}）"}
EXPORT_SCOPES = {"total": "本单位及下级合计", "child": "下级单位"}
EXPORT_SHEET = "考核表 {month}"


def dashboard_texts() -> dict[str, object]:
    """What the dashboard's script shows, handed to it in the page (dashboard.html's JSON block)."""
    return {**DASHBOARD, "indicators": INDICATORS, "ratioParts": RATIO_PARTS, "errors": ERRORS,
            "plans": {**DASHBOARD_PLANS, "statuses": PLAN_STATUSES, "ops": PLAN_TARGET_OPS}}


# The published monthly assessment (考核公布, backend/console/assessment_page.py, backend/assessment.py):
# read-only tables every unit opens; supervisors of the province and admins publish.
NAV_ASSESSMENT = "考核公布"
RATIO_PARTS_UNNAMED = ("分子", "分母")  # a ratio of a published table whose parts have no names any more
ASSESSMENT_TITLE = "考核结果公布"
ASSESSMENT = {
    "listHeading": "已公布的考核结果", "none": "尚未公布任何月份的考核结果。", "month": "考核月份",
    "version": "版本", "versionN": "第{version}版", "publishedAt": "发布时间", "publishedBy": "发布人",
    "reason": "更正原因", "open": "查看", "download": "下载", "csv": "CSV", "xlsx": "Excel",
    "tableTitle": "{month} 考核结果", "latest": "（最新）",
    "frozen": "本页为公布的考核结果，只读。数字为发布时的统计，之后的工单处理不会改变本页。",
    "versions": "各版本", "viewing": "当前查看：第{version}版", "back": "返回已公布的考核结果",
    "unit": "单位", "noValue": "—", "ratio": "{percent}（{numerator}/{denominator}）",
    "publish": "发布考核结果", "publishHint": "月份结束后可发布；已发布的月份再次发布须填写更正原因，原版本保留可查。",
    "publishMonth": "考核月份", "publishReason": "更正原因（更正时必填）", "publishGo": "发布",
    "published": "已发布 {month} 第{version}版。", "busy": "正在发布……",
}

# The refusals of publishing and reading an assessment (backend/assessment.py raises them).
ASSESSMENT_ERRORS = {
    "not_over": "{month} 尚未结束，{day} 起才能发布该月的考核结果。",
    "already": "{month} 的考核结果已发布（第{version}版）。如需更正，请填写更正原因后重新发布。",
    "nothing_to_correct": "{month} 的考核结果尚未发布，首次发布无需填写更正原因。",
    "bad_month": "月份“{month}”无效，格式应为 YYYY-MM，例如 2026-03。",
    "bad_version": "版本应为正整数，例如 1。",
    "not_published": "{month} 的考核结果尚未公布。",
    "no_version": "{month} 的考核结果没有第{version}版。",
}


def assessment_texts() -> dict[str, object]:
    """What the assessment list page's script shows (the publish form, assessment.html's JSON block)."""
    return {**ASSESSMENT, "errors": ERRORS}


# Improvement plans (整改, backend/console/plans_page.py, backend/plans.py) and their place on the
# dashboard. Status and comparison names: glossary.names PLAN_STATUSES, PLAN_TARGET_OPS.
NAV_PLANS = "整改"
PLANS_TITLE = "整改计划"
PLANS = {
    "list": "整改计划", "new": "制定整改", "newTitle": "制定整改计划", "empty": "没有符合条件的整改计划。",
    "status": "状态", "anyStatus": "全部状态", "indicator": "考核指标", "anyIndicator": "全部指标",
    "unitFilter": "责任单位（含下级）", "apply": "筛选", "loading": "正在加载……",
    "pickOne": "请从左侧列表选择一个整改计划。", "number": "编号", "seenUnit": "发现问题的单位",
    "period": "发现问题的期间", "range": "{from} 至 {to}", "month": "发现问题的月份", "problem": "问题描述",
    "baseline": "制定时的数值", "target": "整改目标", "targetAmount": "目标值", "targetValue": "{op} {value}",
    "measures": "整改措施",
    "responsible": "责任单位", "due": "完成期限", "dueValue": "{date}（含当日）", "createdBy": "制定人",
    "createdAt": "制定时间", "current": "当前数值（{from} 至 {to}）", "met": "已达到目标", "notMet": "未达到目标",
    "noValue": "无数据", "progress": "进展记录", "noProgress": "暂无进展记录。", "completion": "完成情况",
    "completedValue": "完成时的数值（{from} 至 {to}）", "withdrawal": "撤销情况", "by": "{name}（{time}）",
    "completedBy": "完成人", "withdrawnBy": "撤销人",
    "acts": "可执行的操作", "noActs": "您对该计划没有可执行的操作。",
    "addProgress": "记录进展", "note": "进展说明", "complete": "完成整改", "completionNote": "完成说明",
    "withdraw": "撤销计划", "withdrawReason": "撤销原因", "submit": "确认", "cancel": "取消",
    "create": "提交整改计划", "percentHint": "按百分比填写，例如 95 表示 95%。", "countHint": "填写整数，例如 0。",
    "required": "请填写“{field}”。", "percentRange": "比率类指标的目标应在 0 到 100 之间。",
    "countWhole": "计数类指标的目标应为不小于 0 的整数。",
    "created": "已制定整改计划 {number}。", "afterProgress": "已记录进展。", "afterComplete": "整改计划已完成。",
    "afterWithdraw": "整改计划已撤销。", "toDashboard": "在看板查看该指标",
    "onDashboard": "看板：{unit} {month}", "overdueMark": "已超过完成期限",
}
# The dashboard's section that puts the plans beside the indicators of the unit shown.
DASHBOARD_PLANS = {
    "title": "指标与整改：{unit}（{month}）", "indicator": "考核指标", "value": "本月数值", "plans": "整改计划",
    "act": "操作", "none": "无", "make": "制定整改", "makeLabel": "为“{name}”制定整改计划",
    "line": "{status} · {unit}：目标 {target}，当前 {current}", "target": "{op} {value}",
    "hint": "整改计划按责任单位显示其当月数值；点击编号查看计划详情。",
}


def plans_texts() -> dict[str, object]:
    """What the plans page's script shows (plans.html's JSON block)."""
    return {**PLANS, "statuses": PLAN_STATUSES, "ops": PLAN_TARGET_OPS, "indicators": INDICATORS,
            "ratioParts": RATIO_PARTS, "errors": ERRORS}
