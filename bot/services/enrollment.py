"""Enrolling, joining the waiting list, cancelling and promoting from the waiting list.

Every change to a talk's seats first locks the talk's row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), then counts the
seats. That makes enroll, cancel and promote atomic when many servants — or two bot
processes — act on the same talk at once, with the count of enrollments as the single
source of truth (no counter that could drift).

Promotion from the waiting list is automatic: the first in line gets the seat at once and
is told so, with a one-tap way to give it back. The talks are free and virtual, so an offer
with a deadline (pretix's voucher) would only leave seats empty while nobody answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.models import DeliveryKind, Enrollment, EnrollmentStatus, Servant, Talk
from bot.outbox import enqueue
from bot.services.errors import EnrollmentError
from bot.services.queries import Place, count_enrollments, find_place, lock_talk
from bot.services.talks import waiting_position


class EnrollOutcome(StrEnum):
    ENROLLED = "enrolled"
    WAITING = "waiting"
    ALREADY_ENROLLED = "already_enrolled"
    ALREADY_WAITING = "already_waiting"


@dataclass(frozen=True)
class EnrollResult:
    outcome: EnrollOutcome
    enrollment: Enrollment
    talk: Talk
    waiting_position: int | None = None


@dataclass(frozen=True)
class CancelResult:
    enrollment: Enrollment
    talk: Talk
    was_waiting: bool
    promoted: Sequence[Enrollment]


@dataclass(frozen=True)
class MyEnrollment:
    enrollment: Enrollment
    talk: Talk
    waiting_position: int | None


def _check_open(talk: Talk | None, now: datetime) -> Talk:
    if talk is None:
        raise EnrollmentError("not_found")
    if talk.is_cancelled:
        raise EnrollmentError("talk_cancelled")
    if talk.has_started(now):
        raise EnrollmentError("started")
    return talk


async def enroll(
    session: AsyncSession,
    *,
    servant: Servant,
    talk_id: int,
    now: datetime,
    join_waitlist: bool,
    reminder_offsets: Sequence[timedelta],
) -> EnrollResult:
    """Takes a seat for the servant, or a place in line when full and `join_waitlist`.

    Raises EnrollmentError with code not_found, talk_cancelled, started, profile_incomplete
    or full (the talk is full and `join_waitlist` is false).
    """
    place = await _locked_place(session, talk_id=talk_id, servant_id=servant.id)
    return await _enroll_in_place(
        session, *place, now=now, join_waitlist=join_waitlist, reminder_offsets=reminder_offsets
    )


async def enroll_user(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    talk_id: int,
    now: datetime,
    join_waitlist: bool,
    reminder_offsets: Sequence[timedelta],
) -> EnrollResult:
    """`enroll` for a Telegram user; raises EnrollmentError no_consent when there is no
    servant yet (the privacy notice was never accepted)."""
    place = await _locked_place(session, talk_id=talk_id, telegram_user_id=telegram_user_id)
    return await _enroll_in_place(
        session, *place, now=now, join_waitlist=join_waitlist, reminder_offsets=reminder_offsets
    )


async def _locked_place(
    session: AsyncSession,
    *,
    talk_id: int,
    telegram_user_id: int | None = None,
    servant_id: int | None = None,
) -> tuple[Talk | None, Place | None]:
    """Two statements before any write: the talk's lock, then the servant with their
    enrollment and the talk's counts (read after the lock, so the counts are current)."""
    talk = await lock_talk(session, talk_id)
    place = await find_place(
        session, talk_id=talk_id, telegram_user_id=telegram_user_id, servant_id=servant_id
    )
    return talk, place


async def _enroll_in_place(
    session: AsyncSession,
    talk: Talk | None,
    place: Place | None,
    *,
    now: datetime,
    join_waitlist: bool,
    reminder_offsets: Sequence[timedelta],
) -> EnrollResult:
    if place is None:
        raise EnrollmentError("no_consent")
    if not place.servant.has_profile:
        raise EnrollmentError("profile_incomplete")
    return await _take_place(
        session,
        talk=_check_open(talk, now),
        place=place,
        now=now,
        join_waitlist=join_waitlist,
        reminder_offsets=reminder_offsets,
    )


async def _take_place(
    session: AsyncSession,
    *,
    talk: Talk,
    place: Place,
    now: datetime,
    join_waitlist: bool,
    reminder_offsets: Sequence[timedelta],
) -> EnrollResult:
    """The rest of `enroll`, with the talk locked and the servant's place read."""
    enrollment = place.enrollment
    if enrollment is not None and enrollment.status == EnrollmentStatus.ENROLLED:
        return EnrollResult(EnrollOutcome.ALREADY_ENROLLED, enrollment, talk)
    if enrollment is not None and enrollment.status == EnrollmentStatus.WAITING:
        position = await waiting_position(session, enrollment)
        return EnrollResult(EnrollOutcome.ALREADY_WAITING, enrollment, talk, position)

    has_seat = place.seats_taken < talk.capacity
    if not has_seat and not join_waitlist:
        raise EnrollmentError("full")
    status = EnrollmentStatus.ENROLLED if has_seat else EnrollmentStatus.WAITING
    first_time = enrollment is None
    if enrollment is None:
        enrollment = Enrollment(talk_id=talk.id, servant_id=place.servant.id, created_at=now)
        session.add(enrollment)
    enrollment.status = status
    enrollment.queued_at = now
    enrollment.enrolled_at = now if has_seat else None
    enrollment.promoted_at = None
    enrollment.cancelled_at = None
    enrollment.updated_at = now
    await session.flush()
    if has_seat:
        await enqueue.schedule_reminders(
            session,
            enrollment=enrollment,
            talk=talk,
            offsets=reminder_offsets,
            now=now,
            first_time=first_time,
        )
        return EnrollResult(EnrollOutcome.ENROLLED, enrollment, talk)
    position = await waiting_position(session, enrollment)
    return EnrollResult(EnrollOutcome.WAITING, enrollment, talk, position)


