"""Retention: the data of a servant with no activity for RETENTION_MONTHS is deleted.

A servant's last activity is the latest of what they did: accepting the privacy notice,
editing their data or writing to the bot (`servants.updated_at`, touched at most daily by
`touch_activity`), enrolling (`enrollments.queued_at`), attending (`attended_at`) and
answering a survey (`answered_at`). Thirty days before the period ends they are told, with an
outbox row of kind RETENTION (its `created_at` is the notice's date, so no column is needed);
once the period is over and the notice is thirty days old, their data is deleted exactly as
`/borrar_mis_datos` deletes it. Any activity after the notice starts the period again.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Delivery, DeliveryKind, Enrollment, Servant, SurveyResponse
from bot.outbox.enqueue import queue_retention_notice
from bot.services import audit
from bot.services.servants import delete_servant_data

NOTICE_BEFORE = timedelta(days=30)
TOUCH_EVERY = timedelta(days=1)
SYSTEM_ACTOR = 0
"""The audit log's actor for what the bot does by itself (no staff member)."""


@dataclass
class RetentionReport:
    notified: list[int] = field(default_factory=list)
    erased: list[int] = field(default_factory=list)
    """Servant ids (the table's own ids, never a Telegram id)."""


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's
    last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def erase_date(notice_at: datetime) -> datetime:
    """When the data of a servant told at `notice_at` is deleted, if nothing happens."""
    return notice_at + NOTICE_BEFORE


_SERVANTS = Servant.__table__
_LAST_TOUCH = select(_SERVANTS.c.updated_at).where(
    _SERVANTS.c.telegram_user_id == bindparam("user_id"), _SERVANTS.c.erased_at.is_(None)
)
"""Built once and read as a column (Core): each servant's first update of the day pays it,
and building an ORM select cost more than running it."""


async def touch_due(session: AsyncSession, *, telegram_user_id: int, now: datetime) -> bool:
    """Whether the servant's activity is more than a day old (a read, for a read session)."""
    last = await session.scalar(_LAST_TOUCH, {"user_id": telegram_user_id})
    return last is not None and last < now - TOUCH_EVERY


async def touch_activity(session: AsyncSession, *, telegram_user_id: int, now: datetime) -> None:
    """Records that the servant wrote to the bot; one write a day at most."""
    await session.execute(
        update(Servant)
        .where(
            Servant.telegram_user_id == telegram_user_id,
            Servant.erased_at.is_(None),
            Servant.updated_at < now - TOUCH_EVERY,
        )
        .values(updated_at=now)
    )


async def _last_activities(
    session: AsyncSession,
) -> Sequence[tuple[int, datetime, datetime | None]]:
    """(servant id, last activity, latest retention notice) of every servant not erased."""
    enrolled = (
        select(
            Enrollment.servant_id.label("servant_id"),
            func.max(Enrollment.queued_at).label("queued"),
            func.max(Enrollment.attended_at).label("attended"),
            func.max(SurveyResponse.answered_at).label("answered"),
        )
        .outerjoin(SurveyResponse, SurveyResponse.enrollment_id == Enrollment.id)
        .group_by(Enrollment.servant_id)
        .subquery()
    )
    noticed = (
        select(Delivery.servant_id.label("servant_id"), func.max(Delivery.created_at).label("at"))
        .where(Delivery.kind == DeliveryKind.RETENTION)
        .group_by(Delivery.servant_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Servant.id,
            Servant.updated_at,
            Servant.privacy_accepted_at,
            enrolled.c.queued,
            enrolled.c.attended,
            enrolled.c.answered,
            noticed.c.at,
        )
        .outerjoin(enrolled, enrolled.c.servant_id == Servant.id)
        .outerjoin(noticed, noticed.c.servant_id == Servant.id)
        .where(Servant.erased_at.is_(None))
    )
    result = []
    for servant_id, updated, accepted, queued, attended, answered, notice_at in rows:
        moments = [moment for moment in (updated, accepted, queued, attended, answered) if moment]
        result.append((servant_id, max(moments), notice_at))
    return result


async def apply_retention(
    session: AsyncSession,
    *,
    now: datetime,
    months: int,
    reminder_offsets: Sequence[timedelta],
) -> RetentionReport:
    """Tells the servants whose period ends within 30 days, and deletes the data of those
    whose period is over and who were told at least 30 days ago; audited."""
    report = RetentionReport()
    period_start = months_before(now, months)
    for servant_id, last_activity, notice_at in await _last_activities(session):
        if notice_at is not None and notice_at <= last_activity:
            notice_at = None  # active again since that notice
        if last_activity > period_start + NOTICE_BEFORE:
            continue
        if notice_at is None:
            queue_retention_notice(session, servant_id=servant_id, now=now)
            report.notified.append(servant_id)
        elif last_activity <= period_start and erase_date(notice_at) <= now:
            report.erased.append(servant_id)
    for servant_id in report.erased:
        telegram_user_id = await session.scalar(
            select(Servant.telegram_user_id).where(Servant.id == servant_id)
        )
        if telegram_user_id is not None:
            await delete_servant_data(
                session,
                telegram_user_id=telegram_user_id,
                now=now,
                reminder_offsets=reminder_offsets,
            )
    for action, ids in (("retention.notice", report.notified), ("retention.erase", report.erased)):
        if ids:
            audit.record(
                session,
                actor=SYSTEM_ACTOR,
                action=action,
                now=now,
                details={"servants": ids, "months": months},
            )
    await session.flush()
    return report
