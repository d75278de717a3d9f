"""What the FAQ could not answer, and how useful its answers were — anonymous by design."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import upsert
from bot.faq import normalize
from bot.models import FaqFeedback, UnansweredQuestion

MAX_LOGGED_LENGTH = 500


async def record_unanswered(session: AsyncSession, *, text: str, now: datetime) -> None:
    """Counts a question without a confident answer, grouping the same words together.

    One atomic upsert, so two servants asking at once never lose a count.
    """
    normalized = (normalize(text) or text.strip().lower())[:MAX_LOGGED_LENGTH]
    if not normalized:
        return
    await upsert(
        session,
        UnansweredQuestion,
        {
            "normalized": normalized,
            "sample": text.strip()[:MAX_LOGGED_LENGTH],
            "count": 1,
            "first_seen_at": now,
            "last_seen_at": now,
        },
        conflict=[UnansweredQuestion.normalized],
        update={"count": UnansweredQuestion.count + 1, "last_seen_at": now},
    )


async def most_frequent_unanswered(
    session: AsyncSession, *, limit: int = 20
) -> Sequence[UnansweredQuestion]:
    return (
        await session.scalars(
            select(UnansweredQuestion)
            .order_by(UnansweredQuestion.count.desc(), UnansweredQuestion.last_seen_at.desc())
            .limit(limit)
        )
    ).all()


async def record_feedback(
    session: AsyncSession, *, entry_id: str, helpful: bool, now: datetime
) -> None:
    session.add(FaqFeedback(entry_id=entry_id, helpful=helpful, created_at=now))
