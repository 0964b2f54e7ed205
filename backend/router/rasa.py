"""The assistant seen from the backend: Rasa's REST input channel and HTTP API.

- `send` posts one customer message to `{RASA_URL}/webhooks/<channel>/webhook`
  with `sender` = the router's conversation id. The hotline goes through the `ivr`
  input channel (bot/channels/ivr.py: the spoken response variations), every
  other channel through `rest` (credentials.yml). With `?state=true` our channels
  (bot/channels/rest.py) answer the tracker's summary after the turn with the replies:
  the intent heard, the form in progress and the slots, which the router and the IVR
  use for that turn instead of reading the tracker again (a second retrieval of the
  whole tracker in Rasa; issue #10). A plain list of messages is taken too (no state).
- `tracker_state` reads `GET {RASA_URL}/conversations/{id}/tracker?include_events=NONE`:
  its form in progress (`active_loop`), its slots and `latest_message.intent`, what the
  assistant understood (the IVR's hangup; any turn Rasa answered without its state).
  Needs `rasa run --enable-api`; `?token=RASA_TOKEN` when a token is set.
- `parse` asks `POST {RASA_URL}/model/parse` what a text means: NLU only,
  stateless, no tracker touched and no action run (the staff console's
  suggestion for an agent). Unreachable: `RasaUnavailable`.

`RASA_URL` may name several replicas (comma-separated; RasaClient below says how a
conversation is spread over them). No replica reachable, timed out or a 5xx: `send`
raises `RasaUnavailable`, which the router turns into one polite sentence. An unreadable tracker only loses the line's label.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from backend.observability import request_ids
from backend.replicas import Replicas
from backend.router.replies import BOT, Button, Reply

log = logging.getLogger(__name__)

# A turn may run custom actions that call the backend; the IVR waits for the answer.
SEND_TIMEOUT_SECONDS = 15.0
TRACKER_TIMEOUT_SECONDS = 5.0
# A replica that does not take the connection in this time is passed over for the next.
CONNECT_TIMEOUT_SECONDS = 2.0
MESSAGE_ID_MAX = 64  # the actions' Idempotency-Key holds the sender, this id and a purpose
# Backend channel → Rasa input channel; any other channel uses "rest".
INPUT_CHANNELS = {"ivr": "ivr"}


class RasaUnavailable(Exception):
    """The assistant did not answer this turn."""


@dataclass(frozen=True)
class IntentSeen:
    name: str
    confidence: float | None


@dataclass(frozen=True)
class TrackerState:
    """What the assistant holds about a conversation: its form in progress and its slots."""

    active_loop: str | None
    slots: dict[str, Any]
    intent: str | None
    confidence: float | None = None

    def intent_seen(self) -> IntentSeen | None:
        return IntentSeen(self.intent, self.confidence) if self.intent else None

    def filled_slots(self) -> dict[str, Any]:
        """The slots that hold a value."""
        return {name: value for name, value in self.slots.items() if value not in (None, "", [], {})}


@dataclass(frozen=True)
class AssistantAnswer:
    """One turn's replies, and the tracker after it (None when Rasa did not say: read it then)."""

    replies: list[Reply]
    state: TrackerState | None


def _state_of(tracker: Any) -> TrackerState | None:
    """The tracker GET's answer (or the channel's summary of the same shape), read defensively."""
    if not isinstance(tracker, dict):
        return None
    loop = tracker.get("active_loop") or {}
    slots = tracker.get("slots") if isinstance(tracker.get("slots"), dict) else {}
    intent = (tracker.get("latest_message") or {}).get("intent") or {}
    intent = intent if isinstance(intent, dict) else {}
    confidence = intent.get("confidence")
    return TrackerState(loop.get("name") if isinstance(loop, dict) else None, dict(slots),
                        str(intent["name"]) if intent.get("name") else None,
                        float(confidence) if isinstance(confidence, int | float) else None)


