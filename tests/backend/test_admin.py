"""The admin CLI (`python -m backend.admin`, issue #11) as an operations team uses it, each command
run as a subprocess on a temporary SQLite file and judged by its effect: a created account logs
in through the API, a deactivated one cannot and its open session stops working, names are
masked in the list, the importer and the migrations run, and a command that cannot be done exits
non-zero with a sentence, never a traceback. Token rotation and purge: tests/backend/admin/."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from backend.context import Platform
from backend.db import alembic_config
from backend.models import Account, AuditEntry, StaffSession, StaffUser, Unit
from tests.backend.admin import fixtures
from tests.backend.admin.fixtures import Admin, backend, login, platform_on

admin, database = fixtures.admin, fixtures.database  # fixtures: this file is outside tests/backend/admin/conftest.py

PASSWORD = "correct-horse-battery-staple"
CREATE = ("staff", "create", "--username", "wangxm", "--name", "王小明", "--unit", "33012701", "--role", "agent")


async def audit_entries(platform: Platform, action: str) -> list[AuditEntry]:
    async with platform.sessions() as session:
        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())


async def staff_user(platform: Platform, username: str) -> StaffUser | None:
    async with platform.sessions() as session:
        return await session.scalar(select(StaffUser).where(StaffUser.username == username))


async def test_a_created_staff_member_logs_in_with_the_password_printed_once(admin: Admin, database: Platform):
    out = admin.ok(*CREATE)
    password = re.search(r"^password: (\S+)$", out, re.MULTILINE)
    assert password, out
    async with backend(database) as client:
        assert await login(client, "wangxm", password[1]) == 200
        me = await (await client.get("/api/auth/me")).json()
        assert await login(client, "wangxm", password[1] + "x") == 401
    assert me == {"kind": "staff", "username": "wangxm", "role": "agent", "unit": "33012701"}
    user = await staff_user(database, "wangxm")
    assert user.display_name == "王小明" and user.password_hash.startswith("$argon2id$")
    [entry] = await audit_entries(database, "staff.create")
    assert (entry.actor, entry.target_type, entry.target_id, entry.unit_id) == \
        ("admin-cli", "staff_user", "wangxm", "33012701")
    assert entry.details["role"] == "agent" and password[1] not in str(entry.details)


async def test_a_deactivated_member_cannot_log_in_and_their_open_session_ends(admin: Admin, database: Platform):
    out = admin.ok(*CREATE, "--password-stdin", stdin=PASSWORD + "\n")  # a pipe's line end is not part of it
    assert PASSWORD not in out and "password:" not in out
    async with backend(database) as client:
        assert await login(client, "wangxm", PASSWORD) == 200
        assert (await client.get("/api/auth/me")).status == 200
        out = admin.ok("staff", "deactivate", "wangxm")
        assert (await client.get("/api/auth/me")).status == 401  # the console open at the desk stops working
        assert await login(client, "wangxm", PASSWORD) == 401
    assert "1 live session(s) ended" in out
    user = await staff_user(database, "wangxm")
    assert user is not None and not user.active  # kept, not deleted: history still names it
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).where(StaffSession.user_id == user.id)) == 0
    [entry] = await audit_entries(database, "staff.deactivate")
    assert (entry.actor, entry.target_id, entry.details["sessions_ended"]) == ("admin-cli", "wangxm", 1)


async def test_the_list_masks_names_unless_asked_and_a_reveal_is_audited(admin: Admin, database: Platform):
    async with database.sessions() as session:
        session.add_all([
            StaffUser(username="wangxm", display_name="王小明", role="agent", unit_id="33012701", password_hash="x"),
            StaffUser(username="oyang", display_name="欧阳娜娜", role="supervisor", unit_id="33", password_hash="x",
                      active=False)])
        await session.commit()
    masked = admin.ok("staff", "list")
    assert "王小明" not in masked and "欧阳娜娜" not in masked
    rows = [line.split() for line in masked.splitlines()]
    assert rows == [["USERNAME", "NAME", "UNIT", "ROLE", "ACTIVE"], ["oyang", "欧***", "33", "supervisor", "no"],
                    ["wangxm", "王**", "33012701", "agent", "yes"]]
    assert await audit_entries(database, "staff.reveal") == []
    assert "欧阳娜娜" in admin.ok("staff", "list", "--unmasked")
    assert len(await audit_entries(database, "staff.reveal")) == 1


async def test_a_command_that_cannot_be_done_says_why_and_exits_non_zero(admin: Admin, database: Platform,
                                                                          tmp_path: Path):
    async with database.sessions() as session:
        session.add(StaffUser(username="taken", display_name="李客服", role="agent", unit_id="33", password_hash="x"))
        await session.commit()
    create = ("staff", "create", "--name", "王小明", "--role", "agent")
    cases: list[tuple[tuple[str, ...], str | None, dict[str, str], str]] = [
        ((*create, "--username", "new1", "--unit", "9999"), None, {}, "no unit '9999' (units: 33, 3301,"),
        ((*create, "--username", "taken", "--unit", "33"), None, {}, "a staff user named 'taken' already exists"),
        ((*create, "--username", "new2 ", "--unit", "33"), None, {}, "no spaces at either end"),
        ((*create, "--username", "new3", "--unit", "33", "--password-stdin"), "short", {}, "at least 12 characters"),
        (("staff", "create", "--username", "new4", "--name", "王", "--unit", "33", "--role", "boss"), None, {},
         "invalid choice: 'boss'"),
        (("staff", "deactivate", "nobody"), None, {}, "no staff user named 'nobody'"),
        (("token", "rotate", "--env-file", str(tmp_path / "missing.env")), None, {}, "no env file at"),
        (("import", "accounts", str(tmp_path / "missing.csv")), None, {}, "找不到文件"),
        (("staff", "list"), None, {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}, "is unreachable"),
    ]
    with ThreadPoolExecutor(max_workers=3) as pool:  # each is a process start: side by side
        results = list(pool.map(lambda case: admin(*case[0], stdin=case[1], **case[2]), cases))
    for (args, _, _, message), done in zip(cases, results, strict=True):
        assert done.returncode != 0, args
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout, (args, done.stderr)
    async with database.sessions() as session:
        assert (await session.scalars(select(StaffUser.username))).all() == ["taken"]  # nothing made, nothing changed
        assert (await session.get(StaffUser, 1)).display_name == "李客服"


async def test_import_runs_the_importer_on_the_database(admin: Admin, database: Platform, tmp_path: Path):
    csv = tmp_path / "accounts.csv"
    csv.write_text("户号,户名,联系电话,地址,社区,台区\n"
                   "3300100000011,张伟,13812345678,千岛湖镇坪山社区1幢101室,坪山社区,坪山1号台区\n", encoding="utf-8")
    admin.ok("import", "accounts", csv)
    async with database.sessions() as session:
        account = await session.scalar(select(Account).where(Account.account_no == "3300100000011"))
    assert account is not None and account.name == "张伟" and account.area_id == 1


async def test_migrate_brings_a_new_database_to_the_head_revision_and_nothing_seeds_demo_data(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert f"migrated from revision none (empty database) to {head}" in Admin(url).ok("migrate")
    assert f"already at revision {head}" in Admin(url).ok("migrate")
    # The backend seeds an empty database when DEMO_DATA is on; the CLI never does.
    assert Admin(url).ok("staff", "list", DEMO_DATA="1").strip() == "no staff users"
    platform = await platform_on(url)
    try:
        async with platform.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Unit)) == 0
    finally:
        await platform.engine.dispose()
