"""What this process is right now (standby, active, stopping), shared by the runner and the
HTTP routes that answer according to it (`/healthz`, the webhook)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import text

from bot.db import SessionFactory

if TYPE_CHECKING:
    from bot.intake import Intake


class Role(StrEnum):
    STANDBY = "standby"
    ACTIVE = "active"
    STOPPING = "stopping"


@dataclass
class InstanceState:
    mode: str
    role: Role = Role.STANDBY
    schema_revision: str | None = None
    active_since: datetime | None = None
    intake: Intake | None = None
    """Set while active: where updates go."""

    def activate(self, intake: Intake) -> None:
        self.intake = intake
        self.active_since = datetime.now(UTC)
        self.role = Role.ACTIVE

    def step_down(self) -> None:
        self.role = Role.STOPPING


async def schema_revision(session_factory: SessionFactory) -> str | None:
    """The Alembic revision the database is at."""
    async with session_factory.read() as session:
        return (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar()
