"""WeChat's XML in and out: what a push says, and the passive text reply.

Terms:
- push: one XML document WeChat POSTs for a customer's message or event. Only
  the flat children of <xml> are read (ToUserName, FromUserName = the customer's
  openid, CreateTime, MsgType, Content, MsgId, Event, EventKey, Recognition,
  Encrypt).
- safe parsing: every document is parsed by defusedxml with DTDs, entities and
  external references forbidden, before anything else (wechatpy, xmltodict)
  sees it. An XXE payload, a billion-laughs bomb or plain garbage is a
  `BadXml`, which the route answers with 400; nothing is expanded or read.
- turn key: what makes a resend recognisable. A message carries MsgId; an event
  has none, so its key is Event + CreateTime (per customer: FromUserName is the
  ledger's sender).
- menu: the custom menu's CLICK keys (`MENU`) and what each sends to the
  assistant: an intent payload the assistant handles directly (domain.yml
  intents). docs/wechat.md has the menu JSON an operator creates with these keys.
- merged reply: WeChat shows one passive message per push and has no buttons,
  so the assistant's lines become one text, with its buttons as a numbered list
  the customer answers with a digit (`choice_of`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from backend.router import Button, Reply
from glossary import wording

# Custom menu CLICK key → what the assistant receives (an intent payload).
MENU: dict[str, str] = {
    "outage": "/query_outage",
    "repair": "/report_fault",
    "bill": "/query_bill",
    "ticket": "/query_ticket",
    "complaint": "/file_complaint",
    "human": "/request_human",
}
USER_MESSAGE_TYPES = ("text", "image", "voice", "video", "shortvideo", "location", "link", "file")
GREETING_EVENTS = ("subscribe", "SCAN")  # a new follower, or a follower scanning the account's QR code
MAX_FIELD_CHARS = 4096  # WeChat's own limits are far below; longer is not a WeChat push
# WeChat refuses a longer text message (passive reply or customer-service message) and then
# tells the customer the account cannot serve them; a longer merged reply is cut with "…".
MAX_TEXT_BYTES = 2048
ELLIPSIS = "…"


class BadXml(ValueError):
    """The body is not a well-formed, entity-free WeChat XML document."""


@dataclass(frozen=True)
class Push:
    """One message or event as WeChat pushed it (field names as in WeChat's documentation)."""

    to_user: str  # the Official Account's id (gh_…)
    from_user: str  # the customer's openid
    create_time: str
    msg_type: str
    content: str = ""
    msg_id: str = ""
    event: str = ""
    event_key: str = ""
    recognition: str = ""  # voice: WeChat's transcription, when the account has it switched on

    @property
    def is_event(self) -> bool:
        """An event (subscribe, CLICK …), not something the customer wrote or sent."""
        return self.msg_type == "event"

    def turn_key(self) -> str:
        """The same for every resend of this push (MsgId; for events Event + CreateTime)."""
        if self.is_event or not self.msg_id:
            return f"event:{self.event}:{self.create_time}"
        return f"msg:{self.msg_id}"

    def text(self) -> str | None:
        """What the customer said in words, or None for a message without text (image, plain voice …)."""
        if self.msg_type == "text":
            return self.content.strip() or None
        if self.msg_type == "voice":
            return self.recognition.strip() or None
        return None


def parse_fields(body: bytes | str) -> dict[str, str]:
    """The flat children of a WeChat <xml> document, parsed with entities and DTDs forbidden."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadXml(type(exc).__name__) from None  # the message may quote the body: no personal data
    if root.tag != "xml":
        raise BadXml("root element is not <xml>")
    fields: dict[str, str] = {}
    for child in root:
        value = (child.text or "").strip() if len(child) == 0 else ""
        if len(value) > MAX_FIELD_CHARS:
            raise BadXml(f"field {child.tag} too long")
        fields[child.tag] = value
    return fields


def push_of(fields: dict[str, str]) -> Push:
    """The push described by the parsed fields; BadXml when WeChat's required ones are missing."""
    missing = [name for name in ("ToUserName", "FromUserName", "CreateTime", "MsgType") if not fields.get(name)]
    if missing:
        raise BadXml(f"missing {', '.join(missing)}")
    return Push(to_user=fields["ToUserName"], from_user=fields["FromUserName"], create_time=fields["CreateTime"],
                msg_type=fields["MsgType"], content=fields.get("Content", ""), msg_id=fields.get("MsgId", ""),
                event=fields.get("Event", ""), event_key=fields.get("EventKey", ""),
                recognition=fields.get("Recognition", ""))


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside a CDATA section: end it and start a new one around the ">".
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(push: Push, content: str, create_time: int) -> str:
    """The passive reply XML carrying one text message back to the push's sender."""
    return ("<xml>"
            f"<ToUserName>{_cdata(push.from_user)}</ToUserName>"
            f"<FromUserName>{_cdata(push.to_user)}</FromUserName>"
            f"<CreateTime>{int(create_time)}</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{_cdata(content)}</Content>"
            "</xml>")


def merged_text(replies: Sequence[Reply]) -> tuple[str, list[Button]]:
    """The replies as one text message, and the buttons it offers as numbered choices."""
    parts: list[str] = []
    offered: list[Button] = []
    for reply in replies:
        if reply.text:
            parts.append(reply.text.strip())
        for button in reply.buttons:
            if button.title.strip():
                offered.append(button)
    if offered:
        listed = "\n".join(f"{n}. {b.title.strip()}" for n, b in enumerate(offered, start=1))
        parts.append(f"{listed}\n{wording.WECHAT_CHOOSE_BY_NUMBER}")
    return fitted("\n\n".join(p for p in parts if p)), offered


def fitted(text: str) -> str:
    """The text within WeChat's MAX_TEXT_BYTES (UTF-8), cut at a character boundary and marked with "…"."""
    encoded = text.encode("utf-8")
    if len(encoded) <= MAX_TEXT_BYTES:
        return text
    room = MAX_TEXT_BYTES - len(ELLIPSIS.encode("utf-8"))
    return encoded[:room].decode("utf-8", errors="ignore").rstrip() + ELLIPSIS


def choice_of(text: str, options: Sequence[dict[str, str]] | None) -> str | None:
    """The payload of the numbered choice the customer answered with ("2", "２"), if that is what it is."""
    if not options:
        return None
    digits = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789")).rstrip("。.")
    if not digits.isdigit():
        return None
    number = int(digits)
    if 1 <= number <= len(options):
        return options[number - 1].get("payload") or options[number - 1].get("title")
    return None
