"""Places from customers' words (GET /api/places/resolve) and outage lookups by place.

The fixture (tests/backend/places_fixture.py) has what real tables have: one name in
two counties, a town and a community sharing a stem, an alias, and a 长街社区 in
another city that a bare 社区 must never reach.
"""
from __future__ import annotations

import asyncio
import re
from datetime import date, datetime

import pytest

from backend.db import create_engine, migrate, session_factory
from backend.demo import seed_demo
from backend.demo.province import CITIES
from backend.models import Area, Outage, OutageScope
from backend.places import PlaceDirectory, load_index
from backend.sla.calendar import TZ
from tests.backend.places_fixture import seed_places

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def places(platform):
    await seed_places(platform)


async def resolve(client, auth, text: str) -> dict:
    resp = await client.get("/api/places/resolve", params={"text": text}, headers=auth)
    assert resp.status == 200, await resp.text()
    return await resp.json()


def names(result: dict) -> list[str]:
    return [c["full_name"] for c in result["candidates"]]


async def test_found_by_its_name_with_the_whole_place(client, auth, places):
    result = await resolve(client, auth, "梅蓉村那边停电了吗")
    assert result["status"] == "found" and result["mention"] == "梅蓉村"
    assert result["place"] == {
        "level": "area", "name": "梅蓉村", "full_name": "杭州市桐庐县桐君街道梅蓉村", "city": "杭州市",
        "county": "桐庐县", "street": "桐君街道", "area_id": 2, "area_ids": [2], "site_class": "rural",
        "unit": {"id": "33012201", "name": "桐君供电所"},
    }
    assert result["candidates"] == []


async def test_found_by_its_bare_name(client, auth, places):
    result = await resolve(client, auth, "梅蓉停电了")
    assert (result["status"], result["mention"], result["place"]["area_id"]) == ("found", "梅蓉", 2)


async def test_a_stem_shared_by_a_town_and_its_community_names_the_town(client, auth, places):
    result = await resolve(client, auth, "分水今天停电吗")
    assert result["status"] == "found"
    assert result["place"]["level"] == "street" and result["place"]["name"] == "分水镇"
    assert result["place"]["area_ids"] == [3] and result["place"]["site_class"] is None
    # The full name still means the community.
    assert (await resolve(client, auth, "分水社区"))["place"]["area_id"] == 3


async def test_alias_names_a_street_with_every_area_in_it(client, auth, places):
    result = await resolve(client, auth, "千岛湖停电了吗")
    assert result["status"] == "found" and result["mention"] == "千岛湖"
    place = result["place"]
    assert (place["level"], place["name"], place["full_name"]) == ("street", "千岛湖镇", "杭州市淳安县千岛湖镇")
    assert place["area_ids"] == [4, 5] and place["area_id"] is None
    assert place["unit"] == {"id": "33012701", "name": "千岛湖供电所"}


async def test_a_county_covers_its_areas_and_its_unit_is_the_county_company(client, auth, places):
    place = (await resolve(client, auth, "桐庐县"))["place"]
    assert place["level"] == "county" and place["area_ids"] == [1, 2, 3, 7]
    assert place["unit"] == {"id": "330122", "name": "国网桐庐县供电公司"} and place["street"] is None


async def test_a_name_in_two_counties_is_ambiguous(client, auth, places):
    result = await resolve(client, auth, "请问迎春社区那边12月2日停电吗")
    assert result["status"] == "ambiguous" and result["mention"] == "迎春社区" and result["place"] is None
    assert names(result) == ["杭州市桐庐县桐君街道迎春社区", "杭州市淳安县千岛湖镇迎春社区"]


@pytest.mark.parametrize("text", ["桐庐的迎春社区", "迎春社区 桐庐县", "桐君街道迎春社区", "杭州市桐庐县迎春社区5幢",
                                  "桐廬縣迎春社區"])
async def test_other_place_words_narrow_it(client, auth, places, text):
    result = await resolve(client, auth, text)
    assert result["status"] == "found", result
    assert result["place"]["area_id"] == 1


async def test_the_other_county_narrows_to_the_other_one(client, auth, places):
    result = await resolve(client, auth, "千岛湖镇迎春社区")
    assert (result["status"], result["place"]["area_id"]) == ("found", 4)


