"""Importing the office's programme of talks from its spreadsheet (CSV).

Every row is validated before anything is written: one bad row means nothing is imported.

The key that makes re-importing update instead of duplicate is the optional column
``clave`` when the row has one, otherwise the title (ignoring case, accents and spaces)
plus the local date of ``inicio``. So a re-import may change a talk's time on the same day,
its speaker, link, capacity…; to move a talk to another day, give it a ``clave``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.folding import fold
from bot.models import Modality, Talk, TalkStatus
from bot.services import enrollment as enrollment_service
from bot.services import talk_changes
from bot.services.queries import lock_talk
from bot.services.talks import count_seats_taken


class TalkField(StrEnum):
    """A talk's fields, named like the attributes of `Talk` and `TalkRow`. The CSV's column
    names are the import's business: they appear only in `CSV_COLUMNS`."""

    TITLE = "title"
    TOPIC = "topic"
    DESCRIPTION = "description"
    SPEAKER = "speaker"
    ORGANIZER = "organizer"
    STARTS_AT = "starts_at"
    DURATION = "duration_min"
    MODALITY = "modality"
    MEETING_LINK = "meeting_link"
    VENUE = "venue"
    CAPACITY = "capacity"


CSV_COLUMNS: dict[str, TalkField] = {
    "titulo": TalkField.TITLE,
    "tema": TalkField.TOPIC,
    "descripcion": TalkField.DESCRIPTION,
    "ponente": TalkField.SPEAKER,
    "organiza": TalkField.ORGANIZER,
    "inicio": TalkField.STARTS_AT,
    "duracion_min": TalkField.DURATION,
    "modalidad": TalkField.MODALITY,
    "enlace": TalkField.MEETING_LINK,
    "sede": TalkField.VENUE,
    "cupo": TalkField.CAPACITY,
}
"""The programme's columns, in the spreadsheet's order, and the field each one sets."""
COLUMNS = tuple(CSV_COLUMNS)
OPTIONAL_COLUMNS = ("clave",)
MAX_LENGTHS = {
    "titulo": 200,
    "tema": 120,
    "descripcion": 2000,
    "ponente": 200,
    "organiza": 200,
    "enlace": 500,
    "sede": 300,
    "clave": 60,
}
REQUIRED = ("titulo", "tema", "ponente", "organiza", "inicio", "duracion_min", "modalidad", "cupo")
MAX_DURATION_MIN = 24 * 60
MAX_CAPACITY = 100_000
_START_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}$")


@dataclass(frozen=True)
class RowError:
    """A problem in the file. `line` is the spreadsheet's row number (the header is row 1):
    a cell with line breaks is one row, as the office sees it in Excel."""

    line: int
    column: str
    code: str
    value: str = ""

    @property
    def field(self) -> TalkField | None:
        """The talk's field the problem is about (None for the file's own problems)."""
        return CSV_COLUMNS.get(self.column)


@dataclass
class TalkRow:
    line: int
    key: str
    title: str
    topic: str
    description: str
    speaker: str
    organizer: str
    starts_at: datetime
    duration_min: int
    modality: Modality
    meeting_link: str | None
    venue: str | None
    capacity: int


@dataclass
class ImportReport:
    created: list[Talk] = field(default_factory=list)
    updated: list[Talk] = field(default_factory=list)
    unchanged: list[Talk] = field(default_factory=list)
    rescheduled: list[Talk] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    promoted: int = 0
    notified: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def talk_key(title: str, starts_at: datetime, tz: ZoneInfo, explicit: str = "") -> str:
    if explicit.strip():
        return "clave:" + fold(explicit)
    return f"{fold(title)}@{starts_at.astimezone(tz).date().isoformat()}"


def decode(data: bytes) -> str:
    """Decodes UTF-8 with or without a BOM; raises UnicodeDecodeError otherwise."""
    return data.decode("utf-8-sig")


DELIMITERS = (",", ";")
"""Excel writes `;` in a Spanish (or any comma-decimal) locale, `,` elsewhere."""


