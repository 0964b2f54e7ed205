"""WeChat's server API as this channel uses it: the access token and the customer-service message.

Access token (GET {WECHAT_API_BASE}/cgi-bin/token?grant_type=client_credential&appid=&secret=):
it lasts `expires_in` seconds (7200), and fetching a new one invalidates the old
one for everyone. So it is kept in the database (wechat_access_tokens), shared
by every backend process, and renewed `token_refresh_margin_seconds` before it
expires by one process at a time: the one whose conditional UPDATE takes the
row's lease (`refreshing_until`). The others wait (up to `token_wait_seconds`)
for the new token instead of fetching their own. A call answered 40001 (token
invalid), 40014 or 42001 (expired) renews the token once, unless another process
already did, and is retried once.

Customer-service message (POST …/cgi-bin/message/custom/send?access_token=):
`{"touser", "msgtype": "text", "text": {"content"}}`, sent as UTF-8 JSON without
\\u escapes (WeChat shows escapes literally). Any errcode other than 0 is a
`WechatApiError` carrying it (45015/45047 are quota, see wechat_quota.py).

Neither the secret, the token nor an openid is ever logged (URLs carry the token).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from backend.context import Platform
from backend.models import WechatAccessToken

log = logging.getLogger(__name__)

TOKEN_INVALID = (40001, 40014, 42001)  # the token was renewed elsewhere, or it expired
QUOTA_OVER = (45015, 45047)  # the window is over / the customer unsubscribed; the count is used up
POLL_SECONDS = 0.05


class WechatApiError(Exception):
    """WeChat answered with an error code, or could not be reached (errcode None)."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode


class WechatApi:
    """One HTTP session to WeChat's API, opened on first use, and the shared access token."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._session: aiohttp.ClientSession | None = None

    @property
    def _base(self) -> str:
        return self.platform.settings.wechat_api_base

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.platform.rules.wechat.api_timeout_seconds)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def close(self) -> None:
        """Close the HTTP session (on application shutdown)."""
        if self._session is not None:
            await self._session.close()

    async def send_text(self, openid: str, content: str) -> None:
        """Send one customer-service text message; WechatApiError when WeChat refuses it."""
        body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": content}},
                          ensure_ascii=False).encode("utf-8")
        token = await self.access_token()
        try:
            await self._post("/cgi-bin/message/custom/send", token, body)
        except WechatApiError as exc:
            if exc.errcode not in TOKEN_INVALID:
                raise
            log.info("wechat access token refused (%s); renewing it once", exc.errcode)
            await self._post("/cgi-bin/message/custom/send", await self.access_token(stale=token), body)

    async def access_token(self, stale: str | None = None) -> str:
        """The shared token, renewed when near expiry or when `stale` (a token WeChat refused) is still stored."""
        rules = self.platform.rules.wechat
        appid = self.platform.settings.wechat_appid
        deadline = time.monotonic() + rules.token_wait_seconds
        while True:
            now = self.platform.clock()
            async with self.platform.sessions() as session:
                row = await session.get(WechatAccessToken, appid)
            if row is not None and row.token and row.token != stale and row.expires_at is not None \
                    and row.expires_at - timedelta(seconds=rules.token_refresh_margin_seconds) > now:
                return str(row.token)
            if await self._take_lease(appid, stale) or time.monotonic() >= deadline:
                return await self._fetch(appid)
            await asyncio.sleep(POLL_SECONDS)  # another process is renewing it

    async def _take_lease(self, appid: str, stale: str | None) -> bool:
        """True when this process is now the one renewing the token.

        One conditional UPDATE: no lease held, and the stored token still needs renewing
        (our earlier read may be stale: another process may have just renewed it).
        """
        rules = self.platform.rules.wechat
        now = self.platform.clock()
        until = now + timedelta(seconds=rules.token_wait_seconds)
        row = WechatAccessToken
        needs_renewal = or_(row.token.is_(None), row.expires_at.is_(None),
                            row.expires_at <= now + timedelta(seconds=rules.token_refresh_margin_seconds),
                            *([row.token == stale] if stale else []))
        async with self.platform.sessions() as session:
            result = await session.execute(
                update(row).where(row.appid == appid, needs_renewal,
                                  or_(row.refreshing_until.is_(None), row.refreshing_until <= now))
                .values(refreshing_until=until).execution_options(synchronize_session=False))
            if result.rowcount == 1:
                await session.commit()
                return True
            session.add(WechatAccessToken(appid=appid, refreshing_until=until))
            try:
                await session.commit()
                return True
            except IntegrityError:  # the row exists and its lease is held by another process
                await session.rollback()
                return False

    async def _fetch(self, appid: str) -> str:
        """Ask WeChat for a new token, store it, and release the lease (also when WeChat refuses)."""
        params = {"grant_type": "client_credential", "appid": appid, "secret": self.platform.settings.wechat_secret}
        try:
            data = await self._call("GET", f"{self._base}/cgi-bin/token", params=params)
            token, expires_in = data.get("access_token"), data.get("expires_in")
            if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
                raise WechatApiError(None, "token answer without access_token/expires_in")
        except BaseException:
            await self._store(appid, None)
            raise
        await self._store(appid, (token, float(expires_in)))
        log.info("wechat access token renewed (valid %ss)", int(expires_in))
        return token

    async def _store(self, appid: str, fetched: tuple[str, float] | None) -> None:
        now = self.platform.clock()
        values: dict[str, Any] = {"refreshing_until": None}
        if fetched is not None:
            token, expires_in = fetched
            values |= {"token": token, "expires_at": now + timedelta(seconds=expires_in), "fetched_at": now}
        async with self.platform.sessions() as session:
            await session.execute(update(WechatAccessToken).where(WechatAccessToken.appid == appid)
                                  .values(**values).execution_options(synchronize_session=False))
            await session.commit()

    async def _post(self, path: str, token: str, body: bytes) -> dict[str, Any]:
        return await self._call("POST", f"{self._base}{path}", params={"access_token": token}, data=body,
                                headers={"Content-Type": "application/json; charset=utf-8"})

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """One API call; its JSON answer when errcode is absent or 0."""
        try:
            async with self._http().request(method, url, **kwargs) as resp:
                if resp.status != 200:
                    raise WechatApiError(None, f"HTTP {resp.status}")
                data = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            # The exception text may quote the URL (access token, secret): name the kind only.
            raise WechatApiError(None, f"unreachable ({type(exc).__name__})") from None
        if not isinstance(data, dict):
            raise WechatApiError(None, "answer is not a JSON object")
        errcode = data.get("errcode", 0)
        if errcode:
            code = errcode if isinstance(errcode, int) else int(errcode) if str(errcode).isdigit() else -1
            raise WechatApiError(code, str(data.get("errmsg", ""))[:200])
        return data
