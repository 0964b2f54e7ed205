"""Enquiries: the tariff table and the business processes (materials, steps, time limits)."""
from __future__ import annotations

from glossary.wording import Sentence

# --- Tariffs --------------------------------------------------------------------------------
TARIFF_UNAVAILABLE: Sentence = ("非常抱歉，电价信息暂时无法查询，您可以在网上国网App的“电价标准”中查看。",
                                "非常抱歉，电价信息暂时无法查询，您可以在网上国网App的电价标准中查看。")
# {name}: the tariff's name; {tiers}: every tier (TIER_LINE, joined by ；) on the page, the first
# (FIRST_TIER_SPOKEN) on the hotline; {time_of_use}: TIME_OF_USE.
TARIFF: Sentence = ("{name}：居民生活用电实行阶梯电价，按年累计用电量分档：{tiers}。{time_of_use}",
                    "居民用电按年累计用电量分三档，{tiers}，用得越多单价越高。")
# One tier in {tiers}: {span} is TIER_UP_TO, TIER_BETWEEN or TIER_ABOVE.
TIER_LINE: Sentence = ("第{tier}档（年用电{span}）{price}元/度", "第{tier}档，年用电{span}，{price}元一度")
TIER_UP_TO: Sentence = ("{upto}度及以下", "{upto}度及以下")
TIER_BETWEEN: Sentence = ("{lower}至{upto}度", "{lower}至{upto}度")
TIER_ABOVE: Sentence = ("{lower}度以上", "{lower}度以上")
FIRST_TIER_SPOKEN: Sentence = ("第一档{price}元一度", "第一档{price}元一度")
TIME_OF_USE: Sentence = (
    "开通峰谷电价后，{peak_start}-{peak_end}为高峰，电价在阶梯电价基础上加{peak_add}元/度；"
    "{valley_start}-{valley_end}为低谷，减{valley_cut}元/度。",
    "开通峰谷电价后，{peak_start}到{peak_end}为高峰，每度加{peak_add}元；{valley_start}到{valley_end}为低谷，每度减{valley_cut}元。")
# After TARIFF, for a customer not yet verified.
TARIFF_EXAMPLE_OFFER: Sentence = ("如需按您家的实际用电测算，请提供户号，核实身份后我来为您计算。",
                                  "如需按您家的用电测算，请说出户号。")

# --- Business processes (actions/content/business.yml) ----------------------------------------
# {names}: every process's name, joined by 、.
WHICH_PROCESS: Sentence = ("我可以为您介绍这些业务的办理方法：{names}。请问您想办理哪一项？",
                           "请问您要办理新装、增容、过户、充电桩、电表校验，还是销户？")
# {name}, {materials}, {steps}: from business.yml; {deadline}: DEADLINE when the process has a commitment.
PROCESS: Sentence = ("{name}：需要准备{materials}。办理方式：{steps}。{deadline}", "{name}需要准备{materials}。{deadline}")
DEADLINE: Sentence = ("办理时限：受理后{limit}内完成。", "办理时限：受理后{limit}内完成。")

# Placeholders the spoken form leaves out: the hotline gives the gist and the first tier.
SPOKEN_OMITS = {
    "TARIFF": ("name", "time_of_use"),
    "WHICH_PROCESS": ("names",),
    "PROCESS": ("steps",),
}
