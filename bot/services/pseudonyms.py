"""Keyed hashes that tell "the same servant again" apart from "another servant" without
keeping who it was.

The key is a random salt made once per database (`installation_secrets`), so the hash of a
Telegram id cannot be recomputed from the id alone, and it survives a change of bot token.
Every hash is scoped (to one unanswered question, to one FAQ entry's votes), so the hashes
of one servant in two places differ and cannot be joined into a profile. Limit: whoever
holds the whole database — salt and `servants` table together — can still recompute them;
the hashes keep the FAQ tables free of ids, they are not encryption.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import dialect_insert
from bot.models import InstallationSecret

SALT_NAME = "asker_salt"


async def salt(session: AsyncSession, *, now: datetime) -> bytes:
    """The database's salt, made on first use; two processes racing to make it agree."""
    value = await session.scalar(
        select(InstallationSecret.value).where(InstallationSecret.name == SALT_NAME)
    )
    if value is None:
        await session.execute(
            dialect_insert(session, InstallationSecret)
            .values(name=SALT_NAME, value=secrets.token_hex(32), created_at=now)
            .on_conflict_do_nothing(index_elements=[InstallationSecret.name])
        )
        value = await session.scalar(
            select(InstallationSecret.value).where(InstallationSecret.name == SALT_NAME)
        )
    assert value is not None
    return bytes.fromhex(value)


async def pseudonym(
    session: AsyncSession, *, scope: str, telegram_user_id: int, now: datetime
) -> str:
    """HMAC-SHA256 of the id under the database's salt, within `scope` (64 hex digits)."""
    key = await salt(session, now=now)
    message = f"{scope}\x1f{telegram_user_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
