"""Changes to a talk that the enrolled must hear about: a new time, or a cancellation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import DeliveryKind, Enrollment, EnrollmentStatus, Talk, TalkStatus
from bot.outbox import enqueue


async def _active_enrollments(session: AsyncSession, talk_id: int) -> Sequence[Enrollment]:
    return (
        await session.scalars(
            select(Enrollment).where(
                Enrollment.talk_id == talk_id, Enrollment.status != EnrollmentStatus.CANCELLED
            )
        )
    ).all()


async def announce_new_time(
    session: AsyncSession, *, talk: Talk, now: datetime, reminder_offsets: Sequence[timedelta]
) -> int:
    """Recomputes the unsent reminders of a talk whose start changed and queues a notice
    (with an updated calendar file) for everyone enrolled or waiting. Returns how many."""
    people = await _active_enrollments(session, talk.id)
    for enrollment in people:
        if enrollment.status == EnrollmentStatus.ENROLLED:
            await enqueue.schedule_reminders(
                session, enrollment=enrollment, talk=talk, offsets=reminder_offsets, now=now
            )
        enqueue.queue_notice(
            session, kind=DeliveryKind.RESCHEDULED, enrollment=enrollment, now=now
        )
    await session.flush()
    return len(people)


async def move_talk(
    session: AsyncSession,
    *,
    talk: Talk,
    starts_at: datetime,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> int:
    """Gives a talk its new start and tells everyone enrolled or waiting; returns how many.
    The caller holds the talk's lock and has validated the new time (`talk_admin.reschedule`)."""
    talk.starts_at = starts_at
    talk.sequence += 1
    talk.updated_at = now
    return await announce_new_time(session, talk=talk, now=now, reminder_offsets=reminder_offsets)


async def cancel_talk(session: AsyncSession, *, talk: Talk, now: datetime) -> int:
    """Cancels a talk: its pending reminders stop and everyone enrolled or waiting is told;
    returns how many. The caller holds the talk's lock and checked it (`talk_admin.cancel`)."""
    talk.status = TalkStatus.CANCELLED
    talk.sequence += 1
    talk.updated_at = now
    people = await _active_enrollments(session, talk.id)
    for enrollment in people:
        await enqueue.cancel_pending(
            session, enrollment_id=enrollment.id, now=now, reason="talk_cancelled"
        )
        enqueue.queue_notice(
            session, kind=DeliveryKind.TALK_CANCELLED, enrollment=enrollment, now=now
        )
    await session.flush()
    return len(people)
