"""Danger is heard in any sentence, in any script, and only when it is reported."""
from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.hazard_detector import HazardDetector
from bot.nlu.hazards import KINDS, Hazard, detect_hazards, hazard_kinds, lexicon
from tests.bot.helpers import create, message

# (text, kinds reported). Grouped by where a customer says it.
REPORTS = [
    # Inside an outage question.
    ("停电了，表箱那边还在冒烟，几点能恢复", {"smoke"}),
    ("我们小区停电了，配电房那边有烧焦味，什么时候来电", {"smoke"}),
    ("请问明天停电吗？我家插座今天一直在冒火花", {"sparks"}),
    ("整条街都没电了，路口的变压器砰的一声炸了", {"explosion"}),
    ("停电好几个小时了，电线杆被车撞倒了", {"pole_down"}),
    ("我家没电了，门口电线掉地上了", {"fallen_wire"}),
    ("没电了，还冒烟", {"smoke"}),
    ("没电了还冒烟", {"smoke"}),
    ("查一下停电计划，我们这电杆歪了快倒了", {"pole_down"}),
    ("停电了，地下室配电房进水了", {"flooding"}),
    ("几点来电啊，楼道里的电表箱都泡水了", {"flooding"}),
    ("刚刚嘭的一声全没电了", {"explosion"}),
    # Inside a reconnection request: people in a lift.
    ("小区停电了，电梯里还关着人", {"trapped_lift"}),
    ("欠费停电了，我邻居被困在电梯里了，赶紧给来电", {"trapped_lift"}),
    ("电梯停了里面有人，快点恢复供电", {"trapped_lift"}),
    ("交了电费还没来电，电梯里困着两个老人", {"trapped_lift"}),
    ("停电电梯卡住了，有人困在里面", {"trapped_lift"}),
    ("我们楼停电了有个小孩困电梯了", {"trapped_lift"}),
    # Inside a complaint.
    ("我要投诉，电线掉在路上三天了都没人管", {"fallen_wire"}),
    ("你们的抢修太慢了，电线被风刮断了掉下来一直没人来", {"fallen_wire"}),
    ("门口的电线被风刮断了掉在地上", {"fallen_wire"}),
    ("投诉施工队，把我们小区的电缆挖断了", {"broken_wire"}),
    ("说了好几次电线杆倒了压着线，到现在还没人处理", {"pole_down", "fallen_wire"}),
    ("工作人员态度太差了，我家漏电麻手他也不管", {"shock"}),
    # Inside a bill question or another business.
    ("这个月电费怎么这么高，电表还冒火星", {"sparks"}),
    ("电费交过了，可是电表箱一直噼里啪啦响", {"sparks"}),
    ("我想办过户，另外楼下的线被车撞断了", {"broken_wire"}),
    ("帮我查下账单，顺便说一下插座着火了", {"fire"}),
    ("你好，我家热水器外壳带电，摸着麻手", {"shock"}),
    ("充电桩那边起火了", {"fire"}),
    # Plain reports of every kind.
    ("插座打火了", {"sparks"}),
    ("开关冒电火花", {"sparks"}),
    ("外面电线在冒火星子", {"sparks"}),
    ("墙里面的线烧起来了", {"fire"}),
    ("电表箱里有火苗", {"fire"}),
    ("配电柜着火了", {"fire"}),
    ("电线着火了", {"fire"}),
    ("楼下变压器冒火", {"fire"}),
    ("屋里一股焦糊味", {"smoke"}),
    ("电线冒青烟", {"smoke"}),
    ("插座那里滋滋响还冒烟", {"smoke"}),
    ("插排烧糊了", {"smoke"}),
    ("没有明火，但是有烟", {"smoke"}),
    ("屋里全是烟", {"smoke"}),
    ("门口的电线垂下来了快碰到头了", {"fallen_wire"}),
    ("高压线断落在田里", {"fallen_wire"}),
    ("电线耷拉到地上了", {"fallen_wire"}),
    ("地上有根电线", {"fallen_wire"}),
    ("电线断了", {"broken_wire"}),
    ("线被挖断了", {"broken_wire"}),
    ("电缆被挖掘机挖断了", {"broken_wire"}),
    ("电线被老鼠咬断了", {"broken_wire"}),
    ("外面断线了", {"broken_wire"}),
    ("我刚才触电了", {"shock"}),
    ("我儿子被电到了", {"shock"}),
    ("被电打了一下", {"shock"}),
    ("洗衣机漏电", {"shock"}),
    ("摸开关手发麻", {"shock"}),
    ("孩子碰到电线被电晕了", {"shock"}),
    ("变压器被淹了", {"flooding"}),
    ("雨水灌进配电房了", {"flooding"}),
    ("水淹到插座了", {"flooding"}),
    ("电缆沟里全是水", {"flooding"}),
    ("变压器爆炸了", {"explosion"}),
    ("插座炸了", {"explosion"}),
    ("电视机爆了", {"explosion"}),
    ("电线杆倒了", {"pole_down"}),
    ("电杆被大风吹得快倒了", {"pole_down"}),
    ("我们村的电线杆被大水冲倒了", {"pole_down"}),
    # Answers to the repair form's question, and mixed reports.
    ("有，在冒火花", {"sparks"}),
    ("冒烟了怎么办", {"smoke"}),
    ("没有冒烟，但是有火花", {"sparks"}),
    ("冒烟倒是没有，就是有焦糊味", {"smoke"}),
    ("漏电保护器一直跳，摸着手麻", {"shock"}),
    ("插座进水了还在打火", {"flooding", "sparks"}),
    # Traditional script.
    ("電線掉在地上了", {"fallen_wire"}),
    ("電錶箱冒煙", {"smoke"}),
    ("插座著火了", {"fire"}),
    ("電梯裡關著人", {"trapped_lift"}),
    ("我剛才被電到了", {"shock"}),
    ("電線桿倒了", {"pole_down"}),
    ("配電房進水了", {"flooding"}),
    ("變壓器爆炸了", {"explosion"}),
    ("電線被風颳斷了", {"fallen_wire"}),
    ("插座一直冒火花，還有燒焦味", {"sparks", "smoke"}),
    # Typos and homophones.
    ("表箱冒姻了", {"smoke"}),
    ("插座冒火化", {"sparks"}),
    ("电现掉地上了", {"fallen_wire"}),
    ("有股焦胡味", {"smoke"}),
    ("电竿倒了", {"pole_down"}),
    ("有人捆在电梯里", {"trapped_lift"}),
    ("电体里关着人", {"trapped_lift"}),
    # IVR transcripts: no punctuation, stray spaces.
    ("我家停电了表箱在冒烟什么时候能来电", {"smoke"}),
    ("喂 你好 我们 这 电线 掉 地上 了", {"fallen_wire"}),
    ("家里没电线掉地上了", {"fallen_wire"}),
    ("小区停电电梯里有人出不来", {"trapped_lift"}),
    ("那个电线杆歪了电线都快拖地了", {"pole_down", "fallen_wire"}),
    ("停电了电梯不动了里面有人", {"trapped_lift"}),
    ("插座 冒 烟 了", {"smoke"}),
]

