"""Billing: bills, bill disputes, reconnection after arrears, the customer's own tariff example."""
from __future__ import annotations

from glossary.wording import Sentence

# Tier names, in the bill summary, the dispute's reasons and the tariff example.
TIER_NAMES = {1: "第一档", 2: "第二档", 3: "第三档"}

# --- The bill ---------------------------------------------------------------------------
BILL_UNAVAILABLE: Sentence = ("非常抱歉，暂时无法查询账单，请稍后再试或使用网上国网App查询。",
                              "非常抱歉，暂时无法查询账单，请稍后再试或使用网上国网App查询。")
# {account}: the masked 户号 (******7890).
NO_BILLS: Sentence = ("您户号{account}暂无账单记录。", "您户号{account}暂无账单记录。")
BILL_SUMMARY: Sentence = (
    "您户号{account}的账单：{period}用电{kwh}度，电费{amount}，{paid}。"
    "本年度累计用电{annual_kwh}度，处于阶梯电价{tier}。近三个月电费：{history}。{arrears}",
    "您{period}用电{kwh}度，电费{amount}，{paid}。{arrears}")
# {paid} in BILL_SUMMARY: the latest bill paid, or not.
PAID: Sentence = ("已缴清", "已缴清")
UNPAID: Sentence = ("尚未缴清，待缴{due}", "尚未缴清，待缴{due}")
# {history} in BILL_SUMMARY: one month of the last three, joined by 、.
HISTORY_MONTH: Sentence = ("{month}月{amount}", "{month}月{amount}")
# {arrears} in BILL_SUMMARY and DISCONNECTED: what is still owed; empty when nothing is.
ARREARS: Sentence = ("目前待缴电费合计{total}{late_fee}{overdue}。可通过网上国网App、支付宝或微信生活缴费等渠道缴纳。",
                     "目前待缴电费合计{total}，可用网上国网App或微信、支付宝缴纳。")
# {late_fee} and {overdue} in ARREARS, when there is a late fee / an overdue bill.
LATE_FEE: Sentence = ("（含违约金{fee}）", "，含违约金{fee}")
OVERDUE: Sentence = ("，最长已逾期{days}天", "，最长已逾期{days}天")

# --- A bill the customer finds too high ---------------------------------------------------
DISPUTE_UNAVAILABLE: Sentence = ("非常抱歉，暂时无法调取您的用电数据，请稍后再试，或说“转人工”。",
                                 "非常抱歉，暂时无法调取您的用电数据，请稍后再试，或说转人工。")
DISPUTE_NO_BILLS: Sentence = ("抱歉，该户号暂无账单记录，暂时无法分析电费。如有疑问，您可以说“转人工”。",
                              "抱歉，该户号暂无账单记录。如有疑问请说转人工。")
# The reasons found: {reasons} is the numbered list (text) or the first reason alone (spoken).
DISPUTE_REASONS: Sentence = ("根据您的用电数据，电费偏高可能有以下原因：{reasons}。", "{reasons}。")
DISPUTE_NO_REASON: Sentence = ("从您的用电数据看，本月用电量与前几个月基本持平，电费计算未见异常。",
                               "您本月用电与前几个月基本持平。")
# The reasons, in {reasons} of DISPUTE_REASONS.
REASON_USAGE_JUMP: Sentence = (
    "本月用电{kwh}度，比前{months}个月平均{average}度多了{more}%，常见原因是天气变化后空调、取暖器、电热水器等用电增加",
    "本月用电{kwh}度，比前{months}个月平均{average}度多了{more}%，常见原因是天气变化后空调、取暖器、电热水器等用电增加")
REASON_TIER_UP: Sentence = ("本年度累计用电已达{annual_kwh}度，进入{tier}，超出部分的电价更高",
                            "本年度累计用电已达{annual_kwh}度，进入{tier}，超出部分的电价更高")
REASON_PEAK: Sentence = ("您执行峰谷电价，本月高峰时段用电占{share}%，高峰电价比低谷高",
                         "您执行峰谷电价，本月高峰时段用电占{share}%，高峰电价比低谷高")
