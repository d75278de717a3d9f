"""Lookups on the per-update path, with their statements built once.

Constructing an ORM select costs more than running it on SQLite, so the statements that run
on nearly every update are module constants with values bound at execution time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import ScalarSelect

from bot.models import Enrollment, EnrollmentStatus, Servant, Talk

_SERVANT_BY_USER = select(Servant).where(Servant.telegram_user_id == bindparam("user_id"))
_TALK_FOR_UPDATE = (
    select(Talk)
    .where(Talk.id == bindparam("talk_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_ENROLLMENT = select(Enrollment).where(
    Enrollment.talk_id == bindparam("talk_id"), Enrollment.servant_id == bindparam("servant_id")
)
_COUNT_BY_STATUS = (
    select(func.count())
    .select_from(Enrollment)
    .where(Enrollment.talk_id == bindparam("talk_id"), Enrollment.status == bindparam("status"))
)


async def get_servant(session: AsyncSession, telegram_user_id: int) -> Servant | None:
    servant = await session.scalar(_SERVANT_BY_USER, {"user_id": telegram_user_id})
    return servant


async def lock_talk(session: AsyncSession, talk_id: int) -> Talk | None:
    """Loads a talk holding its row lock until the unit of work ends."""
    talk = await session.scalar(_TALK_FOR_UPDATE, {"talk_id": talk_id})
    return talk


async def find_enrollment(
    session: AsyncSession, *, servant_id: int, talk_id: int
) -> Enrollment | None:
    enrollment = await session.scalar(_ENROLLMENT, {"talk_id": talk_id, "servant_id": servant_id})
    return enrollment


async def count_enrollments(session: AsyncSession, talk_id: int, status: EnrollmentStatus) -> int:
    return await session.scalar(_COUNT_BY_STATUS, {"talk_id": talk_id, "status": status}) or 0


@dataclass(frozen=True)
class Place:
    """A servant, their enrollment in one talk (if any) and that talk's seats taken and
    places in line, read in one statement."""

    servant: Servant
    enrollment: Enrollment | None
    seats_taken: int
    waiting: int


def _counted(status: EnrollmentStatus) -> ScalarSelect[int]:
    counted = aliased(Enrollment)
    return (
        select(func.count())
        .select_from(counted)
        .where(counted.talk_id == bindparam("talk_id"), counted.status == status)
        .scalar_subquery()
    )


def _place_statement(where: ColumnElement[bool]) -> Select[tuple[Servant, Enrollment, int, int]]:
    mine = aliased(Enrollment)
    return (
        select(
            Servant,
            mine,
            _counted(EnrollmentStatus.ENROLLED),
            _counted(EnrollmentStatus.WAITING),
        )
        .outerjoin(mine, and_(mine.servant_id == Servant.id, mine.talk_id == bindparam("talk_id")))
        .where(where)
    )


_PLACE_BY_USER = _place_statement(Servant.telegram_user_id == bindparam("user_id"))
_PLACE_BY_SERVANT = _place_statement(Servant.id == bindparam("servant_id"))


async def find_place(
    session: AsyncSession,
    *,
    talk_id: int,
    telegram_user_id: int | None = None,
    servant_id: int | None = None,
) -> Place | None:
    """The servant (by Telegram id or by `servant_id`) with their enrollment in the talk and
    its counts; None when there is no such servant. Run it after `lock_talk`: on PostgreSQL a
    statement after the lock sees every seat committed before the lock was granted."""
    values: dict[str, int | None]
    if telegram_user_id is not None:
        statement, values = _PLACE_BY_USER, {"user_id": telegram_user_id, "talk_id": talk_id}
    else:
        statement, values = _PLACE_BY_SERVANT, {"servant_id": servant_id, "talk_id": talk_id}
    row = (await session.execute(statement, values)).first()
    if row is None:
        return None
    servant, enrollment, seats_taken, waiting = row
    return Place(servant, enrollment, seats_taken or 0, waiting or 0)
