"""WeChat Official Account state shared by every backend process.

- wechat_access_tokens: one row per AppID holding the current access token.
  WeChat invalidates the old token whenever a new one is fetched, so processes
  must share one: a process renews it only while holding the row's short lease
  (`refreshing_until`), the others wait for the new token (backend/channels/wechat_api.py).
- wechat_contacts: one row per WeChat conversation: the customer-service message
  window WeChat currently allows (opened by the customer's last message or event,
  `sends_used` of `sends_allowed` until `window_ends_at`; `exhausted` once WeChat
  answered 45015/45047) and the choices last offered as a numbered list, so a
  reply "2" means the second one (backend/channels/wechat_quota.py).
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, false

from .base import Base, UTCDateTime, utcnow


class WechatAccessToken(Base):
    __tablename__ = "wechat_access_tokens"

    appid = Column(String(64), primary_key=True)
    token = Column(String(512))  # NULL until the first fetch; never logged
    expires_at = Column(UTCDateTime)
    refreshing_until = Column(UTCDateTime)  # a process is fetching a new token until then
    fetched_at = Column(UTCDateTime)


class WechatContact(Base):
    __tablename__ = "wechat_contacts"

    conversation_id = Column(String(36), ForeignKey("conversations.id"), primary_key=True)
    window_kind = Column(String(8), nullable=False)  # message | event: what opened the window
    window_ends_at = Column(UTCDateTime, nullable=False)
    sends_allowed = Column(Integer, nullable=False)
    sends_used = Column(Integer, nullable=False, default=0)
    exhausted = Column(Boolean, nullable=False, default=False, server_default=false())
    options = Column(JSON(none_as_null=True))  # [{"title", "payload"}] last offered as a numbered list
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
