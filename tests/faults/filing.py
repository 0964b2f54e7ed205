"""The assistant's side of filing, as the fault tests drive it: the real repair action with the
action server's client and outbox, against a backend process at `url`."""
from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import BackendClient, use_backend
from actions.outbox import Outbox, use_outbox
from actions.repairs import ActionSubmitRepair
from tests.actions.conftest import settings_for, texts, tracker
from tests.assistant_fixtures import free_port
from tests.conftest import API_TOKEN
from tests.faults.processes import Service, python

FILED = re.compile(r"工单号(GD\d+)")
KEPT = "系统暂时繁忙，您的诉求已记录"
ADDRESS = "淳安县千岛湖镇环湖社区7幢502"
DESCRIPTION = "第{n}户家里没电了"  # one per customer: a ticket filed twice shows as a repeated description


def backend_service(logs: Path, port: int, database_url: str, name: str = "backend", **env: str) -> Service:
    """The backend process on the demo province, with no assistant behind its router."""
    settings = {"DATABASE_URL": database_url, "BACKEND_PORT": str(port), "BACKEND_API_TOKEN": API_TOKEN,
                "DEMO_DATA": "1", "SCHEDULER": "0", "RASA_URL": f"http://127.0.0.1:{free_port()}", **env}
    return Service(name, python("backend"), settings, f"http://127.0.0.1:{port}/healthz", logs)


class Filer:
    """Customers finishing a repair report; each filing is sent twice, as Rasa retries an action."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.url = url
        self.client = BackendClient(settings_for(url, tmp_path))
        self.outbox = Outbox(tmp_path / "outbox.db")
        self.told: dict[int, str] = {}
        self.area: int | None = None

    async def __aenter__(self) -> Filer:
        use_backend(self.client)
        use_outbox(self.outbox)
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {API_TOKEN}"}) as http:
            async with http.get(f"{self.url}/api/areas", params={"text": ADDRESS}) as resp:
                self.area = int((await resp.json())["items"][0]["id"])
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.client.close()
        use_backend(None)
        use_outbox(None)

    async def file(self, n: int) -> str:
        slots = {"fault_description": DESCRIPTION.format(n=n), "safety_hazard": False, "address": ADDRESS,
                 "area_id": self.area, "site_class": "urban", "contact_phone": "13812345678"}
        turn = tracker(slots, message_id=f"m-{n}", sender=f"customer-{n}")
        for _ in range(2):
            dispatcher = CollectingDispatcher()
            await ActionSubmitRepair().run(dispatcher, turn, {})
            self.told[n] = texts(dispatcher)
        return self.told[n]

    def numbers(self) -> dict[int, str]:
        """The ticket number each customer was told, by customer."""
        return {n: m.group(1) for n, said in self.told.items() if (m := FILED.search(said))}

    def kept(self) -> set[int]:
        """The customers told their report is kept for later."""
        return {n for n, said in self.told.items() if KEPT in said}


def customer_of(description: str) -> int:
    return int(description[1:description.index("户")])


TICKETS_SQL = "SELECT description, ticket_no FROM tickets WHERE description LIKE '第%户家里没电了'"
