"""Staff teach the FAQ from /pendientes: attach a question to an entry as a new phrasing,
dismiss it, list and remove the phrasings taught.

Every action is audited with ids and counts only — never the question's text, which a
servant typed. The caller re-indexes the engine with `taught_pairs` after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect_insert
from bot.models import TaughtPhrasing
from bot.services import audit, faq_log
from bot.services.faq_log import PendingQuestion

PENDING_LIMIT = 20
PHRASINGS_LIMIT = 30


@dataclass(frozen=True)
class Attached:
    phrasing_id: int
    entry_id: str
    text: str


async def pending_for_staff(
    session: AsyncSession, *, actor: int, now: datetime
) -> list[PendingQuestion]:
    """The questions staff should look at, expired ones purged first; reading them is
    audited because servants sometimes type personal details into a question."""
    await faq_log.purge_expired(session, now=now)
    audit.record(session, actor=actor, action="faq.pending_viewed", now=now)
    return await faq_log.pending_questions(session, now=now, limit=PENDING_LIMIT)


async def dismiss_question(
    session: AsyncSession, *, actor: int, question_id: int, now: datetime
) -> tuple[bool, list[PendingQuestion]]:
    """Removes a reviewed question from the list; returns whether it was still there, and
    the list as it is now.

    The row is deleted rather than flagged: questions are typed freely and sometimes carry
    personal details, so once reviewed they are not kept. If servants keep asking it, it
    comes back with a fresh count, which is what the office wants to see. A question
    already gone (a second tap, another staff member) is not an error.
    """
    count = await faq_log.delete_question(session, question_id=question_id)
    if count is not None:
        audit.record(
            session,
            actor=actor,
            action="faq.question_dismissed",
            now=now,
            target=f"unanswered:{question_id}",
            details={"count": count},
        )
    remaining = await faq_log.pending_questions(session, now=now, limit=PENDING_LIMIT)
    return count is not None, remaining


async def attach_question(
    session: AsyncSession, *, actor: int, question_id: int, entry_id: str, now: datetime
) -> Attached | None:
    """Makes a pending question a phrasing of `entry_id` (which the caller checked exists)
    and deletes the question; None if it is no longer pending. The same words taught
    before move to this entry: one text answers one entry."""
    pending = await faq_log.pending_question(session, question_id=question_id, now=now)
    if pending is None:
        return None
    question = pending.question
    phrasing_id = await session.scalar(
        dialect_insert(session, TaughtPhrasing)
        .values(
            entry_id=entry_id,
            text=question.sample,
            normalized=question.normalized,
            created_at=now,
        )
        .on_conflict_do_update(
            index_elements=[TaughtPhrasing.normalized],
            set_={"entry_id": entry_id, "text": question.sample, "created_at": now},
        )
        .returning(TaughtPhrasing.id)
    )
    assert phrasing_id is not None
    await faq_log.delete_question(session, question_id=question_id)
    audit.record(
        session,
        actor=actor,
        action="faq.phrasing_added",
        now=now,
        target=f"entry:{entry_id}",
        details={"phrasing": phrasing_id, "askers": pending.askers, "count": question.count},
    )
    return Attached(phrasing_id, entry_id, question.sample)


async def list_phrasings(
    session: AsyncSession, *, limit: int = PHRASINGS_LIMIT
) -> Sequence[TaughtPhrasing]:
    """The taught phrasings, newest first."""
    return (
        await session.scalars(
            select(TaughtPhrasing)
            .order_by(TaughtPhrasing.created_at.desc(), TaughtPhrasing.id.desc())
            .limit(limit)
        )
    ).all()


def record_phrasings_viewed(session: AsyncSession, *, actor: int, now: datetime) -> None:
    """Audits a reading of /frases (the phrasings are questions servants typed)."""
    audit.record(session, actor=actor, action="faq.phrasings_viewed", now=now)


async def remove_phrasing(
    session: AsyncSession, *, actor: int, phrasing_id: int, now: datetime
) -> bool:
    """Deletes a taught phrasing; False if it was already gone (a second tap)."""
    entry_id = await session.scalar(
        delete(TaughtPhrasing)
        .where(TaughtPhrasing.id == phrasing_id)
        .returning(TaughtPhrasing.entry_id)
    )
    if entry_id is None:
        return False
    audit.record(
        session,
        actor=actor,
        action="faq.phrasing_removed",
        now=now,
        target=f"entry:{entry_id}",
        details={"phrasing": phrasing_id},
    )
    return True


async def taught_pairs(session: AsyncSession) -> list[tuple[str, str]]:
    """Every taught phrasing as ``(entry_id, text)``, for `FaqEngine.set_taught_phrasings`."""
    rows = await session.execute(
        select(TaughtPhrasing.entry_id, TaughtPhrasing.text).order_by(TaughtPhrasing.id)
    )
    return [(entry_id, text) for entry_id, text in rows.tuples()]
