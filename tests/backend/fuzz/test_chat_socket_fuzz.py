"""hypothesis on the web chat's socket, /chat/socket (issue #9).

A case is one page: it connects, may send frames before its hello, says hello (with no
token, a random one, or something that is not a token), then sends frames: messages with
random ids, texts and titles, pings, frames of unknown types, JSON that is not an object,
text that is not JSON and binary frames. The socket must answer every frame that calls
for an answer (chat_socket.py: an error, a pong, or a message's answer or refusal) within
REQUEST_TIMEOUT, never with the `failed` error (an exception in a turn), and stay open.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from hypothesis import given, seed
from hypothesis import strategies as st

from backend.web.chat import SOCKET_PATH
from tests.backend.fuzz.campaign import FUZZ, RECORD, REQUEST_TIMEOUT, SEED, timed
from tests.backend.fuzz.server import LiveServer

SOCKET = "Web chat socket (frames)"
REPLIES = ("pong", "error", "answer")
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
scalar = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
message = st.fixed_dictionaries({"type": st.just("message")}, optional={
    "id": st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True) | scalar, "text": text | scalar,
    "title": text | scalar})
frame = st.one_of(
    message.map(json.dumps), st.just('{"type": "ping"}'), st.just('{"type": "hello", "token": null}'),
    st.dictionaries(st.sampled_from(["type", "id", "text", "token", "after"]), scalar).map(json.dumps),
    st.lists(scalar, max_size=3).map(json.dumps), text, st.binary(min_size=1, max_size=50))
hello = st.fixed_dictionaries({"type": st.just("hello")}, optional={
    "token": st.none() | text | st.integers(), "after": st.integers() | text}).map(json.dumps)


def replies_due(sent: str | bytes) -> int:
    """How many of REPLIES a frame sent after the hello calls for (chat_socket.ChatSocket.run)."""
    if isinstance(sent, bytes):
        return 0  # a page never sends binary: ignored
    try:
        data = json.loads(sent)
    except ValueError:
        return 1  # bad_json
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return 1  # bad_json
    return 0 if data["type"] == "hello" else 1


async def _page(base_url: str, before: list[str], greeting: str, frames: list[str | bytes]) -> list[dict[str, Any]]:
    """One page's visit: every frame the server sent after the hello."""
    async with aiohttp.ClientSession() as http, http.ws_connect(base_url + SOCKET_PATH) as ws:
        for early in before:
            await ws.send_str(early)
            assert (await ws.receive_json(timeout=REQUEST_TIMEOUT))["type"] == "error"
        await ws.send_str(greeting)
        while (first := await ws.receive_json(timeout=REQUEST_TIMEOUT))["type"] != "ready":
            assert first["type"] == "session", first
        for sent in frames:
            await (ws.send_bytes(sent) if isinstance(sent, bytes) else ws.send_str(sent))
        due, seen = sum(replies_due(f) for f in frames), []
        while sum(f["type"] in REPLIES for f in seen) < due:
            msg = await ws.receive(timeout=REQUEST_TIMEOUT)
            assert msg.type == aiohttp.WSMsgType.TEXT, f"socket ended: {msg}"
            seen.append(json.loads(msg.data))
        assert not ws.closed
        return seen


def test_every_frame_gets_its_answer_and_the_socket_stays_open(live: LiveServer) -> None:
    @FUZZ
    @seed(SEED)
    @given(before=st.lists(st.sampled_from(['{"type": "message"}', "not json", "[]"]), max_size=2),
           greeting=hello, frames=st.lists(frame, max_size=6))
    def visit(before: list[str], greeting: str, frames: list[str | bytes]) -> None:
        what = repr((before, greeting, frames))[:1500]
        try:
            seen = live.run(_page(live.base_url, before, greeting, frames), timeout=4 * REQUEST_TIMEOUT)
        except (TimeoutError, AssertionError) as exc:
            RECORD.saw(SOCKET, "no answer" if isinstance(exc, asyncio.TimeoutError) else "closed")
            RECORD.failed(SOCKET, f"{type(exc).__name__} {exc}: {what}")
            raise
        failed = [f for f in seen if f["type"] == "error" and f.get("code") == "failed"]
        RECORD.saw(SOCKET, "failed" if failed else "answered")
        if failed:
            RECORD.failed(SOCKET, f"{failed}: {what}")
        assert not failed, (failed, what)

    with timed(SOCKET):
        visit()
