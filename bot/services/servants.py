"""Servants: privacy consent, the profile, and deleting one's data."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import insert_ignore
from bot.models import (
    Constancia,
    Delivery,
    Enrollment,
    EnrollmentStatus,
    Servant,
    SurveyResponse,
    Talk,
)
from bot.services import enrollment as enrollment_service
from bot.services.errors import EnrollmentError, ProfileError
from bot.services.queries import get_servant as get_servant

MAX_NAME_LENGTH = 120
MIN_NAME_LENGTH = 3
_NAME_MARKS = frozenset(" .-'’")
_LINK = re.compile(r"(?i)(https?:|www\.|\.(com|mx|org|net|gob|edu|info|io)\b|@)")
MAX_DEPENDENCY_LENGTH = 160
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class DeletionSummary:
    enrollments: int
    seats_released: int


async def accept_privacy(
    session: AsyncSession, *, telegram_user_id: int, chat_id: int, version: str, now: datetime
) -> Servant:
    """Records that the servant accepted privacy notice `version` (creating the servant).

    The row is created with an insert-or-ignore, so simultaneous taps on *Acepto* create
    one servant and none of them fails on the unique key."""
    servant = await get_servant(session, telegram_user_id)
    if servant is None:
        values = {
            "telegram_user_id": telegram_user_id,
            "chat_id": chat_id,
            "privacy_version": version,
            "privacy_accepted_at": now,
            "created_at": now,
            "updated_at": now,
        }
        await insert_ignore(session, Servant, values)
        servant = await get_servant(session, telegram_user_id)
        assert servant is not None
    servant.chat_id = chat_id
    servant.privacy_version = version
    servant.privacy_accepted_at = now
    servant.unreachable_at = None
    servant.updated_at = now
    await session.flush()
    return servant


_KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
"""Zero-width (non-)joiners build emoji and some scripts; other format characters (bidi
overrides, invisible spaces) only hide what a name really says."""


def _clean_text(raw: str) -> str:
    text = "".join(
        ch
        for ch in raw
        if unicodedata.category(ch) not in {"Cc", "Cf", "Co", "Cs"}
        or ch in _KEPT_FORMAT_CHARACTERS
    )
    return _SPACES.sub(" ", text).strip()


def clean_full_name(raw: str) -> str:
    """Validates a full name as it goes on a constancia: letters, spaces and `.-'`, 3 to 120
    characters, at least two words; never a question, a link or digits. Spaces tidied."""
    name = _clean_text(raw)
    if not name:
        raise ProfileError("name_empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ProfileError("name_too_long", limit=MAX_NAME_LENGTH)
    if name.startswith("/"):
        raise ProfileError("name_is_command")
    if "?" in name or "¿" in name:
        raise ProfileError("name_is_question")
    if _LINK.search(name):
        raise ProfileError("name_is_link")
    if any(ch.isdigit() for ch in name):
        raise ProfileError("name_has_digits")
    if any(not (ch.isalpha() or ch in _NAME_MARKS) for ch in name):
        raise ProfileError("name_invalid")
    words = [word for word in name.split(" ") if sum(ch.isalpha() for ch in word) >= 1]
    if len(name) < MIN_NAME_LENGTH or sum(ch.isalpha() for ch in name) < 2:
        raise ProfileError("name_invalid")
    if len(words) < 2:
        raise ProfileError("name_one_word")
    return name


def clean_dependency(raw: str) -> str:
    dependency = _clean_text(raw)
    if not dependency or dependency.startswith("/"):
        raise ProfileError("dependency_empty")
    if len(dependency) > MAX_DEPENDENCY_LENGTH:
        raise ProfileError("dependency_too_long", limit=MAX_DEPENDENCY_LENGTH)
    return dependency


def clean_email(raw: str) -> str:
    """Validates the syntax of an e-mail address (no DNS lookup: the bot may be offline)."""
    candidate = raw.strip()
    if len(candidate) > 254:
        raise ProfileError("email_invalid")
    try:
        return validate_email(candidate, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ProfileError("email_invalid") from exc


async def update_profile(
    session: AsyncSession,
    *,
    servant: Servant,
    now: datetime,
    full_name: str | None = None,
    dependency: str | None = None,
    email: str | None = None,
    clear_email: bool = False,
) -> Servant:
    if full_name is not None:
        servant.full_name = clean_full_name(full_name)
    if dependency is not None:
        servant.dependency = clean_dependency(dependency)
    if email is not None:
        servant.email = clean_email(email)
    if clear_email:
        servant.email = None
    servant.updated_at = now
    await session.flush()
    return servant


async def delete_servant_data(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    now: datetime,
    reminder_offsets: Sequence[timedelta],
) -> DeletionSummary | None:
    """Deletes everything that identifies the servant.

    Seats in talks that have not started are given back first, so the next person in line
    is promoted exactly as if the servant had cancelled. Participation in talks already given
    is kept as dissociated data for the office's statistics: the servant's row stays, with
    no name, e-mail or Telegram account, only the dependencia; those seats and attendance
    stay linked to it, survey comments and constancias (which carry the name) are deleted.
    Someone who never took part in a talk leaves no row at all. Returns None when there was
    no data to delete.
    """
    servant = await get_servant(session, telegram_user_id)
    if servant is None:
        return None
    released = 0
    for talk_id in (
        await session.scalars(
            select(Enrollment.talk_id).where(
                Enrollment.servant_id == servant.id,
                Enrollment.status != EnrollmentStatus.CANCELLED,
            )
        )
    ).all():
        try:
            result = await enrollment_service.cancel(
                session,
                servant=servant,
                talk_id=talk_id,
                now=now,
                reminder_offsets=reminder_offsets,
            )
        except EnrollmentError:
            continue
        released += not result.was_waiting
    total = await session.scalar(
        select(func.count()).select_from(Enrollment).where(Enrollment.servant_id == servant.id)
    )
    kept = (
        select(Enrollment.id)
        .join(Talk, Talk.id == Enrollment.talk_id)
        .where(
            Enrollment.servant_id == servant.id,
            Talk.starts_at <= now,
            (Enrollment.status == EnrollmentStatus.ENROLLED) | Enrollment.attended_at.is_not(None),
        )
    )
    kept_ids = (await session.scalars(kept)).all()
    if not kept_ids:
        await session.execute(delete(Servant).where(Servant.id == servant.id))
    else:
        await _dissociate(session, servant=servant, kept_ids=kept_ids, now=now)
    session.expunge_all()
    return DeletionSummary(enrollments=total or 0, seats_released=released)


async def _dissociate(
    session: AsyncSession, *, servant: Servant, kept_ids: Sequence[int], now: datetime
) -> None:
    """Strips the servant's row and keeps only anonymous participation in past talks."""
    await session.execute(
        delete(Enrollment).where(
            Enrollment.servant_id == servant.id, Enrollment.id.not_in(kept_ids)
        )
    )
    await session.execute(delete(Constancia).where(Constancia.enrollment_id.in_(kept_ids)))
    await session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.enrollment_id.in_(kept_ids))
        .values(comment=None)
    )
    await session.execute(delete(Delivery).where(Delivery.servant_id == servant.id))
    await session.execute(
        update(Servant)
        .where(Servant.id == servant.id)
        .values(
            telegram_user_id=-servant.id,
            chat_id=0,
            full_name=None,
            email=None,
            erased_at=now,
            unreachable_at=now,
            notices_opt_out_at=now,
            awaiting_reply_until=None,
            updated_at=now,
        )
    )


async def expect_reply(
    session: AsyncSession, *, telegram_user_id: int, until: datetime | None
) -> None:
    """Marks that a conversation step waits for the servant's typed answer until `until`
    (None: it no longer does). Without a servant row there is nothing to mark: the steps
    that ask for typed data all come after the privacy notice, which creates the row."""
    await session.execute(
        update(Servant)
        .where(Servant.telegram_user_id == telegram_user_id)
        .values(awaiting_reply_until=until)
    )


async def is_awaiting_reply(
    session: AsyncSession, *, telegram_user_id: int, now: datetime
) -> bool:
    """Whether a conversation step is still waiting for this servant's typed answer."""
    until = await session.scalar(
        select(Servant.awaiting_reply_until).where(Servant.telegram_user_id == telegram_user_id)
    )
    return until is not None and until > now
