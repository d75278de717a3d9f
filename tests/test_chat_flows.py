"""Waiting list, cancelling, deep links, pagination and data deletion, as seen in the chat."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import Delivery, Enrollment, Servant, SurveyResponse
from bot.outbox.sender import run_sender
from bot.services import stats
from tests.factories import make_servant, make_talk


async def _sign_up(chat, talk_label: str) -> None:
    await chat.send("/platicas")
    await chat.press(talk_label)
    await chat.press("Inscribirme")
    await chat.press("Acepto")
    await chat.send(f"{chat.first_name} Pérez")
    await chat.press("Contraloría Municipal")
    await chat.press("Prefiero no darlo")


async def test_full_talk_offers_waiting_list_and_promotes_when_a_seat_frees(
    app, make_chat, session_factory, clock, api
):
    await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=2), capacity=1, title="Feminicidio"
    )
    ana, luis = make_chat(101, "Ana"), make_chat(102, "Luis")
    await _sign_up(ana, "Feminicidio")
    assert any("tienes tu lugar" in sent.text for sent in ana.messages)

    await luis.send("/platicas")
    assert "cupo lleno" in luis.last.text
    await luis.press("Feminicidio")
    await luis.press("lista de espera")
    await luis.press("Acepto")
    await luis.send("Luis Gómez")
    await luis.press("Contraloría Municipal")
    await luis.send("luis@example.org")
    assert "lista de espera, lugar 1" in luis.last.text

    await ana.send("/mis_inscripciones")
    await ana.press("Ver: Feminicidio")
    await ana.press("Cancelar inscripción")
    assert "¿Seguro" in ana.last.text
    await ana.press("Sí, cancelar")
    assert "cancelé tu inscripción" in ana.last.text

    stats = await run_sender(app)
    assert stats.sent == 1
    assert "Se liberó un lugar y es tuyo" in luis.last.text
    assert luis.documents[-1].filename.endswith(".ics")
    await luis.send("/mis_inscripciones")
    assert "✅ <b>Feminicidio</b>" in luis.last.text


async def test_cancel_can_be_regretted(chat, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Cohecho")
    await _sign_up(chat, "Cohecho")
    await chat.send("/mis_inscripciones")
    await chat.press("Ver: Cohecho")
    await chat.press("Cancelar inscripción")
    await chat.press("No, conservar")
    assert "Ya tienes tu lugar" in chat.last.text


async def test_enrolling_twice_is_harmless(chat, session_factory, clock):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=2), title="Peculado"
    )
    await _sign_up(chat, "Peculado")
    replies = await chat.press_data(f"v1:en:{talk.id}")
    assert "Ya tienes tu lugar" in replies[-1].text
    assert len(chat.documents) == 1


async def test_deep_link_opens_the_talk(chat, session_factory, clock):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=2), title="Adultos mayores"
    )
    replies = await chat.send(f"/start platica_{talk.id}")
    assert "Adultos mayores" in replies[0].text
    assert "Inscribirme" in " ".join(replies[0].labels())


async def test_list_is_paginated(chat, session_factory, clock):
    for day in range(1, 8):
        await make_talk(
            session_factory,
            starts_at=clock.now() + timedelta(days=day),
            title=f"Plática día {day}",
        )
    await chat.send("/platicas")
    assert "página 1 de 2" in chat.last.text
    assert "Plática día 6" not in chat.last.text
    await chat.press("Siguientes")
    assert "página 2 de 2" in chat.last.text
    assert "Plática día 6" in chat.last.text
    assert "<b>6. Plática día 6</b>" in chat.last.text  # numbered on from page 1
    await chat.press("Anteriores")
    assert "Plática día 1" in chat.last.text


async def test_started_and_past_talks_are_not_listed(chat, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() - timedelta(minutes=5), title="Ayer")
    await chat.send("/platicas")
    assert "no hay pláticas programadas" in chat.last.text


async def test_declining_privacy_stores_nothing(chat, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Respeto")
    await chat.send("/platicas")
    await chat.press("Respeto")
    await chat.press("Inscribirme")
    await chat.press("No acepto")
    assert "no guardaré ningún dato" in chat.last.text
    async with session_factory() as session:
        assert (await session.scalars(select(Servant))).all() == []


async def test_delete_my_data(chat, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Honradez")
    await _sign_up(chat, "Honradez")
    await chat.send("/borrar_mis_datos")
    assert "Se eliminarán" in chat.last.text
    await chat.press("Sí, borrar todo")
    assert "Borré tus datos" in chat.last.text
    async with session_factory() as session:
        assert (await session.scalars(select(Servant))).all() == []
        assert (await session.scalars(select(Delivery))).all() == []
    await chat.send("/mis_datos")
    assert "Aviso de privacidad" in chat.last.text


async def test_edit_profile_field(chat, session_factory, clock):
    await make_servant(session_factory, telegram_user_id=chat.user_id, now=clock.now())
    await chat.send("/mis_datos")
    await chat.press("Corregir correo")
    await chat.send("no-es-un-correo")
    assert "no parece válido" in chat.last.text
    await chat.send("maria@toluca.gob.mx")
    await chat.send("/mis_datos")
    assert "maria@toluca.gob.mx" in chat.last.text
    assert "María López" in chat.last.text


async def test_cancelar_leaves_the_sign_up(chat, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Lealtad")
    await chat.send("/platicas")
    await chat.press("Lealtad")
    await chat.press("Inscribirme")
    await chat.press("Acepto")
    await chat.send("/cancelar")
    assert "lo dejamos aquí" in chat.last.text
    await chat.send("Hola, ¿qué tal?")
    assert "Soy el asistente" in chat.last.text


async def test_deleting_data_keeps_only_anonymous_participation_in_past_talks(
    chat, session_factory, clock, settings
):
    past = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=2), title="Ética"
    )
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=9), title="Respeto")
    await _sign_up(chat, "Ética")
    await chat.send("/platicas")
    await chat.press("Respeto")
    await chat.press("Inscribirme")
    clock.set(past.starts_at + timedelta(hours=3))
    async with session_factory.begin() as session:
        mine = (
            await session.scalars(select(Enrollment).where(Enrollment.talk_id == past.id))
        ).one()
        mine.attended_at = past.starts_at
        session.add(
            SurveyResponse(
                enrollment_id=mine.id,
                score=5,
                comment="Soy Ana, de caja 3",
                answered_at=clock.now(),
            )
        )

    await chat.send("/borrar_mis_datos")
    assert "registro <b>anónimo</b>" in chat.last.text
    await chat.press("Sí, borrar todo")

    async with session_factory() as session:
        [servant] = (await session.scalars(select(Servant))).all()
        enrollments = (await session.scalars(select(Enrollment))).all()
        [survey] = (await session.scalars(select(SurveyResponse))).all()
        figures = await stats.year_figures(
            session, actor=0, year=None, now=clock.now(), tz=settings.tz
        )
    assert (servant.full_name, servant.email, servant.erased_at) == (None, None, clock.now())
    assert servant.telegram_user_id < 0 and servant.dependency == "Contraloría Municipal"
    assert [(e.talk_id, e.attended_at is not None) for e in enrollments] == [(past.id, True)]
    assert (survey.score, survey.comment) == (5, None)
    assert (figures.totals.trained, figures.totals.score) == (1, 5)
    await chat.send("/mis_datos")
    assert "Aviso de privacidad" in chat.last.text
