"""hypothesis on the WeChat Official Account's door, /webhooks/wechat (issue #9).

Pushes are signed as WeChat signs them (wechatpy's signer, a fresh timestamp), so cases
pass the signature and reach the XML reader and the channel: messages and events with
WeChat's fields and random ones, random values (CDATA or escaped text), and documents
no WeChat server sends (DTDs and entities, deep nesting, a wrong root, bytes that are not
UTF-8, bodies over the limit). Safe mode: the same inner documents encrypted with
WeChatCrypto, or an envelope whose ciphertext or msg_signature is wrong. The URL check:
random query strings, some correctly signed.

Checked: the answers WeChat's door documents (200 with `success` or a readable passive
reply, 400 for what is not WeChat's XML, 403 for a wrong signature, 413), never a 5xx,
always within REQUEST_TIMEOUT.
"""
from __future__ import annotations

import time
from xml.sax.saxutils import escape

import requests
from defusedxml.ElementTree import fromstring
from hypothesis import given, seed
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto

from backend.channels.wechat import MAX_BODY_BYTES, PATH, SUCCESS
from tests.backend.channels.wechat_fixtures import ACCOUNT, AES_KEY, APPID, TOKEN, encrypted_push, signed
from tests.backend.fuzz.campaign import FUZZ, REQUEST_TIMEOUT, SEED, expect, timed
from tests.backend.fuzz.server import LiveServer

PUSH, SAFE, VERIFY = "WeChat push (plaintext)", "WeChat push (safe mode)", "WeChat URL check"
ANSWERS = {200, 400, 403, 413}
FIELDS = ("ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "EventKey",
          "MediaId", "PicUrl", "Format", "Recognition", "Location_X", "Location_Y", "Scale", "Label", "Title",
          "Description", "Url", "Encrypt", "MsgDataId", "Idx")
MSG_TYPES = ("text", "event", "image", "voice", "video", "shortvideo", "location", "link", "file", "")
EVENTS = ("subscribe", "unsubscribe", "CLICK", "VIEW", "SCAN", "LOCATION", "TEMPLATESENDJOBFINISH", "")
OPENIDS = ("oUser-A_1234567890abcdefghij", "oUser-B_0987654321zyxwvutsrqp")
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
value = st.one_of(text, st.sampled_from(MSG_TYPES + EVENTS + OPENIDS), st.integers().map(str))


@st.composite
def wechat_xml(draw: st.DrawFn) -> str:
    """A push as WeChat shapes it, with any of its fields missing, random or repeated."""
    fields = {"ToUserName": ACCOUNT, "FromUserName": draw(st.sampled_from(OPENIDS)),
              "CreateTime": str(int(time.time())), "MsgType": draw(st.sampled_from(MSG_TYPES)),
              "Content": draw(text), "MsgId": str(draw(st.integers(0, 2**64))), "Event": draw(st.sampled_from(EVENTS))}
    names = st.sampled_from(FIELDS) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)
    fields.update(draw(st.dictionaries(names, value, max_size=6)))
    for name in draw(st.lists(st.sampled_from(list(fields)), max_size=3)):
        fields.pop(name, None)
    parts = [f"<{name}><![CDATA[{v}]]></{name}>" if draw(st.booleans()) else f"<{name}>{escape(v)}</{name}>"
             for name, v in fields.items()]
    return "<xml>" + "".join(parts) + "</xml>"


HOSTILE = st.sampled_from([
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Content>&c;</Content></xml>',
    '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Content>&x;</Content></xml>',
    "<xml>" + "<a>" * 5000 + "</a>" * 5000 + "</xml>",
    "<notxml><MsgType>text</MsgType></notxml>", "<xml><MsgType>text", "", "success", "\ufeff<xml></xml>",
    "<xml><MsgType><sub>text</sub></MsgType></xml>", "x" * (MAX_BODY_BYTES + 1),
])
BODIES = st.one_of(wechat_xml().map(str.encode), HOSTILE.map(str.encode), st.binary(max_size=2000),
                   wechat_xml().map(lambda xml: xml.encode("utf-16")))


def _now_signed() -> dict[str, str]:
    return signed(str(int(time.time())), nonce="135792468")


def _check_reply(label: str, response: requests.Response, what: str) -> None:
    expect(label, response.status_code, ANSWERS, what)
    if response.status_code == 200 and response.text != SUCCESS:
        fromstring(response.text)  # a passive reply WeChat can read


def test_plaintext_pushes_get_wechat_answers(live: LiveServer) -> None:
    http = requests.Session()

    @FUZZ
    @seed(SEED)
    @given(body=BODIES, openid=st.sampled_from(OPENIDS))
    def push(body: bytes, openid: str) -> None:
        response = http.post(live.base_url + PATH, params={**_now_signed(), "openid": openid}, data=body,
                             headers={"Content-Type": "text/xml"}, timeout=REQUEST_TIMEOUT)
        _check_reply(PUSH, response, repr(body[:1000]))

    with timed(PUSH):
        push()


def test_safe_mode_pushes_get_wechat_answers(live: LiveServer) -> None:
    http = requests.Session()
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)

    @FUZZ
    @seed(SEED)
    @given(inner=st.one_of(wechat_xml(), HOSTILE.filter(lambda h: len(h) < 20_000)),
           corrupt=st.sampled_from(["", "ciphertext", "msg_signature"]), noise=st.text(max_size=40))
    def push(inner: str, corrupt: str, noise: str) -> None:
        query = _now_signed()
        body, msg_signature = encrypted_push(inner, query["timestamp"], query["nonce"], crypto)
        if corrupt == "ciphertext":
            body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{escape(noise)}</Encrypt></xml>"
        elif corrupt == "msg_signature":
            msg_signature = noise
        response = http.post(live.base_url + PATH, params={**query, "encrypt_type": "aes",
                                                           "msg_signature": msg_signature},
                             data=body.encode(), headers={"Content-Type": "text/xml"}, timeout=REQUEST_TIMEOUT)
        expect(SAFE, response.status_code, ANSWERS, f"{corrupt or 'valid'} envelope of {inner[:800]!r}")

    with timed(SAFE):
        push()


def test_url_checks_echo_only_when_signed(live: LiveServer) -> None:
    http = requests.Session()

    @FUZZ
    @seed(SEED)
    @given(query=st.dictionaries(st.sampled_from(["signature", "timestamp", "nonce", "echostr", "openid"]),
                                 text, max_size=5), sign=st.booleans(), echostr=text)
    def verify(query: dict[str, str], sign: bool, echostr: str) -> None:
        params = {**query, **_now_signed(), "echostr": echostr} if sign else query
        response = http.get(live.base_url + PATH, params=params, timeout=REQUEST_TIMEOUT)
        expect(VERIFY, response.status_code, {200, 403}, repr(params))
        if sign:
            assert response.status_code == 200 and response.text == echostr, (response.status_code, params)

    with timed(VERIFY):
        verify()
