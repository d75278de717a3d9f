"""The outbox of messages owed to servants: reminders and notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.models import Delivery, DeliveryKind, DeliveryState, Enrollment, Servant, Talk


def offset_minutes(offset: timedelta) -> int:
    return int(offset.total_seconds() // 60)


def queue_notice(
    session: AsyncSession, *, kind: DeliveryKind, enrollment: Enrollment, now: datetime
) -> Delivery:
    """Queues a one-off notice about an enrollment, to be sent as soon as possible."""
    delivery = Delivery(
        kind=kind,
        servant_id=enrollment.servant_id,
        enrollment_id=enrollment.id,
        due_at=now,
        next_attempt_at=now,
        state=DeliveryState.PENDING,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    return delivery


def _reminder_values(talk: Talk, offset: timedelta, now: datetime) -> dict[str, object]:
    """State of a reminder armed at `now`: pending, or skipped when its time has passed."""
    due_at = talk.starts_at - offset
    late = due_at <= now
    return {
        "due_at": due_at,
        "next_attempt_at": due_at,
        "attempts": 0,
        "claimed_at": None,
        "updated_at": now,
        "state": DeliveryState.SKIPPED if late else DeliveryState.PENDING,
        "reason": "enrolled_late" if late else None,
        "finished_at": now if late else None,
    }


async def schedule_reminders(
    session: AsyncSession,
    *,
    enrollment: Enrollment,
    talk: Talk,
    offsets: Sequence[timedelta],
    now: datetime,
    first_time: bool = False,
) -> None:
    """Creates (or re-arms) one reminder per offset for a seat that was just taken.

    A reminder whose time has already passed when the seat is taken is recorded as
    skipped ("enrolled_late"): someone who enrolls 30 minutes before the talk gets neither
    the 24 h nor the 1 h reminder (pretix#3757). A reminder already sent (or being sent)
    is left alone, so calling this again after a talk moves recomputes only what is unsent,
    as Indico does: the servant learns the new time from the change notice.
    `first_time` says the enrollment is new, so there is nothing to re-arm: one INSERT.
    """
    base = {
        "kind": DeliveryKind.REMINDER,
        "servant_id": enrollment.servant_id,
        "enrollment_id": enrollment.id,
        "created_at": now,
    }
    if first_time:
        rows = [
            {
                **base,
                "offset_minutes": offset_minutes(offset),
                **_reminder_values(talk, offset, now),
            }
            for offset in offsets
        ]
        await session.execute(insert(Delivery), rows)
        return
    existing = {
        delivery.offset_minutes: delivery
        for delivery in await session.scalars(
            select(Delivery).where(
                Delivery.enrollment_id == enrollment.id, Delivery.kind == DeliveryKind.REMINDER
            )
        )
    }
    for offset in offsets:
        delivery = existing.get(offset_minutes(offset))
        if delivery is None:
            delivery = Delivery(**base, offset_minutes=offset_minutes(offset))
            session.add(delivery)
        elif delivery.state in {DeliveryState.SENT, DeliveryState.SENDING}:
            continue
        for name, value in _reminder_values(talk, offset, now).items():
            setattr(delivery, name, value)
    await session.flush()


async def cancel_pending(
    session: AsyncSession, *, enrollment_id: int, now: datetime, reason: str
) -> None:
    """Cancels everything still owed for an enrollment (its seat was given back)."""
    await session.execute(
        update(Delivery)
        .where(Delivery.enrollment_id == enrollment_id, Delivery.state == DeliveryState.PENDING)
        .values(state=DeliveryState.CANCELLED, reason=reason, finished_at=now, updated_at=now)
    )


STUCK_AFTER = timedelta(minutes=10)
"""A row still `sending` this long after its claim was interrupted by a crash."""

MAX_ATTEMPTS = 5
MAX_LATE_FRACTION = 0.5
"""A reminder late by more than half its offset is `missed` (see `settle_unsendable`)."""


def retry_delay(attempts: int) -> timedelta:
    """Back-off before retrying after a timeout or a server error: 30 s, 1, 2, 4 min…"""
    return timedelta(seconds=30 * 2 ** max(0, attempts - 1))


def reminder_grace(offset_min: int) -> timedelta:
    return timedelta(minutes=offset_min * MAX_LATE_FRACTION)


PRE_TALK_KINDS = frozenset(
    {
        DeliveryKind.REMINDER,
        DeliveryKind.PROMOTED,
        DeliveryKind.RESCHEDULED,
        DeliveryKind.TALK_CANCELLED,
    }
)
"""Messages that make no sense once the talk has started."""


@dataclass
class Claim:
    """The rows claimed by one scan: those to send, and how many were closed unsent."""

    to_send: list[Delivery] = field(default_factory=list)
    closed: dict[str, int] = field(default_factory=dict)

    def count(self, reason: str, n: int = 1) -> None:
        self.closed[reason] = self.closed.get(reason, 0) + n


async def expire_interrupted(session: AsyncSession, *, now: datetime) -> int:
    """Closes rows left `sending` by a crash for longer than STUCK_AFTER as failed.

    Delivery is at-most-once, as in Indico: after a crash we cannot know whether Telegram
    accepted the message, and a reminder must never arrive twice.
    """
    result = await session.execute(
        update(Delivery)
        .where(Delivery.state == DeliveryState.SENDING, Delivery.claimed_at < now - STUCK_AFTER)
        .values(state=DeliveryState.FAILED, reason="interrupted", finished_at=now, updated_at=now)
    )
    return result.rowcount or 0


def unsendable_reason(delivery: Delivery, now: datetime) -> tuple[DeliveryState, str] | None:
    """Why a due row must not be sent, or None. Its servant, enrollment and talk are loaded.

    - the servant blocked the bot → skipped "unreachable";
    - a general notice (not about a talk they chose) to a servant who opted out → skipped
      "opted_out";
    - a reminder for a cancelled talk → skipped "talk_cancelled";
    - a reminder or notice about a talk that has started → skipped "talk_started";
    - a reminder due while the bot was down and late by more than half its offset → missed
      "late" (a 24 h reminder is still sent up to 12 h late, a 1 h reminder up to 30 min late).
    """
    if delivery.servant.unreachable_at is not None:
        return DeliveryState.SKIPPED, "unreachable"
    if (
        delivery.kind == DeliveryKind.NOTICE
        and delivery.enrollment_id is None
        and delivery.servant.notices_opt_out_at is not None
    ):
        return DeliveryState.SKIPPED, "opted_out"
    talk = delivery.enrollment.talk if delivery.enrollment is not None else None
    if talk is None:
        return None
    if talk.is_cancelled and delivery.kind == DeliveryKind.REMINDER:
        return DeliveryState.SKIPPED, "talk_cancelled"
    if delivery.kind in PRE_TALK_KINDS and talk.has_started(now):
        return DeliveryState.SKIPPED, "talk_started"
    if (
        delivery.kind == DeliveryKind.REMINDER
        and delivery.offset_minutes is not None
        and now - delivery.due_at > reminder_grace(delivery.offset_minutes)
    ):
        return DeliveryState.MISSED, "late"
    return None


_DUE_IDS = (
    select(Delivery.id)
    .where(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= bindparam("now"))
    .order_by(Delivery.next_attempt_at, Delivery.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)


async def claim_due(session: AsyncSession, *, now: datetime, limit: int) -> Claim:
    """Claims up to `limit` due rows for this process and closes those that must not go out.

    ``FOR UPDATE SKIP LOCKED`` lets two processes on PostgreSQL claim disjoint rows; the
    conditional update (``WHERE state = 'pending'``) makes the claim safe even without it.
    Only the claimed rows are examined, so a scan costs the same with 100,000 rows waiting.
    """
    claim = Claim()
    ids = (await session.scalars(_DUE_IDS, {"now": now, "limit": limit})).all()
    if not ids:
        return claim
    claimed = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.state == DeliveryState.PENDING)
        .values(
            state=DeliveryState.SENDING,
            claimed_at=now,
            attempts=Delivery.attempts + 1,
            updated_at=now,
        )
        .returning(Delivery.id)
    )
    claimed_ids = list(claimed.scalars())
    if not claimed_ids:
        return claim
    rows = await session.scalars(
        select(Delivery)
        .where(Delivery.id.in_(claimed_ids))
        .options(
            selectinload(Delivery.servant),
            selectinload(Delivery.notice),
            selectinload(Delivery.enrollment).selectinload(Enrollment.talk),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .execution_options(populate_existing=True)
    )
    for delivery in rows:
        verdict = unsendable_reason(delivery, now)
        if verdict is None:
            claim.to_send.append(delivery)
            continue
        state, reason = verdict
        delivery.state, delivery.reason = state, reason
        delivery.finished_at = delivery.updated_at = now
        claim.count(reason)
    await session.flush()
    return claim


async def finish(
    session: AsyncSession,
    *,
    delivery_id: int,
    state: DeliveryState,
    now: datetime,
    reason: str | None = None,
) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.SENDING)
        .values(state=state, reason=reason, finished_at=now, updated_at=now)
    )


async def retry_later(
    session: AsyncSession, *, delivery_id: int, attempts: int, now: datetime, error: str
) -> DeliveryState:
    """After a timeout or server error: back to pending with back-off, or failed at the limit."""
    if attempts >= MAX_ATTEMPTS:
        await finish(
            session, delivery_id=delivery_id, state=DeliveryState.FAILED, now=now, reason=error
        )
        return DeliveryState.FAILED
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.SENDING)
        .values(
            state=DeliveryState.PENDING,
            next_attempt_at=now + retry_delay(attempts),
            reason=error,
            updated_at=now,
        )
    )
    return DeliveryState.PENDING


async def mark_unreachable(session: AsyncSession, *, servant_id: int, now: datetime) -> None:
    """The servant blocked the bot: stop every pending message to them."""
    await session.execute(
        update(Servant).where(Servant.id == servant_id).values(unreachable_at=now)
    )
    await session.execute(
        update(Delivery)
        .where(Delivery.servant_id == servant_id, Delivery.state == DeliveryState.PENDING)
        .values(state=DeliveryState.SKIPPED, reason="unreachable", finished_at=now, updated_at=now)
    )
