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

Unreachable, timed out or a 5xx: `send` raises `RasaUnavailable`, which the
router turns into one polite sentence. An unreadable tracker only loses the line's label.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from backend.router.replies import BOT, Button, Reply

log = logging.getLogger(__name__)

# A turn may run custom actions that call the backend; the IVR waits for the answer.
SEND_TIMEOUT_SECONDS = 15.0
TRACKER_TIMEOUT_SECONDS = 5.0
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
    """One HTTP session to the Rasa server, opened on first use."""

    def __init__(self, base_url: str, token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the HTTP session (on application shutdown)."""
        if self._session is not None:
            await self._session.close()

    async def send(self, sender: str, channel: str, text: str, metadata: dict[str, Any]) -> AssistantAnswer:
        """The assistant's replies to one customer message, and its tracker after the turn when told."""
        url = f"{self.base_url}/webhooks/{INPUT_CHANNELS.get(channel, 'rest')}/webhook"
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            async with self._http().post(url, json=body, params={"state": "true", **self._params()},
                                         timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_SECONDS)) as resp:
                if resp.status >= 500:
                    raise RasaUnavailable(f"{url} answered {resp.status}")
                resp.raise_for_status()
                data = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise RasaUnavailable(f"{url}: {exc!r}") from exc
        # {"messages", "tracker"} from our channels (bot/channels/rest.py); a bare list from any other.
        state = _state_of(data.get("tracker")) if isinstance(data, dict) else None
        messages = data.get("messages") if isinstance(data, dict) else data
        if not isinstance(messages, list):
            raise RasaUnavailable(f"{url} answered {type(data).__name__}, not a list of messages")
        return AssistantAnswer([reply for item in messages if isinstance(item, dict) and (reply := _reply(item))],
                               state)

    async def tracker_state(self, sender: str) -> TrackerState | None:
        """The conversation's form in progress, slots and latest intent; None when unreadable."""
        return _state_of(await self._tracker(sender))

    async def parse(self, text: str) -> IntentSeen | None:
        """The intent the model reads in `text` (no conversation, no side effects); None when it names none."""
        url = f"{self.base_url}/model/parse"
        try:
            async with self._http().post(url, json={"text": text}, params=self._params(),
                                         timeout=aiohttp.ClientTimeout(total=TRACKER_TIMEOUT_SECONDS)) as resp:
                resp.raise_for_status()
                data = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise RasaUnavailable(f"{url}: {exc!r}") from exc
        intent = (data.get("intent") or {}) if isinstance(data, dict) else {}
        if not isinstance(intent, dict) or not intent.get("name"):
            return None
        confidence = intent.get("confidence")
        return IntentSeen(str(intent["name"]), float(confidence) if confidence is not None else None)

    async def _tracker(self, sender: str) -> dict[str, Any] | None:
        url = f"{self.base_url}/conversations/{sender}/tracker"
        try:
            async with self._http().get(url, params={"include_events": "NONE", **self._params()},
                                        timeout=aiohttp.ClientTimeout(total=TRACKER_TIMEOUT_SECONDS)) as resp:
                resp.raise_for_status()
                tracker = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            log.warning("tracker of conversation %s not read from Rasa: %r", sender, exc)
            return None
        return tracker if isinstance(tracker, dict) else None

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
