"""After a realistic run (tickets filed with the customer's data in every field and in
free text written the ways customers write it, a staff note, a chat with a handoff), no
list, detail, transcript, console view, audit entry, export or log line shows a phone
number, a 户号, the customer's name or their house number whole. Only an audited reveal does."""
from __future__ import annotations

import io
import logging

from backend.logs import MaskingFilter
from tests.backend.router.conftest import SERVICE

PHONE, ACCOUNT, NAME, HOUSE = "13812345678", "3301234567890", "王建国", "12幢301"
CUSTOMER = {"name": NAME, "phone": PHONE, "account_no": ACCOUNT}
ADDRESS = f"杭州市淳安县千岛湖镇坪山社区{HOUSE}"
# The same identifiers as customers write them: spaced, dashed, dotted, in Chinese digits.
WRITTEN = ("138 1234 5678", "138-1234-5678", "138.1234.5678", "幺三八一二三四五六七八", "3301-2345-67890",
           "3301 2345 67890")
LEAKS = (PHONE, ACCOUNT, NAME, HOUSE, *WRITTEN)


async def test_nothing_shown_or_logged_carries_an_identifier_whole(backend, router, fake_rasa, agents):
    log_text = io.StringIO()
    handler = logging.StreamHandler(log_text)
    handler.addFilter(MaskingFilter())  # as backend.logs.configure_logging installs it
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)  # configure_logging's level; the drivers' DEBUG lines carry raw parameters
    try:
        shown = await realistic_run(backend, router, agents["boss"])
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    logged = log_text.getvalue()
    assert logged.count("\n") > 10  # the run did log
    for place, text in [*shown, ("log", logged)]:
        found = [leak for leak in LEAKS if leak in text]
        assert not found, f"{place} shows {found}: " + "".join(
            line for line in text.splitlines(keepends=True) if any(leak in line for leak in found))[:2000]


async def realistic_run(backend, router, boss: dict[str, str]) -> list[tuple[str, str]]:
    description = f"{NAME}家里停电了，回电{WRITTEN[0]}或{WRITTEN[3]}，户号{WRITTEN[4]}，住{ADDRESS}"
    repair = await (await backend.post("/api/tickets", headers=SERVICE, json={
        "type": "fault_repair", "channel": "web", "description": description, "customer": CUSTOMER,
        "address": ADDRESS, "area": "坪山社区"})).json()
    complaint = await (await backend.post("/api/tickets", headers=SERVICE, json={
        "type": "complaint", "channel": "ivr", "complaint_class": "service", "confidential": True,
        "description": f"我是{NAME}，抄表员态度恶劣，电话{WRITTEN[2]}，户号{WRITTEN[5]}", "customer": CUSTOMER,
        "address": ADDRESS, "area": "坪山社区"})).json()
    assert "id" in complaint, complaint
    note = await backend.post(f"/api/tickets/{repair['id']}/events", headers=boss,
                              json={"kind": "note", "note": f"已联系{NAME}，电话{WRITTEN[1]}，约定上门"})
    assert note.status == 201, await note.text()
    chat = await router.open("web", "browser-leaks")
    await router.handle_customer_message(chat, f"我叫{NAME}，电话{WRITTEN[3]}，住坪山社区{HOUSE}，户号{ACCOUNT}")
    await router.handle_customer_message(chat, "我要转人工")
    await (await backend.post(f"/api/conversations/{chat.id}/claim", headers=boss)).read()

    reads = ["/api/tickets", f"/api/tickets/{repair['id']}", f"/api/tickets/{complaint['id']}",
             "/api/console/tickets", f"/api/console/tickets/{repair['id']}", f"/api/console/tickets/{complaint['id']}",
             "/api/conversations", f"/api/conversations/{chat.id}", f"/api/conversations/{chat.id}/assist",
             "/api/audit", "/api/kpi/export?format=csv", f"/api/tickets?phone={PHONE}"]
    shown = []
    for path in reads:
        resp = await backend.get(path, headers=boss)
        assert resp.status == 200, (path, resp.status, await resp.text())
        shown.append((path, await resp.text()))
    shown.append(("the assistant's view (service token)",
                  await (await backend.get(f"/api/tickets/{repair['id']}", headers=SERVICE)).text()))
    return shown
