"""GET|POST /webhooks/wechat: signatures, safe mode, hostile XML, resends, events, message kinds."""
from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime

from defusedxml.ElementTree import fromstring
from sqlalchemy import select
from wechatpy.crypto import WeChatCrypto

from backend.channels.wechat_messages import MAX_TEXT_BYTES, MENU
from backend.models import Message
from backend.privacy import mask_text
from glossary import wording
from tests.backend.channels.wechat_fixtures import (
    AES_KEY,
    APPID,
    OPENID,
    PATH,
    TOKEN,
    conversation_of,
    encrypted_push,
    event_xml,
    message_xml,
    push,
    reply_content,
    say,
    signed,
    text_xml,
)
from tests.backend.router.conftest import SERVICE

# wechatpy's own test vector (tests/test_crypto.py in wechatpy/wechatpy): a message encrypted
# by WeChat's reference implementation for this token, EncodingAESKey and AppID.
VECTOR_TOKEN, VECTOR_AES_KEY, VECTOR_APPID = "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"
VECTOR_BODY = """<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>
<Encrypt><![CDATA[RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=]]></Encrypt>
<AgentID><![CDATA[1]]></AgentID>
</xml>"""
VECTOR_MSG_SIGNATURE, VECTOR_TIMESTAMP, VECTOR_NONCE = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294"

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh_x</ToUserName><FromUserName>{OPENID}</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>"""
LAUGHS = "<?xml version=\"1.0\"?>\n<!DOCTYPE xml [\n<!ENTITY lol \"lol\">\n" + "".join(
    f"<!ENTITY lol{i} \"{('&lol' + (str(i - 1) if i > 1 else '') + ';') * 10}\">\n" for i in range(1, 10)) + \
    f"]>\n<xml><ToUserName>gh_x</ToUserName><FromUserName>{OPENID}</FromUserName><CreateTime>1</CreateTime>" \
    "<MsgType>text</MsgType><Content>&lol9;</Content><MsgId>2</MsgId></xml>"


# --- URL verification and signatures ------------------------------------------------------


async def test_url_verification_echoes_echostr(wx):
    resp = await wx.get(PATH, params={**signed(), "echostr": "8761234567890"})
    assert resp.status == 200 and await resp.text() == "8761234567890"


async def test_a_forged_verification_is_a_short_403(wx):
    query = {**signed(token="not-the-token"), "echostr": "8761234567890"}
    resp = await wx.get(PATH, params=query)
    body = await resp.text()
    assert resp.status == 403 and "8761234567890" not in body and len(body) < 20
    assert (await wx.get(PATH, params={"echostr": "1"})).status == 403


async def test_a_push_with_a_forged_signature_is_403_and_reaches_nobody(wx, fake_rasa, platform):
    status, body = await push(wx, text_xml("停电了", "1"), signature="0" * 40)
    assert status == 403 and len(body) < 20
    assert fake_rasa.received == [] and await conversation_of(platform) is None


async def test_a_signature_made_long_ago_is_a_replay_and_refused(wx, fake_rasa, platform):
    stale = str(int(platform.clock().timestamp()) - int(platform.rules.wechat.signature_max_age_seconds) - 60)
    status, _ = await push(wx, text_xml("停电了", "3"), **signed(stale))
    assert status == 403
    resp = await wx.get(PATH, params={**signed(stale), "echostr": "1"})
    assert resp.status == 403 and fake_rasa.received == []


async def test_wechat_needs_no_service_token_but_the_ivr_still_does(wx):
    assert (await wx.get(PATH, params={**signed(), "echostr": "x"})).status == 200
    resp = await wx.post("/webhooks/ivr", json={"call_id": "c", "seq": 1, "event": "start"})
    assert resp.status == 401


async def test_not_configured_is_a_503_that_says_so(backend, platform):
    platform.settings = replace(platform.settings, wechat_token="")
    resp = await backend.get(PATH, params={**signed(), "echostr": "x"})
    assert resp.status == 503 and "WECHAT_TOKEN" in (await resp.json())["error"]["message"]
    status, _ = await push(backend, text_xml("你好", "1"))
    assert status == 503


async def test_safe_mode_without_a_usable_aes_key_is_a_503(wx, platform):
    platform.settings = replace(platform.settings, wechat_aes_key="too-short")
    resp = await wx.post(PATH, params={**signed(), "encrypt_type": "aes", "msg_signature": "x"}, data="<xml/>")
    assert resp.status == 503 and "WECHAT_AES_KEY" in (await resp.json())["error"]["message"]


# --- safe mode (AES) ---------------------------------------------------------------------------


async def test_wechatpys_official_vector_decrypts_with_the_channels_configuration(backend, platform, fake_rasa,
                                                                                  clock):
    clock.set(datetime.fromtimestamp(int(VECTOR_TIMESTAMP), UTC))  # the vector was signed then
    platform.settings = replace(platform.settings, wechat_token=VECTOR_TOKEN, wechat_aes_key=VECTOR_AES_KEY,
                                wechat_appid=VECTOR_APPID)
    query = {**signed(VECTOR_TIMESTAMP, VECTOR_NONCE, VECTOR_TOKEN), "encrypt_type": "aes",
             "msg_signature": VECTOR_MSG_SIGNATURE}
    resp = await backend.post(PATH, params=query, data=VECTOR_BODY)
    assert resp.status == 200, await resp.text()
    assert fake_rasa.messages() == ["test"]
    bad = {**query, "msg_signature": "1" * 40}
    assert (await backend.post(PATH, params=bad, data=VECTOR_BODY)).status == 403


async def test_safe_mode_round_trip(wx, fake_rasa):
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    timestamp, nonce = "1773104400", "24680"
    body, msg_signature = encrypted_push(text_xml("我家停电了", "77"), timestamp, nonce, crypto)
    query = {**signed(timestamp, nonce), "openid": OPENID, "encrypt_type": "aes", "msg_signature": msg_signature}
    resp = await wx.post(PATH, params=query, data=body)
    assert resp.status == 200
    encrypted_reply = await resp.text()
    envelope = fromstring(encrypted_reply)
    assert envelope.findtext("Encrypt") and envelope.findtext("Nonce") == nonce
    # wechatpy checks the reply's MsgSignature against its Encrypt while decrypting it.
    plain = crypto.decrypt_message(encrypted_reply, envelope.findtext("MsgSignature"),
                                   envelope.findtext("TimeStamp"), nonce)
    assert reply_content(plain).startswith("您好，请问是哪里停电了？")
    assert fake_rasa.messages() == ["我家停电了"]


async def test_safe_mode_with_a_forged_msg_signature_or_garbage_is_refused(wx, fake_rasa):
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    body, _ = encrypted_push(text_xml("你好", "78"), "1773104400", "1", crypto)
    query = {**signed("1773104400", "1"), "encrypt_type": "aes"}
    resp = await wx.post(PATH, params={**query, "msg_signature": "f" * 40}, data=body)
    assert resp.status == 403
    garbage = "<xml><Encrypt><![CDATA[bm90IGVuY3J5cHRlZA==]]></Encrypt></xml>"
    from wechatpy.crypto import _get_signature  # the signature WeChat would compute for it

    good = _get_signature(TOKEN, "1773104400", "1", "bm90IGVuY3J5cHRlZA==")
    resp = await wx.post(PATH, params={**query, "msg_signature": good}, data=garbage)
    assert resp.status == 400
    assert fake_rasa.received == []


# --- hostile XML ---------------------------------------------------------------------------------


async def test_xxe_and_billion_laughs_are_400_and_nothing_is_read(wx, fake_rasa, platform):
    for payload in (XXE, LAUGHS, "<xml><unclosed></xml>", "not xml at all", ""):
        started = time.monotonic()
        status, body = await push(wx, payload)
        assert status == 400 and "root:" not in body and "lol" not in body
        assert time.monotonic() - started < 2  # refused, not expanded
    assert fake_rasa.received == [] and await conversation_of(platform) is None


async def test_xxe_inside_a_correctly_encrypted_push_is_refused_too(wx, fake_rasa):
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    body, msg_signature = encrypted_push(XXE, "1773104400", "2", crypto)
    resp = await wx.post(PATH, params={**signed("1773104400", "2"), "encrypt_type": "aes",
                                       "msg_signature": msg_signature}, data=body)
    assert resp.status == 400 and fake_rasa.received == []


# --- resends ------------------------------------------------------------------------------------


async def test_resends_of_one_msgid_are_one_turn(wx, fake_rasa):
    first = await say(wx, "查电费", "9001")
    assert first.startswith("您好，请问是哪里停电了？")
    assert await say(wx, "查电费", "9001") == first
    assert await say(wx, "查电费", "9001") == first
    assert fake_rasa.messages() == ["查电费"]


async def test_concurrent_resends_act_once(wx, fake_rasa):
    answers = await asyncio.gather(*(say(wx, "停电了", "9002") for _ in range(3)))
    assert fake_rasa.messages() == ["停电了"]
    given = {a for a in answers if a}  # the others were told `success` while the first was working
    assert len(given) == 1 and given.pop().startswith("您好，请问是哪里停电了？")


async def test_events_are_deduplicated_by_sender_time_and_event(wx, fake_rasa):
    for _ in range(3):
        await push(wx, event_xml("CLICK", "bill", create_time="1773104500"))
    await push(wx, event_xml("CLICK", "bill", create_time="1773104560"))  # a second click, a minute later
    assert fake_rasa.messages() == [MENU["bill"], MENU["bill"]]


# --- events and kinds of message -----------------------------------------------------------


async def test_subscribe_is_greeted_without_asking_the_assistant(wx, fake_rasa, platform):
    status, body = await push(wx, event_xml("subscribe"))
    assert status == 200 and reply_content(body) == wording.WECHAT_GREETING
    assert fake_rasa.received == []
    assert (await conversation_of(platform)).state == "bot"


async def test_menu_click_sends_its_intent_to_the_assistant(wx, fake_rasa):
    status, body = await push(wx, event_xml("CLICK", "outage"))
    assert status == 200 and reply_content(body).startswith("您好，请问是哪里停电了？")
    [sent] = fake_rasa.received
    assert sent["message"] == "/query_outage" and sent["metadata"]["menu_key"] == "outage"
    status, body = await push(wx, event_xml("CLICK", "no-such-key", create_time="1773104999"))
    assert (status, body) == (200, "success")
    assert len(fake_rasa.received) == 1


def test_every_menu_payload_is_an_intent_of_the_assistant():
    import yaml

    from backend.settings import ROOT

    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    assert {payload.lstrip("/") for payload in MENU.values()} <= intents


async def test_text_is_passed_on_with_its_msgid_and_buttons_become_numbered_choices(wx, fake_rasa):
    reply = await say(wx, "我家停电了", "9100")
    assert reply == "您好，请问是哪里停电了？\n\n1. 我家停电\n2. 查电费\n" + wording.WECHAT_CHOOSE_BY_NUMBER
    [sent] = fake_rasa.received
    assert sent["input_channel"] == "rest" and sent["metadata"]["msg_id"] == "9100"
    assert sent["metadata"]["channel"] == "wechat"
    await say(wx, "２", "9101")  # a full-width digit answers the list too
    fake_rasa.replies = [{"text": "好的。"}]
    await say(wx, "2", "9102")
    await say(wx, "2", "9103")  # no list offered any more: an ordinary "2"
    assert fake_rasa.messages() == ["我家停电了", "/ask_bill", "/ask_bill", "2"]


async def test_other_messages_get_one_polite_sentence_voice_with_recognition_is_text(wx, fake_rasa, platform):
    status, body = await push(wx, message_xml("image", "<PicUrl><![CDATA[http://x/y.jpg]]></PicUrl>", "9200"))
    assert reply_content(body) == wording.WECHAT_TEXT_ONLY
    status, body = await push(wx, message_xml("voice", "<MediaId>m</MediaId><Format>amr</Format>", "9201"))
    assert reply_content(body) == wording.WECHAT_TEXT_ONLY
    assert fake_rasa.received == []
    voice = message_xml("voice", "<MediaId>m</MediaId><Recognition><![CDATA[我要查电费]]></Recognition>", "9202")
    await push(wx, voice)
    assert fake_rasa.messages() == ["我要查电费"]
    conversation = await conversation_of(platform)
    async with platform.sessions() as session:
        texts = (await session.scalars(select(Message.text).where(Message.conversation_id == conversation.id)
                                       .order_by(Message.seq))).all()
    assert texts[:2] == ["[图片]", wording.WECHAT_TEXT_ONLY]


async def test_no_openid_or_message_text_in_the_logs(wx, fake_rasa, caplog):
    caplog.set_level("DEBUG")
    await push(wx, event_xml("CLICK", "unknown-key"))
    await say(wx, "我的电话13812345678，停电了", "9300")
    await push(wx, "<xml>bad")
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("backend"))
    assert ours and OPENID not in ours and "停电了" not in ours
    # The access log prints the query, where WeChat puts the openid: the logging filter masks it.
    access_line = f'1.2.3.4 "POST {PATH}?signature=ab&openid={OPENID}&nonce=1 HTTP/1.1" 200'
    assert OPENID not in mask_text(access_line)


async def test_agents_see_the_conversation_in_the_takeover_list(wx, platform):
    await say(wx, "你好", "9400")
    resp = await wx.get("/api/conversations", params={"channel": "wechat"}, headers=SERVICE)
    [item] = (await resp.json())["items"]
    assert item["id"] == (await conversation_of(platform)).id


async def test_a_reply_longer_than_wechat_accepts_is_cut_not_refused(wx, fake_rasa):
    fake_rasa.replies = [{"text": "电费说明。" * 200}]  # 3000 bytes in UTF-8
    reply = await say(wx, "电费怎么算", "9500")
    assert len(reply.encode("utf-8")) <= MAX_TEXT_BYTES and reply.startswith("电费说明。") and reply.endswith("…")


async def test_a_customer_the_assistant_cannot_answer_is_queued_for_an_agent(wx, fake_rasa, platform):
    fake_rasa.status = 500
    assert await say(wx, "我家停电了", "9101") == wording.ASSISTANT_UNAVAILABLE_QUEUED[0]
    conversation = await conversation_of(platform)
    assert (conversation.state, conversation.handoff_reason) == ("waiting_agent", "assistant_unavailable")
    fake_rasa.status = 200  # back: the queued customer still waits for the agent, the bot does not talk over
    assert "队列" in await say(wx, "有人吗", "9102")
    assert fake_rasa.messages() == ["我家停电了"]
