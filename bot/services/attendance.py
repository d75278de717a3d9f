"""Attendance: the short code read aloud during a talk, the video platform's participant
list, and what attending sets in motion (the constancia and the survey).

Decisions:
- A code window opens when staff ask for it and closes 30 minutes later or 15 minutes after
  the talk ends, whichever is later: read at the start, it covers the whole session and
  latecomers; read at the end, everyone still has half an hour to type it. It can be opened
  from 30 minutes before the start, never for a cancelled talk. Asking again while a window
  is open gives the same code.
- Codes are three letters and three digits ("KMT 472"): easy to read aloud, without the
  characters people confuse (0/O, 1/I/L, 8/B, 5/S, 2/Z, 6/G, B/V), and never an ordinary
  word, so a code typed alone can be recognised without taking a question for one.
- Servants with a seat or a place in line may be marked: the code or the platform's list
  proves they were there. The constancia is sent when the talk ends (at once if marked
  later) and the survey one hour after the end; both rows are written with the attendance,
  in the same transaction, and at most once per enrollment.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.folding import fold
from bot.models import (
    AttendanceWindow,
    DeliveryKind,
    Enrollment,
    EnrollmentStatus,
    Servant,
    Talk,
    TalkStatus,
)
from bot.outbox import enqueue
from bot.services import audit
from bot.services.errors import ServiceError
from bot.services.queries import find_enrollment, get_servant

CODE_LETTERS = "ACDEFHJKMNPRTUWXY"
CODE_DIGITS = "2345679"
CODE_SHAPE = r"[A-Za-z]{3}[ \-]?[0-9]{3}"
"""What a typed code looks like (any letters and digits, so a mistyped code is answered)."""
WINDOW_LENGTH = timedelta(minutes=30)
AFTER_END = timedelta(minutes=15)
EARLIEST_BEFORE_START = timedelta(minutes=30)
SURVEY_AFTER_END = timedelta(hours=1)
RECENT_DAYS = timedelta(days=14)
SOON = timedelta(days=1)
MAX_TALKS_LISTED = 8
CODE_ATTEMPTS = 20
MAX_FILE_BYTES = 2_000_000
MAX_ROWS = 5_000
NAME_SIMILARITY = 90
HEADER_SEARCH_ROWS = 30
MARKABLE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING)

SOURCE_CODE = "code"
SOURCE_IMPORT = "import"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_PARENTHESES = re.compile(r"\s*\([^)]*\)\s*$")
_EMAIL_HEADERS = ("email", "e-mail", "correo", "mail")
_NAME_HEADERS = ("nombre completo", "full name", "name", "nombre", "participante", "participant")
_FIRST_HEADERS = ("first name", "nombres", "nombre(s)")
_LAST_HEADERS = ("last name", "apellidos", "apellido(s)", "apellido")


class AttendanceError(ServiceError):
    domain = "attendance_error"


class CheckInOutcome(StrEnum):
    MARKED = "marked"
    ALREADY = "already"


@dataclass(frozen=True)
class CheckInResult:
    outcome: CheckInOutcome
    talk: Talk


@dataclass(frozen=True)
class CodeWindow:
    window: AttendanceWindow
    talk: Talk


@dataclass(frozen=True)
class TalkAttendance:
    """What staff see about a talk: seats, attendees so far and the open code, if any."""

    talk: Talk
    registered: int
    attended: int
    window: AttendanceWindow | None


@dataclass(frozen=True)
class Participant:
    """One row of the platform's list: a name, an e-mail, or both."""

    name: str = ""
    email: str = ""

    @property
    def label(self) -> str:
        return self.name or self.email


@dataclass
class ImportReport:
    """What matched: newly marked, marked before, and the rows left for a human to check."""

    talk_title: str = ""
    marked: int = 0
    already: int = 0
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


# --- codes and windows -------------------------------------------------------------------


