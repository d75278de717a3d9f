"""The one-question survey after a talk: a 1–5 score and an optional comment, once.

Every call checks that the enrollment belongs to the Telegram user who pressed the button
and that they attended, so forged or forwarded button data cannot answer for someone else.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Enrollment, Servant, SurveyResponse, Talk
from bot.services.errors import ServiceError

MIN_SCORE, MAX_SCORE = 1, 5
MAX_COMMENT_LENGTH = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SurveyError(ServiceError):
    domain = "survey_error"


async def survey_talk(session: AsyncSession, *, enrollment_id: int, telegram_user_id: int) -> Talk:
    """The talk a servant's survey is about; raises "not_yours" for anyone else's."""
    talk = await session.scalar(
        select(Talk)
        .join(Enrollment, Enrollment.talk_id == Talk.id)
        .join(Servant, Servant.id == Enrollment.servant_id)
        .where(
            Enrollment.id == enrollment_id,
            Enrollment.attended_at.is_not(None),
            Servant.telegram_user_id == telegram_user_id,
        )
    )
    if talk is None:
        raise SurveyError("not_yours")
    return talk


async def _response(session: AsyncSession, enrollment_id: int) -> SurveyResponse | None:
    response = await session.scalar(
        select(SurveyResponse).where(SurveyResponse.enrollment_id == enrollment_id)
    )
    return response


async def record_score(
    session: AsyncSession,
    *,
    enrollment_id: int,
    telegram_user_id: int,
    score: int,
    now: datetime,
) -> Talk:
    """Stores the score once; a second answer raises "already_answered"."""
    if not MIN_SCORE <= score <= MAX_SCORE:
        raise SurveyError("not_yours")
    talk = await survey_talk(
        session, enrollment_id=enrollment_id, telegram_user_id=telegram_user_id
    )
    if await _response(session, enrollment_id) is not None:
        raise SurveyError("already_answered")
    session.add(SurveyResponse(enrollment_id=enrollment_id, score=score, answered_at=now))
    await session.flush()
    return talk


def clean_comment(raw: str) -> str:
    comment = _CONTROL.sub("", raw).strip()
    if not comment:
        raise SurveyError("comment_empty")
    if len(comment) > MAX_COMMENT_LENGTH:
        raise SurveyError("comment_too_long", limit=MAX_COMMENT_LENGTH)
    return comment


async def add_comment(
    session: AsyncSession, *, enrollment_id: int, telegram_user_id: int, comment: str
) -> None:
    """Attaches the optional comment to the servant's answer (once)."""
    text = clean_comment(comment)
    await survey_talk(session, enrollment_id=enrollment_id, telegram_user_id=telegram_user_id)
    response = await _response(session, enrollment_id)
    if response is None:
        raise SurveyError("not_yours")
    if response.comment:
        raise SurveyError("comment_already")
    response.comment = text
    await session.flush()
