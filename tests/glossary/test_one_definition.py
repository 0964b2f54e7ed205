"""One definition of identifiers and names (issue 6, item 8).

Two halves:
- the source of backend/, actions/ and bot/ holds no copy of what glossary/ defines:
  no 户号/phone/ticket-number pattern, no ticket number built by hand, no code → name
  table, no list of all the codes of a table, no variant spelling of a name;
- the parse functions behave the same wherever they are reached from: the NLU, the
  actions' patterns, the backend's validators and the importer.
"""
from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from glossary import identifiers, names
from glossary.identifiers import (
    find_identifiers,
    parse_account_no,
    parse_phone,
    parse_ticket_id,
    ticket_number,
)

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("backend", "actions", "bot")
TABLES = {name: table for name, table in vars(names).items() if name.isupper() and isinstance(table, dict)}
# Regex fragments and ticket-number building that belong in glossary/identifiers.py only.
PATTERNS = re.compile(r"\\d\{1[03]\}|\[0-9\]\{1[03]\}|1\[3-9\]|GD\\s|GD\\d|GD\[0-9\]|GD\(")
# Variants of a name: the remote site class is 特殊边远地区, `replied` is 已答复.
VARIANTS = re.compile(r"特殊边远(?!地区)|已答复，待回访")


def _sources() -> list[tuple[str, ast.AST]]:
    found = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:  # a migration freezes the schema of its day
                continue
            found.append((str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _strings(node: ast.AST) -> list[str | None]:
    return [e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else None
            for e in getattr(node, "elts", [])]


def test_no_copy_of_an_identifier_pattern_or_a_ticket_number_format():
    copies = []
    for path, tree in _sources():
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                if PATTERNS.search(node.value) or VARIANTS.search(node.value):
                    copies.append(f"{path}:{node.lineno}: {node.value!r}")
            if isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and str(head.value).upper().endswith("GD") and len(node.values) > 1:
                    copies.append(f"{path}:{node.lineno}: ticket number built by hand")
    assert copies == [], "use glossary.identifiers / glossary.names instead:\n" + "\n".join(copies)


def test_no_copy_of_a_name_table_or_a_code_list():
    copies = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
                values = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                for table_name, table in TABLES.items():
                    chinese = [v for v in values if re.search(r"[\u4e00-\u9fff]", v)]
                    if len(set(keys) & set(table)) >= 2 and chinese:
                        copies.append(f"{path}:{node.lineno}: a copy of names.{table_name}")
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                codes = set(_strings(node)) - {None}
                for table_name, table in TABLES.items():
                    if len(table) >= 3 and set(table) <= codes:
                        copies.append(f"{path}:{node.lineno}: the codes of names.{table_name}")
    assert copies == [], "\n".join(copies)


def test_every_code_list_of_the_models_is_the_glossary_s():
    from backend.models.accounts import ACCOUNT_STATUSES
    from backend.models.outages import OUTAGE_STATUSES, OUTAGE_TYPES
    from backend.models.tickets import COMPLAINT_CLASSES, COMPLAINT_GRADES, RATINGS, TICKET_STATUSES, TICKET_TYPES
    from backend.models.units import SITE_CLASSES

    assert ACCOUNT_STATUSES == tuple(names.ACCOUNT_STATUSES)
    assert (OUTAGE_TYPES, OUTAGE_STATUSES) == (tuple(names.OUTAGE_TYPES), tuple(names.OUTAGE_STATUSES))
    assert TICKET_TYPES == tuple(names.TICKET_TYPES) and TICKET_STATUSES == tuple(names.TICKET_STATUSES)
    assert COMPLAINT_CLASSES == tuple(names.COMPLAINT_CLASSES) and COMPLAINT_GRADES == tuple(names.COMPLAINT_GRADES)
    assert RATINGS == tuple(names.RATINGS) and SITE_CLASSES == tuple(names.SITE_CLASSES)


def test_the_actions_and_the_backend_show_the_same_names():
    from actions import followup, repairs, text
    from backend.accounts import SITE_CLASSES as backend_sites
    from backend.tickets.lifecycle import STATUS_NAMES
    from backend.tickets.views import TYPE_NAMES

    assert text.STATUS_NAMES is STATUS_NAMES is names.TICKET_STATUSES
    assert STATUS_NAMES["replied"] == "已答复"
    assert text.TYPE_NAMES is TYPE_NAMES is names.TICKET_TYPES
    assert repairs.SITE_NAMES is backend_sites is names.SITE_CLASSES
    assert names.SITE_CLASSES["remote"] == "特殊边远地区"
    assert followup.RATING_NAMES == {k: v for k, v in names.RATINGS.items() if k != "callback_failed"}
    assert text.DEADLINE_NAMES is names.DEADLINES


# --- behaviour ---------------------------------------------------------------------

NOT_AN_ACCOUNT = ("1234567890123", "9901234567890", "3311234567890", "123456789", "12345678901")
ACCOUNTS = {
    "3301234567890": "3301234567890", "3301 2345 67890": "3301234567890", "3301-234567890": "3301234567890",
    "1101234567890": "1101234567890", "1234567890": "1234567890", "12 3456 7890": "1234567890",
    "三三零一二三四五六七八九零": "3301234567890",
}


def _every_account_reader():
    from actions import identity, outages
    from backend import identifiers as backend_identifiers
    from backend.importer import reading

    def nlu(text):
        found = [i.value for i in find_identifiers(text) if i.entity == identifiers.ACCOUNT_NO]
        return found[0] if found else None

    def backend(text):
        try:
            return backend_identifiers.account_no(text)
        except ValueError:
            return None

    def importer(text):
        try:
            return reading.parse_account_no(text)
        except ValueError:
            return None

    readers = {"glossary": parse_account_no, "nlu": nlu, "backend": backend, "importer": importer}
    for module in (identity, outages):  # while an action module still exports its pattern, it is ours
        pattern = getattr(module, "ACCOUNT_NO", None)
        if pattern is not None:
            readers[module.__name__] = lambda text, p=pattern: text if p.match(text) else None
    return readers


@pytest.mark.parametrize("text", NOT_AN_ACCOUNT)
def test_a_13_digit_number_without_a_province_prefix_is_no_account_anywhere(text):
    accepted = {where: read(text) for where, read in _every_account_reader().items()}
    assert {where: value for where, value in accepted.items() if value} == {}


@pytest.mark.parametrize("text, value", ACCOUNTS.items())
def test_spaced_dashed_and_spoken_account_numbers(text, value):
    assert parse_account_no(text) == value
    if text.isascii():
        from backend import identifiers as backend_identifiers

        assert backend_identifiers.account_no(text) == value


def test_an_account_number_inside_a_sentence():
    assert parse_account_no("我的户号是3301234567890，帮我查一下") == "3301234567890"
    assert parse_account_no("户号3301234567 电话13812345678") == "3301234567"
    assert parse_account_no("我的户号是3301234567890", free_text=False) is None
    assert parse_account_no("") is None and parse_account_no(None) is None


@pytest.mark.parametrize("text, value", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"), ("幺三八一二三四五六七八", "13812345678"),
    ("0571-87654321", "057187654321"), ("010-62345678", "01062345678"), ("（0571）87654321", "057187654321"),
    ("我的电话是13812345678", "13812345678"),
])
def test_phone_numbers_are_digits_only(text, value):
    from actions.repairs import parse_phone as actions_parse_phone
    from backend import identifiers as backend_identifiers

    assert parse_phone(text) == value
    assert actions_parse_phone(text) == value
    if not re.search(r"[\u4e00-\u9fff]", text):
        assert backend_identifiers.phone(text) == value


@pytest.mark.parametrize("text", ["12812345678", "1381234567", "0571-0123456", "00571-87654321", "电话未知"])
def test_what_is_not_a_phone(text):
    from backend import identifiers as backend_identifiers

    assert parse_phone(text) is None
    with pytest.raises(ValueError, match="^请您"):
        backend_identifiers.phone(text)


def test_the_backend_s_messages_are_polite():
    from backend import identifiers as backend_identifiers

    with pytest.raises(ValueError, match="^请您"):
        backend_identifiers.account_no("1234567890123")


def test_ticket_numbers():
    assert ticket_number(date(2026, 11, 26), 123) == "GD20261126000123"
    assert identifiers.is_ticket_id(ticket_number(date(2026, 1, 2), 1_000_007))
    assert parse_ticket_id("我的单号 gd 20261126-000123 查一下") == "GD20261126000123"
    assert parse_ticket_id("GD20261126000123") == "GD20261126000123"
    assert parse_ticket_id("单号GD2026112600012") is None
    assert parse_ticket_id("") is None


def test_the_ticket_number_of_a_new_ticket_comes_from_the_glossary():
    source = (ROOT / "backend/tickets/intake.py").read_text(encoding="utf-8")
    assert "ticket_number(" in source