NOT_REPORTS = [
    # Negated, questioned or hypothetical.
    "没有冒烟", "没看到火花", "不冒烟", "没起火", "也没有电线掉下来", "没有冒烟也没有火花",
    "没闻到什么烧焦的味道", "电线没断，就是没电", "电线杆没倒", "电梯里没人", "没有人困在电梯里",
    "冒烟倒是没有", "起火了没？", "有没有漏电啊", "不会着火吧", "插座没有打火也没冒烟",
    "电线好像没有掉下来", "配电房没进水", "不是漏电", "是不是短路了", "万一着火怎么办",
    "如果电线掉下来了应该打什么电话",
    # "有" and "danger" alone: the repair form asks and reads yes/no itself.
    "有", "没有", "没有危险", "没有危险，就是没电了", "有危险吗",
    # Devices, prevention and words that contain a hazard word.
    "火花塞多少钱", "触电保护器怎么装", "漏电保护器老是跳闸", "漏电开关跳了", "怎么预防触电",
    "过年能放烟花吗", "营业厅可以抽烟吗", "吸烟区在哪里", "有烟吗", "烟囱冒烟", "打火警电话有用吗",
    "汽车打不着火", "燃气灶打不着火", "火化场那边停电吗", "电费太高气炸了", "触点接触不良",
    # Lifts that are only stopped.
    "电梯什么时候修好", "小区电梯停了，什么时候来电", "电梯停运了物业说要检修", "电梯有人修吗", "电梯卡丢了",
    # 电 that is not a verb; 麻烦 is not 手麻.
    "什么时候来电", "停电现在还没来", "停电了一下又来了", "来电到我家要多久", "电到了吗", "停电人都热死了",
    "供电人员什么时候到", "用电手续怎么办", "麻烦您帮我查一下电费", "顺手麻烦问下", "主要是电费的问题",
    # Other lines and pipes, 线 that is not a power line.
    "热线打不通", "电话掉线了", "电话断线了", "网线断了", "充电线坏了", "水管被挖断了", "树被风刮断了",
    "线上缴费怎么弄", "线下营业厅几点开门", "高压线下面能钓鱼吗",
    # Faults that are not dangers.
    "保险丝烧了", "线路中断", "电压不稳灯一闪一闪的", "我家跳闸了", "电表走得快", "电线老化了想换一下",
    "请问电线杆挡路能不能挪一下", "我要办新装",
]


