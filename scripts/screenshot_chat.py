"""`python -m scripts.screenshot_chat [OUT.png] [--live URL]`: the web chat on a phone, for the README.

With `--live http://127.0.0.1:8000` it chats with a running `make run` (the real
assistant and the demo data) and photographs that conversation: that is how
docs/images/web-chat-phone.png is made. Without it (no trained model needed, e.g.
to check the page's look), it runs the real backend (a scratch SQLite database with the demo province) against a
small scripted stand-in for Rasa, has a customer report an outage in the page at
390x844 in WeChat's in-app browser (Debian's chromium through Playwright), and saves
docs/images/web-chat-phone.png. The stand-in files the repair ticket through the
backend's API exactly as the assistant's action does (conversation_id = the sender),
so the ticket card shows real deadlines. Nothing here needs a trained model.
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from backend.app import build_platform, create_app
from backend.sla.calendar import TZ
from scripts.screenshots import (
    PHONE,
    SHOT_TIME,
    TOKEN,
    browser_page,
    chromium,
    free_port,
    save,
    scratch_settings,
    served,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "web-chat-phone.png"


class ScriptedAssistant:
    """Rasa's REST webhook and tracker, answering the outage report of the screenshot."""

    def __init__(self) -> None:
        self.backend_url = ""

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        sender, text = body["sender"], body["message"]
        if "整片" in text or "只有我家" in text:
            return self._say(sender, {"text": "好的，请告诉我停电的详细地址（街道、小区、楼栋）。"})
        if "停电" in text or "没电" in text:
            return self._say(sender, {"text": "很抱歉给您带来不便。请问是只有您家停电，还是周围都停电了？",
                                      "buttons": [{"title": "只有我家停电", "payload": "只有我家停电"},
                                                  {"title": "整片都停电了", "payload": "整片都停电了"}]})
        ticket = await self._file_repair(sender, text)
        arrival = datetime.fromisoformat(ticket["deadlines"]["arrival"]).astimezone(TZ)
        return self._say(sender, {"text": f"已为您受理故障报修，工单号{ticket['id']}。抢修人员将在"
                                          f"{arrival:%H:%M}前到达现场，请保持电话畅通。"})

    async def tracker(self, request: web.Request) -> web.Response:
        return web.json_response({"latest_message": {"intent": {"name": "report_outage", "confidence": 0.97}}})

    async def _file_repair(self, sender: str, address: str) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.post(
                f"{self.backend_url}/api/tickets", headers={"Authorization": f"Bearer {TOKEN}"},
                json={"type": "fault_repair", "channel": "web", "description": "整片停电", "address": address,
                      "area": "千岛湖镇", "conversation_id": sender,
                      "customer": {"phone": "13812345678"}}) as resp:
            resp.raise_for_status()
            return await resp.json()

    @staticmethod
    def _say(sender: str, *replies: dict[str, Any]) -> web.Response:
        return web.json_response([{"recipient_id": sender, **reply} for reply in replies])


async def shoot(out: Path) -> None:
    executable = chromium("screenshot_chat")
    assistant = ScriptedAssistant()
    rasa = web.Application()
    rasa.router.add_post("/webhooks/{channel}/webhook", assistant.webhook)
    rasa.router.add_get("/conversations/{sender}/tracker", assistant.tracker)
    backend_port = free_port()
    assistant.backend_url = f"http://127.0.0.1:{backend_port}"
    with tempfile.TemporaryDirectory() as scratch:
        async with served(rasa) as rasa_url:
            platform = await build_platform(scratch_settings(scratch, "chat", demo_data=True, rasa_url=rasa_url,
                                                             rasa_token=""))
            platform.clock = lambda: SHOT_TIME
            try:
                async with served(create_app(platform), backend_port) as base, \
                        browser_page(executable, PHONE) as page:
                    await page.goto(f"{base}/chat")
                    await page.click("#privacy-ok")
                    await page.wait_for_selector("#status[data-state='bot']")
                    await page.fill("#input", "我家突然停电了")
                    await page.press("#input", "Enter")
                    await page.click("#lines .quick button:has-text('整片都停电了')")
                    await page.wait_for_selector("#lines .bubble:has-text('详细地址')")
                    await page.fill("#input", "淳安县千岛湖镇坪山社区8幢")
                    await page.press("#input", "Enter")
                    await page.wait_for_selector("#lines .ticket")
                    await page.wait_for_selector("#typing", state="hidden")
                    await save(page, out)
            finally:
                await platform.engine.dispose()
    print(f"screenshot_chat: wrote {out}")


# What the customer types into the live assistant: a fault report at a demo address.
LIVE_CUSTOMER = ("我家突然停电了", "没有", "淳安县千岛湖镇新安社区8幢2单元", "13812345678")


async def shoot_live(base_url: str, out: Path) -> None:
    """Chat with the running assistant and photograph the conversation."""
    async with browser_page(chromium("screenshot_chat"), PHONE) as page:
        await page.goto(f"{base_url.rstrip('/')}/chat")
        await page.click("#privacy-ok")
        await page.wait_for_selector("#status[data-state='bot']")
        for text in LIVE_CUSTOMER:
            before = await page.locator("#lines > li").count()
            await page.fill("#input", text)
            await page.press("#input", "Enter")
            # the customer's line and at least one answer, then the typing indicator gone
            for _ in range(600):  # polled from here: the page's CSP forbids evaluating strings
                if await page.locator("#lines > li").count() >= before + 2:
                    break
                await page.wait_for_timeout(100)
            await page.wait_for_selector("#typing", state="hidden", timeout=60_000)
        await page.wait_for_timeout(500)
        await save(page, out)
    print(f"screenshot_chat: wrote {out} from {base_url}")


if __name__ == "__main__":
    args = sys.argv[1:]
    live = args[args.index("--live") + 1] if "--live" in args else None
    rest = [a for i, a in enumerate(args) if a != "--live" and (i == 0 or args[i - 1] != "--live")]
    target = Path(rest[0]) if rest else OUT
    asyncio.run(shoot_live(live, target) if live else shoot(target))
