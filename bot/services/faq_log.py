"""What the FAQ could not answer, and how useful its answers were — without personal data.

An unanswered question is kept only:
- redacted (`redaction.redact`: no e-mails, phones, CURP/RFC, long numbers);
- when it is a question: never while a conversation step waits for the servant's typed
  answer (a name, an e-mail, a comment), which the sign-up marks in the database so a
  restart in the middle does not turn the answer into a "question";
- grouped by its normalised words, with its distinct askers counted as scoped keyed hashes
  (`pseudonyms`), never their ids; staff see it once `MIN_ASKERS` different servants asked;
- for `RETENTION` after it was first asked, then it is deleted (a daily job and /pendientes).

A 👍/👎 counts once per servant and entry: a unique (entry, voter hash) and an
insert-that-ignores-conflicts, so a double tap or two racing taps store one vote.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.db import dialect_insert
from bot.faq.normalize import normalize
from bot.models import FaqFeedback, UnansweredAsker, UnansweredQuestion
from bot.services import servants
from bot.services.pseudonyms import pseudonym
from bot.services.redaction import redact

MAX_LOGGED_LENGTH = 500
MIN_ASKERS = 2
RETENTION = timedelta(days=180)


@dataclass(frozen=True)
class PendingQuestion:
    question: UnansweredQuestion
    askers: int


def clean_question(text: str) -> tuple[str, str] | None:
    """The redacted text to show and the key that groups similar questions, or None when
    nothing is left to store."""
    sample = " ".join(redact(text).split())[:MAX_LOGGED_LENGTH]
    key = (normalize(sample) or sample.lower())[:MAX_LOGGED_LENGTH]
    if not key:
        return None
    return sample, key


async def record_unanswered(
    session: AsyncSession, *, text: str, telegram_user_id: int, now: datetime
) -> bool:
    """Counts a question without a confident answer; returns whether it was stored.

    Atomic upserts, so two servants asking at once never lose a count, and the same servant
    asking again is one asker.
    """
    if await servants.is_awaiting_reply(session, telegram_user_id=telegram_user_id, now=now):
        return False
    cleaned = clean_question(text)
    if cleaned is None:
        return False
    sample, key = cleaned
    question, asker_row = _statements(session.get_bind().dialect.name)
    question_id = await session.scalar(question, {"key": key, "sample": sample, "now": now})
    asker = await pseudonym(
        session, scope=f"unanswered:{key}", telegram_user_id=telegram_user_id, now=now
    )
    await session.execute(asker_row, {"question_id": question_id, "asker": asker})
    return True


@functools.cache
def _statements(dialect: str) -> tuple[Executable, Executable]:
    """The two upserts, with bound values, built once per dialect: a statement whose
    values are literals is compiled again on every call (~1 ms)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    question = (
        insert(UnansweredQuestion)
        .values(
            normalized=bindparam("key"),
            sample=bindparam("sample"),
            count=1,
            first_seen_at=bindparam("now"),
            last_seen_at=bindparam("now"),
        )
        .on_conflict_do_update(
            index_elements=[UnansweredQuestion.normalized],
            set_={"count": UnansweredQuestion.count + 1, "last_seen_at": bindparam("now")},
        )
        .returning(UnansweredQuestion.id)
    )
    asker = (
        insert(UnansweredAsker)
        .values(question_id=bindparam("question_id"), asker_hash=bindparam("asker"))
        .on_conflict_do_nothing(
            index_elements=[UnansweredAsker.question_id, UnansweredAsker.asker_hash]
        )
    )
    return question, asker


async def pending_questions(
    session: AsyncSession, *, now: datetime, limit: int = 20
) -> list[PendingQuestion]:
    """Questions asked by at least `MIN_ASKERS` servants within `RETENTION`, the most
    askers first."""
    askers = func.count(UnansweredAsker.id).label("askers")
    rows = await session.execute(
        select(UnansweredQuestion, askers)
        .join(UnansweredAsker, UnansweredAsker.question_id == UnansweredQuestion.id)
        .where(UnansweredQuestion.first_seen_at > now - RETENTION)
        .group_by(UnansweredQuestion.id)
        .having(askers >= MIN_ASKERS)
        .order_by(
            askers.desc(),
            UnansweredQuestion.count.desc(),
            UnansweredQuestion.last_seen_at.desc(),
            UnansweredQuestion.id,
        )
        .limit(limit)
    )
    return [PendingQuestion(question, count) for question, count in rows.tuples()]


async def pending_question(
    session: AsyncSession, *, question_id: int, now: datetime
) -> PendingQuestion | None:
    """One question as /pendientes shows it, or None if it is gone or not yet shown."""
    askers = await session.scalar(
        select(func.count(UnansweredAsker.id)).where(UnansweredAsker.question_id == question_id)
    )
    question = await session.get(UnansweredQuestion, question_id)
    if question is None or not askers or askers < MIN_ASKERS:
        return None
    if question.first_seen_at <= now - RETENTION:
        return None
    return PendingQuestion(question, askers)


async def delete_question(session: AsyncSession, *, question_id: int) -> int | None:
    """Deletes a question with its askers; returns how often it was asked, None if gone."""
    return await session.scalar(
        delete(UnansweredQuestion)
        .where(UnansweredQuestion.id == question_id)
        .returning(UnansweredQuestion.count)
    )


async def purge_expired(session: AsyncSession, *, now: datetime) -> int:
    """Deletes the questions first asked `RETENTION` ago or earlier (their askers go with
    them); returns how many."""
    expired = (
        await session.scalars(
            delete(UnansweredQuestion)
            .where(UnansweredQuestion.first_seen_at <= now - RETENTION)
            .returning(UnansweredQuestion.id)
        )
    ).all()
    if expired:
        # Not every SQLite build enforces ON DELETE CASCADE; never leave hashes behind.
        await session.execute(
            delete(UnansweredAsker).where(UnansweredAsker.question_id.in_(expired))
        )
    return len(expired)


async def record_feedback(
    session: AsyncSession, *, entry_id: str, helpful: bool, telegram_user_id: int, now: datetime
) -> bool:
    """Stores a 👍/👎 unless this servant already voted on this entry; returns whether it
    counted. The first vote stays."""
    voter = await pseudonym(
        session, scope=f"feedback:{entry_id}", telegram_user_id=telegram_user_id, now=now
    )
    inserted = await session.scalar(
        dialect_insert(session, FaqFeedback)
        .values(entry_id=entry_id, voter_hash=voter, helpful=helpful, created_at=now)
        .on_conflict_do_nothing(index_elements=[FaqFeedback.entry_id, FaqFeedback.voter_hash])
        .returning(FaqFeedback.id)
    )
    return inserted is not None
