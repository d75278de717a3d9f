"""Reading talks: the upcoming list, one talk, and seats taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import ScalarSelect

from bot.models import Enrollment, EnrollmentStatus, Servant, Talk, TalkStatus
from bot.paging import paginate


@dataclass(frozen=True)
class TalkPage:
    talks: Sequence[Talk]
    seats_taken: dict[int, int]
    page: int
    pages: int
    total: int
    first_number: int


@dataclass(frozen=True)
class TalkView:
    """A talk as one servant sees it: seats left and their own place, if any."""

    talk: Talk
    seats_taken: int
    enrollment: Enrollment | None
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


# Statements on the per-update path are built once: constructing an ORM select costs more
# than running it on SQLite. Values are bound at execution time.
_mine = aliased(Enrollment)
_TALK_VIEW = (
    select(Talk, _seats_taken_of_talk(), _mine)
    .select_from(Talk)
    .outerjoin(Servant, Servant.telegram_user_id == bindparam("user_id"))
    .outerjoin(_mine, and_(_mine.talk_id == Talk.id, _mine.servant_id == Servant.id))
    .where(Talk.id == bindparam("talk_id"))
)
_UPCOMING = (
    select(Talk, _seats_taken_of_talk())
    .where(Talk.status == TalkStatus.SCHEDULED, Talk.starts_at > bindparam("now"))
    .order_by(Talk.starts_at, Talk.id)
)
_WAITING_AHEAD = (
    select(func.count())
    .select_from(Enrollment)
    .where(
        Enrollment.talk_id == bindparam("talk_id"),
        Enrollment.status == EnrollmentStatus.WAITING,
        (Enrollment.queued_at < bindparam("queued_at"))
        | ((Enrollment.queued_at == bindparam("queued_at")) & (Enrollment.id < bindparam("id"))),
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
    talk, seats_taken, enrollment = row
    position = None
    if enrollment is not None and enrollment.status == EnrollmentStatus.WAITING:
        position = await waiting_position(session, enrollment)
    return TalkView(talk, seats_taken, enrollment, position)


async def waiting_position(session: AsyncSession, enrollment: Enrollment) -> int:
    """1 for the first in line. Ties in `queued_at` are broken by id, as promotion does."""
    ahead = await session.scalar(
        _WAITING_AHEAD,
        {"talk_id": enrollment.talk_id, "queued_at": enrollment.queued_at, "id": enrollment.id},
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
    return TalkPage(
        talks=[talk for talk, _ in shown.items],
        seats_taken={talk.id: taken for talk, taken in shown.items},
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
