"""Writing the outbox: the only way delivery rows are created, re-armed or cancelled.

Services call these in the transaction of the change a message announces, so the message
exists exactly when the change does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Subquery, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import insert_ignore
from bot.models import Delivery, DeliveryKind, DeliveryState, Enrollment, Talk
from bot.outbox.rules import offset_minutes, reminder_values


def queue_notice(
    session: AsyncSession, *, kind: DeliveryKind, enrollment: Enrollment, now: datetime
) -> Delivery:
    """Queues a one-off notice about an enrollment, to be sent as soon as possible."""
    return _queue_now(
        session, kind=kind, servant_id=enrollment.servant_id, enrollment_id=enrollment.id, now=now
    )


def _queue_now(
    session: AsyncSession,
    *,
    kind: DeliveryKind,
    servant_id: int,
    now: datetime,
    enrollment_id: int | None = None,
) -> Delivery:
    delivery = Delivery(
        kind=kind,
        servant_id=servant_id,
        enrollment_id=enrollment_id,
        due_at=now,
        next_attempt_at=now,
        state=DeliveryState.PENDING,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    return delivery


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
                **reminder_values(talk, offset, now),
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
        for name, value in reminder_values(talk, offset, now).items():
            setattr(delivery, name, value)
    await session.flush()


async def queue_once(
    session: AsyncSession,
    *,
    enrollment: Enrollment,
    kind: DeliveryKind,
    due_at: datetime,
    now: datetime,
) -> None:
    """Writes a once-only outbox row (offset 0); a row already there is left as it is."""
    values = {
        "kind": kind,
        "servant_id": enrollment.servant_id,
        "enrollment_id": enrollment.id,
        "offset_minutes": 0,
        "due_at": due_at,
        "next_attempt_at": due_at,
        "state": DeliveryState.PENDING,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    await insert_ignore(session, Delivery, values)


async def queue_office_notice(
    session: AsyncSession, *, notice_id: int, recipients: Subquery, now: datetime
) -> None:
    """Queues an office notice, due now, for each (servant_id, enrollment_id) of `recipients`.

    One INSERT … SELECT, so 3,000 recipients cost one statement.
    """
    columns = Delivery.__table__.c

    def constant(column: str, value: object) -> ColumnElement[object]:
        return literal(value, type_=columns[column].type)

    await session.execute(
        insert(Delivery).from_select(
            [
                "kind",
                "servant_id",
                "enrollment_id",
                "notice_id",
                "due_at",
                "next_attempt_at",
                "state",
                "attempts",
                "created_at",
                "updated_at",
            ],
            select(
                constant("kind", DeliveryKind.NOTICE),
                recipients.c[0],
                recipients.c[1],
                constant("notice_id", notice_id),
                constant("due_at", now),
                constant("next_attempt_at", now),
                constant("state", DeliveryState.PENDING),
                constant("attempts", 0),
                constant("created_at", now),
                constant("updated_at", now),
            ),
        )
    )


def queue_retention_notice(session: AsyncSession, *, servant_id: int, now: datetime) -> None:
    """Queues, due now, the notice that the servant's data is deleted in 30 days; its
    `created_at` is the notice's date (bot.services.retention)."""
    _queue_now(session, kind=DeliveryKind.RETENTION, servant_id=servant_id, now=now)


async def cancel_pending(
    session: AsyncSession, *, enrollment_id: int, now: datetime, reason: str
) -> None:
    """Cancels everything still owed for an enrollment (its seat was given back)."""
    await session.execute(
        update(Delivery)
        .where(Delivery.enrollment_id == enrollment_id, Delivery.state == DeliveryState.PENDING)
        .values(state=DeliveryState.CANCELLED, reason=reason, finished_at=now, updated_at=now)
    )
