"""`python -m scripts.wording_sheet` (`make wording`): every sentence a customer can read
or hear, in one reviewer's sheet, docs/customer-wording.md.

Read from where the sentences live, never copied by hand:
- domain.yml `responses:` — each response's text variations, the hotline's
  (`channel: ivr`) beside them, conditions (the `hazard` slot) and buttons named;
- glossary/replies/ — what the actions compose, by domain (`Sentence` pairs, with
  the placeholders a spoken form leaves out, from the module's SPOKEN_OMITS);
- glossary/wording.py — the platform's own (router, IVR, WeChat);
- backend/web/*_wording.py — the web pages', any such module: its module-level
  str, tuple-of-str and dict-of-str constants (a dict of small dataclasses, such
  as a form's field labels and hints, gives one row per text field).

Each is a Markdown table: name | web / WeChat | hotline (spoken). The comment
above an entry in its module (where it goes, what its placeholders are) follows
the name. tests/scripts/test_wording_sheet.py fails when the committed sheet is
not what this script writes.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from collections.abc import Callable, Iterator
from itertools import zip_longest
from pathlib import Path
from types import ModuleType

import yaml

from glossary import replies

ROOT = Path(__file__).resolve().parent.parent
SHEET = ROOT / "docs" / "customer-wording.md"
NONE = "—"  # no form for that channel
HEADER = "| name | web / WeChat | hotline (spoken) |\n|---|---|---|"
HEADING = re.compile(r"^# -+ (.+?) -*$")  # "# --- The bill ----" in a wording module

Row = tuple[str, str, str]


def is_sentence(value: object) -> bool:
    """A (text, spoken) pair of glossary.wording.Sentence."""
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _cell(text: str) -> str:
    if not text:
        return NONE
    for char, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("*", "\\*"), ("\n", "<br>")):
        text = text.replace(char, escaped)
    return text


def _row(name: str, web: str, spoken: str, note: str = "", left_out: tuple[str, ...] = ()) -> str:
    label = f"`{name}`" + (f" — {_cell(note)}" if note else "")
    omitted = "<br>*leaves out " + ", ".join(f"{{{p}}}" for p in left_out) + "*" if left_out else ""
    return f"| {label} | {_cell(web)} | {_cell(spoken)}{omitted} |"


def _table(rows: list[str]) -> list[str]:
    return [HEADER, *rows, ""] if rows else []


# --- domain.yml ---------------------------------------------------------------------------------

def _condition(variation: dict) -> str:
    return ", ".join(f"{c.get('name')} = {c.get('value')}" for c in variation.get("condition") or [])


def _with_buttons(variation: dict) -> str:
    text = variation.get("text", "")
    buttons = variation.get("buttons") or []
    if buttons:
        text += "\n按钮：" + "；".join(f"{b.get('title')}（{b.get('payload')}）" for b in buttons)
    return text


def domain_rows() -> list[str]:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]
    rows = []
    for name, variations in responses.items():
        groups: dict[str, dict[str, list[str]]] = {}
        for variation in variations:
            group = groups.setdefault(_condition(variation), {})
            group.setdefault(variation.get("channel") or "", []).append(_with_buttons(variation))
        for condition, channels in groups.items():
            for web, spoken in zip_longest(channels.pop("", []), channels.pop("ivr", []), fillvalue=""):
                rows.append(_row(name, web, spoken, condition))
            for channel, texts in channels.items():  # another channel's own variation, should one appear
                rows += [_row(name, text, "", ", ".join(filter(None, [condition, f"channel: {channel}"])))
                         for text in texts]
    return rows


# --- Python wording modules ---------------------------------------------------------------------

def _source_notes(module: ModuleType) -> tuple[dict[str, str], dict[str, str]]:
    """For each module-level name: the comment lines just above it, and the section heading it is under."""
    lines = Path(module.__file__ or "").read_text("utf-8").splitlines()
    notes, sections, section = {}, {}, ""
    tree = ast.parse("\n".join(lines))
    starts = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name):
                starts[node.lineno] = target.id
    for number, line in enumerate(lines, 1):
        heading = HEADING.match(line.strip())
        if heading:
            section = heading.group(1)
        if number in starts:
            name, comment, above = starts[number], [], number - 2
            while above >= 0 and lines[above].startswith("#") and not HEADING.match(lines[above]):
                comment.insert(0, lines[above].lstrip("# ").strip())
                above -= 1
            notes[name], sections[name] = " ".join(comment), section
    return notes, sections


def _entries(module: ModuleType) -> Iterator[tuple[str, object]]:
    for name, value in vars(module).items():
        if name.isupper() and not name.startswith("_"):
            yield name, value


def _module_rows(module: ModuleType, single: Callable[[str], str]) -> list[str]:
    """Rows of a wording module, with `#### section` lines between its sections.
    single(name): where a plain string goes ("web", "spoken", or "both" for a name said alike)."""
    notes, sections = _source_notes(module)
    omits = getattr(module, "SPOKEN_OMITS", {})
    out, section, rows = [], "", []

    def flush() -> None:
        out.extend(_table(rows))
        rows.clear()

    for name, value in _entries(module):
        if name == "SPOKEN_OMITS":
            continue
        if sections.get(name, "") != section:
            flush()
            section = sections.get(name, "")
            out.extend([f"#### {section}", ""])
        rows.extend(_value_rows(name, value, notes.get(name, ""), omits, single(name)))
    flush()
    return out


def _value_rows(name: str, value: object, note: str, omits: dict, single: str) -> list[str]:
    if is_sentence(value):
        return [_row(name, value[0], value[1], note, tuple(omits.get(name, ())))]
    if isinstance(value, str):
        web = value if single in ("web", "both") else ""
        return [_row(name, web, value if single in ("spoken", "both") else "", note)]
    if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
        return [_row(name, "\n".join(value), "", note)]
    if isinstance(value, dict):
        rows = []
        for key, item in value.items():
            if dataclasses.is_dataclass(item):
                rows += [_row(f"{name}[{key}].{field}", text, "", note if not rows else "")
                         for field, text in dataclasses.asdict(item).items() if isinstance(text, str) and text]
            elif isinstance(item, str) or is_sentence(item):
                rows += _value_rows(f"{name}[{key}]", item, note if not rows else "", omits, single)
        return rows
    return []


def reply_modules() -> list[ModuleType]:
    return [importlib.import_module(f"glossary.replies.{domain}") for domain in replies.DOMAINS]


def web_wording_modules() -> list[ModuleType]:
    paths = sorted((ROOT / "backend" / "web").glob("*_wording.py"))
    return [importlib.import_module(f"backend.web.{path.stem}") for path in paths]


def _title(module: ModuleType) -> str:
    """The docstring's first paragraph, on one line."""
    return " ".join((module.__doc__ or module.__name__).strip().split("\n\n")[0].split())


