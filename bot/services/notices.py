"""Notices from the office: to the enrolled of one talk, or to every registered servant.

A notice is a `Notice` row plus one `Delivery` row per recipient, all written in the staff
member's confirming transaction; the sender job sends them paced with the reminders. The
unique (notice, servant) pair keeps anyone from getting it twice, and since every row is
durable a restart resumes where it stopped. Progress is always counted from the rows' states,
so it is right after a restart too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Delivery,
    DeliveryState,
    Enrollment,
    EnrollmentStatus,
    Notice,
    NoticeAudience,
    Servant,
    Talk,
)
from bot.outbox import enqueue
from bot.services import audit
from bot.services.errors import ServiceError
from bot.services.queries import get_servant

MAX_TEXT_LENGTH = 3500
"""Telegram allows 4096 characters; the header and the footer need the rest."""

BLOCKED_REASONS = frozenset({"unreachable", "blocked"})
OPTED_OUT_REASON = "opted_out"
OPEN_STATES = (DeliveryState.PENDING, DeliveryState.SENDING)


class NoticeError(ServiceError):
    domain = "notice_error"


@dataclass(frozen=True)
class Progress:
    """Where a notice stands, counted from its delivery rows."""

    notice_id: int
    audience: NoticeAudience
    chat_id: int | None
    message_id: int | None
    total: int
    sent: int = 0
    blocked: int = 0
    opted_out: int = 0
    failed: int = 0
    open: int = 0
    finished: bool = False
    """True only in the one report that closed the notice."""


@dataclass(frozen=True)
class Preview:
    talk: Talk | None
    recipients: int


@dataclass(frozen=True)
class OptOut:
    changed: bool
    """False when the servant was already in the asked state."""


def clean_text(raw: str) -> str:
    """Checks a notice's text as typed by staff (sent as plain text, escaped when shown);
    U+0000, which PostgreSQL refuses in a text, is dropped."""
    text = raw.replace("\x00", "").strip()
    if not text:
        raise NoticeError("empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise NoticeError("too_long", limit=MAX_TEXT_LENGTH, length=len(text))
    return text


def _reachable(*conditions: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """Servants the bot can write to (they have not blocked it, nor deleted their data)."""
    return [Servant.unreachable_at.is_(None), Servant.erased_at.is_(None), *conditions]


def _recipients(
    audience: NoticeAudience, talk_id: int | None
) -> Select[tuple[int, int | None]] | Select[tuple[int, int]]:
    """(servant_id, enrollment_id) of everyone a notice goes to."""
    if audience == NoticeAudience.ALL:
        return select(Servant.id, literal(None, type_=Delivery.enrollment_id.type)).where(
            *_reachable(Servant.notices_opt_out_at.is_(None))
        )
    return (
        select(Servant.id, Enrollment.id)
        .join(Enrollment, Enrollment.servant_id == Servant.id)
        .where(
            *_reachable(
                Enrollment.talk_id == talk_id, Enrollment.status == EnrollmentStatus.ENROLLED
            )
        )
    )


async def _talk_for(
    session: AsyncSession, audience: NoticeAudience, talk_id: int | None
) -> Talk | None:
    if audience == NoticeAudience.ALL:
        return None
    talk = await session.get(Talk, talk_id) if talk_id is not None else None
    if talk is None:
        raise NoticeError("talk_not_found")
    return talk


async def preview(
    session: AsyncSession, *, audience: NoticeAudience, talk_id: int | None
) -> Preview:
    """The talk (for a talk notice) and how many servants the notice would reach now."""
    talk = await _talk_for(session, audience, talk_id)
    subquery = _recipients(audience, talk_id).subquery()
    recipients = await session.scalar(select(func.count()).select_from(subquery)) or 0
    return Preview(talk, recipients)


async def create_notice(
    session: AsyncSession,
    *,
    audience: NoticeAudience,
    talk_id: int | None,
    text: str,
    actor: int,
    now: datetime,
    progress_chat_id: int | None = None,
    progress_message_id: int | None = None,
) -> Notice:
    """Writes the notice and one due-now delivery per recipient, in the caller's transaction."""
    text = clean_text(text)
    await _talk_for(session, audience, talk_id)
    notice = Notice(
        audience=audience,
        talk_id=talk_id if audience == NoticeAudience.TALK else None,
        text=text,
        created_by=actor,
        progress_chat_id=progress_chat_id,
        progress_message_id=progress_message_id,
        total=0,
        created_at=now,
    )
    session.add(notice)
    await session.flush()
    await enqueue.queue_office_notice(
        session,
        notice_id=notice.id,
        recipients=_recipients(audience, talk_id).subquery(),
        now=now,
    )
    notice.total = await _count_rows(session, notice.id)
    if notice.total == 0:
        raise NoticeError("no_recipients")
    audit.record(
        session,
        actor=actor,
        action=f"notice.create.{audience.value}",
        now=now,
        target=f"notice:{notice.id}",
        details={"talk_id": talk_id, "recipients": notice.total},
    )
    await session.flush()
    return notice


