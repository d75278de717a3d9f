"""`python -m bot import-talks FILE.csv`: validate everything, then import in one transaction."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.db import create_engine, make_session_factory
from bot.services import talk_import
from bot.texts import format_when, plain

EXIT_INVALID = 1


def describe_errors(errors: list[talk_import.RowError]) -> list[str]:
    return [
        plain(
            "import.error_line",
            line=error.line,
            column=error.column or "-",
            problem=plain(f"import.error.{error.code}", value=error.value),
        )
        for error in errors
    ]


def _report_errors(errors: list[talk_import.RowError]) -> int:
    print(plain("import.failed", count=len(errors)), file=sys.stderr)
    for line in describe_errors(errors):
        print(line, file=sys.stderr)
    return EXIT_INVALID


async def run_import(settings: Settings, path: Path, *, move_to_future: bool = False) -> int:
    try:
        text = talk_import.decode(await asyncio.to_thread(path.read_bytes))
    except OSError:
        print(plain("import.cannot_read", path=path), file=sys.stderr)
        return EXIT_INVALID
    except UnicodeDecodeError:
        print(plain("import.not_utf8", path=path), file=sys.stderr)
        return EXIT_INVALID
    rows, errors = talk_import.parse_csv(text, tz=settings.tz)
    if errors:
        return _report_errors(errors)
    now = SystemClock().now()
    if move_to_future:
        talk_import.shift_to_future(rows, now=now)
    engine = create_engine(settings.database_url)
    try:
        async with make_session_factory(engine).begin() as session:
            report = await talk_import.import_talks(
                session, rows, now=now, reminder_offsets=settings.reminder_offsets
            )
    finally:
        await engine.dispose()
    if report.errors:
        return _report_errors(report.errors)
    for label, talks in (("created", report.created), ("updated", report.updated)):
        for talk in talks:
            print(
                plain(
                    f"import.{label}",
                    id=talk.id,
                    title=talk.title,
                    when=format_when(talk.starts_at, settings.tz),
                )
            )
    print(
        plain(
            "import.summary",
            created=len(report.created),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
        )
    )
    for key, count in (("import.notified", report.notified), ("import.promoted", report.promoted)):
        if count:
            print(plain(key, count=count))
    return 0
