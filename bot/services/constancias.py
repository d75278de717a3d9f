"""Constancias de participación: issued once per attendance, verifiable by a code.

The folio is derived from the row's id ("DMDH-2026-000123": the office's prefix from its
content, the year of issue in the office's zone), so two senders issuing at once can never
take the same number. The verification code is 12 characters drawn with `secrets` from an
alphabet without look-alike characters: about 10^16 possibilities, far beyond guessing.
Name, talk, date, duration and organizer are copied at issue time, so /verificar shows what
the PDF says even if the talk or the profile changes later.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.models import Constancia, Enrollment

VERIFICATION_ALPHABET = "ACDEFHJKMNPRTUWXY2345679"
VERIFICATION_LENGTH = 12
VERIFICATION_GROUP = 4
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def new_verification_code() -> str:
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(VERIFICATION_LENGTH))


def display_verification_code(code: str) -> str:
    """Groups the code for reading: "ACDE-FHJK-MNPR"."""
    return "-".join(
        code[start : start + VERIFICATION_GROUP]
        for start in range(0, len(code), VERIFICATION_GROUP)
    )


def normalize_verification_code(raw: str) -> str:
    """Accepts the code as printed, in any case, with or without dashes and spaces."""
    return _NOT_CODE.sub("", raw.upper())


def folio_for(constancia_id: int, issued_at: datetime, tz: ZoneInfo, prefix: str) -> str:
    return f"{prefix}-{issued_at.astimezone(tz).year}-{constancia_id:06d}"


async def issue(
    session: AsyncSession, *, enrollment_id: int, now: datetime, tz: ZoneInfo, folio_prefix: str
) -> Constancia | None:
    """Returns the enrollment's constancia, issuing it on first call; None when the
    enrollment is gone or its attendance was never recorded."""
    existing = await session.scalar(
        select(Constancia).where(Constancia.enrollment_id == enrollment_id)
    )
    if existing is not None:
        return existing
    enrollment = await session.scalar(
        select(Enrollment)
        .where(Enrollment.id == enrollment_id)
        .options(selectinload(Enrollment.servant), selectinload(Enrollment.talk))
    )
    if enrollment is None or enrollment.attended_at is None:
        return None
    talk, servant = enrollment.talk, enrollment.servant
    code = new_verification_code()
    constancia = Constancia(
        enrollment_id=enrollment_id,
        folio=f"pending-{code}",
        verification_code=code,
        full_name=servant.full_name or "",
        talk_title=talk.title,
        talk_starts_at=talk.starts_at,
        duration_min=talk.duration_min,
        organizer=talk.organizer,
        issued_at=now,
    )
    session.add(constancia)
    await session.flush()
    constancia.folio = folio_for(constancia.id, now, tz, folio_prefix)
    await session.flush()
    return constancia


async def verify(session: AsyncSession, *, code: str) -> Constancia | None:
    """The constancia with this verification code, or None."""
    normalized = normalize_verification_code(code)
    if len(normalized) != VERIFICATION_LENGTH:
        return None
    constancia = await session.scalar(
        select(Constancia).where(Constancia.verification_code == normalized)
    )
    return constancia
