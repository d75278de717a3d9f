"""Lookups on the per-update path, with their statements built once.

Constructing an ORM select costs more than running it on SQLite, so the statements that run
on nearly every update are module constants with values bound at execution time.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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
