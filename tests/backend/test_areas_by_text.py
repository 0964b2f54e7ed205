"""GET /api/areas?text=: the areas of the place a customer's words name, found by the
same resolver as /api/places/resolve (backend/places.py), in the shape of /api/areas."""
from __future__ import annotations

import pytest

from backend.models import Area
from tests.backend.places_fixture import seed_places

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def places(platform):
    await seed_places(platform)


async def areas(client, auth, text: str) -> dict:
    resp = await client.get("/api/areas", params={"text": text}, headers=auth)
    assert resp.status == 200, await resp.text()
    return await resp.json()


def ids(body: dict) -> list[int]:
    return [a["id"] for a in body["items"]]


async def add_areas(platform, *rows: tuple[int, str, str]) -> None:
    """(id, name, street) in 桐庐县; explicit ids, as PostgreSQL's sequence did not see the fixture's."""
    async with platform.sessions() as session:
        session.add_all(Area(id=i, name=name, city="杭州市", county="桐庐县", street=street, site_class="rural",
                             unit_id="33012201") for i, name, street in rows)
        await session.commit()
    platform.places.invalidate()


async def test_an_area_named_in_a_sentence_in_the_usual_shape(client, auth, places):
    body = await areas(client, auth, "梅蓉村那边停电了吗")
    assert body["items"] == [{
        "id": 2, "name": "梅蓉村", "full_name": "杭州市桐庐县桐君街道梅蓉村", "city": "杭州市", "county": "桐庐县",
        "street": "桐君街道", "site_class": "rural", "site_class_name": "农村",
        "unit": {"id": "33012201", "name": "桐君供电所"},
    }]
    assert body["truncated"] is False
    assert (body["place"]["status"], body["place"]["mention"]) == ("found", "梅蓉村")


@pytest.mark.parametrize("text", ["我们社区停电了", "社区", "小区停电", "村里没电了"])
async def test_a_bare_suffix_finds_nothing_not_another_countys_area(client, auth, places, text):
    body = await areas(client, auth, text)
    assert body["items"] == [] and body["truncated"] is False  # never 宁海县's 长街社区
    assert body["place"]["status"] == "too_vague"


async def test_an_alias_gives_every_area_of_its_street(client, auth, places):
    body = await areas(client, auth, "千岛湖停电了吗")
    assert ids(body) == [4, 5] and {a["street"] for a in body["items"]} == {"千岛湖镇"}
    assert body["place"]["place"]["name"] == "千岛湖镇"


@pytest.mark.parametrize("text", ["桐廬縣迎春社區", "請問梅蓉村１２月２日停電嗎"])
async def test_traditional_script_and_full_width_input(client, auth, places, text):
    body = await areas(client, auth, text)
    assert [a["county"] for a in body["items"]] == ["桐庐县"] and body["place"]["status"] == "found"


async def test_a_bare_name_and_a_county(client, auth, places):
    assert ids(await areas(client, auth, "梅蓉停电了")) == [2]
    assert ids(await areas(client, auth, "桐庐县")) == [1, 2, 3, 7]


async def test_a_name_two_counties_share_gives_both_candidates(client, auth, places):
    body = await areas(client, auth, "迎春社区明天停电吗")
    assert ids(body) == [1, 4] and [a["county"] for a in body["items"]] == ["桐庐县", "淳安县"]
    assert body["place"]["status"] == "ambiguous"
    # Another place word narrows it, as it does for /api/places/resolve.
    assert ids(await areas(client, auth, "淳安的迎春社区")) == [4]


@pytest.mark.parametrize("text, status", [
    ("桐庐县城南街道幸福里小区3幢", "unknown"),  # in a known street, but not one of its areas
    ("红旗村", "unknown"), ("火星基地", "none"), ("你好", "none"),
])
async def test_unknown_or_no_place_finds_nothing(client, auth, places, text, status):
    body = await areas(client, auth, text)
    assert body["items"] == [] and body["place"]["status"] == status


async def test_an_everyday_word_is_not_a_place_but_the_same_word_with_place_context_is(client, auth, platform,
                                                                                       places):
    await add_areas(platform, (20, "复兴社区", "城南街道"), (21, "联盟村", "分水镇"))
    assert (await areas(client, auth, "复兴一下"))["items"] == []
    assert (await areas(client, auth, "我们加入了一个联盟"))["items"] == []
    assert ids(await areas(client, auth, "复兴那边停电了吗")) == [20]
    assert ids(await areas(client, auth, "联盟")) == [21]  # the answer to "哪个村？"
    assert ids(await areas(client, auth, "复兴社区一下")) == [20]  # a full name always counts


async def test_a_street_of_many_areas_is_bounded(client, auth, platform, places):
    await add_areas(platform, *((100 + i, f"测试{i}村", "分水镇") for i in range(60)))
    body = await areas(client, auth, "分水镇停电了吗")
    assert len(body["items"]) == 50 and body["truncated"] is True
    assert body["items"][0]["id"] == 3 and body["place"]["place"]["level"] == "street"


async def test_name_is_still_the_staffs_contains_search(client, auth, places):
    body = await (await client.get("/api/areas", params={"name": "迎春"}, headers=auth)).json()
    assert ids(body) == [1, 4] and "place" not in body
    # The resolver would call a bare 社区 too vague; the staff's search lists every 社区.
    body = await (await client.get("/api/areas", params={"name": "社区"}, headers=auth)).json()
    assert len(body["items"]) == 5
