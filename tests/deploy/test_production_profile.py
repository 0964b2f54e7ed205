"""The production profile started from deploy/ as an operator starts it (issue #11):
`honcho start -f deploy/Procfile -e <env file>`, every setting from an env file made from
deploy/production.env.example, against the machine's PostgreSQL and Redis. Then health,
readiness and metrics of every process, and one hotline call that reports a fault, followed
through all three processes' JSON logs by its request id with one grep. The systemd units
run the same command (deploy/bin/serve) and pass `systemd-analyze verify`."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.launch import wait_for as launched_wait_for
from bot.model_cache import ROOT, ensure_model
from glossary.identifiers import spoken_to_digits
from tests.conftest import query_database, redis_or_skip, scratch_pg_database
from tests.faults.customers import heard

pytestmark = pytest.mark.postgres
DEPLOY = ROOT / "deploy"
API_TOKEN, METRICS_TOKEN = "prod-profile-service-token", "prod-profile-scrape-token"
REDIS_DB = 6  # apart from the other tests' Redis databases
START_SECONDS = 300.0
PHONE = "13955501234"
TURNS = [("我家突然没电了", "冒烟"), ("没有", "地址"), ("千岛湖镇环湖社区9幢101", "电话"), (PHONE, "工单号")]


@dataclass
class Profile:
    backend: str
    actions: str
    rasa: str
    log: Path
    database: str  # sync URL

    def lines_with(self, needle: str) -> list[str]:
        return [line for line in self.log.read_text("utf-8", errors="replace").splitlines() if needle in line]

    def query(self, sql: str, **params: object) -> list[tuple]:
        return query_database(self.database, sql, **params)


def env_file(path: Path, overrides: dict[str, str]) -> Path:
    """The example with these values put in; every key set must be one the example documents."""
    lines = (DEPLOY / "production.env.example").read_text("utf-8").splitlines()
    documented = {line.split("=", 1)[0] for line in lines if re.match(r"[A-Z_]+=", line)}
    assert set(overrides) <= documented, sorted(set(overrides) - documented)
    written = [f"{key}={overrides[key]}" if (key := line.split("=", 1)[0]) in overrides else line
               for line in lines]
    path.write_text("\n".join(written) + "\n", encoding="utf-8")
    return path


def distinct_ports(n: int) -> list[int]:
    """n free ports, all different (each socket held until all are chosen)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(n)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    try:
        launched_wait_for(url, process, START_SECONDS)  # as the launcher waits for its processes
    except SystemExit as exc:
        raise AssertionError(f"{exc}: {log.read_text()[-3000:]}") from None


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Profile]:
    redis_or_skip()
    tmp = tmp_path_factory.mktemp("production")
    with scratch_pg_database() as platform_db, scratch_pg_database() as tracker_db:
        ports = dict(zip(("BACKEND_PORT", "ACTION_PORT", "RASA_PORT"), distinct_ports(3), strict=True))
        backend, actions, rasa = (f"http://127.0.0.1:{ports[name]}" for name in ports)
        settings = env_file(tmp / "production.env", {
            "DATABASE_URL": platform_db, "BACKEND_HOST": "127.0.0.1", "RASA_HOST": "127.0.0.1",
            "ACTION_HOST": "127.0.0.1", **{name: str(port) for name, port in ports.items()},
            "RASA_URL": rasa, "BACKEND_URL": backend, "ACTION_ENDPOINT_URL": f"{actions}/webhook",
            "RASA_MODEL": str(ensure_model()), "BACKEND_API_TOKEN": API_TOKEN, "RASA_TOKEN": "prod-profile-rasa",
            "METRICS_TOKEN": METRICS_TOKEN, "TRACKER_DB_HOST": "127.0.0.1",
            "TRACKER_DB_NAME": tracker_db.rsplit("/", 1)[1], "TRACKER_DB_USER": "postgres",
            # The machine's PostgreSQL trusts local connections and ignores it; honcho drops an empty value.
            "TRACKER_DB_PASSWORD": "unused",
            "REDIS_HOST": "127.0.0.1", "REDIS_DB": str(REDIS_DB), "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "COOKIE_SECURE": "0", "DEMO_DATA": "1", "OUTBOX_PATH": str(tmp / "outbox.db")})
        log = tmp / "honcho.log"
        # Only what a machine's shell has: every setting of ours comes from the file.
        clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "CI")}
        with log.open("w") as out:
            honcho = subprocess.Popen([str(ROOT / ".venv" / "bin" / "honcho"), "start", "-f", str(DEPLOY / "Procfile"),
                                       "-e", str(settings), "-d", str(ROOT), "--no-colour"],
                                      cwd=ROOT, env=clean, stdout=out, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        try:
            wait_for(f"{backend}/readyz", honcho, log)
            wait_for(f"{actions}/healthz", honcho, log)
            wait_for(f"{rasa}/version", honcho, log)
            yield Profile(backend, actions, rasa, log, platform_db.replace("+asyncpg", "+psycopg2"))
        finally:
            stop(honcho)


def stop(honcho: subprocess.Popen) -> None:
    """SIGTERM as a process manager stops it; SIGKILL what is left after 30 s."""
    try:
        os.killpg(honcho.pid, signal.SIGTERM)
        honcho.wait(timeout=30)
    except ProcessLookupError:
        pass  # it stopped by itself (a process failed to start)
    except subprocess.TimeoutExpired:
        os.killpg(honcho.pid, signal.SIGKILL)
        honcho.wait()


async def get_json(http: aiohttp.ClientSession, url: str, **headers: str) -> tuple[int, dict]:
    async with http.get(url, headers=headers) as resp:
        return resp.status, await resp.json()


async def scrape(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.text()


def sample(exposition: str, name: str, **labels: str) -> float:
    for line in exposition.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0])) if "{" in line else {}
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_the_profile_is_healthy_ready_and_scraped(profile: Profile):
    async with aiohttp.ClientSession() as http:
        status, health = await get_json(http, f"{profile.backend}/healthz")
        assert status == 200 and health["status"] == "ok", health
        checks = health["checks"]
        assert set(checks) == {"database", "rasa", "action_server", "redis", "scheduler", "delivery"}
        assert checks["database"]["dialect"] == "postgresql"
        assert checks["rasa"]["replicas"][0]["version"] == "3.6.21"
        assert checks["action_server"]["replicas"][0]["outbox"]["depth"] == 0
        assert all("latency_ms" in check for check in (checks["database"], checks["redis"]))
        status, ready = await get_json(http, f"{profile.backend}/readyz")
        assert status == 200 and ready["ready"]
        async with http.get(f"{profile.backend}/metrics") as resp:
            assert resp.status == 401  # never public
        assert "p95598_http_request_duration_seconds_bucket" in await scrape(http, profile.backend)
        assert "p95598_action_outbox_depth 0.0" in await scrape(http, profile.actions)


