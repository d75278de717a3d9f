"""Reading talks: the upcoming list, one talk, and seats taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Enrollment, EnrollmentStatus, Talk, TalkStatus


@dataclass(frozen=True)
class TalkPage:
    talks: Sequence[Talk]
    seats_taken: dict[int, int]
    page: int
    pages: int
    total: int


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


async def seats_left(session: AsyncSession, talk: Talk) -> int:
    taken = (await count_seats_taken(session, [talk.id]))[talk.id]
    return max(0, talk.capacity - taken)


async def upcoming_page(
    session: AsyncSession, *, now: datetime, page: int, per_page: int
) -> TalkPage:
    """Returns one page of the scheduled talks that have not started, soonest first."""
    upcoming = (Talk.status == TalkStatus.SCHEDULED, Talk.starts_at > now)
    total = await session.scalar(select(func.count()).select_from(Talk).where(*upcoming)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 0), pages - 1)
    talks = (
        await session.scalars(
            select(Talk)
            .where(*upcoming)
            .order_by(Talk.starts_at, Talk.id)
            .offset(page * per_page)
            .limit(per_page)
        )
    ).all()
    taken = await count_seats_taken(session, [talk.id for talk in talks])
    return TalkPage(talks=talks, seats_taken=taken, page=page, pages=pages, total=total)
