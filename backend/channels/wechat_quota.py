"""How many customer-service messages WeChat still lets us send a customer, and until when.

WeChat's rule (since June 2023, numbers in service_rules.yml `wechat`):
- a customer's message opens a window of `after_message.sends` messages within
  `after_message.seconds` (5 in 48 h); every new message opens a fresh one;
- a menu click, a subscribe or a QR scan opens `after_event` (3 in 1 min), unless
  a message window is still open with sends left: that one is kept, it is the
  larger of the two;
- the passive reply to a push is not counted; every customer-service API send is.

The window lives in the database (wechat_contacts), so every backend process
counts against one number. A send is reserved with one conditional UPDATE
(used < allowed, window open, not exhausted): two processes never both take the
last one. WeChat answering 45015 (window over, or the customer unsubscribed) or
45047 (count used up) marks the window exhausted until the customer writes again,
whatever our own count says.

The same row keeps the choices last offered as a numbered list (wechat_messages).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from backend.context import Platform
from backend.models import WechatContact
from backend.router import Button
from backend.rules import SendWindow
from backend.tickets.views import iso

MESSAGE, EVENT = "message", "event"


def quota_view(contact: WechatContact | None, now: datetime) -> dict[str, Any]:
    """What an agent sees before typing: sends left now and when the window ends (None: no window yet)."""
    if contact is None:
        return {"remaining": 0, "window_ends_at": None, "opened_by": None}
    open_now = contact.window_ends_at > now and not contact.exhausted
    remaining = max(contact.sends_allowed - contact.sends_used, 0) if open_now else 0
    return {"remaining": remaining, "window_ends_at": iso(contact.window_ends_at), "opened_by": contact.window_kind}


class SendWindows:
    """The customer-service message windows of WeChat conversations."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def opened_by_message(self, conversation_id: str) -> None:
        """The customer wrote: a fresh message window, whatever the old one was."""
        await self._open(conversation_id, MESSAGE, self.platform.rules.wechat.after_message, keep_larger=False)

    async def opened_by_event(self, conversation_id: str) -> None:
        """A menu click, subscribe or scan: the event window, unless a message window with sends left is open."""
        await self._open(conversation_id, EVENT, self.platform.rules.wechat.after_event, keep_larger=True)

    async def reserve(self, conversation_id: str) -> bool:
        """Take one send from the open window; False when none is left (the lines stay pending)."""
        async with self.platform.sessions() as session:
            result = await session.execute(
                update(WechatContact).where(WechatContact.conversation_id == conversation_id,
                                            WechatContact.sends_used < WechatContact.sends_allowed,
                                            WechatContact.window_ends_at > self.platform.clock(),
                                            WechatContact.exhausted.is_(False))
                .values(sends_used=WechatContact.sends_used + 1)
                .execution_options(synchronize_session=False))
            await session.commit()
        return result.rowcount == 1

    async def give_back(self, conversation_id: str) -> None:
        """WeChat refused the send for another reason: it did not count."""
        async with self.platform.sessions() as session:
            await session.execute(update(WechatContact).where(WechatContact.conversation_id == conversation_id,
                                                              WechatContact.sends_used > 0)
                                  .values(sends_used=WechatContact.sends_used - 1)
                                  .execution_options(synchronize_session=False))
            await session.commit()

    async def exhaust(self, conversation_id: str) -> None:
        """WeChat says the window is over (45015) or used up (45047): nothing more until the customer writes."""
        async with self.platform.sessions() as session:
            await session.execute(update(WechatContact).where(WechatContact.conversation_id == conversation_id)
                                  .values(exhausted=True, updated_at=self.platform.clock())
                                  .execution_options(synchronize_session=False))
            await session.commit()

    async def view(self, conversation_id: str) -> dict[str, Any]:
        """quota_view of the conversation."""
        async with self.platform.sessions() as session:
            contact = await session.get(WechatContact, conversation_id)
        return quota_view(contact, self.platform.clock())

    async def offer(self, conversation_id: str, buttons: Sequence[Button]) -> None:
        """Remember the choices just listed (none: a digit is ordinary text again)."""
        options = [{"title": b.title, "payload": b.payload} for b in buttons] or None
        async with self.platform.sessions() as session:
            await session.execute(update(WechatContact).where(WechatContact.conversation_id == conversation_id)
                                  .values(options=options).execution_options(synchronize_session=False))
            await session.commit()

    async def options(self, conversation_id: str) -> list[dict[str, str]] | None:
        """The choices last listed to the customer."""
        async with self.platform.sessions() as session:
            contact = await session.get(WechatContact, conversation_id)
        return list(contact.options) if contact is not None and contact.options else None

    async def _open(self, conversation_id: str, kind: str, window: SendWindow, keep_larger: bool) -> None:
        now = self.platform.clock()
        ends = now + timedelta(seconds=window.seconds)
        for _ in range(2):  # a concurrent first push may insert the row between our read and insert
            async with self.platform.sessions() as session:
                contact = await session.get(WechatContact, conversation_id)
                if contact is None:
                    session.add(WechatContact(conversation_id=conversation_id, window_kind=kind, window_ends_at=ends,
                                              sends_allowed=window.sends, sends_used=0, exhausted=False,
                                              updated_at=now))
                else:
                    if keep_larger and contact.window_kind == MESSAGE and _open_with_sends(contact, now) \
                            and contact.window_ends_at >= ends:
                        return
                    contact.window_kind, contact.window_ends_at = kind, ends
                    contact.sends_allowed, contact.sends_used, contact.exhausted = window.sends, 0, False
                    contact.updated_at = now
                try:
                    await session.commit()
                    return
                except IntegrityError:
                    await session.rollback()


def _open_with_sends(contact: WechatContact, now: datetime) -> bool:
    return contact.window_ends_at > now and not contact.exhausted and contact.sends_used < contact.sends_allowed
