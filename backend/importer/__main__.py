"""Command line: python -m backend.importer KIND FILE [KIND FILE ...] [--database-url URL]."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from backend.db import create_engine, migrate, session_factory
from backend.settings import Settings, normalise_database_url

from .csv_import import KIND_LABELS, ImportFailed, ImportResult, import_files


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m backend.importer",
        description="导入 CSV（账户 accounts、账单 bills、停电信息 outages）。全部校验通过才写入。",
        epilog="列说明见 backend/importer/__init__.py。多个 KIND FILE 在同一事务中按顺序导入。",
    )
    parser.add_argument("items", nargs="+", metavar="KIND FILE",
                        help=f"KIND 为 {'|'.join(KIND_LABELS)}，后跟 CSV 文件")
    parser.add_argument("--database-url", help="默认取 DATABASE_URL / .env 中的设置")
    return parser


async def _run(url: str, jobs: list[tuple[str, Path]]) -> list[ImportResult]:
    engine = create_engine(url)
    try:
        await migrate(engine)  # same as the service on start: a new database gets the schema
        return await import_files(session_factory(engine), jobs)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    items: list[str] = args.items
    if len(items) % 2 or any(kind not in KIND_LABELS for kind in items[::2]):
        parser.error(f"参数应为成对的 KIND FILE，KIND 为 {'|'.join(KIND_LABELS)}")
    jobs = [(kind, Path(path)) for kind, path in zip(items[::2], items[1::2], strict=True)]
    for _, path in jobs:
        if not path.is_file():
            print(f"找不到文件：{path}", file=sys.stderr)
            return 1
    url = normalise_database_url(args.database_url) if args.database_url else Settings.load().database_url
    try:
        results = asyncio.run(_run(url, jobs))
    except ImportFailed as failed:
        for path, messages in failed.problems:
            if len(jobs) > 1:
                print(f"{path}:", file=sys.stderr)
            for message in messages:
                print(message, file=sys.stderr)
        print("校验未通过，未导入任何数据。", file=sys.stderr)
        return 1
    for result in results:
        print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