async def cancel(
    session: AsyncSession,
    *,
    servant: Servant,
    talk_id: int,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> CancelResult:
    """Gives back the servant's seat (or place in line) and promotes the next in line.

    Raises EnrollmentError with code not_found, not_enrolled or started.
    """
    talk, place = await _locked_place(session, talk_id=talk_id, servant_id=servant.id)
    return await _cancel_place(session, talk, place, now=now, reminder_offsets=reminder_offsets)


async def cancel_user(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    talk_id: int,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> CancelResult:
    """`cancel` for a Telegram user; not_enrolled when there is no servant. The next in
    line is looked for only when someone waits."""
    talk, place = await _locked_place(session, talk_id=talk_id, telegram_user_id=telegram_user_id)
    return await _cancel_place(session, talk, place, now=now, reminder_offsets=reminder_offsets)


async def _cancel_place(
    session: AsyncSession,
    talk: Talk | None,
    place: Place | None,
    *,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> CancelResult:
    if place is None:
        raise EnrollmentError("not_enrolled")
    if talk is None:
        raise EnrollmentError("not_found")
    return await _give_back(
        session, talk=talk, place=place, now=now, reminder_offsets=reminder_offsets
    )


async def _give_back(
    session: AsyncSession,
    *,
    talk: Talk,
    place: Place | None,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> CancelResult:
    """The rest of `cancel`, with the talk locked and the servant's place read."""
    enrollment = place.enrollment if place is not None else None
    if place is None or enrollment is None or enrollment.status == EnrollmentStatus.CANCELLED:
        raise EnrollmentError("not_enrolled")
    if talk.has_started(now):
        raise EnrollmentError("started")
    was_waiting = enrollment.status == EnrollmentStatus.WAITING
    enrollment.status = EnrollmentStatus.CANCELLED
    enrollment.cancelled_at = now
    enrollment.updated_at = now
    await session.flush()
    await enqueue.cancel_pending(
        session, enrollment_id=enrollment.id, now=now, reason="enrollment_cancelled"
    )
    promoted = (
        []
        if was_waiting or place.waiting == 0
        else await promote_waiting(
            session,
            talk=talk,
            now=now,
            reminder_offsets=reminder_offsets,
            seats_taken=place.seats_taken - 1,
        )
    )
    return CancelResult(enrollment, talk, was_waiting, promoted)


async def promote_waiting(
    session: AsyncSession,
    *,
    talk: Talk,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
    seats_taken: int | None = None,
) -> list[Enrollment]:
    """Moves the first in line into free seats and queues a notice for each.

    The caller must hold the talk's lock (see `lock_talk`); `seats_taken`, when the caller
    counted them under that lock, saves counting again. Nobody is promoted into a talk that
    was cancelled or has started.
    """
    if talk.is_cancelled or talk.has_started(now):
        return []
    if seats_taken is None:
        seats_taken = await count_enrollments(session, talk.id, EnrollmentStatus.ENROLLED)
    free = talk.capacity - seats_taken
    if free <= 0:
        return []
    first_in_line = (
        await session.scalars(
            select(Enrollment)
            .where(Enrollment.talk_id == talk.id, Enrollment.status == EnrollmentStatus.WAITING)
            .order_by(Enrollment.queued_at, Enrollment.id)
            .limit(free)
        )
    ).all()
    for enrollment in first_in_line:
        enrollment.status = EnrollmentStatus.ENROLLED
        enrollment.enrolled_at = now
        enrollment.promoted_at = now
        enrollment.updated_at = now
        enqueue.queue_notice(session, kind=DeliveryKind.PROMOTED, enrollment=enrollment, now=now)
    await session.flush()
    for enrollment in first_in_line:
        await enqueue.schedule_reminders(
            session, enrollment=enrollment, talk=talk, offsets=reminder_offsets, now=now
        )
    return list(first_in_line)


async def my_enrollments(
    session: AsyncSession, *, servant_id: int, now: datetime
) -> list[MyEnrollment]:
    """The servant's seats and places in line for talks that have not ended yet."""
    rows = (
        await session.scalars(
            select(Enrollment)
            .join(Enrollment.talk)
            .where(
                Enrollment.servant_id == servant_id,
                Enrollment.status != EnrollmentStatus.CANCELLED,
            )
            .options(selectinload(Enrollment.talk))
            .order_by(Talk.starts_at, Talk.id)
        )
    ).all()
    mine = []
    for enrollment in rows:
        if enrollment.talk.ends_at <= now:
            continue
        position = (
            await waiting_position(session, enrollment)
            if enrollment.status == EnrollmentStatus.WAITING
            else None
        )
        mine.append(MyEnrollment(enrollment, enrollment.talk, position))
    return mine