def detect_delimiter(text: str) -> str:
    """The separator of the header line: the one of `DELIMITERS` it uses most."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)


def _trim_trailing_blanks(values: list[str], width: int) -> list[str]:
    """Drops the empty cells a spreadsheet leaves after the last column."""
    if len(values) > width and not any(value.strip() for value in values[width:]):
        return values[:width]
    return values


def parse_csv(text: str, *, tz: ZoneInfo) -> tuple[list[TalkRow], list[RowError]]:
    """Validates every row; returns the rows, or the complete list of errors."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    try:
        header = [fold(name) for name in next(reader)]
    except StopIteration:
        return [], [RowError(1, "", "empty_file")]
    while header and not header[-1]:
        header.pop()
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name or "-" for name in header if name not in COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        header_errors = [RowError(1, name, "missing_column") for name in missing]
        header_errors += [RowError(1, name, "unknown_column") for name in unknown]
        return [], header_errors

    rows: list[TalkRow] = []
    errors: list[RowError] = []
    seen_keys: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        values = _trim_trailing_blanks(cells, len(header))
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            errors.append(RowError(line, "", "wrong_field_count", str(len(values))))
            continue
        record = {name: value.strip() for name, value in zip(header, values, strict=True)}
        row, row_errors = parse_row(line, record, tz)
        errors += row_errors
        if row is None:
            continue
        if row.key in seen_keys:
            errors.append(RowError(line, "titulo", "duplicate_row", str(seen_keys[row.key])))
            continue
        seen_keys[row.key] = line
        rows.append(row)
    if not rows and not errors:
        errors.append(RowError(1, "", "no_rows"))
    return rows, errors


def parse_row(
    line: int, record: dict[str, str], tz: ZoneInfo
) -> tuple[TalkRow | None, list[RowError]]:
    errors = [RowError(line, name, "required") for name in REQUIRED if not record.get(name)]
    errors += [
        RowError(line, name, "too_long", str(limit))
        for name, limit in MAX_LENGTHS.items()
        if len(record.get(name, "")) > limit
    ]

    starts_at = None
    if record["inicio"]:
        starts_at = parse_start(record["inicio"], tz)
        if starts_at is None:
            errors.append(RowError(line, "inicio", "bad_datetime", record["inicio"]))

    duration = _parse_int(record["duracion_min"], 1, MAX_DURATION_MIN)
    if record["duracion_min"] and duration is None:
        errors.append(RowError(line, "duracion_min", "bad_duration", record["duracion_min"]))
    capacity = _parse_int(record["cupo"], 1, MAX_CAPACITY)
    if record["cupo"] and capacity is None:
        errors.append(RowError(line, "cupo", "bad_capacity", record["cupo"]))

    modality = None
    if record["modalidad"]:
        try:
            modality = Modality(fold(record["modalidad"]))
        except ValueError:
            errors.append(RowError(line, "modalidad", "bad_modality", record["modalidad"]))
    link = record["enlace"] or None
    venue = record["sede"] or None
    if link and not _looks_like_url(link):
        errors.append(RowError(line, "enlace", "bad_url", link))
    if modality == Modality.VIRTUAL and not link:
        errors.append(RowError(line, "enlace", "link_required"))
    if modality == Modality.PRESENCIAL and not venue:
        errors.append(RowError(line, "sede", "venue_required"))

    if errors or starts_at is None or duration is None or capacity is None or modality is None:
        return None, errors
    return (
        TalkRow(
            line=line,
            key=talk_key(record["titulo"], starts_at, tz, record.get("clave", "")),
            title=record["titulo"],
            topic=record["tema"],
            description=record["descripcion"],
            speaker=record["ponente"],
            organizer=record["organiza"],
            starts_at=starts_at,
            duration_min=duration,
            modality=modality,
            meeting_link=link,
            venue=venue,
            capacity=capacity,
        ),
        [],
    )


def parse_fields(
    values: Mapping[TalkField, str], tz: ZoneInfo
) -> tuple[TalkRow | None, list[RowError]]:
    """The row check on a talk given field by field (the staff console's form): a value
    typed in Telegram and a cell of the programme follow the same rules."""
    record = {column: values.get(field, "").strip() for column, field in CSV_COLUMNS.items()}
    return parse_row(0, record, tz)


