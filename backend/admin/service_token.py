"""`token rotate|retire-previous`: a new service token (BACKEND_API_TOKEN) without an outage.

The backends, the action servers and the IVR platform hold the token, and they restart one by
one, so for a while the old token and the new one must both work:
1. `token rotate` writes a new token (secrets.token_urlsafe(TOKEN_BYTES)) as BACKEND_API_TOKEN and
   keeps the old one as BACKEND_API_TOKEN_PREVIOUS, which a backend accepts too (backend/api/auth.py);
2. restart every backend (each then accepts both), then every action server, and give the IVR
   platform the new token (they then send the new one);
3. `token retire-previous` deletes BACKEND_API_TOKEN_PREVIOUS; once the backends have restarted
   again, the old token is refused.
A second rotation before the first is retired is refused (`--force` drops the older token): a
service still sending it would be locked out.

The env file (default: the project's .env, the file the backend creates and reads on start;
production passes its own) is edited, not rewritten: every other line and comment stays as it
was, and the file keeps its mode (0600: it holds secrets) and owner. It is replaced atomically, so
a process starting meanwhile reads the old file or the new one, never half of one. Neither token
is printed unless `--show`.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import stat
import sys
import tempfile
from pathlib import Path

from dotenv import dotenv_values

from backend.admin.common import AdminError
from backend.settings import ensure_env_file

CURRENT, PREVIOUS = "BACKEND_API_TOKEN", "BACKEND_API_TOKEN_PREVIOUS"
TOKEN_BYTES = 32
SECRET_MODE = 0o600


def register(commands: argparse._SubParsersAction) -> None:
    """Add `token` and its subcommands."""
    group = commands.add_parser("token", help="rotate the service token BACKEND_API_TOKEN")
    token = group.add_subparsers(dest="token_command", required=True, metavar="{rotate,retire-previous}")
    rotate_cmd = token.add_parser("rotate", help="new BACKEND_API_TOKEN; the old one kept as BACKEND_API_TOKEN_PREVIOUS")
    retire_cmd = token.add_parser("retire-previous", help="delete BACKEND_API_TOKEN_PREVIOUS (after the restarts)")
    for command in (rotate_cmd, retire_cmd):
        command.add_argument("--env-file", type=Path, help="the env file to edit (default: the project's .env)")
    rotate_cmd.add_argument("--show", action="store_true", help="print the new token")
    rotate_cmd.add_argument("--force", action="store_true", help="rotate even though a previous token is still kept")
    rotate_cmd.set_defaults(run=lambda args: rotate(_env_file(args.env_file), show=args.show, force=args.force))
    retire_cmd.set_defaults(run=lambda args: retire_previous(_env_file(args.env_file)))


def _env_file(given: Path | None) -> Path:
    # An explicit file must exist: a mistyped production path must not quietly become a new file.
    path = ensure_env_file() if given is None else given
    if not path.is_file():
        raise AdminError(f"no env file at {path}")
    return path


def _pattern(name: str) -> re.Pattern[str]:
    """The line that sets `name`, as python-dotenv reads it (an `export ` prefix and spaces allowed)."""
    return re.compile(rf"^(?P<lead>\s*(?:export\s+)?){re.escape(name)}(?P<eq>\s*=\s*)(?P<rest>[^\r\n]*)(?P<end>\r?\n)?$")


def _comment_after_value(rest: str) -> str:
    """What follows a line's value (`  # why`), kept when the value is replaced."""
    if rest[:1] in ("'", '"'):
        closing = re.match(rf"{rest[0]}(?:\\.|[^{rest[0]}\\])*{rest[0]}", rest)
        return rest[closing.end():] if closing else ""
    comment = re.search(r"\s+#", rest)  # unquoted: a comment starts at whitespace and #, as dotenv reads it
    return rest[comment.start():] if comment else ""


def _written(value: str) -> str:
    """The value as an env file line holds it; quoted only when it has to be."""
    if re.fullmatch(r"[A-Za-z0-9_\-.~+/=:@]*", value):
        return value
    return "'" + value + "'" if "'" not in value else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _find(lines: list[str], name: str, path: Path) -> int | None:
    found = [i for i, line in enumerate(lines) if _pattern(name).match(line)]
    if len(found) > 1:
        raise AdminError(f"{path}: {name} is set on {len(found)} lines; keep one and try again")
    return found[0] if found else None


