"""The turn ledger: a message received twice (WeChat's resend, the web page's resend
after a reconnect) is acted on once, and every repeat gets the first answer."""
from __future__ import annotations

import asyncio

import pytest

from backend.router.turns import TurnInProgress, TurnLedger


async def test_a_repeat_of_an_answered_turn_gets_the_stored_answer(platform) -> None:
    ledger = TurnLedger(platform, "wechat")
    assert await ledger.claim("openid-1", "msg-100") is None
    await ledger.store("openid-1", "msg-100", {"text": "您好，已为您查询。"})
    assert await ledger.claim("openid-1", "msg-100") == {"text": "您好，已为您查询。"}


async def test_turns_are_per_channel_and_sender(platform) -> None:
    web, wechat = TurnLedger(platform, "web"), TurnLedger(platform, "wechat")
    assert await wechat.claim("openid-1", "42") is None
    assert await wechat.claim("openid-2", "42") is None  # another customer's message 42
    assert await web.claim("openid-1", "42") is None  # the same key on another channel


async def test_a_repeat_while_the_first_is_acting_is_refused_or_waits(platform) -> None:
    ledger = TurnLedger(platform, "wechat")
    assert await ledger.claim("openid-1", "msg-7") is None
    with pytest.raises(TurnInProgress):
        await ledger.claim("openid-1", "msg-7")  # WeChat's resend: answer "success", act on nothing

    async def answer_soon() -> None:
        await asyncio.sleep(0.2)
        await ledger.store("openid-1", "msg-7", {"text": "好的"})

    waiting = asyncio.create_task(ledger.claim("openid-1", "msg-7", wait_seconds=5))
    await answer_soon()
    assert await waiting == {"text": "好的"}


async def test_concurrent_requests_for_one_turn_act_once(platform) -> None:
    ledger = TurnLedger(platform, "web")
    results = await asyncio.gather(*(ledger.claim("token-hash", "client-1") for _ in range(5)),
                                   return_exceptions=True)
    acting = [r for r in results if r is None]
    assert len(acting) == 1
    assert all(isinstance(r, TurnInProgress) for r in results if r is not None)


async def test_a_failed_turn_is_released_and_acted_on_again(platform) -> None:
    ledger = TurnLedger(platform, "web")
    assert await ledger.claim("token-hash", "client-2") is None
    await ledger.release("token-hash", "client-2")
    assert await ledger.claim("token-hash", "client-2") is None


async def test_an_answered_turn_is_never_released(platform) -> None:
    ledger = TurnLedger(platform, "web")
    assert await ledger.claim("token-hash", "client-3") is None
    await ledger.store("token-hash", "client-3", {"lines": [1, 2]})
    await ledger.release("token-hash", "client-3")
    assert await ledger.claim("token-hash", "client-3") == {"lines": [1, 2]}


async def test_turns_past_their_retention_are_forgotten_newer_ones_kept(platform, clock) -> None:
    from backend.channels.ivr_turns import TurnStore
    from backend.scheduler import forget_old_turns

    ledger = TurnLedger(platform, "wechat")
    await ledger.claim("openid-1", "old")
    await ledger.store("openid-1", "old", {"text": "三天前的回答"})
    await TurnStore(platform).claim("call-old", 1, "start")
    clock.advance(hours=platform.rules.turn_retention_hours + 1)
    await ledger.claim("openid-1", "new")
    await ledger.store("openid-1", "new", {"text": "刚才的回答"})

    assert await forget_old_turns(platform) == 2
    assert await ledger.claim("openid-1", "new") == {"text": "刚才的回答"}
    assert await ledger.claim("openid-1", "old") is None  # forgotten: a resend this late acts again
