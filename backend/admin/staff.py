"""`staff create|deactivate|list`: the console's accounts (backend/models/staff.py), as operations manage them.

- create: a staff member of an existing unit with one of the platform's roles (STAFF_ROLES). The
  password comes from stdin (`--password-stdin`: a script's or a password manager's) or is
  generated (PASSWORD_BYTES of randomness) and printed once. It is hashed by the login's own
  argon2 hasher (backend/api/staff.py), and must pass the login's own body rules (Login), so what
  was created is what the login accepts.
- deactivate: the account is kept (tickets' and the audit log's history still name it) but can no
  longer log in, and every live session of it (StaffSession) ends at once.
- list: every account. Display names are personal data: masked (mask_name) unless `--unmasked`,
  which is recorded in the audit log before anything is shown, as every reveal is.

Audit entries: staff.create, staff.deactivate, staff.reveal; target the username (target_type
staff_user, as logins), unit the account's, actor `admin-cli` (backend/admin/common.py).
"""
from __future__ import annotations

import argparse
import getpass
import secrets
import sys
import unicodedata

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from backend import audit
from backend.admin import common
from backend.admin.common import OPERATOR, AdminError
from backend.api.staff import Login, password_hasher
from backend.models import StaffSession, StaffUser, Unit
from backend.models.staff import STAFF_ROLES
from backend.privacy import mask_name

# A password the operator chooses must be at least this long; a generated one is longer.
MIN_PASSWORD_LENGTH = 12
PASSWORD_BYTES = 18  # token_urlsafe: 24 characters, 144 bits
MAX_DISPLAY_NAME = StaffUser.display_name.type.length
UNITS_SHOWN = 10  # known units listed when an unknown one is given


def register(commands: argparse._SubParsersAction) -> None:
    """Add `staff` and its subcommands."""
    group = commands.add_parser("staff", help="create, deactivate and list staff accounts")
    staff = group.add_subparsers(dest="staff_command", required=True, metavar="{create,deactivate,list}")
    made = staff.add_parser("create", help="create a staff account (the password is printed once unless given)")
    made.add_argument("--username", required=True, help="what the staff member logs in with")
    made.add_argument("--name", required=True, help="display name, e.g. 王小明")
    made.add_argument("--unit", required=True, metavar="UNIT_ID", help="the unit's code, e.g. 33012701")
    made.add_argument("--role", required=True, choices=STAFF_ROLES)
    made.add_argument("--password-stdin", action="store_true", help="read the password from stdin instead")
    made.set_defaults(run=lambda args: common.run(create(args)))
    gone = staff.add_parser("deactivate", help="stop an account logging in and end its sessions (kept, not deleted)")
    gone.add_argument("username")
    gone.set_defaults(run=lambda args: common.run(deactivate(args.username)))
    listed = staff.add_parser("list", help="every account: username, name (masked), unit, role, active")
    listed.add_argument("--unmasked", action="store_true", help="show names in full (recorded in the audit log)")
    listed.set_defaults(run=lambda args: common.run(list_staff(args.unmasked)))


def _read_password() -> str:
    if sys.stdin.isatty():  # typed by hand: not echoed
        return getpass.getpass("Password: ")
    return sys.stdin.read().rstrip("\r\n")  # the line end a pipe or here-string adds is not part of it


def _checked(username: str, name: str, password: str, chosen: bool) -> None:
    if not username or username != username.strip() or not username.isprintable():
        raise AdminError(f"username {username!r}: no spaces at either end and no control characters")
    if not name.strip() or len(name) > MAX_DISPLAY_NAME:
        raise AdminError(f"--name must be 1 to {MAX_DISPLAY_NAME} characters")
    if chosen and len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    try:
        Login(username=username, password=password)
    except ValidationError as invalid:
        problems = "; ".join(f"{error['loc'][0]}: {error['msg']}" for error in invalid.errors())
        raise AdminError(f"the login would refuse these credentials ({problems})") from None


async def create(args: argparse.Namespace) -> int:
    """Create the account, audited; print the generated password once."""
    chosen = args.password_stdin
    password = _read_password() if chosen else secrets.token_urlsafe(PASSWORD_BYTES)
    _checked(args.username, args.name, password, chosen)
    exists = AdminError(f"a staff user named {args.username!r} already exists")
    async with common.platform() as platform:
        async with platform.sessions() as session:
            if await session.get(Unit, args.unit) is None:
                known = (await session.scalars(select(Unit.id).order_by(Unit.id).limit(UNITS_SHOWN + 1))).all()
                listed = ", ".join(known[:UNITS_SHOWN]) + (", ..." if len(known) > UNITS_SHOWN else "")
                raise AdminError(f"no unit {args.unit!r} (units: {listed or 'none in this database'})")
            if await session.scalar(select(StaffUser.id).where(StaffUser.username == args.username)) is not None:
                raise exists
            session.add(StaffUser(username=args.username, display_name=args.name.strip(), role=args.role,
                                  unit_id=args.unit, password_hash=password_hasher.hash(password), active=True,
                                  created_at=platform.clock()))
            try:
                await session.commit()
            except IntegrityError:  # created by someone else between the check and now
                raise exists from None
        await audit.record(platform, OPERATOR, "staff.create", "staff_user", args.username, unit_id=args.unit,
                           details={"role": args.role, "operator": common.operator_login()})
    print(f"created staff user {args.username} ({args.role}, unit {args.unit})")
    if not chosen:
        print(f"password: {password}")
        print("This password is shown only this once: hand it to the staff member in person.")
    return 0


async def deactivate(username: str) -> int:
    """Deactivate the account and end its sessions, audited; an inactive one is left as it is."""
    async with common.platform() as platform:
        async with platform.sessions() as session:
            user = await session.scalar(select(StaffUser).where(StaffUser.username == username))
            if user is None:
                raise AdminError(f"no staff user named {username!r}")
            was_active, unit_id = user.active, user.unit_id
            user.active = False
            ended = (await session.execute(delete(StaffSession).where(StaffSession.user_id == user.id)
                                           .execution_options(synchronize_session=False))).rowcount or 0
            await session.commit()
        if was_active or ended:
            await audit.record(platform, OPERATOR, "staff.deactivate", "staff_user", username, unit_id=unit_id,
                               details={"sessions_ended": ended, "operator": common.operator_login()})
    state = "deactivated" if was_active else "was already inactive"
    print(f"staff user {username} {state}; {ended} live session(s) ended")
    return 0


def _width(text: str) -> int:
    """Columns a terminal gives the text: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


async def list_staff(unmasked: bool) -> int:
    """Print every account, names masked unless asked (then audited first)."""
    async with common.platform() as platform:
        if unmasked:
            await audit.record(platform, OPERATOR, "staff.reveal", "staff_user", "*", required=True,
                               details={"operator": common.operator_login()})
        async with platform.sessions() as session:
            users = (await session.scalars(select(StaffUser).order_by(StaffUser.unit_id, StaffUser.username))).all()
    if not users:
        print("no staff users")
        return 0
    rows = [("USERNAME", "NAME", "UNIT", "ROLE", "ACTIVE")]
    rows += [(u.username, u.display_name if unmasked else mask_name(u.display_name) or "", u.unit_id, u.role,
              "yes" if u.active else "no") for u in users]
    print(_table(rows))
    return 0
