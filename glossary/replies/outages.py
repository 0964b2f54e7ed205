"""Outages: the notices for a place and a day, and the self-check when no notice explains a loss of supply."""
from __future__ import annotations

from glossary.wording import Sentence

OUTAGES_UNAVAILABLE: Sentence = ("非常抱歉，停电信息暂时无法查询，请稍后再试，或通过网上国网App查看停电公告。",
                                 "非常抱歉，停电信息暂时无法查询，请稍后再试。")
# {where} below, when the place looked up is the customer's account: {account} the masked 户号.
ACCOUNT_AREA: Sentence = ("您户号{account}所在区域", "您户号{account}所在区域")
# The place question stored while the form asks again (glossary/replies/places.py), said as it is.
OPEN_QUESTION: Sentence = ("{question}", "{question}")

# --- Notices found --------------------------------------------------------------------------
# {where}: the place ("桐庐县迎春社区", ACCOUNT_AREA); {day}: "11月28日"; {notices}: the notices, one a
# line (text) or the first alone (spoken); {more}: MORE_NOTICES when some were left out.
NOTICES_FOUND: Sentence = ("为您查到{where}{day}的停电信息：\n{notices}。{more}", "{where}{day}有停电安排：{notices}。")
# One notice, in {notices}: {kind} 计划停电/故障停电 …, {start} and {end} times, {area} the area it covers
# (on the hotline the community or street alone), {reason} the backend's reason.
NOTICE_RESTORED: Sentence = ("{kind}：{start}开始，已于{end}恢复供电，范围：{area}，原因：{reason}",
                             "{kind}：{start}开始，已于{end}恢复供电，范围：{area}，原因：{reason}")
NOTICE_EXPECTED: Sentence = ("{kind}：{start}开始，预计{end}恢复供电，范围：{area}，原因：{reason}",
                             "{kind}：{start}开始，预计{end}恢复供电，范围：{area}，原因：{reason}")
# {more} in NOTICES_FOUND: {count} notices not listed.
MORE_NOTICES: Sentence = ("另有{count}条，可在网上国网App查看。", "另有{count}条，可在网上国网App查看。")

# --- Nothing found --------------------------------------------------------------------------
# {advice}: the backend's self-check advice, else SELF_CHECK.
NO_OUTAGE_FOUND: Sentence = (
    "暂未查到{where}{day}的停电计划或故障停电信息。建议您：{advice}。如果确认不是自家线路问题，需要为您报修吗？",
    "暂未查到{where}的停电信息。请先检查家中总开关是否跳闸、是否欠费。需要为您报修吗？")
SELF_CHECK: Sentence = ("请先确认是否欠费，检查家中总开关或漏电保护器是否跳闸，看看邻居家是否有电",
                        "请先确认是否欠费，检查家中总开关或漏电保护器是否跳闸，看看邻居家是否有电")

# Placeholders the spoken form leaves out: the hotline keeps to the place and one piece of advice.
SPOKEN_OMITS = {
    "NOTICES_FOUND": ("more",),
    "NO_OUTAGE_FOUND": ("day", "advice"),
}
