"""Read-only screens read in a read transaction: on SQLite a plain BEGIN, which takes no
write lock and waits for no writer, instead of a unit of work's BEGIN IMMEDIATE."""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.db import ReadOnlyWrite, SessionFactory
from bot.models import Servant, Talk
from handlers import callbacks as cb
from tests.conftest import STAFF_ID
from tests.factories import enroll_in, make_servant, make_talk


async def test_read_only_screens_open_no_write_unit_of_work(
    make_chat, session_factory, clock, monkeypatch
):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=3), title="Ley Ingrid"
    )
    servant = await make_servant(session_factory, telegram_user_id=4401, now=clock.now())
    await enroll_in(session_factory, servant, talk.id, clock.now())
    ana, staff = make_chat(4401, "Ana"), make_chat(STAFF_ID, "Laura")
    screens = {
        "/platicas": lambda: ana.send("/platicas"),
        "talk detail": lambda: ana.press("Ley Ingrid"),
        "calendar again": lambda: ana.press("Agregar a mi calendario"),
        "/mis_inscripciones": lambda: ana.send("/mis_inscripciones"),
        "cancel, asked": lambda: ana.press_data(cb.data(cb.CANCEL_ASK, talk.id)),
        "/mis_datos": lambda: ana.send("/mis_datos"),
        "/inscritos": lambda: staff.send("/inscritos"),
        "/asistencia": lambda: staff.send("/asistencia"),
        "/editar_platica": lambda: staff.send("/editar_platica"),
    }
    opened = []
    begin = SessionFactory.begin

    def spy(self: SessionFactory):  # type: ignore[no-untyped-def]
        # A flow's step is persisted after the update (bot/persistence.py): that write is
        # the conversation's, not the screen's.
        if sys._getframe(1).f_globals.get("__name__") != "bot.persistence":
            opened.append(current)
        return begin(self)

    monkeypatch.setattr(SessionFactory, "begin", spy)
    for current, show in screens.items():
        assert await show(), current
    assert opened == []


async def test_a_read_session_refuses_to_write(session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=3))
    async with session_factory.read() as session:
        talk = await session.scalar(select(Talk))
        assert talk is not None
        talk.title = "Cambiada"
        with pytest.raises(ReadOnlyWrite):
            await session.flush()
    async with session_factory.read() as session:
        with pytest.raises(ReadOnlyWrite):
            await session.execute(update(Servant).values(full_name="x"))