@pytest.mark.parametrize("text, mention", [
    ("我们社区停电了", "社区"), ("村里没电了", "村"), ("小区停电", "小区"), ("社区", "社区"),
    ("我家在农村", "村"), ("杭州", "杭州"), ("请问我们这个小区明天停电吗", "小区"),
])
async def test_a_bare_suffix_is_too_vague(client, auth, places, text, mention):
    result = await resolve(client, auth, text)
    assert (result["status"], result["mention"], result["place"]) == ("too_vague", mention, None)


@pytest.mark.parametrize("text, mention", [
    ("幸福里小区3号楼2单元", "幸福里小区"), ("红旗村", "红旗村"), ("我家住在杭州市西湖区文三路幸福里小区3幢", "幸福里小区"),
    ("迎春小区", "迎春小区"), ("东湖花园停电了", "东湖花园"),
])
async def test_a_place_the_table_does_not_know_is_unknown_with_its_mention(client, auth, places, text, mention):
    result = await resolve(client, auth, text)
    assert (result["status"], result["mention"], result["place"], result["within"]) == (
        "unknown", mention, None, None)


async def test_an_unknown_place_inside_a_known_street_says_where(client, auth, places):
    result = await resolve(client, auth, "桐庐县城南街道幸福里小区3幢")
    assert (result["status"], result["mention"]) == ("unknown", "幸福里小区")
    assert result["within"]["level"] == "street" and result["within"]["name"] == "城南街道"
    assert result["within"]["unit"]["id"] == "33012201"


@pytest.mark.parametrize("text", ["你好", "城区", "没有了，谢谢", "供电线路短路了", "12345"])
async def test_nothing_place_like_is_none(client, auth, places, text):
    result = await resolve(client, auth, text)
    assert result == {"status": "none", "mention": None, "place": None, "candidates": [], "within": None}


async def test_traditional_characters_and_full_width_digits(client, auth, places):
    result = await resolve(client, auth, "請問梅蓉村１２月２日停電嗎")
    assert (result["status"], result["mention"], result["place"]["area_id"]) == ("found", "梅蓉村", 2)


@pytest.mark.parametrize("params, message", [
    ({}, "text: 此项为必填项"), ({"text": "   "}, "请提供"), ({"text": "停" * 501}, "不超过500个字"),
])
async def test_bad_input_is_a_422_in_chinese(client, auth, places, params, message):
    resp = await client.get("/api/places/resolve", params=params, headers=auth)
    assert resp.status == 422
    assert message in (await resp.json())["error"]["message"]


async def test_needs_the_service_token_or_a_staff_session(client, places):
    resp = await client.get("/api/places/resolve", params={"text": "梅蓉村"})
    assert resp.status == 401


async def test_the_index_follows_the_table(platform, places):
    directory = PlaceDirectory(recheck_seconds=0)
    async with platform.sessions() as session:
        assert (await directory.index(session)).resolve("青溪花园小区").status == "unknown"
        session.add(Area(id=8, name="青溪花园小区", city="杭州市", county="淳安县", street="千岛湖镇",
                         site_class="urban", unit_id="33012701"))
        await session.commit()
        assert (await directory.index(session)).resolve("青溪花园小区").place.area_id == 8


async def test_within_its_recheck_time_the_index_is_not_queried_again(platform, places):
    now = [0.0]
    directory = PlaceDirectory(recheck_seconds=5, monotonic=lambda: now[0])
    async with platform.sessions() as session:
        first = await directory.index(session)
        session.add(Area(id=8, name="青溪花园小区", city="杭州市", county="淳安县", street="千岛湖镇",
                         site_class="urban", unit_id="33012701"))
        await session.commit()
        assert await directory.index(session) is first
        now[0] = 5.0
        assert (await directory.index(session)).resolve("青溪花园小区").status == "found"


# --- outage lookups by place ---------------------------------------------------------

