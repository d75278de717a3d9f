"""Plain factories for rows the tests need."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from bot.db import SessionFactory
from bot.models import Modality, Servant, Talk, TalkStatus
from bot.services import enrollment
from bot.services.enrollment import EnrollResult

_numbers = itertools.count(1)


async def make_talk(
    session_factory: SessionFactory,
    *,
    starts_at: datetime,
    capacity: int = 30,
    title: str | None = None,
    modality: Modality = Modality.VIRTUAL,
    status: TalkStatus = TalkStatus.SCHEDULED,
    duration_min: int = 90,
) -> Talk:
    number = next(_numbers)
    async with session_factory.begin() as session:
        talk = Talk(
            import_key=f"test-{number}",
            title=title or f"Plática de prueba {number}",
            topic="Derechos humanos",
            description="Una plática para servidores públicos.",
            speaker="Lic. Laura Pérez",
            organizer="Defensoría Municipal de Derechos Humanos",
            starts_at=starts_at,
            duration_min=duration_min,
            modality=modality,
            meeting_link="https://meet.example.org/abc-defg"
            if modality == Modality.VIRTUAL
            else None,
            venue="Palacio Municipal, Sala de Cabildo"
            if modality == Modality.PRESENCIAL
            else None,
            capacity=capacity,
            status=status,
            sequence=0,
            created_at=starts_at - timedelta(days=30),
            updated_at=starts_at - timedelta(days=30),
        )
        session.add(talk)
    return talk


async def make_servant(
    session_factory: SessionFactory,
    *,
    telegram_user_id: int,
    now: datetime,
    full_name: str = "María López",
    dependency: str = "Tesorería Municipal",
) -> Servant:
    async with session_factory.begin() as session:
        servant = Servant(
            telegram_user_id=telegram_user_id,
            chat_id=telegram_user_id,
            privacy_version="2026-11",
            privacy_accepted_at=now,
            full_name=full_name,
            dependency=dependency,
            created_at=now,
            updated_at=now,
        )
        session.add(servant)
    return servant


REMINDER_OFFSETS = (timedelta(hours=24), timedelta(hours=1))


async def enroll_in(
    session_factory: SessionFactory,
    servant: Servant,
    talk_id: int,
    now: datetime,
    *,
    join_waitlist: bool = True,
) -> EnrollResult:
    """Enrolls through the real service (so reminders are scheduled as in production)."""
    async with session_factory.begin() as session:
        return await enrollment.enroll(
            session,
            servant=servant,
            talk_id=talk_id,
            now=now,
            join_waitlist=join_waitlist,
            reminder_offsets=REMINDER_OFFSETS,
        )


async def reach_name_step(chat, session_factory, clock, title: str = "Cohecho") -> None:  # type: ignore[no-untyped-def]
    """A servant opens a new talk, taps *Inscribirme*, accepts the notice: the name is asked."""
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title=title)
    await chat.send("/platicas")
    await chat.press(title)
    await chat.press("Inscribirme")
    await chat.press("Acepto")
    assert "nombre completo" in chat.last.text