def _set(lines: list[str], name: str, value: str, path: Path, after: str | None = None) -> None:
    """Set `name` on its line, keeping the line's layout and comment; a new line goes after the line
    of `after`, written like it, or at the end."""
    at = _find(lines, name, path)
    if at is not None:
        line = _pattern(name).match(lines[at])
        assert line is not None  # _find matched it
        lines[at] = f"{line['lead']}{name}{line['eq']}{_written(value)}{_comment_after_value(line['rest'])}" \
                    f"{line['end'] or ''}"
        return
    anchor = _find(lines, after, path) if after else None
    like = _pattern(after).match(lines[anchor]) if after and anchor is not None else None
    lead, end = (like["lead"], like["end"] or "\n") if like else ("", "\n")
    where = len(lines) if anchor is None else anchor + 1
    if where > 0 and not lines[where - 1].endswith("\n"):
        lines[where - 1] += end
    lines.insert(where, f"{lead}{name}={_written(value)}{end}")


def _delete(lines: list[str], name: str, path: Path) -> bool:
    """Delete the line that sets `name`; whether there was one."""
    at = _find(lines, name, path)
    if at is not None:
        del lines[at]
    return at is not None


def _read(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8", newline="") as env:  # line ends as they are: \r\n stays \r\n
            return env.read().splitlines(keepends=True)
    except UnicodeDecodeError as error:
        raise AdminError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start})") from None
    except PermissionError:
        raise AdminError(f"{path} cannot be read by this user: run this as its owner or as root") from None


def _write(path: Path, lines: list[str]) -> None:
    """Replace the file's contents atomically, keeping its mode and owner."""
    target = path.resolve()  # a symlinked env file: the file it points at is edited, the link stays
    was = target.stat()
    try:
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as error:
        raise AdminError(f"cannot write next to {target}: {error.strerror}") from None
    try:
        os.fchmod(fd, stat.S_IMODE(was.st_mode))
        made = os.fstat(fd)
        if (made.st_uid, made.st_gid) != (was.st_uid, was.st_gid):
            try:
                os.fchown(fd, was.st_uid, was.st_gid)
            except PermissionError:
                raise AdminError(f"{target} belongs to another user: run this as that user or as root") from None
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write("".join(lines))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if stat.S_IMODE(was.st_mode) & 0o077:
        print(f"warning: {target} can be read by other users (mode {stat.S_IMODE(was.st_mode):04o}); it holds "
              f"secrets: chmod {SECRET_MODE:o} {target}", file=sys.stderr)


def _environment_note() -> None:
    for name in (CURRENT, PREVIOUS):
        if name in os.environ:  # Settings.load: the environment wins over the file
            print(f"note: {name} is set in this shell's environment; a process started from here takes that "
                  f"value, not the file's", file=sys.stderr)


def rotate(path: Path, *, show: bool = False, force: bool = False) -> int:
    """Write a new token, keep the old as the previous one; print the steps that follow."""
    lines = _read(path)
    values = dotenv_values(stream=io.StringIO("".join(lines)))  # as Settings.load reads them: quotes, comments
    old, kept = values.get(CURRENT) or "", values.get(PREVIOUS) or ""
    if kept and not force:
        raise AdminError(f"{path} still keeps a previous token from the last rotation: finish that one first "
                         f"(restart the action servers, then `token retire-previous`), or pass --force to drop it")
    new = secrets.token_urlsafe(TOKEN_BYTES)
    _set(lines, CURRENT, new, path)
    if old:
        _set(lines, PREVIOUS, old, path, after=CURRENT)
    else:  # no token was in use: an older one kept from before must not stay accepted
        _delete(lines, PREVIOUS, path)
    _write(path, lines)
    print(f"{CURRENT} rotated in {path}" + (f"; the old token is kept as {PREVIOUS}" if old else
                                             " (it was empty: there is no old token to keep)"))
    if show:
        print(f"new token: {new}")
    print("Next:\n"
          "  1. restart every backend, one at a time: each then accepts the new token and the old one\n"
          "  2. restart every action server, and give the IVR platform the new token\n"
          f"  3. python -m backend.admin token retire-previous --env-file {path}\n"
          "     then restart the backends once more: the old token is refused from then on")
    _environment_note()
    return 0


def retire_previous(path: Path) -> int:
    """Delete the previous token from the file; print what makes it take effect."""
    lines = _read(path)
    if not _delete(lines, PREVIOUS, path):
        print(f"{path} keeps no previous token: nothing to retire")
        return 0
    _write(path, lines)
    print(f"{PREVIOUS} deleted from {path}.\n"
          "Next: restart every backend, one at a time: from then on only the new token is accepted")
    _environment_note()
    return 0