async def _outage(platform, area_id: int, unit: str) -> int:
    start = datetime(2026, 3, 10, 8, 0, tzinfo=TZ)
    async with platform.sessions() as session:
        outage = Outage(type="planned", status="scheduled", start_at=start, expected_end_at=start.replace(hour=17),
                        published_at=datetime(2026, 3, 1, 9, 0, tzinfo=TZ), area_text="检修", city="杭州市",
                        county="", street="", community="", reason="10kV 线路检修", unit_id=unit,
                        scopes=[OutageScope(area_id=area_id)])
        session.add(outage)
        await session.commit()
        return outage.id


async def outage_ids(client, auth, params) -> set[int]:
    params = [("date", "2026-03-10"), *params] if isinstance(params, list) else {"date": "2026-03-10", **params}
    resp = await client.get("/api/outages", params=params, headers=auth)
    assert resp.status == 200, await resp.text()
    return {n["id"] for n in (await resp.json())["items"]}


async def test_outages_by_resolved_area_ids(client, auth, platform, places):
    tonglu, chun_an, changjie = (await _outage(platform, 1, "33012201"), await _outage(platform, 4, "33012701"),
                                 await _outage(platform, 6, "33022603"))
    assert await outage_ids(client, auth, {"area_id": 1}) == {tonglu}
    assert await outage_ids(client, auth, {"area_ids": "4,5"}) == {chun_an}
    assert await outage_ids(client, auth, [("area_ids", "1"), ("area_ids", "6")]) == {
        tonglu, changjie}
    assert await outage_ids(client, auth, {"area_ids": "2"}) == set()


async def test_outages_by_words_use_the_same_resolver(client, auth, platform, places):
    tonglu = await _outage(platform, 1, "33012201")
    chun_an = await _outage(platform, 4, "33012701")
    await _outage(platform, 6, "33022603")  # 长街社区: never reached by a bare 社区
    assert await outage_ids(client, auth, {"area": "社区"}) == set()
    assert await outage_ids(client, auth, {"area": "桐庐迎春社区"}) == {tonglu}
    # Ambiguous words answer for every candidate, and say so.
    resp = await client.get("/api/outages", params={"area": "迎春社区", "date": "2026-03-10"}, headers=auth)
    body = await resp.json()
    assert {n["id"] for n in body["items"]} == {tonglu, chun_an}
    assert body["query"]["place"]["status"] == "ambiguous"


@pytest.mark.parametrize("params", [{"area_ids": "1,x"}, {"area_ids": ","}, {"area_id": "0"}, {"area_id": "abc"}])
async def test_bad_area_ids_are_422(client, auth, places, params):
    resp = await client.get("/api/outages", params=params, headers=auth)
    assert resp.status == 422, await resp.text()
    assert re.search("[\u4e00-\u9fff]", (await resp.json())["error"]["message"])


# --- the demo province ------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_index(tmp_path_factory):
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('places')}/demo.db"

    async def build():
        engine = create_engine(url)
        try:
            await migrate(engine)
            await seed_demo(session_factory(engine), today=date(2026, 11, 26))
            async with session_factory(engine)() as session:
                return await load_index(session)
        finally:
            await engine.dispose()

    return asyncio.run(build())


def _demo_areas():
    return [(county.name, street, name) for city in CITIES for county in city.counties
            for station in county.stations for street, name, _, _ in station.areas]


def test_every_demo_area_resolves_by_its_name(demo_index):
    for county, _street, name in _demo_areas():
        result = demo_index.resolve(f"{name}停电了吗")
        assert result.status == "found" and result.place.name == name and result.place.county == county, name


def test_every_demo_area_resolves_by_its_bare_name_unless_its_town_shares_it(demo_index):
    for _county, street, name in _demo_areas():
        bare = re.sub("(社区|小区|村)$", "", name)
        result = demo_index.resolve(f"请问{bare}那边停电吗")
        assert result.status == "found", (bare, result)
        if result.place.level == "street":  # 屏门 is 屏门乡, which holds 屏门村
            assert result.place.name == street and result.place.name.startswith(bare), (bare, result)
        else:
            assert result.place.name == name, (bare, result)


# Ways of naming a place without its suffix; each gives a bare name place context.
PLACE_CONTEXTS = ("{}", "{}。", "是{}的", "请问{}那边停电吗", "{}明天停电吗", "{}什么时候来电", "我家在{}",
                  "住在{}", "{}附近", "{}12号", "回到{}了")
