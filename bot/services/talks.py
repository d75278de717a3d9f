"""Reading talks: the upcoming list, one talk, and seats taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import ScalarSelect

from bot.models import (
    Enrollment,
    EnrollmentStatus,
    Modality,
    Servant,
    Talk,
    TalkStatus,
    TalkTimes,
)
from bot.paging import paginate


@dataclass(frozen=True, slots=True)
class TalkSnapshot(TalkTimes):
    """What the servants' screens show of a talk, read with Core (no ORM object to build
    and track) and hashable: equal snapshots render the same text and buttons, which
    `handlers.render` therefore builds once per version of a talk."""

    id: int
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
    status: TalkStatus


_TALKS = Talk.__table__
_ENROLLMENTS = Enrollment.__table__
_SNAPSHOT_COLUMNS = [_TALKS.c[f.name] for f in fields(TalkSnapshot)]
_SNAPSHOT_WIDTH = len(_SNAPSHOT_COLUMNS)


def _snapshot(row: Sequence[object]) -> TalkSnapshot:
    return TalkSnapshot(*row[:_SNAPSHOT_WIDTH])  # type: ignore[arg-type]


@dataclass(frozen=True)
class TalkPage:
    talks: Sequence[TalkSnapshot]
    seats_taken: dict[int, int]
    page: int
    pages: int
    total: int
    first_number: int


@dataclass(frozen=True)
class TalkView:
    """A talk as one servant sees it: seats left and their own place, if any."""

    talk: TalkSnapshot
    seats_taken: int
    status: EnrollmentStatus | None
    """The servant's enrollment status in the talk; None when they never enrolled."""
    waiting_position: int | None

    @property
    def seats_left(self) -> int:
        return max(0, self.talk.capacity - self.seats_taken)


def _seats_taken_of_talk() -> ScalarSelect[int]:
    return (
        select(func.count())
        .where(Enrollment.talk_id == Talk.id, Enrollment.status == EnrollmentStatus.ENROLLED)
        .correlate(Talk)
        .scalar_subquery()
    )


def _seats_taken_core() -> ScalarSelect[int]:
    return (
        select(func.count())
        .select_from(_ENROLLMENTS)
        .where(
            _ENROLLMENTS.c.talk_id == _TALKS.c.id,
            _ENROLLMENTS.c.status == EnrollmentStatus.ENROLLED,
        )
        .correlate(_TALKS)
        .scalar_subquery()
    )


# Statements on the per-update path are built once: constructing a select costs more than
# running it on SQLite. Values are bound at execution time. The servants' screens read
# columns (Core), not ORM objects: no identity map, no instances to build.
_mine = _ENROLLMENTS.alias("mine")
_servant = Servant.__table__
_TALK_VIEW = (
    select(*_SNAPSHOT_COLUMNS, _seats_taken_core(), _mine.c.status, _mine.c.queued_at, _mine.c.id)
    .select_from(_TALKS)
    .outerjoin(_servant, _servant.c.telegram_user_id == bindparam("user_id"))
    .outerjoin(_mine, and_(_mine.c.talk_id == _TALKS.c.id, _mine.c.servant_id == _servant.c.id))
    .where(_TALKS.c.id == bindparam("talk_id"))
)
_UPCOMING = (
    select(*_SNAPSHOT_COLUMNS, _seats_taken_core())
    .where(_TALKS.c.status == TalkStatus.SCHEDULED, _TALKS.c.starts_at > bindparam("now"))
    .order_by(_TALKS.c.starts_at, _TALKS.c.id)
)
_WAITING_AHEAD = (
    select(func.count())
    .select_from(_ENROLLMENTS)
    .where(
        _ENROLLMENTS.c.talk_id == bindparam("talk_id"),
        _ENROLLMENTS.c.status == EnrollmentStatus.WAITING,
        (_ENROLLMENTS.c.queued_at < bindparam("queued_at"))
        | (
            (_ENROLLMENTS.c.queued_at == bindparam("queued_at"))
            & (_ENROLLMENTS.c.id < bindparam("id"))
        ),
    )
)


async def talk_view(
    session: AsyncSession, *, talk_id: int, telegram_user_id: int
) -> TalkView | None:
    """Loads a talk, its seats taken and the servant's enrollment in one query."""
    row = (
        await session.execute(_TALK_VIEW, {"talk_id": talk_id, "user_id": telegram_user_id})
    ).first()
    if row is None:
        return None
    seats_taken, status, queued_at, enrollment_id = row[_SNAPSHOT_WIDTH:]
    position = None
    if status == EnrollmentStatus.WAITING:
        position = await _position(session, talk_id, queued_at, enrollment_id)
    return TalkView(_snapshot(row), seats_taken, status, position)


async def waiting_position(session: AsyncSession, enrollment: Enrollment) -> int:
    """1 for the first in line. Ties in `queued_at` are broken by id, as promotion does."""
    return await _position(session, enrollment.talk_id, enrollment.queued_at, enrollment.id)


async def _position(
    session: AsyncSession, talk_id: int, queued_at: datetime, enrollment_id: int
) -> int:
    ahead = await session.scalar(
        _WAITING_AHEAD, {"talk_id": talk_id, "queued_at": queued_at, "id": enrollment_id}
    )
    return (ahead or 0) + 1


async def get_talk(session: AsyncSession, talk_id: int) -> Talk | None:
    return await session.get(Talk, talk_id)


async def count_seats_taken(session: AsyncSession, talk_ids: Sequence[int]) -> dict[int, int]:
    if not talk_ids:
        return {}
    rows = await session.execute(
        select(Enrollment.talk_id, func.count())
        .where(Enrollment.talk_id.in_(talk_ids), Enrollment.status == EnrollmentStatus.ENROLLED)
        .group_by(Enrollment.talk_id)
    )
    taken = {talk_id: 0 for talk_id in talk_ids}
    taken.update({talk_id: count for talk_id, count in rows.tuples()})
    return taken


async def upcoming_page(
    session: AsyncSession, *, now: datetime, page: int, per_page: int
) -> TalkPage:
    """Returns one page of the scheduled talks that have not started, soonest first.

    The whole programme (a few dozen talks a year) comes in one query, seats included.
    """
    rows = (await session.execute(_UPCOMING, {"now": now})).all()
    shown = paginate(rows, page=page, per_page=per_page)
    talks = [_snapshot(row) for row in shown.items]
    return TalkPage(
        talks=talks,
        seats_taken={talk.id: row[-1] for talk, row in zip(talks, shown.items, strict=True)},
        page=shown.page,
        pages=shown.pages,
        total=shown.total,
        first_number=shown.first_number,
    )


_PROGRAMME = (
    select(Talk, _seats_taken_of_talk())
    .where(
        Talk.status.in_((TalkStatus.SCHEDULED, TalkStatus.CANCELLED)),
        Talk.starts_at > bindparam("now"),
    )
    .order_by(Talk.starts_at, Talk.id)
)


async def public_programme(session: AsyncSession, *, now: datetime) -> list[tuple[Talk, int]]:
    """The talks still to come, cancelled ones included (they show as cancelled until their
    date), each with its seats taken; soonest first."""
    return [(talk, taken) for talk, taken in (await session.execute(_PROGRAMME, {"now": now}))]