REASON_LATE_FEE: Sentence = ("有逾期未缴的电费，产生违约金{fee}", "有逾期未缴的电费，产生违约金{fee}")
# After DISPUTE_REASONS or DISPUTE_NO_REASON. {limit}: the meter test's commitment ("5个工作日").
METER_TEST_OFFER: Sentence = (
    "如您仍怀疑电表计量不准，可以申请电表校验，我们会在{limit}内告知校验结果。需要为您申请吗？如对计费有异议，也可以说“我要投诉”。",
    "需要为您申请电表校验吗？")
# The meter test, once the customer says yes. {reply}: the deadline for its result.
METER_TEST_FILED: Sentence = (
    "已为您申请电表校验，工单号{ticket}。工作人员会与您预约上门时间，并在{reply}前告知校验结果。校验期间请正常用电。",
    "已为您申请电表校验，工单号{ticket}。我们会在{reply}前告知结果。")

# --- Reconnection after arrears -------------------------------------------------------------
RECONNECTION_UNAVAILABLE: Sentence = ("非常抱歉，暂时无法查询账户状态，请稍后再试，或说“转人工”。",
                                      "非常抱歉，暂时无法查询账户状态，请稍后再试，或说转人工。")
PREPAID_RECONNECTS: Sentence = (
    "您是智能费控用户，缴费到账后一般会自动恢复供电。如缴费后超过1小时仍未来电，请检查家中总开关；仍无电的话，需要为您报修吗？",
    "您是智能费控用户，缴费到账后一般会自动恢复供电。如缴费后超过1小时仍未来电，请检查家中总开关；仍无电的话，需要为您报修吗？")
NOT_DISCONNECTED: Sentence = ("系统显示您的户号没有欠费停电记录。如家中仍无电，可能是线路或设备故障，需要为您报修吗？",
                              "系统显示您的户号没有欠费停电记录。如家中仍无电，可能是线路或设备故障，需要为您报修吗？")
# {arrears}: ARREARS.
DISCONNECTED: Sentence = ("您的户号因欠费停电，{arrears}缴清后我们会尽快为您恢复供电。",
                          "您的户号因欠费停电，{arrears}缴清后会尽快为您恢复供电。")
# {reply}: the reconnection deadline.
RECONNECTION_FILED: Sentence = ("已为您提交复电申请，工单号{ticket}。我们将在{reply}前为您恢复供电，请保持电话畅通。",
                                "已为您提交复电申请，工单号{ticket}。我们将在{reply}前恢复供电。")

# --- The tariff applied to the customer's latest month ------------------------------------
TARIFF_EXAMPLE_UNAVAILABLE: Sentence = ("非常抱歉，暂时无法按您的用电为您测算。", "非常抱歉，暂时无法按您的用电为您测算。")
TARIFF_EXAMPLE: Sentence = (
    "以您{period}用电{kwh}度为例：本年度此前已用{before}度，本月{segments}{time_of_use}，合计{amount}。",
    "按您{period}的用电，电费合计{amount}。")
# {segments} in TARIFF_EXAMPLE: one tier's share of the month, joined by ，.
TARIFF_SEGMENT: Sentence = ("{kwh}度按{tier}{price}元/度计{amount}", "{kwh}度按{tier}{price}元一度计{amount}")
# {time_of_use} in TARIFF_EXAMPLE, for a time-of-use customer.
TIME_OF_USE_PRICED: Sentence = ("（已按峰谷时段分别计价）", "，已按峰谷时段分别计价")

# Placeholders the spoken form leaves out: the hotline gives the total, not the breakdown.
SPOKEN_OMITS = {
    "BILL_SUMMARY": ("account", "annual_kwh", "tier", "history"),
    "ARREARS": ("late_fee", "overdue"),
    "METER_TEST_OFFER": ("limit",),
    "TARIFF_EXAMPLE": ("kwh", "before", "segments", "time_of_use"),
}
