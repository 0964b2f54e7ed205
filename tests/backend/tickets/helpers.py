"""Small API helpers shared by the ticket tests."""
from __future__ import annotations

from typing import Any

REPAIR = {"type": "fault_repair", "channel": "web", "description": "家里突然停电，邻居家也没电",
          "customer": {"name": "王建国", "phone": "13812345678"}, "area": "坪山社区"}
COMPLAINT = {"type": "complaint", "channel": "web", "description": "抄表员态度恶劣，电话里骂人",
             "customer": {"name": "李梅", "phone": "13900001111"}, "complaint_class": "service"}


async def create(client: Any, auth: dict, body: dict, **headers: str) -> dict:
    resp = await client.post("/api/tickets", json=body, headers={**auth, **headers})
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def step(client: Any, auth: dict, ticket_id: str, kind: str, expect: int = 201,
               **fields: Any) -> dict:
    resp = await client.post(f"/api/tickets/{ticket_id}/events", json={"kind": kind, **fields},
                             headers=auth)
    assert resp.status == expect, await resp.text()
    return await resp.json()


def clock_named(ticket: dict, name: str, round_: int | None = None) -> dict:
    matches = [c for c in ticket["clocks"] if c["name"] == name
               and (round_ is None or c["round"] == round_)]
    return matches[-1]