async def test_one_call_is_followed_from_the_hotline_to_its_ticket_with_one_grep(profile: Profile):
    answers = []
    async with aiohttp.ClientSession() as http:
        before = await scrape(http, profile.backend)  # the demo data's tickets are counted too
        for seq, (said, expected) in enumerate(TURNS, 1):
            async with http.post(f"{profile.backend}/webhooks/ivr", json={
                    "call_id": "call-production-1", "seq": seq, "event": "text", "text": said},
                    headers={"Authorization": f"Bearer {API_TOKEN}", "X-Request-Id": f"prod-call-1-seq-{seq}"}
                    ) as resp:
                assert resp.status == 200 and resp.headers["X-Request-Id"] == f"prod-call-1-seq-{seq}"
                answers.append(heard(await resp.json()))
            assert expected in answers[-1], answers
        backend_metrics, action_metrics = await scrape(http, profile.backend), await scrape(http, profile.actions)
    filing = "prod-call-1-seq-4"
    [(ticket_no,)] = profile.query(
        "SELECT t.ticket_no FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id WHERE e.request_id = :rid "
        "GROUP BY t.ticket_no", rid=filing)
    assert ticket_no in re.sub(r"[^A-Z0-9]", "", spoken_to_digits(answers[-1]))  # the number the caller heard
    def grew(name: str, **labels: str) -> float:
        return sample(backend_metrics, name, **labels) - sample(before, name, **labels)

    assert grew("p95598_tickets_created_total", type="fault_repair", channel="ivr") == 1
    assert grew("p95598_assistant_turns_total", channel="ivr") == len(TURNS)
    assert sample(action_metrics, "p95598_action_duration_seconds_count", action="action_submit_repair",
                  outcome="ok") >= 1
    # One grep: every process's JSON lines about the filing turn, each naming it.
    lines = profile.lines_with(filing)
    by_process = {line.split("|", 1)[0].split()[-1] for line in lines}
    assert {"backend.1", "actions.1", "rasa.1"} <= by_process, lines
    for line in lines:
        record = json.loads(line.split("|", 1)[1])
        assert record["request_id"] == filing or filing in record["message"], record
        assert PHONE not in line  # masked in every process's lines


def test_the_systemd_units_run_the_same_command_and_verify(tmp_path: Path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    procfile = dict(line.split(": ", 1) for line in (DEPLOY / "Procfile").read_text().splitlines()
                    if line and not line.startswith("#"))
    for kind, command in procfile.items():
        unit = (DEPLOY / "systemd" / f"95598-{kind}@.service").read_text()
        assert f"ExecStart=/opt/95598/{command}" in unit, kind
    (tmp_path / "production.env").write_text("")
    names = []
    for unit in (DEPLOY / "systemd").iterdir():
        body = unit.read_text().replace("/opt/95598", str(ROOT)).replace("/etc/95598", str(tmp_path))
        name = unit.name.replace("@.service", "@8000.service")
        (tmp_path / name).write_text(body)
        names.append(f"./{name}")
    verified = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(names)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and "Unknown" not in verified.stderr, verified.stderr