class RasaClient:
    """One HTTP session to the Rasa replicas (`RASA_URL`, comma-separated), opened on first use.

    A conversation goes to the same replica each turn (backend/replicas.py) and to the next
    one only when its own refuses the connection: then nothing was sent, so the turn is not
    repeated. A replica that dies mid-turn costs that turn (the customer is told); Rasa saves
    the tracker only at the end of a turn, and the message id sent with the turn keeps any
    ticket it filed from being filed again when the customer repeats it."""

    def __init__(self, base_url: str, token: str = "") -> None:
        self.replicas = Replicas.parse(base_url)
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    @property
    def base_url(self) -> str:
        return self.replicas.first

    @base_url.setter
    def base_url(self, url: str) -> None:  # tests point a running router elsewhere
        self.replicas = Replicas.parse(url)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the HTTP session (on application shutdown)."""
        if self._session is not None:
            await self._session.close()

    async def send(self, sender: str, channel: str, text: str, metadata: dict[str, Any],
                   message_id: str | None = None) -> AssistantAnswer:
        """The assistant's replies to one customer message, and its tracker after the turn when told.

        `message_id`: the channel's own id of the message (stable when it is resent), which the
        actions build their Idempotency-Keys from."""
        path = f"/webhooks/{INPUT_CHANNELS.get(channel, 'rest')}/webhook"
        body = {"sender": sender, "message": text, "metadata": metadata}
        if message_id:
            body["message_id"] = message_id[:MESSAGE_ID_MAX]
        data = await self._json("POST", path, sender, SEND_TIMEOUT_SECONDS, json=body, params={"state": "true"})
        # {"messages", "tracker"} from our channels (bot/channels/rest.py); a bare list from any other.
        state = _state_of(data.get("tracker")) if isinstance(data, dict) else None
        messages = data.get("messages") if isinstance(data, dict) else data
        if not isinstance(messages, list):
            raise RasaUnavailable(f"{path} answered {type(data).__name__}, not a list of messages")
        return AssistantAnswer([reply for item in messages if isinstance(item, dict) and (reply := _reply(item))],
                               state)

    async def tracker_state(self, sender: str) -> TrackerState | None:
        """The conversation's form in progress, slots and latest intent; None when unreadable."""
        try:
            tracker = await self._json("GET", f"/conversations/{sender}/tracker", sender, TRACKER_TIMEOUT_SECONDS,
                                       params={"include_events": "NONE"})
        except RasaUnavailable as exc:
            log.warning("tracker of conversation %s not read from Rasa: %s", sender, exc)
            return None
        return _state_of(tracker)

    async def parse(self, text: str) -> IntentSeen | None:
        """The intent the model reads in `text` (no conversation, no side effects); None when it names none."""
        data = await self._json("POST", "/model/parse", None, TRACKER_TIMEOUT_SECONDS, json={"text": text})
        intent = (data.get("intent") or {}) if isinstance(data, dict) else {}
        if not isinstance(intent, dict) or not intent.get("name"):
            return None
        confidence = intent.get("confidence")
        return IntentSeen(str(intent["name"]), float(confidence) if confidence is not None else None)

    async def _json(self, method: str, path: str, key: str | None, timeout: float, *,
                    params: dict[str, str] | None = None, json: Any = None) -> Any:
        """The JSON answer of the first replica that takes the connection; RasaUnavailable otherwise."""
        async def attempt(base: str) -> Any:
            url = base + path
            try:
                async with self._http().request(method, url, json=json, params={**(params or {}), **self._params()},
                                                headers=request_ids.headers(),
                                                timeout=aiohttp.ClientTimeout(total=timeout,
                                                                              sock_connect=CONNECT_TIMEOUT_SECONDS)
                                                ) as resp:
                    if resp.status >= 500:
                        raise RasaUnavailable(f"{url} answered {resp.status}")
                    resp.raise_for_status()
                    return await resp.json(content_type=None)
            except aiohttp.ClientConnectorError:
                raise  # refused: nothing was sent, the next replica is asked
            except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                raise RasaUnavailable(f"{url}: {exc!r}") from exc

        try:
            return await self.replicas.call(key, attempt, retry_on=(aiohttp.ClientConnectorError,),
                                            refusals=(aiohttp.ClientConnectorError,))
        except aiohttp.ClientConnectorError as exc:
            raise RasaUnavailable(f"no Rasa replica took {path}: {exc!r}") from exc

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}


def _reply(item: dict[str, Any]) -> Reply | None:
    buttons = tuple(Button(str(b.get("title", "")), str(b.get("payload", "")))
                    for b in item.get("buttons") or () if isinstance(b, dict))
    custom = item.get("custom") if isinstance(item.get("custom"), dict) else None
    text = item.get("text") if isinstance(item.get("text"), str) else None
    if text is None and not buttons and custom is None:
        return None  # an image or attachment: no channel of ours shows one
    return Reply(BOT, text, buttons, custom)