@pytest.mark.parametrize(("text", "kinds"), REPORTS)
def test_reported_hazards(text: str, kinds: set[str]) -> None:
    assert set(hazard_kinds(text)) == kinds


@pytest.mark.parametrize("text", NOT_REPORTS)
def test_not_a_report(text: str) -> None:
    assert detect_hazards(text) == []


def test_tables_are_large_enough_and_cover_every_kind() -> None:
    assert len(REPORTS) >= 80 and len(NOT_REPORTS) >= 25
    assert {kind for _, kinds in REPORTS for kind in kinds} == set(KINDS)
    assert set(lexicon().patterns) == set(KINDS)


@pytest.mark.parametrize(("text", "expected"), [
    # Spans index the text as given: Traditional, full-width and spaced text alike.
    ("電錶箱冒煙", [Hazard("smoke", 3, 5, "冒煙")]),
    ("插座 冒 烟 了", [Hazard("smoke", 3, 6, "冒 烟")]),
    ("电线杆倒了压着线", [Hazard("pole_down", 0, 4, "电线杆倒"), Hazard("fallen_wire", 5, 8, "压着线")]),
    ("没电了，还冒烟，插座也打火", [Hazard("smoke", 5, 7, "冒烟"), Hazard("sparks", 11, 13, "打火")]),
    # A wire blown down is fallen, not also broken.
    ("电线被风刮断了", [Hazard("fallen_wire", 0, 6, "电线被风刮断")]),
    ("", []),
])
def test_spans(text: str, expected: list[Hazard]) -> None:
    assert detect_hazards(text) == expected


def test_raw_and_normalised_text_agree() -> None:
    from bot.nlu.text_normalisation import normalise

    raw = "停電了，表箱那邊還在冒煙，電梯裡關著人"
    assert hazard_kinds(raw) == hazard_kinds(normalise(raw).text) == ["smoke", "trapped_lift"]


def hazard_entities(entities: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    return [(e["entity"], e["value"], e["start"], e["end"]) for e in entities]


def test_component_adds_hazards_and_keeps_other_entities(tmp_path: Any) -> None:
    detector = create(HazardDetector, tmp_path)
    date = {"entity": "date", "start": 0, "end": 2, "value": "2026-11-27", "extractor": "DateResolver"}
    guess = {"entity": "hazard", "start": 0, "end": 2, "value": "明天", "extractor": "DIETClassifier"}
    text = "明天停电吗？表箱在冒烟，电梯里还关着人"
    outage = message(text, entities=[date, guess])
    greeting = message("你好")
    button = message('/inform{"fault_description":"冒烟"}')
    detector.process([outage, greeting, button])

    entities = outage.get("entities")
    assert entities[0] == date
    smoke, lift = text.index("冒烟"), text.index("电梯")
    assert hazard_entities(entities[1:]) == [("hazard", "smoke", smoke, smoke + 2),
                                             ("hazard", "trapped_lift", lift, len(text))]
    assert all(e["extractor"] == "HazardDetector" and e["confidence_entity"] == 1.0 for e in entities[1:])
    assert "entities" in outage.output_properties  # reaches the parse result
    assert greeting.get("entities") == []
    assert button.get("entities", []) == []

    detector.process([outage])  # idempotent: a second run does not duplicate
    assert len(outage.get("entities")) == 3