async def _count_rows(session: AsyncSession, notice_id: int) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.notice_id == notice_id)
        )
        or 0
    )


def _tally(notice: Notice, rows: Sequence[tuple[DeliveryState, str | None, int]]) -> Progress:
    sent = blocked = opted_out = failed = still_open = 0
    for state, reason, count in rows:
        if state == DeliveryState.SENT:
            sent += count
        elif state in OPEN_STATES:
            still_open += count
        elif reason in BLOCKED_REASONS:
            blocked += count
        elif reason == OPTED_OUT_REASON:
            opted_out += count
        else:
            failed += count
    return Progress(
        notice_id=notice.id,
        audience=notice.audience,
        chat_id=notice.progress_chat_id,
        message_id=notice.progress_message_id,
        total=notice.total,
        sent=sent,
        blocked=blocked,
        opted_out=opted_out,
        failed=failed,
        open=still_open,
    )


async def settle_open_notices(session: AsyncSession, *, now: datetime) -> list[Progress]:
    """The progress of every unfinished notice; closes those with no row left to send.

    The close is a conditional UPDATE (`finished_at IS NULL`), so when two processes look at
    once only one of them gets `finished=True` and sends the final report.
    """
    notices = (await session.scalars(select(Notice).where(Notice.finished_at.is_(None)))).all()
    if not notices:
        return []
    counts: dict[int, list[tuple[DeliveryState, str | None, int]]] = {n.id: [] for n in notices}
    rows = await session.execute(
        select(Delivery.notice_id, Delivery.state, Delivery.reason, func.count())
        .where(Delivery.notice_id.in_(counts))
        .group_by(Delivery.notice_id, Delivery.state, Delivery.reason)
    )
    for notice_id, state, reason, count in rows.tuples():
        if notice_id is not None:
            counts[notice_id].append((state, reason, count))
    reports = []
    for notice in notices:
        progress = _tally(notice, counts[notice.id])
        if progress.open == 0 and await _close(session, notice.id, now):
            progress = replace(progress, finished=True)
        reports.append(progress)
    return reports


async def _close(session: AsyncSession, notice_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.finished_at.is_(None))
        .values(finished_at=now)
    )
    return bool(cast("CursorResult[Any]", result).rowcount)


async def set_opt_out(
    session: AsyncSession, *, telegram_user_id: int, opt_out: bool, now: datetime
) -> OptOut | None:
    """/sin_avisos and /con_avisos; None when the servant never registered (no data kept)."""
    servant = await get_servant(session, telegram_user_id)
    if servant is None:
        return None
    if (servant.notices_opt_out_at is not None) == opt_out:
        return OptOut(changed=False)
    servant.notices_opt_out_at = now if opt_out else None
    servant.updated_at = now
    await session.flush()
    return OptOut(changed=True)
