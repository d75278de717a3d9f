"""Two flows never wait at once: starting one ends the other, saying so; menu commands and
/cancelar always leave the step."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import Servant
from tests.chat import text_of
from tests.conftest import STAFF_ID
from tests.factories import make_talk, reach_name_step


async def test_a_notice_started_over_an_open_picker_gets_its_text(
    make_chat, session_factory, clock
):

    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Cohecho")
    staff = make_chat(STAFF_ID, "Laura")
    await staff.send("/editar_platica")
    replies = await staff.send("/aviso_todos")
    assert "Dejé sin terminar" in text_of(replies)
    replies = await staff.send("Aviso importante para todos")
    assert "Elige una de las opciones" not in text_of(replies)
    assert "Revisa" in text_of(replies) or "No hay a quién enviarlo" in text_of(replies)


async def test_a_menu_command_leaves_the_sign_up(chat, session_factory, clock):
    await reach_name_step(chat, session_factory, clock)
    replies = await chat.send("/platicas")
    assert "Dejé sin terminar" in text_of(replies)
    await chat.send("Ana Pérez López")
    async with session_factory() as session:
        assert await session.scalar(select(Servant.full_name)) is None
    assert "dependencia" not in chat.last.text


async def test_cancelar_closes_the_running_flow(make_chat, session_factory, clock):
    staff = make_chat(STAFF_ID, "Laura")
    await staff.send("/editar_platica")
    await staff.send("/aviso_todos")
    replies = await staff.send("/cancelar")
    assert "Dejé sin terminar" not in text_of(replies)
    replies = await staff.send("/cancelar")
    assert "No hay nada en curso" in text_of(replies)
