"""Outage questions about every place of the demo province, by its bare name: the
answer names the place it looked up, a name two places share gets a question,
and a place the table lacks is never answered for another."""
from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.backend import BackendClient, use_backend
from actions.outages import ActionOutageLookup, ValidateOutageForm
from backend.app import create_app
from backend.demo.seed import seed_demo
from backend.models import Area
from tests.actions.conftest import settings_for, texts, tracker

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
async def demo(platform, tmp_path) -> AsyncIterator[list[Area]]:
    await seed_demo(platform.sessions, today=platform.clock().date())
    server = TestServer(create_app(platform))
    await server.start_server()
    client = BackendClient(settings_for(str(server.make_url("")).rstrip("/"), tmp_path))
    use_backend(client)
    async with platform.sessions() as session:
        areas = list((await session.scalars(select(Area).order_by(Area.id))).all())
    yield areas
    await client.close()
    use_backend(None)
    await server.close()


async def place_of(text: str, slots: dict | None = None) -> dict:
    """What the outage form makes of a message: extraction, then validation."""
    turn = tracker(slots, text=text, intent="query_outage")
    turn.active_loop = {"name": "outage_form"}
    form = ValidateOutageForm()
    extracted = await form.extract_outage_place(CollectingDispatcher(), turn, {})
    return await form.validate_outage_place(extracted["outage_place"], CollectingDispatcher(), turn, {})


async def test_every_demo_area_by_its_bare_name(demo):
    shared = Counter(area.name for area in demo)
    for area in demo:
        found = await place_of(f"{area.name}明天停电吗")
        if shared[area.name] > 1:
            assert found["outage_place"] is None and area.county in found["place"]["question"], area.name
            continue
        assert found["outage_place"] == f"{area.county}{area.name}", area.name
        answer = CollectingDispatcher()
        await ActionOutageLookup().run(answer, tracker(found), {})
        assert f"{area.county}{area.name}" in texts(answer), area.name


@pytest.mark.parametrize("words", ["我们社区明天停电吗", "村里什么时候来电", "小区停电了吗"])
async def test_a_bare_suffix_is_asked_about(demo, words):
    found = await place_of(words)
    assert found["outage_place"] is None and "请问是哪个" in found["place"]["question"]


async def test_a_place_the_table_lacks_is_asked_about(demo):
    found = await place_of("幸福里小区明天停电吗")
    assert found["outage_place"] is None and "暂未找到“幸福里小区”" in found["place"]["question"]


async def test_a_place_named_now_beats_the_account_checked_earlier(demo):
    verified = {"account_no": "3301234567890", "verified": True}
    named = await place_of("屏门村明天停电吗", verified)
    assert named["outage_place"] == "淳安县屏门村"
    unnamed = await place_of("明天停电吗", verified)
    assert unnamed["place"] == {"account_no": "3301234567890"}
