"""The audit log of staff actions: who did what, and when."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    actor: int,
    action: str,
    now: datetime,
    target: str | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Adds an entry in the caller's unit of work. `details` must hold no personal data of
    servants (ids and counts are fine; names, e-mails and message texts are not)."""
    entry = AuditEntry(
        actor_telegram_id=actor,
        action=action,
        target=target,
        details=json.dumps(details, ensure_ascii=False, default=str) if details else None,
        created_at=now,
    )
    session.add(entry)
    return entry
