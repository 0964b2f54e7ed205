"""The unit tree and the area search the console and the bot pick areas from."""
from __future__ import annotations

import pytest

from backend.models import Area
from tests.backend.units_fixture import seed_units

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def test_unit_tree_is_nested(client, auth, units):
    resp = await client.get("/api/units", headers=auth)
    assert resp.status == 200
    [province] = (await resp.json())["items"]
    assert (province["id"], province["level"]) == ("33", "province")
    [city] = province["children"]
    [county] = city["children"]
    assert county["name"] == "国网淳安县供电公司"
    stations = {s["id"]: s for s in county["children"]}
    assert set(stations) == {"33012701", "33012702"}
    assert stations["33012701"] == {"id": "33012701", "name": "千岛湖供电所", "level": "station",
                                    "children": []}


async def test_empty_tree(client, auth):
    resp = await client.get("/api/units", headers=auth)
    assert (await resp.json()) == {"items": []}


async def test_areas_by_name_with_unit_and_site_class(client, auth, units):
    resp = await client.get("/api/areas", params={"name": "村"}, headers=auth)
    body = await resp.json()
    assert [a["name"] for a in body["items"]] == ["下姜村", "白马村"]
    remote = body["items"][1]
    assert remote == {"id": 3, "name": "白马村", "full_name": "杭州市淳安县屏门乡白马村",
                      "city": "杭州市", "county": "淳安县", "street": "屏门乡",
                      "site_class": "remote", "site_class_name": "特殊边远地区",
                      "unit": {"id": "33012702", "name": "汾口供电所"}}
    assert body["truncated"] is False


@pytest.mark.parametrize("name, expected", [
    ("坪山", ["坪山社区"]), (None, ["下姜村", "白马村", "坪山社区"]), ("", ["下姜村", "白马村", "坪山社区"]),
    ("%", []), ("_", []), ("火星", []),
])
async def test_area_name_matching(client, auth, units, name, expected):
    params = {} if name is None else {"name": name}
    body = await (await client.get("/api/areas", params=params, headers=auth)).json()
    assert sorted(a["name"] for a in body["items"]) == sorted(expected)


async def test_at_most_fifty_areas(client, auth, platform, units):
    async with platform.sessions() as session:
        # Explicit ids: PostgreSQL's sequence did not see the fixture's hand-set ids.
        session.add_all(Area(id=100 + i, name=f"测试{i}村", city="杭州市", county="淳安县",
                             street="千岛湖镇", site_class="rural", unit_id="33012702")
                        for i in range(60))
        await session.commit()
    body = await (await client.get("/api/areas", params={"name": "村"}, headers=auth)).json()
    assert len(body["items"]) == 50 and body["truncated"] is True
    # Shortest (closest) names come first.
    assert [a["name"] for a in body["items"][:2]] == ["下姜村", "白马村"]


async def test_bad_input_and_auth(client, auth, units):
    assert (await client.get("/api/areas", params={"name": "村" * 51}, headers=auth)).status == 422
    assert (await client.get("/api/areas")).status == 401
    assert (await client.get("/api/units")).status == 401


async def test_areas_named_in_an_address(client, auth, platform):
    from tests.backend.units_fixture import seed_units

    await seed_units(platform)
    body = await (await client.get("/api/areas", params={"text": "淳安县枫树岭镇下姜村38号，家里没电"},
                                   headers=auth)).json()
    assert [(a["name"], a["site_class"]) for a in body["items"]] == [("下姜村", "rural")]
    nothing = await (await client.get("/api/areas", params={"text": "火星基地"}, headers=auth)).json()
    assert nothing["items"] == []
