"""The system as `make run` starts it, for the whole-path benchmark: the backend on the demo
province, the action server and Rasa (endpoints.yml, trackers in SQLite), each a process.

Only the customer doors' per-address limits differ (a bench rules file, SERVICE_RULES_FILE):
every simulated customer comes from 127.0.0.1, and the 31st new web chat within ten minutes
would otherwise be refused, as it should be for one real address.
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from backend.settings import CONFIG_DIR
from bot.model_cache import ensure_model
from scripts.bench.customers import DemoAccount
from scripts.sample_dialogues import demo_account
from tests.assistant_fixtures import free_port
from tests.faults.processes import Service, python

API_TOKEN = "bench-service-token"
RASA_TOKEN = "bench-rasa-token"


def bench_rules(folder: Path) -> Path:
    rules = yaml.safe_load((CONFIG_DIR / "service_rules.yml").read_text(encoding="utf-8"))
    rules["web_chat"].update(max_sessions=10**6, max_messages=10**6)
    path = folder / "service_rules.yml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class BenchStack:
    backend_url: str
    rasa_url: str
    services: dict[str, Service]
    database: Path
    ready_seconds: dict[str, float] = field(default_factory=dict)  # from spawn to healthy, per process

    def rss_mib(self) -> dict[str, float]:
        """Resident memory of each process now (VmRSS)."""
        found = {}
        for name, service in self.services.items():
            assert service.process is not None
            status = Path(f"/proc/{service.process.pid}/status").read_text()
            kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            found[name] = kib / 1024
        return found

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system, all threads) each process has used so far."""
        tick = os.sysconf("SC_CLK_TCK")
        found = {}
        for name, service in self.services.items():
            assert service.process is not None
            fields = Path(f"/proc/{service.process.pid}/stat").read_text().rpartition(")")[2].split()
            found[name] = (int(fields[11]) + int(fields[12])) / tick
        return found

    def demo_account(self) -> DemoAccount:
        """A demo account with an unpaid bill, for the bill flow (the identity check's last four digits)."""
        return DemoAccount(*demo_account(self.database))


def _start_side_by_side(services: dict[str, Service]) -> dict[str, float]:
    """Spawn every process at once, as bot/launch.py does; seconds from spawn to healthy for each,
    and `all` until the last was healthy."""
    began = time.perf_counter()
    for service in services.values():
        service.spawn()

    def healthy(service: Service) -> float:
        service.wait_healthy()
        return time.perf_counter() - began

    with ThreadPoolExecutor(len(services)) as pool:
        waits = {name: pool.submit(healthy, service) for name, service in services.items()}
        ready = {name: round(wait.result(), 1) for name, wait in waits.items()}
    return {**ready, "all": max(ready.values())}


@contextmanager
def running(folder: Path) -> Iterator[BenchStack]:
    ports = {name: free_port() for name in ("backend", "actions", "rasa")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    database = folder / "backend.db"
    services = {
        "backend": Service("backend", python("backend"), {
            "DATABASE_URL": f"sqlite:///{database}", "BACKEND_PORT": str(ports["backend"]),
            "BACKEND_API_TOKEN": API_TOKEN, "DEMO_DATA": "1", "RASA_URL": urls["rasa"], "RASA_TOKEN": RASA_TOKEN,
            "SERVICE_RULES_FILE": str(bench_rules(folder))},
            f"{urls['backend']}/healthz", folder),
        "actions": Service("actions", python("actions.server"), {
            "ACTION_PORT": str(ports["actions"]), "BACKEND_URL": urls["backend"], "BACKEND_API_TOKEN": API_TOKEN,
            "OUTBOX_PATH": str(folder / "outbox.db")}, f"{urls['actions']}/health", folder),
        "rasa": Service("rasa", python("bot.rasa_server", "run", "--model", str(ensure_model()), "--enable-api",
                                       "--auth-token", RASA_TOKEN, "--interface", "127.0.0.1",
                                       "--port", str(ports["rasa"]), "--credentials", "credentials.yml",
                                       "--endpoints", "endpoints.yml"),
                        {"ACTION_ENDPOINT_URL": f"{urls['actions']}/webhook",
                         "RASA_TRACKER_DB": str(folder / "rasa-tracker.db")},
                        f"{urls['rasa']}/", folder, start_seconds=300),
    }
    with ExitStack() as stack:
        for service in services.values():
            stack.callback(service.stop)
        ready = _start_side_by_side(services)
        yield BenchStack(urls["backend"], urls["rasa"], services, database, ready)
