"""Enrollment rules against a real database: seats, waiting list, cancel, promotion, races."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Enrollment,
    EnrollmentStatus,
    TalkStatus,
)
from bot.services import enrollment, servants
from bot.services.enrollment import EnrollOutcome
from bot.services.errors import EnrollmentError
from tests.factories import REMINDER_OFFSETS as OFFSETS
from tests.factories import make_servant, make_talk


async def _enroll(session_factory, servant, talk_id, now, *, join_waitlist=True):
    async with session_factory.begin() as session:
        return await enrollment.enroll(
            session,
            servant=servant,
            talk_id=talk_id,
            now=now,
            join_waitlist=join_waitlist,
            reminder_offsets=OFFSETS,
        )


async def _cancel(session_factory, servant, talk_id, now):
    async with session_factory.begin() as session:
        return await enrollment.cancel(
            session, servant=servant, talk_id=talk_id, now=now, reminder_offsets=OFFSETS
        )


async def _statuses(session_factory, talk_id):
    async with session_factory() as session:
        rows = await session.execute(
            select(Enrollment.status, func.count())
            .where(Enrollment.talk_id == talk_id)
            .group_by(Enrollment.status)
        )
        return dict(rows.tuples().all())


async def test_300_concurrent_enrollments_fill_100_seats_and_queue_200(session_factory, clock):
    now = clock.now()
    talk = await make_talk(session_factory, starts_at=now + timedelta(days=3), capacity=100)
    people = [
        await make_servant(session_factory, telegram_user_id=10_000 + n, now=now)
        for n in range(300)
    ]
    results = await asyncio.gather(
        *(_enroll(session_factory, person, talk.id, now) for person in people)
    )

    outcomes = [result.outcome for result in results]
    assert outcomes.count(EnrollOutcome.ENROLLED) == 100
    assert outcomes.count(EnrollOutcome.WAITING) == 200
    assert await _statuses(session_factory, talk.id) == {
        EnrollmentStatus.ENROLLED: 100,
        EnrollmentStatus.WAITING: 200,
    }
    positions = sorted(r.waiting_position for r in results if r.outcome == EnrollOutcome.WAITING)
    assert positions == list(range(1, 201))
    async with session_factory() as session:
        distinct = await session.scalar(
            select(func.count(func.distinct(Enrollment.servant_id))).where(
                Enrollment.talk_id == talk.id
            )
        )
    assert distinct == 300


async def test_double_tap_enrolls_once(session_factory, clock):
    now = clock.now()
    talk = await make_talk(session_factory, starts_at=now + timedelta(days=3), capacity=5)
    ana = await make_servant(session_factory, telegram_user_id=1, now=now)
    first, second = await asyncio.gather(
        _enroll(session_factory, ana, talk.id, now, join_waitlist=False),
        _enroll(session_factory, ana, talk.id, now, join_waitlist=False),
    )
    assert {first.outcome, second.outcome} == {
        EnrollOutcome.ENROLLED,
        EnrollOutcome.ALREADY_ENROLLED,
    }
    assert await _statuses(session_factory, talk.id) == {EnrollmentStatus.ENROLLED: 1}


async def test_full_talk_refuses_unless_joining_the_waiting_list(session_factory, clock):
    now = clock.now()
    talk = await make_talk(session_factory, starts_at=now + timedelta(days=3), capacity=1)
    ana = await make_servant(session_factory, telegram_user_id=1, now=now)
    luis = await make_servant(session_factory, telegram_user_id=2, now=now)
    await _enroll(session_factory, ana, talk.id, now)
    with pytest.raises(EnrollmentError) as error:
        await _enroll(session_factory, luis, talk.id, now, join_waitlist=False)
    assert error.value.code == "full"
    result = await _enroll(session_factory, luis, talk.id, now)
    assert (result.outcome, result.waiting_position) == (EnrollOutcome.WAITING, 1)


async def test_cancel_promotes_first_in_line_with_notice_and_reminders(session_factory, clock):
    now = clock.now()
    talk = await make_talk(session_factory, starts_at=now + timedelta(days=3), capacity=1)
    ana, luis, eva = [
        await make_servant(session_factory, telegram_user_id=n, now=now) for n in (1, 2, 3)
    ]
    await _enroll(session_factory, ana, talk.id, now)
    await _enroll(session_factory, luis, talk.id, now + timedelta(minutes=1))
    await _enroll(session_factory, eva, talk.id, now + timedelta(minutes=2))

    result = await _cancel(session_factory, ana, talk.id, now + timedelta(minutes=3))

    assert [e.servant_id for e in result.promoted] == [luis.id]
    async with session_factory() as session:
        luis_rows = (
            await session.scalars(select(Delivery).where(Delivery.servant_id == luis.id))
        ).all()
        ana_rows = (
            await session.scalars(select(Delivery).where(Delivery.servant_id == ana.id))
        ).all()
    assert sorted((d.kind, d.offset_minutes) for d in luis_rows) == [
        (DeliveryKind.PROMOTED, None),
        (DeliveryKind.REMINDER, 60),
        (DeliveryKind.REMINDER, 1440),
    ]
    assert {d.state for d in ana_rows} == {DeliveryState.CANCELLED}
    eva_place = await _enroll(session_factory, eva, talk.id, now + timedelta(minutes=4))
    assert (eva_place.outcome, eva_place.waiting_position) == (EnrollOutcome.ALREADY_WAITING, 1)


async def test_no_changes_once_the_talk_started_or_was_cancelled(session_factory, clock):
    now = clock.now()
    soon = await make_talk(session_factory, starts_at=now + timedelta(minutes=10), capacity=5)
    off = await make_talk(
        session_factory, starts_at=now + timedelta(days=1), status=TalkStatus.CANCELLED
    )
    ana = await make_servant(session_factory, telegram_user_id=1, now=now)
    await _enroll(session_factory, ana, soon.id, now)
    later = now + timedelta(minutes=11)
    with pytest.raises(EnrollmentError, match="started"):
        await _cancel(session_factory, ana, soon.id, later)
    luis = await make_servant(session_factory, telegram_user_id=2, now=now)
    with pytest.raises(EnrollmentError, match="started"):
        await _enroll(session_factory, luis, soon.id, later)
    with pytest.raises(EnrollmentError, match="talk_cancelled"):
        await _enroll(session_factory, luis, off.id, now)
    with pytest.raises(EnrollmentError, match="not_found"):
        await _enroll(session_factory, luis, 999_999, now)


async def test_late_enrollment_skips_reminders_already_due(session_factory, clock):
    now = clock.now()
    talk = await make_talk(session_factory, starts_at=now + timedelta(minutes=30))
    ana = await make_servant(session_factory, telegram_user_id=1, now=now)
    await _enroll(session_factory, ana, talk.id, now)
    async with session_factory() as session:
        rows = (await session.scalars(select(Delivery))).all()
    assert {(d.offset_minutes, d.state, d.reason) for d in rows} == {
        (1440, DeliveryState.SKIPPED, "enrolled_late"),
        (60, DeliveryState.SKIPPED, "enrolled_late"),
    }


async def test_deleting_data_frees_seats_for_the_waiting_list(session_factory, clock):
    now = clock.now()
    talk = await make_talk(session_factory, starts_at=now + timedelta(days=3), capacity=1)
    ana = await make_servant(session_factory, telegram_user_id=1, now=now)
    luis = await make_servant(session_factory, telegram_user_id=2, now=now)
    await _enroll(session_factory, ana, talk.id, now)
    await _enroll(session_factory, luis, talk.id, now)

    async with session_factory.begin() as session:
        summary = await servants.delete_servant_data(
            session, telegram_user_id=1, now=now, reminder_offsets=OFFSETS
        )
    assert summary is not None and summary.seats_released == 1
    async with session_factory() as session:
        assert await servants.get_servant(session, 1) is None
        remaining = (await session.scalars(select(Enrollment))).all()
        ana_deliveries = await session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.servant_id == ana.id)
        )
    assert [(e.servant_id, e.status) for e in remaining] == [(luis.id, EnrollmentStatus.ENROLLED)]
    assert ana_deliveries == 0


async def test_cancels_and_enrollments_by_telegram_id_racing_never_overbook(
    session_factory, clock
):
    """The chat's path (enroll_user, cancel_user: one statement reads servant, enrollment and
    counts after the lock) keeps the seats exact when cancels, promotions and new
    enrollments race, and a double-tapped cancel gives the seat back once."""
    now = clock.now()
    talk = await make_talk(session_factory, starts_at=now + timedelta(days=3), capacity=10)
    ids = [20_000 + n for n in range(30)]
    for user_id in ids:
        await make_servant(session_factory, telegram_user_id=user_id, now=now)

    async def enroll_user(user_id):
        async with session_factory.begin() as session:
            return await enrollment.enroll_user(
                session,
                telegram_user_id=user_id,
                talk_id=talk.id,
                now=now,
                join_waitlist=True,
                reminder_offsets=OFFSETS,
            )

    async def cancel_user(user_id):
        async with session_factory.begin() as session:
            return await enrollment.cancel_user(
                session,
                telegram_user_id=user_id,
                talk_id=talk.id,
                now=now,
                reminder_offsets=OFFSETS,
            )

    for user_id in ids[:20]:  # one by one: the first ten are seated, the next ten wait
        await enroll_user(user_id)
    seated = ids[:10]
    cancels = [cancel_user(user_id) for user_id in seated[:5]]
    cancels.append(cancel_user(seated[0]))  # the double tap
    outcomes = await asyncio.gather(
        *cancels, *(enroll_user(user_id) for user_id in ids[20:]), return_exceptions=True
    )

    refused = [o for o in outcomes if isinstance(o, EnrollmentError)]
    assert [error.code for error in refused] == ["not_enrolled"]
    promoted = sum(len(o.promoted) for o in outcomes[:6] if not isinstance(o, Exception))
    assert promoted == 5
    assert await _statuses(session_factory, talk.id) == {
        EnrollmentStatus.ENROLLED: 10,
        EnrollmentStatus.WAITING: 15,
        EnrollmentStatus.CANCELLED: 5,
    }
    async with session_factory.begin() as session:
        with pytest.raises(EnrollmentError) as nobody:
            await enrollment.cancel_user(
                session, telegram_user_id=999, talk_id=talk.id, now=now, reminder_offsets=OFFSETS
            )
    assert nobody.value.code == "not_enrolled"