def render() -> str:
    from glossary import wording

    out = [
        "# Every sentence a customer reads or hears",
        "",
        "Generated by `make wording` (scripts/wording_sheet.py); do not edit by hand — edit the file named in",
        "each section and regenerate. `{name}` is a value the code fills in (a date, an amount, a ticket number",
        "or a fragment named in the same table); \u2014 means that channel has no such sentence. The hotline",
        "column is what the IVR's speech synthesis reads (glossary/speech.py then reads numbers digit by digit).",
        "",
        "## The assistant's fixed replies — domain.yml `responses:`",
        "",
        *_table(domain_rows()),
        "## What the assistant's actions compose — glossary/replies/",
        "",
        _title(replies),
        "",
    ]
    for module in reply_modules():
        out += [f"### {_title(module)}", "", f"`{module.__name__.replace('.', '/')}.py`", ""]
        out += _module_rows(module, single=lambda name: "both")
    out += ["## The platform's own sentences — glossary/wording.py", "", _title(wording), "",
            "A plain sentence named `IVR_…` is spoken only; any other is shown only (WeChat, web).", ""]
    # A plain IVR_ sentence is spoken only; any other plain one is shown only.
    out += _module_rows(wording, single=lambda name: "spoken" if name.startswith("IVR_") else "web")
    out += ["## The web pages — backend/web/*_wording.py", ""]
    for module in web_wording_modules():
        out += [f"### {module.__name__.replace('.', '/')}.py", "", _title(module), ""]
        out += _module_rows(module, single=lambda name: "web")
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    SHEET.parent.mkdir(exist_ok=True)
    SHEET.write_text(render(), encoding="utf-8")
    print(f"wrote {SHEET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
