"""Conversations survive a restart: a new Application on the same database continues the
step and the draft where they were; a draft older than 24 hours expires with a message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.models import Servant, Talk, UnansweredQuestion
from bot.persistence import ConversationData, ConversationState
from tests.chat import Chat
from tests.conftest import STAFF_ID, restarted
from tests.factories import reach_name_step


async def _rows(session_factory, model) -> list[Any]:
    async with session_factory() as session:
        return list((await session.scalars(select(model))).all())


async def test_sign_up_continues_after_a_restart(chat, settings, api, clock, session_factory):
    await reach_name_step(chat, session_factory, clock)

    async with restarted(settings, api, clock) as second:
        again = Chat(second, api, chat.user_id, chat.first_name)
        await again.send("Ana Pérez López")
        assert "dependencia" in again.last.text.lower()
        await again.press("Contraloría Municipal")
        await again.press("Prefiero no darlo")
        assert "tienes tu lugar" in again.last.text
        [servant] = await _rows(session_factory, Servant)
        assert servant.full_name == "Ana Pérez López"
        assert await _rows(session_factory, UnansweredQuestion) == []
        assert await _rows(session_factory, ConversationState) == []
        assert await _rows(session_factory, ConversationData) == []


async def test_a_staff_draft_continues_after_a_restart(
    make_chat, settings, api, clock, session_factory
):
    staff = make_chat(STAFF_ID, "Laura")
    await staff.send("/nueva_platica")
    await staff.send("Ley Ingrid: qué es y cómo se aplica")
    await staff.send("Ley Ingrid")
    assert "Paso 3 de 10" in staff.last.text

    async with restarted(settings, api, clock) as second:
        again = Chat(second, api, STAFF_ID, "Laura")
        await again.press("Sin descripción")
        await again.send("Mtra. Sofía Reyes")
        await again.press("Defensoría Municipal")
        await again.send("2026-12-10 10:00")
        await again.send("90")
        await again.press("Virtual")
        await again.send("https://meet.example.org/ingrid")
        await again.send("40")
        assert "Revisa la plática" in again.last.text
        await again.press("Guardar")
        [talk] = await _rows(session_factory, Talk)
        assert talk.title == "Ley Ingrid: qué es y cómo se aplica"
        assert await _rows(session_factory, ConversationData) == []


async def test_a_draft_older_than_a_day_expires_with_a_message(
    make_chat, settings, api, clock, session_factory
):
    staff = make_chat(STAFF_ID, "Laura")
    await staff.send("/nueva_platica")
    await staff.send("Ley Ingrid")
    clock.advance(hours=25)

    async with restarted(settings, api, clock) as second:
        again = Chat(second, api, STAFF_ID, "Laura")
        replies = await again.send("Mtra. Sofía Reyes")
        assert "más de 24 horas" in replies[0].text
        assert not any("Paso" in sent.text for sent in replies)
        assert await _rows(session_factory, ConversationState) == []