def parse_start(raw: str, tz: ZoneInfo) -> datetime | None:
    if not _START_FORMAT.match(raw):
        return None
    try:
        local = datetime.strptime(raw, "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    return local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))


def _parse_int(raw: str, low: int, high: int) -> int | None:
    if not re.fullmatch(r"\d{1,7}", raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _looks_like_url(raw: str) -> bool:
    parsed = urlparse(raw)
    return parsed.scheme in {"http", "https"} and "." in parsed.netloc and " " not in raw


def shift_to_future(rows: Sequence[TalkRow], *, now: datetime) -> None:
    """Moves every row forward by whole weeks so the earliest starts after `now`.

    Keeps each talk's weekday and time; lets the example programme be imported any day.
    """
    if not rows:
        return
    earliest = min(row.starts_at for row in rows)
    if earliest > now:
        return
    weeks = (now - earliest) // timedelta(weeks=1) + 1
    for row in rows:
        row.starts_at += timedelta(weeks=weeks)


async def import_talks(
    session: AsyncSession,
    rows: Sequence[TalkRow],
    *,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> ImportReport:
    """Creates or updates one talk per row (matched by key) in the caller's transaction.

    A row that would leave a talk with fewer seats than people already enrolled is an
    error (as in the staff console): then nothing is changed and `report.errors` says why.
    """
    report = ImportReport()
    existing = {
        talk.import_key: talk
        for talk in await session.scalars(
            select(Talk).where(Talk.import_key.in_([row.key for row in rows]))
        )
    }
    report.errors = await _capacity_errors(session, rows, existing)
    if report.errors:
        return report
    for row in rows:
        talk = existing.get(row.key)
        if talk is None:
            talk = Talk(
                import_key=row.key, status=TalkStatus.SCHEDULED, sequence=0, created_at=now
            )
            _apply(talk, row)
            talk.updated_at = now
            session.add(talk)
            report.created.append(talk)
            continue
        talk = await lock_talk(session, talk.id) or talk
        old_start, old_capacity = talk.starts_at, talk.capacity
        if not _apply(talk, row):
            report.unchanged.append(talk)
            continue
        talk.sequence += 1
        talk.updated_at = now
        report.updated.append(talk)
        if talk.starts_at != old_start:
            report.rescheduled.append(talk)
            report.notified += await talk_changes.announce_new_time(
                session, talk=talk, now=now, reminder_offsets=reminder_offsets
            )
        if talk.capacity > old_capacity:
            promoted = await enrollment_service.promote_waiting(
                session, talk=talk, now=now, reminder_offsets=reminder_offsets
            )
            report.promoted += len(promoted)
    await session.flush()
    return report


async def _capacity_errors(
    session: AsyncSession, rows: Sequence[TalkRow], existing: dict[str | None, Talk]
) -> list[RowError]:
    shrinking = {
        existing[row.key].id: row
        for row in rows
        if row.key in existing and row.capacity < existing[row.key].capacity
    }
    if not shrinking:
        return []
    taken = await count_seats_taken(session, list(shrinking))
    return [
        RowError(row.line, "cupo", "below_taken", str(taken[talk_id]))
        for talk_id, row in shrinking.items()
        if row.capacity < taken[talk_id]
    ]


def _apply(talk: Talk, row: TalkRow) -> bool:
    """Copies the row onto the talk; says whether anything changed."""
    values = {
        "title": row.title,
        "topic": row.topic,
        "description": row.description,
        "speaker": row.speaker,
        "organizer": row.organizer,
        "starts_at": row.starts_at,
        "duration_min": row.duration_min,
        "modality": row.modality,
        "meeting_link": row.meeting_link,
        "venue": row.venue,
        "capacity": row.capacity,
    }
    changed = False
    for name, value in values.items():
        if getattr(talk, name, None) != value:
            setattr(talk, name, value)
            changed = True
    return changed
