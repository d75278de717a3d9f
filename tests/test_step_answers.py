"""Each step checks its answer: a name is a name, and a question typed instead is answered
by the FAQ, never stored as the answer nor logged as unanswered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Servant, UnansweredQuestion
from tests.chat import text_of
from tests.factories import reach_name_step


async def _stored_name(session_factory) -> str | None:
    async with session_factory() as session:
        return await session.scalar(select(Servant.full_name))


async def _logged(session_factory) -> list[UnansweredQuestion]:
    async with session_factory() as session:
        return list((await session.scalars(select(UnansweredQuestion))).all())


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("482913", "no lleva números"),
        ("Ana", "al menos un apellido"),
        ("Ana María 3", "no lleva números"),
        ("https://ejemplo.com/ana", "enlace"),
        ("ana.perez@toluca.gob.mx", "enlace o un correo"),
        ("Jo", "No parece un nombre"),
        ("Ana <b>Pérez</b>", "No parece un nombre"),
        ("Ana Pérez?", "Sigo esperando"),
        ("x" * 121, "muy largo"),
    ],
)
async def test_a_name_that_is_not_a_name_is_explained_and_asked_again(
    chat, session_factory, clock, typed, why
):
    await reach_name_step(chat, session_factory, clock)
    assert why in text_of(await chat.send(typed))
    assert await _stored_name(session_factory) is None
    await chat.send("María de la Luz O'Neill-Pérez")
    assert await _stored_name(session_factory) == "María de la Luz O'Neill-Pérez"
    assert "dependencia" in chat.last.text


async def test_a_question_typed_for_the_name_is_answered_and_not_stored(
    chat, session_factory, clock
):
    await reach_name_step(chat, session_factory, clock)
    replies = await chat.send("¿Qué es la ley Ingrid?")
    assert "Fuente:" in replies[0].text
    assert "nombre completo" in replies[-1].text and "Sigo esperando" in replies[-1].text
    assert await _stored_name(session_factory) is None
    assert await _logged(session_factory) == []
    await chat.send("Ana Pérez López")
    assert await _stored_name(session_factory) == "Ana Pérez López"


async def test_a_crisis_typed_during_a_step_gets_the_emergency_reply_first(
    chat, session_factory, clock
):
    await reach_name_step(chat, session_factory, clock)
    replies = await chat.send("mi pareja me está golpeando ahora mismo")
    assert "911" in replies[0].text
    assert "Sigo esperando" in replies[-1].text
    assert await _stored_name(session_factory) is None
    assert await _logged(session_factory) == []
