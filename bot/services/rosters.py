"""Rosters for the office: which talks to pick from, who is in a talk, and the export files.

A roster holds personal data (names, dependencias, e-mails), so every read of it by staff is
audited by the caller's unit of work. The export files get their Spanish headers and labels
from the caller: this module only lays out rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Enrollment, EnrollmentStatus, Servant, Talk
from bot.paging import paginate
from bot.services import audit

PAST_WINDOW = timedelta(days=183)
"""How far back the talk picker goes: the office looks back over the last six months."""

STATUS_ORDER = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING, EnrollmentStatus.CANCELLED)

Cell = str | int | datetime | None

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with these is run as a formula by spreadsheets (CSV injection)."""


@dataclass(frozen=True)
class TalkChoices:
    """One page of talks to choose from: upcoming soonest first, then past newest first."""

    talks: Sequence[Talk]
    page: int
    pages: int


@dataclass(frozen=True)
class RosterEntry:
    full_name: str | None
    dependency: str | None
    email: str | None
    status: EnrollmentStatus
    enrolled_at: datetime | None
    """When the seat was taken (or the place in line, for the waiting list)."""
    attended_at: datetime | None


@dataclass(frozen=True)
class Roster:
    talk: Talk
    entries: Sequence[RosterEntry]

    def count(self, status: EnrollmentStatus) -> int:
        return sum(1 for entry in self.entries if entry.status == status)

    @property
    def attended(self) -> int:
        return sum(1 for entry in self.entries if entry.attended_at is not None)

    def of(self, status: EnrollmentStatus) -> list[RosterEntry]:
        return [entry for entry in self.entries if entry.status == status]


async def talk_choices(
    session: AsyncSession, *, now: datetime, page: int, per_page: int
) -> TalkChoices:
    """Lists the talks staff may pick (the whole programme of a few months is a few dozen)."""
    talks = (
        await session.scalars(
            select(Talk).where(Talk.starts_at >= now - PAST_WINDOW).order_by(Talk.starts_at)
        )
    ).all()
    upcoming = [talk for talk in talks if talk.starts_at >= now]
    past = [talk for talk in reversed(talks) if talk.starts_at < now]
    shown = paginate(upcoming + past, page=page, per_page=per_page)
    return TalkChoices(shown.items, shown.page, shown.pages)


def _joined_at(enrollment: Enrollment) -> datetime:
    if enrollment.status == EnrollmentStatus.ENROLLED and enrollment.enrolled_at is not None:
        return enrollment.enrolled_at
    return enrollment.queued_at


async def load_roster(
    session: AsyncSession, *, talk_id: int, actor: int, action: str, now: datetime
) -> Roster | None:
    """Loads a talk's roster and records in the audit log that `actor` read it.

    Enrolled come first by the time they took the seat, then the waiting list in its order
    (ties broken by id, as promotion does), then the cancelled.
    """
    talk = await session.get(Talk, talk_id)
    if talk is None:
        return None
    rows = (
        await session.execute(
            select(Enrollment, Servant)
            .join(Servant, Servant.id == Enrollment.servant_id)
            .where(Enrollment.talk_id == talk_id)
            .order_by(Enrollment.id)
        )
    ).all()
    rank = {status: index for index, status in enumerate(STATUS_ORDER)}
    rows = sorted(rows, key=lambda row: (rank[row[0].status], _joined_at(row[0]), row[0].id))
    entries = [
        RosterEntry(
            full_name=servant.full_name,
            dependency=servant.dependency,
            email=servant.email,
            status=enrollment.status,
            enrolled_at=_joined_at(enrollment),
            attended_at=enrollment.attended_at,
        )
        for enrollment, servant in rows
    ]
    audit.record(
        session,
        actor=actor,
        action=action,
        now=now,
        target=f"talk:{talk_id}",
        details={"rows": len(entries)},
    )
    return Roster(talk, entries)


def _safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def roster_csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """A CSV in UTF-8 with BOM, so Excel opens it with accents intact."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else _safe(value)
                for value in row
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def roster_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """An XLSX workbook with a bold header row and real date cells (naive, local time)."""
    # Imported here: openpyxl costs ~28 MB of memory, for a file staff ask for now and then.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(value) for value in row])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    for index, column_cells in enumerate(sheet.columns, start=1):
        width = max(len(str(cell.value or "")) for cell in column_cells)
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
