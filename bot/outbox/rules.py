"""The outbox's pure rules: when a reminder is due, what must not be sent, the back-off."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.models import Delivery, DeliveryKind, DeliveryState, Talk

STUCK_AFTER = timedelta(minutes=10)
"""A row still `sending` this long after its claim was interrupted by a crash."""

MAX_ATTEMPTS = 5
MAX_LATE_FRACTION = 0.5
"""A reminder late by more than half its offset is `missed` (see `unsendable_reason`)."""

PRE_TALK_KINDS = frozenset(
    {
        DeliveryKind.REMINDER,
        DeliveryKind.PROMOTED,
        DeliveryKind.RESCHEDULED,
        DeliveryKind.TALK_CANCELLED,
    }
)
"""Messages that make no sense once the talk has started."""


def offset_minutes(offset: timedelta) -> int:
    return int(offset.total_seconds() // 60)


def retry_delay(attempts: int) -> timedelta:
    """Back-off before retrying after a timeout or a server error: 30 s, 1, 2, 4 min…"""
    return timedelta(seconds=30 * 2 ** max(0, attempts - 1))


def reminder_grace(offset_min: int) -> timedelta:
    return timedelta(minutes=offset_min * MAX_LATE_FRACTION)


def reminder_values(talk: Talk, offset: timedelta, now: datetime) -> dict[str, object]:
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
