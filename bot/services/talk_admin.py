"""Managing talks from the staff console: create, edit, reschedule, cancel and import.

Every field follows the CSV import's rules: the console gives the values as typed, field by
field (`TalkField`), to the import's own row check, so a talk typed in Telegram and a talk
imported from the programme can never disagree about what is valid. What the import allows
and the console does not: a start in the past (the office loads talks already given only
through the CSV).

A talk keeps its import key when edited or moved, so re-importing the programme updates it
instead of creating a second one. Each change is audited in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Enrollment, EnrollmentStatus, Modality, Talk
from bot.services import audit, talk_changes, talk_import
from bot.services import enrollment as enrollment_service
from bot.services.errors import ServiceError
from bot.services.queries import count_enrollments, lock_talk
from bot.services.talk_import import ImportReport, TalkField, TalkRow

CALENDAR_FIELDS = frozenset(TalkField) - {TalkField.TOPIC, TalkField.CAPACITY}
"""Fields that change the .ics a servant holds: editing them bumps the talk's sequence."""
ACCESS_FIELDS = {Modality.VIRTUAL: TalkField.MEETING_LINK, Modality.PRESENCIAL: TalkField.VENUE}
"""How people get in: a virtual talk needs its link, a presencial one its venue."""
LOCAL_START = "%Y-%m-%d %H:%M"
_ACTIVE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING)


class TalkAdminError(ServiceError):
    """Codes: invalid (details: problems, a list of RowError), in_the_past, not_found,
    talk_cancelled, started, same_time, unchanged, duplicate (details: talk_id),
    capacity_below_enrolled (details: enrolled), not_utf8."""

    domain = "staff_talks.error"


@dataclass(frozen=True)
class Affected:
    """A talk and how many people (enrolled or waiting) are told about a change to it."""

    talk: Talk
    people: int
    starts_at: datetime | None = None
    """The new start, when the change is a reschedule."""


@dataclass(frozen=True)
class EditPreview:
    """A talk, the same talk with the changes applied (validated), and what differs."""

    talk: Talk
    row: TalkRow
    fields: tuple[TalkField, ...]


@dataclass(frozen=True)
class EditResult:
    talk: Talk
    fields: tuple[TalkField, ...]
    promoted: int


def access_field(modality: str) -> TalkField:
    """The field a talk of this modality needs: its link or its venue."""
    return ACCESS_FIELDS[Modality(modality.strip().casefold())]


def with_modality(
    values: Mapping[TalkField, str], modality: str, *, editing: bool
) -> dict[TalkField, str]:
    """The values with a modality chosen. A virtual talk has a link and no venue, a presencial
    one a venue and no link: for an existing talk the other access is cleared (and its own
    asked next); a draft forgets an access typed for another modality."""
    access = access_field(modality)
    if editing:
        other = next(field for field in ACCESS_FIELDS.values() if field != access)
        return {TalkField.MODALITY: modality, other: ""}
    kept = dict(values)
    if kept.get(TalkField.MODALITY) != modality:
        for field in ACCESS_FIELDS.values():
            kept.pop(field, None)
    return {**kept, TalkField.MODALITY: modality}


def _validate(
    values: Mapping[TalkField, str], tz: ZoneInfo
) -> tuple[TalkRow | None, list[talk_import.RowError]]:
    return talk_import.parse_fields(values, tz)


def _invalid(problems: Sequence[talk_import.RowError]) -> TalkAdminError:
    return TalkAdminError("invalid", problems=list(problems))