def normalize_code(raw: str) -> str:
    """Turns what was typed ("kmt-472", "KMT 472") into the stored form "KMT472"."""
    return re.sub(r"[\s\-]", "", raw).upper()


def display_code(code: str) -> str:
    return f"{code[:3]} {code[3:]}"


def new_code() -> str:
    letters = "".join(secrets.choice(CODE_LETTERS) for _ in range(3))
    return letters + "".join(secrets.choice(CODE_DIGITS) for _ in range(3))


def _is_open(now: datetime) -> ColumnElement[bool]:
    return (AttendanceWindow.opens_at <= now) & (AttendanceWindow.closes_at > now)


async def current_window(
    session: AsyncSession, *, talk_id: int, now: datetime
) -> AttendanceWindow | None:
    window = await session.scalar(
        select(AttendanceWindow)
        .where(AttendanceWindow.talk_id == talk_id, _is_open(now))
        .order_by(AttendanceWindow.closes_at.desc())
        .limit(1)
    )
    return window


async def _unused_code(session: AsyncSession, now: datetime) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = new_code()
        taken = await session.scalar(
            select(AttendanceWindow.id).where(AttendanceWindow.code == code, _is_open(now))
        )
        if taken is None:
            return code
    raise AttendanceError("no_code_available")


async def _attendance_talk(session: AsyncSession, talk_id: int) -> Talk:
    talk = await session.get(Talk, talk_id)
    if talk is None:
        raise AttendanceError("talk_not_found")
    if talk.is_cancelled:
        raise AttendanceError("talk_cancelled")
    return talk


async def open_window(
    session: AsyncSession, *, talk_id: int, actor: int, now: datetime
) -> CodeWindow:
    """Opens a code window for a talk, or returns the one already open."""
    talk = await _attendance_talk(session, talk_id)
    if now < talk.starts_at - EARLIEST_BEFORE_START:
        raise AttendanceError("too_early")
    window = await current_window(session, talk_id=talk_id, now=now)
    if window is not None:
        return CodeWindow(window, talk)
    window = AttendanceWindow(
        talk_id=talk_id,
        code=await _unused_code(session, now),
        opens_at=now,
        closes_at=max(now + WINDOW_LENGTH, talk.ends_at + AFTER_END),
        created_by=actor,
    )
    session.add(window)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="attendance.open_code",
        now=now,
        target=f"talk:{talk_id}",
        details={"window": window.id, "closes_at": window.closes_at.isoformat()},
    )
    return CodeWindow(window, talk)


async def check_in(
    session: AsyncSession, *, telegram_user_id: int, code: str, now: datetime
) -> CheckInResult:
    """Marks a servant present with the code read aloud in the talk."""
    code = normalize_code(code)
    window = await session.scalar(
        select(AttendanceWindow).where(AttendanceWindow.code == code, _is_open(now)).limit(1)
    )
    if window is None:
        known = await session.scalar(
            select(AttendanceWindow.id).where(AttendanceWindow.code == code).limit(1)
        )
        raise AttendanceError("expired" if known else "wrong_code")
    talk = await session.get(Talk, window.talk_id)
    assert talk is not None
    servant = await get_servant(session, telegram_user_id)
    if servant is None:
        raise AttendanceError("no_servant", title=talk.title)
    enrollment = await find_enrollment(session, servant_id=servant.id, talk_id=talk.id)
    if enrollment is None or enrollment.status not in MARKABLE:
        raise AttendanceError("not_enrolled", title=talk.title)
    marked = await mark_attended(
        session, enrollment=enrollment, talk=talk, source=SOURCE_CODE, now=now
    )
    return CheckInResult(CheckInOutcome.MARKED if marked else CheckInOutcome.ALREADY, talk)


# --- marking and what follows ------------------------------------------------------------