# Everyday sentences around the same words.
EVERYDAY = ("{}一下", "我们一起{}吧", "现在{}了", "说到{}的事")


def test_every_demo_area_by_its_full_name_counts_without_context(demo_index):
    for _county, _street, name in _demo_areas():
        for frame in (*EVERYDAY, "{}"):
            result = demo_index.resolve(frame.format(name))
            assert result.status == "found" and result.place.name == name, (frame, name, result)


def test_every_demo_bare_name_resolves_alike_in_every_place_context(demo_index):
    for _county, _street, name in _demo_areas():
        bare = re.sub("(社区|小区|村)$", "", name)
        expected = demo_index.resolve(f"请问{bare}那边停电吗").place
        for frame in PLACE_CONTEXTS:
            assert demo_index.resolve(frame.format(bare)).place == expected, (frame, bare)


def test_a_bare_two_character_name_in_an_everyday_sentence_is_no_place(demo_index):
    for _county, _street, name in _demo_areas():
        bare = re.sub("(社区|小区|村)$", "", name)
        for frame in EVERYDAY:
            result = demo_index.resolve(frame.format(bare))
            if len(bare) == 2:  # 复兴, 城中, 联盟, 迎春, 白鹤 … are words too
                # (长街 and 北街 end like a road: "一起长街" may still look like an unknown one)
                assert result.place is None and not result.candidates, (frame, bare, result)
            else:  # 王村口, 许家山, 金东方: names only
                assert result.status == "found", (frame, bare, result)


@pytest.mark.parametrize("text", [
    "复兴一下", "中华民族伟大复兴", "我们加入了一个联盟", "城中的老房子越来越少", "迎春花开了", "白鹤飞走了",
    "分水岭", "杭州今天天气怎么样", "复兴号几点到", "现在复兴一下，停电了吗", "我们得到了复兴",
])
def test_everyday_words_that_are_also_stems_are_no_place(demo_index, text):
    assert demo_index.resolve(text).status == "none", text


@pytest.mark.parametrize("text, full_name", [
    ("复兴", "丽水市景宁畲族自治县红星街道复兴社区"),
    ("联盟", "杭州市桐庐县百江镇联盟村"),
    ("复兴社区一下", "丽水市景宁畲族自治县红星街道复兴社区"),
    ("复兴那边停电了吗", "丽水市景宁畲族自治县红星街道复兴社区"),
    ("我住在城中", "丽水市景宁畲族自治县鹤溪街道城中社区"),
    ("城中今天会停电吗", "丽水市景宁畲族自治县鹤溪街道城中社区"),
    ("景宁复兴", "丽水市景宁畲族自治县红星街道复兴社区"),  # two place words side by side
    ("景宁县的复兴怎么报修", "丽水市景宁畲族自治县红星街道复兴社区"),
    ("联盟3组停电了", "杭州市桐庐县百江镇联盟村"),
    ("好的，联盟", "杭州市桐庐县百江镇联盟村"),  # the answer, after punctuation
    ("幸福里小区3号楼 联盟", "杭州市桐庐县百江镇联盟村"),  # an address and a place field joined
])
def test_the_same_words_with_place_context_are_the_place(demo_index, text, full_name):
    result = demo_index.resolve(text)
    assert result.status == "found" and result.place.full_name == full_name, (text, result)


def test_demo_aliases_and_names_shared_by_places(demo_index):
    assert demo_index.resolve("千岛湖").place.name == "千岛湖镇"
    assert demo_index.resolve("排岭那边").place.name == "千岛湖镇"
    shared = demo_index.resolve("丹城停电了吗")
    assert shared.status == "ambiguous" and [c.name for c in shared.candidates] == ["丹东街道", "丹西街道"]
    assert demo_index.resolve("景宁县").place.name == "景宁畲族自治县"
    assert demo_index.resolve("社区").status == "too_vague"


def test_a_bare_county_before_an_unknown_place_still_says_where(demo_index):
    for text in ("桐庐幸福里小区3幢", "幸福里小区3号楼 桐庐"):  # an address; an address and a place field
        result = demo_index.resolve(text)
        assert (result.status, result.mention, result.within.name) == ("unknown", "幸福里小区", "桐庐县"), text
