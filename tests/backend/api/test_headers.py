"""Every answer is hardened (issue #9): no version banner, nothing sniffed, personal
data never cached, JSON never framed; the chat page stays embeddable by design."""
from __future__ import annotations


async def test_json_answers_are_not_cached_framed_or_sniffed(client, auth):
    for resp in (await client.get("/api/tickets", headers=auth), await client.get("/api/tickets"),
                 await client.get("/healthz")):
        assert resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
        assert "aiohttp" not in resp.headers.get("Server", "").lower()


async def test_pages_keep_their_own_policy_and_the_chat_stays_embeddable(client):
    complaint = await client.get("/complaint")
    assert "form-action 'self'" in complaint.headers["Content-Security-Policy"]
    assert complaint.headers["X-Frame-Options"] == "DENY"
    chat = await client.get("/chat")
    assert "frame-ancestors" in chat.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in chat.headers  # the widget frames it on other sites
    assert chat.headers["Cache-Control"] == "no-store"


async def test_static_scripts_may_be_cached(client):
    resp = await client.get("/chat/widget.js")
    assert resp.status == 200
    assert resp.headers.get("Cache-Control") != "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