async def mark_attended(
    session: AsyncSession, *, enrollment: Enrollment, talk: Talk, source: str, now: datetime
) -> bool:
    """Records the attendance once and queues the constancia and the survey; False if the
    servant was already marked (nothing changes then)."""
    if enrollment.attended_at is not None:
        return False
    enrollment.attended_at = now
    enrollment.attendance_source = source
    enrollment.updated_at = now
    await enqueue.queue_once(
        session,
        enrollment=enrollment,
        kind=DeliveryKind.CONSTANCIA,
        due_at=max(now, talk.ends_at),
        now=now,
    )
    await enqueue.queue_once(
        session,
        enrollment=enrollment,
        kind=DeliveryKind.SURVEY,
        due_at=max(now, talk.ends_at + SURVEY_AFTER_END),
        now=now,
    )
    return True


# --- what staff see ----------------------------------------------------------------------


async def talks_for_attendance(session: AsyncSession, *, now: datetime) -> list[Talk]:
    """Talks staff may take attendance for: ongoing first, then the nearest in time (today's,
    the recent past, tomorrow's), up to MAX_TALKS_LISTED."""
    talks = (
        await session.scalars(
            select(Talk).where(
                Talk.status == TalkStatus.SCHEDULED,
                Talk.starts_at >= now - RECENT_DAYS,
                Talk.starts_at <= now + SOON,
            )
        )
    ).all()
    return sorted(talks, key=lambda talk: (_distance(talk, now), talk.id))[:MAX_TALKS_LISTED]


def _distance(talk: Talk, now: datetime) -> timedelta:
    if talk.starts_at <= now < talk.ends_at:
        return timedelta(0)
    return min(abs(talk.starts_at - now), abs(now - talk.ends_at))


async def talk_attendance(session: AsyncSession, *, talk_id: int, now: datetime) -> TalkAttendance:
    """A talk with its registered and attended counts and its open window, if any."""
    talk = await _attendance_talk(session, talk_id)
    rows = (
        await session.execute(
            select(Enrollment.attended_at).where(
                Enrollment.talk_id == talk_id, Enrollment.status.in_(MARKABLE)
            )
        )
    ).all()
    attended = sum(1 for (attended_at,) in rows if attended_at is not None)
    window = await current_window(session, talk_id=talk_id, now=now)
    return TalkAttendance(talk, registered=len(rows), attended=attended, window=window)


# --- the platform's participant list -----------------------------------------------------


