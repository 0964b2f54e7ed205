"""`python -m scripts.screenshot_console [OUT.png]`: the staff console's conversation view, for the README.

Runs the real backend (a scratch SQLite database with the demo province and its
staff, backend/demo/province.py DEMO_STAFF) against a small scripted stand-in for
Rasa (REST webhook, tracker, /model/parse), so no trained model is needed. A
customer reports an outage through the router as the web chat does, the
stand-in files the repair ticket through the backend's API exactly as the
assistant's action does (conversation_id = the sender) and hands over on
"转人工"; agent1 (李客服) logs in at /console/login in Debian's chromium, opens the
waiting conversation, claims it and answers; the customer thanks them; the page
is photographed at 1280x800 with the assist panel (the assistant's own reply to
"thank", the ticket and its next deadline) and the customer panel:
docs/images/console-conversation.png.
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from backend.app import build_platform, create_app
from backend.router import ROUTER
from scripts.screenshots import (
    DESKTOP,
    SHOT_TIME,
    TOKEN,
    browser_page,
    chromium,
    free_port,
    log_in,
    save,
    scratch_settings,
    served,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "console-conversation.png"
AGENT, PASSWORD = "agent1", "demo-agent1-95598"
# What the stand-in understands, by a word in the message: (intent, confidence).
INTENTS = (("转人工", "request_human", 0.98), ("谢谢", "thank", 0.95), ("停电", "report_fault", 0.94))
CUSTOMER_THEN = ("我家突然停电了", "整片都停电了，地址是淳安县千岛湖镇坪山社区8幢", "转人工")
AGENT_SAYS = "您好，我是人工客服李客服。抢修人员已经出发，会在承诺时间内到达，请保持电话畅通。"
CUSTOMER_LAST = "好的，谢谢你"


def understood(text: str) -> dict[str, Any]:
    """The stand-in's NLU: the first intent whose word the text contains."""
    for word, intent, confidence in INTENTS:
        if word in text:
            return {"name": intent, "confidence": confidence}
    return {"name": "inform", "confidence": 0.81}


class ScriptedAssistant:
    """Rasa's REST webhook, tracker and /model/parse for the outage report of the screenshot."""

    def __init__(self) -> None:
        self.backend_url = ""
        self.last: dict[str, str] = {}

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        sender, text = body["sender"], body["message"]
        self.last[sender] = text
        if "转人工" in text:
            await self._backend("/api/conversations/handoffs", {"channel": "web", "sender_id": sender,
                                                                 "reason": "request_human"})
            return self._say(sender, {"text": "好的，正在为您转接人工客服，请稍候。"})
        if "地址" in text:
            ticket = await self._backend("/api/tickets", {
                "type": "fault_repair", "channel": "web", "description": "整片停电", "address": text,
                "area": "千岛湖镇", "conversation_id": sender, "customer": {"phone": "13812345678"}})
            return self._say(sender, {"text": f"已为您受理故障报修，工单号{ticket['id']}，抢修人员会尽快到达。"})
        return self._say(sender, {"text": "很抱歉给您带来不便。请问是只有您家停电，还是周围都停电了？请告诉我详细地址。"})

    async def tracker(self, request: web.Request) -> web.Response:
        text = self.last.get(request.match_info["sender"], "")
        return web.json_response({"latest_message": {"intent": understood(text)}})

    async def parse(self, request: web.Request) -> web.Response:
        text = (await request.json())["text"]
        return web.json_response({"text": text, "intent": understood(text), "entities": []})

    async def _backend(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.post(
                f"{self.backend_url}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, json=body) as resp:
            resp.raise_for_status()
            return await resp.json()

    @staticmethod
    def _say(sender: str, *replies: dict[str, Any]) -> web.Response:
        return web.json_response([{"recipient_id": sender, **reply} for reply in replies])


async def photograph(base: str, app: web.Application, out: Path, executable: str) -> None:
    """The customer's turns through the router, the agent's in the browser, then the picture."""
    router = app[ROUTER]
    conversation = await router.open("web", "screenshot-customer")
    for text in CUSTOMER_THEN:
        await router.handle_customer_message(conversation, text)
    async with browser_page(executable, DESKTOP) as page:
        await log_in(page, base, AGENT, PASSWORD)
        await page.click(f"#list button[data-id='{conversation.id}']")
        await page.click("#claim")
        await page.wait_for_selector("#conv-state:has-text('人工接待中')")
        await page.fill("#reply", AGENT_SAYS)
        await page.press("#reply", "Enter")
        await page.wait_for_selector(f"#lines .line.agent .bubble:has-text('{AGENT_SAYS[:8]}')")
        await router.handle_customer_message(conversation, CUSTOMER_LAST)
        await page.wait_for_selector(f"#lines .line.customer .bubble:has-text('{CUSTOMER_LAST}')")
        await page.wait_for_selector("#suggestion .reply")
        await page.wait_for_selector("#tickets .ticket")
        await page.click("#reply")  # the focus where the agent works
        await save(page, out)


async def shoot(out: Path) -> None:
    executable = chromium("screenshot_console")
    assistant = ScriptedAssistant()
    rasa = web.Application()
    rasa.router.add_post("/webhooks/{channel}/webhook", assistant.webhook)
    rasa.router.add_get("/conversations/{sender}/tracker", assistant.tracker)
    rasa.router.add_post("/model/parse", assistant.parse)
    backend_port = free_port()
    assistant.backend_url = f"http://127.0.0.1:{backend_port}"
    with tempfile.TemporaryDirectory() as scratch:
        async with served(rasa) as rasa_url:
            platform = await build_platform(scratch_settings(scratch, "console", demo_data=True, rasa_url=rasa_url,
                                                             rasa_token=""))
            platform.clock = lambda: SHOT_TIME
            app = create_app(platform)
            try:
                async with served(app, backend_port) as base:
                    await photograph(base, app, out, executable)
            finally:
                await platform.engine.dispose()
    print(f"screenshot_console: wrote {out}")


if __name__ == "__main__":
    asyncio.run(shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
