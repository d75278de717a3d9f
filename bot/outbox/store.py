"""The sender's side of the outbox table: claim due rows, finish, retry, expire."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.models import Delivery, DeliveryState, Enrollment, Servant
from bot.outbox.rules import MAX_ATTEMPTS, STUCK_AFTER, retry_delay, unsendable_reason


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
    return cast("CursorResult[Any]", result).rowcount or 0


CLAIMED = "claimed"
"""The reason of a row claimed and not yet handed to Telegram; `mark_started` clears it."""


async def mark_started(session: AsyncSession, *, delivery_id: int) -> None:
    """Records that the row's message is about to leave: from here a crash is `interrupted`."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.SENDING)
        .values(reason=None)
    )


async def recover_after_takeover(session: AsyncSession, *, now: datetime) -> dict[str, int]:
    """Settles what a dead sender left `sending`, called by a new active instance: holding
    the lease proves no other sender runs. Rows claimed but never started go back to
    pending (sent now, once); rows whose message had started are failed `interrupted` at
    once, not resent (Telegram may have accepted them)."""
    unstarted = await session.execute(
        update(Delivery)
        .where(Delivery.state == DeliveryState.SENDING, Delivery.reason == CLAIMED)
        .values(state=DeliveryState.PENDING, reason=None, updated_at=now)
    )
    started = await session.execute(
        update(Delivery)
        .where(Delivery.state == DeliveryState.SENDING)
        .values(state=DeliveryState.FAILED, reason="interrupted", finished_at=now, updated_at=now)
    )
    return {
        "requeued": cast("CursorResult[Any]", unstarted).rowcount or 0,
        "interrupted": cast("CursorResult[Any]", started).rowcount or 0,
    }


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
            reason=CLAIMED,
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
