"""The REST and IVR input channels answer the turn's tracker summary with its replies when the
router asks (`?state=true`), taken from the tracker Rasa saves at the end of the turn."""
from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_patches
from bot.channels import turn_state
from bot.channels.ivr import IvrInput
from bot.channels.rest import RouterRestInput

SAVED: list[DialogueStateTracker] = []


def tracker_after_a_turn(sender: str) -> DialogueStateTracker:
    events = [UserUttered("屏门村明天停电吗", {"name": "ask_outage", "confidence": 0.88}),
              ActiveLoop("outage_form"), SlotSet("place", "屏门村")]
    return DialogueStateTracker.from_events(sender, events, slots=[TextSlot("place", mappings=[])])


def processor() -> Any:
    async def save(tracker: DialogueStateTracker) -> None:
        SAVED.append(tracker)

    return SimpleNamespace(tracker_store=SimpleNamespace(save=save))


async def a_turn_of_rasa(message: UserMessage) -> None:
    """What Rasa does with a message, in short: replies through the output channel, then saves."""
    await message.output_channel.send_text_message(message.sender_id, "屏门村明天没有停电计划。")
    await MessageProcessor.save_tracker(processor(), tracker_after_a_turn(message.sender_id))


async def post(channel: RouterRestInput, args: dict[str, str], turn: Any = a_turn_of_rasa, **body: Any) -> Any:
    blueprint = channel.blueprint(turn)
    receive = next(route.handler for route in blueprint._future_routes if route.uri == "/webhook")
    request = SimpleNamespace(json={"sender": "c-1", "message": "屏门村明天停电吗", "metadata": {"channel": "web"},
                                    **body}, args=args, headers={})
    return json.loads((await receive(request)).body)


@pytest.fixture(autouse=True)
def patched() -> None:
    rasa_patches.apply()
    SAVED.clear()


@pytest.mark.parametrize("channel", [RouterRestInput(), IvrInput()], ids=["rest", "ivr"])
async def test_asked_for_state_the_channel_answers_the_saved_trackers_summary(channel):
    answer = await post(channel, {"state": "true"})
    assert [m["text"] for m in answer["messages"]] == ["屏门村明天没有停电计划。"]
    assert answer["tracker"]["latest_message"]["intent"] == {"name": "ask_outage", "confidence": 0.88}
    assert answer["tracker"]["active_loop"] == {"name": "outage_form"}
    assert answer["tracker"]["slots"]["place"] == "屏门村"
    assert len(SAVED) == 1  # Rasa's own save still ran


async def test_not_asked_the_channel_answers_as_rasas_rest_channel_does():
    answer = await post(RouterRestInput(), {})
    assert isinstance(answer, list) and [m["text"] for m in answer] == ["屏门村明天没有停电计划。"]


async def test_a_tracker_saved_outside_any_channels_turn_is_only_saved():
    await MessageProcessor.save_tracker(processor(), tracker_after_a_turn("c-2"))
    assert len(SAVED) == 1
    with turn_state.collecting() as holder:
        pass
    assert holder == {}


def test_the_channels_keep_rasas_names_so_the_actions_tell_a_caller_from_a_chat():
    assert (RouterRestInput.name(), IvrInput.name(), IvrInput().output_channel().name()) == ("rest", "ivr", "ivr")


@pytest.mark.parametrize(("sent", "kept"), [("page-m-0001", True), ("seq-3", True), ("msg:24234523452", True),
                                            ("", False), ("x" * 65, False), ("两 个", False), (17, False)])
async def test_the_routers_message_id_becomes_the_messages_id_when_it_is_a_usable_one(sent, kept):
    seen: list[UserMessage] = []

    async def turn(message: UserMessage) -> None:
        seen.append(message)

    await post(RouterRestInput(), {}, turn, message_id=sent)
    assert (seen[0].message_id == sent) is kept
    assert len(seen[0].message_id) >= 1  # none usable: Rasa's own made-up id, as for any channel


async def test_the_turn_runs_under_the_routers_request_id_so_its_log_lines_and_action_calls_carry_it():
    from backend.observability import request_ids

    seen: list[tuple[str | None, str | None]] = []

    async def turn(message: UserMessage) -> None:
        seen.append((request_ids.current(), request_ids.conversation_id.get()))

    async def in_a_fresh_context(metadata: dict) -> None:  # as Sanic runs each request
        await post(RouterRestInput(), {}, turn, metadata=metadata)

    await asyncio.create_task(in_a_fresh_context({"channel": "web", "request_id": "msg-3f2a"}))
    await asyncio.create_task(in_a_fresh_context({"channel": "web", "request_id": "not one\nid"}))
    assert seen[0] == ("msg-3f2a", "c-1")
    assert seen[1][0] != "not one\nid" and request_ids.accepted(seen[1][0])  # a new one instead