def parse_participants(data: bytes) -> list[Participant]:
    """Reads a participant list exported by Zoom, Meet, Teams or a spreadsheet.

    Any encoding those tools use (UTF-8 with or without BOM, UTF-16, Windows-1252), comma,
    semicolon or tab separated. The header row is looked for among the first rows (Teams
    writes a summary above it); without a recognisable header, a cell that looks like an
    e-mail is taken as the e-mail and the first other cell as the name.
    """
    if len(data) > MAX_FILE_BYTES:
        raise AttendanceError("file_too_large")
    rows = _rows(_decode(data))
    header_at, columns = _find_header(rows)
    participants = _dedupe(
        _participant(row, columns) for row in rows[header_at + 1 :] if any(c.strip() for c in row)
    )
    if not participants:
        raise AttendanceError("no_participants")
    return participants[:MAX_ROWS]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _rows(text: str) -> list[list[str]]:
    if "\x00" in text:
        raise AttendanceError("unreadable_file")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]]:
    """Index of the header row and where the e-mail and name columns are (-1, {} if none)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = _columns([fold(cell) for cell in row])
        if columns:
            return index, columns
    return -1, {}


def _columns(cells: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, names in (
        ("email", _EMAIL_HEADERS),
        ("first", _FIRST_HEADERS),
        ("last", _LAST_HEADERS),
        ("name", _NAME_HEADERS),
    ):
        for position, cell in enumerate(cells):
            if position not in found.values() and any(n in cell for n in names):
                found[key] = position
                break
    if "first" in found and "last" not in found:
        found["name"] = found.pop("first")
    return found if {"email", "name", "first"} & found.keys() else {}


def _participant(row: Sequence[str], columns: dict[str, int]) -> Participant:
    def cell(key: str) -> str:
        position = columns.get(key, -1)
        return row[position].strip() if 0 <= position < len(row) else ""

    if not columns:
        email = next((c.strip() for c in row if _EMAIL.match(c.strip())), "")
        name = next((c.strip() for c in row if c.strip() and c.strip() != email), "")
    else:
        email = cell("email") if _EMAIL.match(cell("email")) else ""
        name = cell("name") or f"{cell('first')} {cell('last')}".strip()
    return Participant(name=_PARENTHESES.sub("", name)[:200], email=email.lower()[:254])


def _dedupe(participants: Iterable[Participant]) -> list[Participant]:
    """One entry per person: platforms list someone again each time they rejoin."""
    seen: set[str] = set()
    unique = []
    for participant in participants:
        key = participant.email or _name_key(participant.name)
        if key and key not in seen:
            seen.add(key)
            unique.append(participant)
    return unique


def _name_key(name: str) -> str:
    return " ".join(_NON_WORD.sub(" ", fold(name)).split())


@dataclass(frozen=True)
class _Candidate:
    enrollment: Enrollment
    email: str
    name: str


async def import_participants(
    session: AsyncSession,
    *,
    talk_id: int,
    participants: Sequence[Participant],
    actor: int,
    now: datetime,
) -> ImportReport:
    """Marks present the servants of a talk found in the platform's list.

    Among those with a seat or a place in line: the e-mail first (ignoring case), then the
    name ignoring case, accents, punctuation, extra spaces and word order, accepting small
    typos (similarity ≥ 90). A name that fits several servants is reported, not guessed.
    """
    talk = await _attendance_talk(session, talk_id)
    candidates = await _candidates(session, talk_id)
    report = ImportReport(talk_title=talk.title)
    for participant in participants:
        found = _match(participant, candidates)
        if len(found) > 1:
            report.ambiguous.append(participant.label)
        elif not found:
            report.unmatched.append(participant.label)
        elif await mark_attended(
            session, enrollment=found[0].enrollment, talk=talk, source=SOURCE_IMPORT, now=now
        ):
            report.marked += 1
        else:
            report.already += 1
    audit.record(
        session,
        actor=actor,
        action="attendance.import_list",
        now=now,
        target=f"talk:{talk_id}",
        details={
            "rows": len(participants),
            "marked": report.marked,
            "already": report.already,
            "unmatched": len(report.unmatched),
            "ambiguous": len(report.ambiguous),
        },
    )
    return report


async def _candidates(session: AsyncSession, talk_id: int) -> list[_Candidate]:
    rows = await session.execute(
        select(Enrollment, Servant)
        .join(Servant, Servant.id == Enrollment.servant_id)
        .where(
            Enrollment.talk_id == talk_id,
            Enrollment.status.in_(MARKABLE),
            Servant.erased_at.is_(None),
        )
    )
    return [
        _Candidate(enrollment, (servant.email or "").lower(), _name_key(servant.full_name or ""))
        for enrollment, servant in rows.tuples()
    ]


def _match(participant: Participant, candidates: Sequence[_Candidate]) -> list[_Candidate]:
    if participant.email:
        by_email = [c for c in candidates if c.email and c.email == participant.email]
        if by_email:
            return by_email
    name = _name_key(participant.name)
    if not name:
        return []
    exact = [c for c in candidates if c.name == name]
    if exact:
        return _distinct(exact)
    return _distinct(
        [
            c
            for c in candidates
            if c.name and fuzz.token_sort_ratio(c.name, name) >= NAME_SIMILARITY
        ]
    )


def _distinct(found: list[_Candidate]) -> list[_Candidate]:
    return list({c.enrollment.id: c for c in found}.values())
