"""Several processes behind one setting (backend/replicas.py): which replica a call goes to,
and when a failure moves it on to the next."""
from __future__ import annotations

import pytest

from backend.replicas import Replicas, split_urls

A, B, C = "http://a:5005", "http://b:5005", "http://c:5005"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_setting_names_its_replicas_once_each_without_trailing_slashes():
    assert split_urls(f"{A}/, {B}  {C},{A}") == [A, B, C]
    with pytest.raises(ValueError):
        Replicas.parse(" , ")


def test_a_conversation_keeps_its_replica_and_conversations_are_spread():
    replicas = Replicas([A, B, C])
    firsts = {f"conversation-{n}": replicas.order(f"conversation-{n}")[0] for n in range(60)}
    assert all(replicas.order(key)[0] == first for key, first in firsts.items())  # same one every turn
    assert set(firsts.values()) == {A, B, C}
    assert sorted(replicas.order("conversation-1")) == [A, B, C]  # every replica, once


def test_calls_without_a_key_go_round_the_replicas():
    replicas = Replicas([A, B])
    assert [replicas.order()[0] for _ in range(4)] == [A, B, A, B]


def test_a_replica_that_refused_goes_last_for_a_while_then_takes_its_place_again():
    clock = Clock()
    replicas = Replicas([A, B, C], rest_seconds=10, clock=clock)
    key = next(k for k in (f"c{n}" for n in range(100)) if replicas.order(k)[0] == A)
    before = replicas.order(key)
    replicas.refused(A)
    assert replicas.order(key) == [*before[1:], A]
    clock.now += 11
    assert replicas.order(key) == before


class Refused(Exception):
    pass


class CutOff(Exception):
    pass


async def test_call_moves_on_only_for_the_failures_it_is_told_are_safe_to_repeat():
    replicas = Replicas([A, B])
    tried: list[str] = []

    async def refused_by_a(url: str) -> str:
        tried.append(url)
        if url == A:
            raise Refused(url)
        return f"answer of {url}"

    key = next(k for k in (f"c{n}" for n in range(100)) if replicas.order(k)[0] == A)
    assert await replicas.call(key, refused_by_a, retry_on=(Refused,), refusals=(Refused,)) == f"answer of {B}"
    assert tried == [A, B] and replicas.order(key)[0] == B  # A rests

    tried.clear()

    async def cut_off(url: str) -> str:
        tried.append(url)
        raise CutOff(url)

    with pytest.raises(CutOff):
        await replicas.call(key, cut_off, retry_on=(Refused,))
    assert tried == [B]  # not repeated elsewhere: it may have acted


async def test_when_every_replica_fails_the_last_failure_is_raised():
    replicas = Replicas([A, B])

    async def refused(url: str) -> str:
        raise Refused(url)

    with pytest.raises(Refused) as raised:
        await replicas.call(None, refused, retry_on=(Refused,))
    assert str(raised.value) in (A, B)
