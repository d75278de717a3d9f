"""The talk screens are built once per version of what they show (handlers.render): a
change made by another process (the import CLI) or by staff in the bot is shown at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.models import Talk, TalkStatus
from bot.services import enrollment
from tests.conftest import STAFF_ID
from tests.factories import REMINDER_OFFSETS, make_servant, make_talk


async def test_a_talk_changed_by_another_process_is_shown_changed_at_once(
    chat, session_factory, clock
):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=3), capacity=2, title="Ética"
    )
    await chat.send("/platicas")
    assert "Ética" in chat.last.text and "2 lugares disponibles" in chat.last.text
    await chat.press("Ética")
    assert "2 lugares disponibles" in chat.last.text

    # Another process: its own engine (session_factory), the bot's caches know nothing.
    async with session_factory.begin() as session:
        await session.execute(update(Talk).where(Talk.id == talk.id).values(title="Ética pública"))
    other = await make_servant(session_factory, telegram_user_id=777, now=clock.now())
    async with session_factory.begin() as session:
        await enrollment.enroll(
            session,
            servant=other,
            talk_id=talk.id,
            now=clock.now(),
            join_waitlist=False,
            reminder_offsets=REMINDER_OFFSETS,
        )

    await chat.send("/platicas")
    assert "Ética pública" in chat.last.text and "1 lugar disponible" in chat.last.text
    await chat.press("Ética pública")
    assert "<b>Ética pública</b>" in chat.last.text and "1 lugar disponible" in chat.last.text

    async with session_factory.begin() as session:
        await session.execute(
            update(Talk).where(Talk.id == talk.id).values(status=TalkStatus.CANCELLED)
        )
    await chat.press("Ver todas las pláticas")
    assert "Por ahora no hay pláticas programadas" in chat.last.text
    await chat.send(f"/start platica_{talk.id}")
    assert "fue <b>cancelada</b>" in chat.last.text


async def test_staff_edit_reaches_the_servants_screens_at_once(make_chat, session_factory, clock):
    await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=3), capacity=1, title="Peculado"
    )
    ana, staff = make_chat(301, "Ana"), make_chat(STAFF_ID, "Dulce")
    await ana.send("/platicas")
    assert "1 lugar disponible" in ana.last.text
    await ana.press("Peculado")
    assert "1 lugar disponible" in ana.last.text

    await staff.send("/editar_platica")
    await staff.press("Peculado")
    await staff.press("Cupo")
    await staff.send("3")
    await staff.press("Confirmar")
    assert "actualicé <b>Peculado</b>" in staff.last.text

    await ana.send("/platicas")
    assert "3 lugares disponibles" in ana.last.text
    await ana.press("Peculado")
    assert "3 lugares disponibles" in ana.last.text