def _check_future(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise TalkAdminError("in_the_past")


def check_field(
    field: TalkField,
    value: str,
    *,
    values: Mapping[TalkField, str],
    tz: ZoneInfo,
    now: datetime,
) -> str:
    """Validates one value of a new talk, given the values already accepted; returns it
    stripped. The start must also be in the future."""
    value = value.strip()
    _, errors = _validate({**values, field: value}, tz)
    problems = [error for error in errors if error.field == field]
    if problems:
        raise _invalid(problems)
    if field == TalkField.STARTS_AT:
        _check_future(_local_start(value, tz), now)
    return value


def _local_start(value: str, tz: ZoneInfo) -> datetime:
    """The UTC moment of a start the row check already accepted."""
    starts_at = talk_import.parse_start(value, tz)
    assert starts_at is not None
    return starts_at


def parse_draft(values: Mapping[TalkField, str], *, tz: ZoneInfo, now: datetime) -> TalkRow:
    """Turns the values of a new talk into the import's row, or raises invalid/in_the_past."""
    row, errors = _validate(values, tz)
    if row is None:
        raise _invalid(errors)
    _check_future(row.starts_at, now)
    return row


async def create_talk(
    session: AsyncSession,
    *,
    actor: int,
    values: Mapping[TalkField, str],
    tz: ZoneInfo,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> Talk:
    """Creates a talk through the import (same key, same defaults). A talk with the same
    title on the same day is refused as a duplicate rather than silently updated."""
    row = parse_draft(values, tz=tz, now=now)
    existing = await session.scalar(select(Talk.id).where(Talk.import_key == row.key))
    if existing is not None:
        raise TalkAdminError("duplicate", talk_id=existing)
    report = await talk_import.import_talks(
        session, [row], now=now, reminder_offsets=reminder_offsets
    )
    [talk] = report.created
    _record(session, actor, "talk.create", talk, now, title=talk.title, starts_at=talk.starts_at)
    return talk


def record_of(talk: Talk, tz: ZoneInfo) -> dict[TalkField, str]:
    """The talk's fields as they would be typed (the start in local time)."""
    return {
        TalkField.TITLE: talk.title,
        TalkField.TOPIC: talk.topic,
        TalkField.DESCRIPTION: talk.description or "",
        TalkField.SPEAKER: talk.speaker,
        TalkField.ORGANIZER: talk.organizer,
        TalkField.STARTS_AT: talk.starts_at.astimezone(tz).strftime(LOCAL_START),
        TalkField.DURATION: str(talk.duration_min),
        TalkField.MODALITY: talk.modality.value,
        TalkField.MEETING_LINK: talk.meeting_link or "",
        TalkField.VENUE: talk.venue or "",
        TalkField.CAPACITY: str(talk.capacity),
    }


def _existing(talk: Talk | None) -> Talk:
    if talk is None:
        raise TalkAdminError("not_found")
    if talk.is_cancelled:
        raise TalkAdminError("talk_cancelled")
    return talk


def _open(talk: Talk | None, now: datetime) -> Talk:
    """A talk that may still be moved or cancelled: it exists, is on, and has not started
    (notices about a talk that started are never sent)."""
    talk = _existing(talk)
    if talk.has_started(now):
        raise TalkAdminError("started")
    return talk


async def editable_talk(session: AsyncSession, *, talk_id: int) -> Talk:
    return _existing(await session.get(Talk, talk_id))


async def open_talk(session: AsyncSession, *, talk_id: int, now: datetime) -> Talk:
    return _open(await session.get(Talk, talk_id), now)


def _edited(talk: Talk, changes: Mapping[TalkField, str], tz: ZoneInfo) -> EditPreview:
    if TalkField.STARTS_AT in changes:
        raise ValueError("a new start goes through reschedule()")
    row, errors = _validate({**record_of(talk, tz), **changes}, tz)
    if row is None:
        raise _invalid(errors)
    fields = tuple(
        field
        for field in TalkField
        if field in changes and getattr(talk, field) != getattr(row, field)
    )
    if not fields:
        raise TalkAdminError("unchanged")
    return EditPreview(talk, row, fields)


async def _check_capacity(session: AsyncSession, preview: EditPreview) -> None:
    """Nobody loses a seat to a smaller capacity: it can't go below the seats taken."""
    if TalkField.CAPACITY not in preview.fields:
        return
    enrolled = await count_enrollments(session, preview.talk.id, EnrollmentStatus.ENROLLED)
    if preview.row.capacity < enrolled:
        raise TalkAdminError("capacity_below_enrolled", enrolled=enrolled)


async def preview_edit(
    session: AsyncSession, *, talk_id: int, changes: Mapping[TalkField, str], tz: ZoneInfo
) -> EditPreview:
    """Checks the changes to a talk (all but its start) without saving them."""
    preview = _edited(_existing(await session.get(Talk, talk_id)), changes, tz)
    await _check_capacity(session, preview)
    return preview


async def edit_talk(
    session: AsyncSession,
    *,
    actor: int,
    talk_id: int,
    changes: Mapping[TalkField, str],
    tz: ZoneInfo,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> EditResult:
    """Applies the changes under the talk's lock. A larger capacity promotes the first in
    line (who are told); a change a calendar shows bumps the sequence."""
    talk = _existing(await lock_talk(session, talk_id))
    preview = _edited(talk, changes, tz)
    await _check_capacity(session, preview)
    before = {field: getattr(talk, field) for field in preview.fields}
    for field in preview.fields:
        setattr(talk, field, getattr(preview.row, field))
    if CALENDAR_FIELDS.intersection(preview.fields):
        talk.sequence += 1
    talk.updated_at = now
    promoted = []
    if TalkField.CAPACITY in preview.fields and talk.capacity > before[TalkField.CAPACITY]:
        promoted = await enrollment_service.promote_waiting(
            session, talk=talk, now=now, reminder_offsets=reminder_offsets
        )
    await session.flush()
    after = {field: getattr(talk, field) for field in preview.fields}
    _record(
        session, actor, "talk.edit", talk, now, before=before, after=after, promoted=len(promoted)
    )
    return EditResult(talk, preview.fields, len(promoted))


async def _people(session: AsyncSession, talk_id: int) -> int:
    """How many are enrolled or waiting: who hears about a new time or a cancellation."""
    query = select(func.count()).where(
        Enrollment.talk_id == talk_id, Enrollment.status.in_(_ACTIVE)
    )
    return await session.scalar(query) or 0


def _new_start(talk: Talk, value: str, *, tz: ZoneInfo, now: datetime) -> datetime:
    start = check_field(TalkField.STARTS_AT, value, values={}, tz=tz, now=now)
    starts_at = _local_start(start, tz)
    if starts_at == talk.starts_at:
        raise TalkAdminError("same_time")
    return starts_at


async def preview_reschedule(
    session: AsyncSession, *, talk_id: int, value: str, tz: ZoneInfo, now: datetime
) -> Affected:
    """Checks a typed new start ("AAAA-MM-DD HH:MM", local) for a talk, without saving."""
    talk = _open(await session.get(Talk, talk_id), now)
    starts_at = _new_start(talk, value, tz=tz, now=now)
    return Affected(talk, await _people(session, talk.id), starts_at)


async def reschedule(
    session: AsyncSession,
    *,
    actor: int,
    talk_id: int,
    starts_at: datetime,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> Affected:
    """Moves the talk, under its lock and after one validation: reminders are recomputed
    and everyone enrolled or waiting gets a notice with the updated calendar file."""
    talk = _open(await lock_talk(session, talk_id), now)
    _check_future(starts_at, now)
    if starts_at == talk.starts_at:
        raise TalkAdminError("same_time")
    before = talk.starts_at
    people = await talk_changes.move_talk(
        session, talk=talk, starts_at=starts_at, now=now, reminder_offsets=reminder_offsets
    )
    _record(
        session,
        actor,
        "talk.reschedule",
        talk,
        now,
        before=before,
        after=starts_at,
        notified=people,
    )
    return Affected(talk, people, starts_at)


async def preview_cancel(session: AsyncSession, *, talk_id: int, now: datetime) -> Affected:
    talk = _open(await session.get(Talk, talk_id), now)
    return Affected(talk, await _people(session, talk.id))


async def cancel(session: AsyncSession, *, actor: int, talk_id: int, now: datetime) -> Affected:
    """Cancels the talk: reminders stop and everyone enrolled or waiting is told."""
    talk = _open(await lock_talk(session, talk_id), now)
    notified = await talk_changes.cancel_talk(session, talk=talk, now=now)
    _record(session, actor, "talk.cancel", talk, now, notified=notified)
    return Affected(talk, notified)


async def import_programme(
    session: AsyncSession,
    *,
    actor: int,
    data: bytes,
    filename: str,
    tz: ZoneInfo,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> ImportReport:
    """Runs the CLI's import on an uploaded file: with any error nothing is imported and the
    report carries every error with its line; raises not_utf8 for another encoding."""
    try:
        text = talk_import.decode(data)
    except UnicodeDecodeError as exc:
        raise TalkAdminError("not_utf8") from exc
    rows, errors = talk_import.parse_csv(text, tz=tz)
    if errors:
        return ImportReport(errors=errors)
    report = await talk_import.import_talks(
        session, rows, now=now, reminder_offsets=reminder_offsets
    )
    if report.errors:
        return report
    audit.record(
        session,
        actor=actor,
        action="talk.import",
        now=now,
        details={
            "file": filename,
            "created": [talk.id for talk in report.created],
            "updated": [talk.id for talk in report.updated],
            "unchanged": len(report.unchanged),
            "notified": report.notified,
            "promoted": report.promoted,
        },
    )
    return report


def _record(
    session: AsyncSession, actor: int, action: str, talk: Talk, now: datetime, **details: object
) -> None:
    """Audits a change to one talk (its programme data only: never a servant's)."""
    audit.record(
        session, actor=actor, action=action, now=now, target=f"talk:{talk.id}", details=details
    )
