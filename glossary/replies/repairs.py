"""Repairs: fault-report questions asked again, and the repair ticket's confirmation."""
from __future__ import annotations

from glossary.wording import Sentence

# --- Answers not taken ----------------------------------------------------------------------
FAULT_AGAIN: Sentence = (
    "请您简单说一下故障情况，例如全部没电还是部分没电。",
    "请您简单说一下故障情况，例如全部没电还是部分没电。")
HAZARD_YES_NO: Sentence = ("请您回答现场“有”还是“没有”危险情况。", "请您回答现场有还是没有危险情况。")
SITE_CLASS_AGAIN: Sentence = ("抱歉，没有听清。请您回答城区、农村，还是山区、海岛等边远地区。",
                              "抱歉没有听清，请说城区、农村还是山区。")
ADDRESS_TOO_VAGUE: Sentence = (
    "抱歉，这个地址还不够具体。请您说一下小区或村的名称，以及楼栋门牌，例如“迎春社区3幢2单元”。",
    "请您说一下小区或村的名称，以及楼栋门牌。")
# {question}: what glossary/replies/places.py asks about the place named.
ADDRESS_AGAIN: Sentence = ("{question}请连同区县和楼栋门牌再说一次地址。", "{question}请连同区县再说一次地址。")
PHONE_AGAIN: Sentence = ("抱歉，没有识别到电话号码。请您提供11位手机号码，或带区号的固定电话。",
                         "抱歉没有听清号码，请您再说一次手机号码。")

# --- Filed ----------------------------------------------------------------------------------
# {urgent}: URGENT when there is danger; {site}: the site class's name (城区 …); {arrival}, {restore}:
# deadlines; {manual}: MANUAL_DISPATCH when the area table does not know the address.
REPAIR_FILED: Sentence = (
    "{urgent}已为您受理故障报修，工单号{ticket}。按{site}抢修承诺，抢修人员将在{arrival}前到达现场，"
    "到达后尽快恢复供电（预计{restore}前）。{manual}请保持电话畅通。",
    "{urgent}已为您受理报修，工单号{ticket}。抢修人员将在{arrival}前到达，请保持电话畅通。")
URGENT: Sentence = ("您的报修已按紧急处理。", "您的报修已按紧急处理。")
MANUAL_DISPATCH: Sentence = (
    "您的地址将由工作人员人工核实后派单，抢修时限不变。",
    "您的地址将由工作人员人工核实后派单，抢修时限不变。")

# Placeholders the spoken form leaves out: the caller hears the arrival time, the one they wait for.
SPOKEN_OMITS = {
    "REPAIR_FILED": ("site", "restore", "manual"),
}
