"""The production profile as processes: two backends, two action servers and two Rasa replicas
against the machine's PostgreSQL (the platform's database, the trackers) and Redis (the
conversation lock, the web chat's live lines), every client given every replica of what it
calls. The first action server is reached through a proxy, so a test can see a call on its
way to it and kill it then."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.assistant_fixtures import free_port
from tests.conftest import query_database
from tests.faults.filing import backend_service
from tests.faults.processes import Service
from tests.faults.proxy import TcpProxy
from tests.faults.stack import actions_service, rasa_service

REDIS_DB = 4  # the lock store and the fan-out, apart from the other tests' databases


@dataclass
class Replicated:
    backends: list[Service]
    actions: list[Service]
    rasas: list[Service]
    backend_urls: list[str]
    rasa_urls: list[str]
    to_first_actions: TcpProxy  # Rasa's way to the first action server
    database: str  # the platform's PostgreSQL (sync URL)

    def query(self, sql: str, **params: object) -> list[tuple]:
        return query_database(self.database, sql, **params)

    def conversation_id(self, channel: str, external_id: str) -> str:
        [(found,)] = self.query("SELECT id FROM conversations WHERE channel = :c AND external_id = :e",
                                c=channel, e=external_id)
        return str(found)

    def ensure_backends(self) -> None:
        """Both backends up (a test that killed one leaves it down)."""
        for backend in self.backends:
            if backend.process is None or backend.process.poll() is not None:
                backend.start()


@contextmanager
def running_replicas(logs: Path, platform_db: str, tracker_db: str) -> Iterator[Replicated]:
    """Everything started and healthy (the Rasa replicas load side by side); stopped afterwards."""
    with ExitStack() as stack:
        backend_ports, actions_ports, rasa_ports = ([free_port(), free_port()] for _ in range(3))
        backend_urls = [f"http://127.0.0.1:{port}" for port in backend_ports]
        rasa_urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
        to_first_actions = stack.enter_context(TcpProxy(actions_ports[0]))
        action_urls = ",".join([f"http://127.0.0.1:{to_first_actions.port}/webhook",
                                f"http://127.0.0.1:{actions_ports[1]}/webhook"])
        backends = [backend_service(logs, port, platform_db, name=f"backend{n}", RASA_URL=",".join(rasa_urls),
                                    REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}")
                    for n, port in enumerate(backend_ports, 1)]
        actions = [actions_service(logs, f"actions{n}", port, ",".join(backend_urls))
                   for n, port in enumerate(actions_ports, 1)]
        rasas = [rasa_service(logs, f"rasa{n}", port, tracker_db, action_urls, redis_db=REDIS_DB)
                 for n, port in enumerate(rasa_ports, 1)]
        for service in (*backends, *actions, *rasas):
            stack.callback(service.stop)
        for service in (*backends, *actions):  # one after the other: the first backend seeds the demo data
            service.start()
        with ThreadPoolExecutor(len(rasas)) as pool:
            for started in [pool.submit(rasa.start) for rasa in rasas]:
                started.result()
        yield Replicated(backends, actions, rasas, backend_urls, rasa_urls, to_first_actions,
                         platform_db.replace("+asyncpg", "+psycopg2") if "+asyncpg" in platform_db else platform_db)
