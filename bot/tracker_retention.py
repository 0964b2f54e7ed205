"""`python -m bot.tracker_retention`: delete Rasa's store of conversations idle longer than
retention.assistant_tracker_days (service_rules.yml).

Rasa keeps every event of a conversation, the customer's words unmasked, for as long as
the store lives; the backend's masked transcript is the record that staff read. A tracker
is needed only while its conversation may go on (a half-finished form after a restart), so
once the newest event of a sender is older than the period, all of its events go.

Works on Rasa's SQL tracker store of the endpoints file (`--endpoints`, default
endpoints.yml: SQLite for `make run`, PostgreSQL with endpoints.production.yml), in batches
of senders, each its own transaction; repeatable. `make run` runs it at start and hourly
(bot/launch.py); in production run it from a timer.
"""
from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import read_endpoint_config
from sqlalchemy import func, select

from backend.rules import load_rules
from backend.settings import Settings

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
BATCH = 500  # senders per transaction


def sql_store(endpoints: Path) -> SQLTrackerStore | None:
    """The endpoints file's tracker store when it is Rasa's SQL store, else None."""
    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None:
        return None
    store = TrackerStore.create(config, Domain.load(str(ROOT / "domain.yml")))
    while not isinstance(store, SQLTrackerStore) and hasattr(store, "_tracker_store"):
        store = store._tracker_store  # Rasa's wrappers (awaitable, fail-safe) hold the store itself
    return store if isinstance(store, SQLTrackerStore) else None


def forget_idle_conversations(store: SQLTrackerStore, days: int, now: float | None = None) -> tuple[int, int]:
    """Delete every event of senders idle more than `days`; (conversations, events) deleted."""
    cutoff = (time.time() if now is None else now) - days * 86400
    event = store.SQLEvent
    idle = select(event.sender_id).group_by(event.sender_id).having(func.max(event.timestamp) < cutoff).limit(BATCH)
    conversations = events = 0
    while True:
        with store.session_scope() as session:
            senders = [row[0] for row in session.execute(idle)]
            if not senders:
                return conversations, events
            events += session.query(event).filter(event.sender_id.in_(senders)).delete(synchronize_session=False)
            session.commit()
        conversations += len(senders)


def run(endpoints: Path) -> tuple[int, int] | None:
    """One pass with the configured period; None when the store is not Rasa's SQL store."""
    store = sql_store(endpoints)
    if store is None:
        log.warning("%s: the tracker store is not Rasa's SQL store; nothing deleted", endpoints)
        return None
    days = load_rules(Settings.load().service_rules).retention.assistant_tracker_days
    done = forget_idle_conversations(store, days)
    if done[0]:
        log.info("assistant trackers idle over %d days deleted: %d conversations, %d events", days, *done)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    done = run(args.endpoints)
    print("not a SQL tracker store" if done is None else f"{done[0]} conversations, {done[1]} events deleted")


if __name__ == "__main__":
    main()
