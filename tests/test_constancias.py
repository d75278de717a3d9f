"""Constancias (PDF, folio, /verificar) and the survey, as attendees receive them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.constancia_pdf import printable, render_constancia
from bot.models import Constancia, Delivery, DeliveryState, SurveyResponse
from bot.outbox.sender import run_sender
from tests.chat import text_of
from tests.conftest import STAFF_ID
from tests.test_staff_attendance import enrolled_talk, open_code

TZ = ZoneInfo("America/Mexico_City")


def _constancia(name: str) -> Constancia:
    return Constancia(
        folio="DMDH-2026-000123",
        verification_code="ACDEFHJKMNPR",
        full_name=name,
        talk_title="Prevención del feminicidio «Ley Ingrid»",
        talk_starts_at=datetime(2026, 12, 4, 15, tzinfo=UTC),
        duration_min=90,
        organizer="Defensoría Municipal de Derechos Humanos",
        issued_at=datetime(2026, 12, 4, 17, tzinfo=UTC),
    )


def test_pdf_renders_accents_and_survives_emoji():
    pdf = render_constancia(_constancia("José Ñúñez 😀 \u202eEvil\x00"), tz=TZ)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    assert printable("José Ñúñez 😀 Peña") == "José Ñúñez Peña"
    assert render_constancia(_constancia("x" * 120), tz=TZ).startswith(b"%PDF")


async def _attend(make_chat, session_factory, clock):
    talk = await enrolled_talk(session_factory, clock, [(101, "Ana Ruiz Ñúñez", None)])
    code = await open_code(make_chat(STAFF_ID), "Ley Ingrid")
    ana = make_chat(101, "Ana")
    await ana.send(code)
    return talk, ana


async def test_constancia_arrives_once_when_the_talk_ends_and_verifies(
    app, make_chat, session_factory, clock
):
    talk, ana = await _attend(make_chat, session_factory, clock)
    assert (await run_sender(app)).sent == 0
    clock.set(talk.ends_at)
    assert (await run_sender(app)).sent == 1
    assert (await run_sender(app)).sent == 0
    [pdf] = ana.documents
    assert pdf.document.startswith(b"%PDF")
    assert pdf.filename == "constancia-DMDH-2026-000001.pdf"
    assert "Folio: DMDH-2026-000001" in pdf.caption and "Ley Ingrid" in pdf.caption
    async with session_factory() as session:
        [issued] = (await session.scalars(select(Constancia))).all()
    assert issued.full_name == "Ana Ruiz Ñúñez" and len(issued.verification_code) >= 10
    assert issued.verification_code[:4] in pdf.caption

    anyone = make_chat(555)
    genuine = text_of(await anyone.send(f"/verificar {issued.verification_code.lower()}"))
    assert "Constancia auténtica" in genuine and "Ana Ruiz Ñúñez" in genuine
    assert "DMDH-2026-000001" in genuine and "1 de diciembre de 2026" in genuine
    assert "No encontré ninguna constancia" in text_of(await anyone.send("/verificar ACDE-FHJK"))
    assert "seguido del código de verificación" in text_of(await anyone.send("/verificar"))


async def test_survey_once_an_hour_after_the_end_with_optional_comment(
    app, api, make_chat, session_factory, clock
):
    talk, ana = await _attend(make_chat, session_factory, clock)
    clock.set(talk.ends_at + timedelta(minutes=59))
    assert (await run_sender(app)).sent == 1
    clock.set(talk.ends_at + timedelta(hours=1))
    assert (await run_sender(app)).sent == 1
    survey = ana.last
    assert "Ley Ingrid" in survey.text and survey.labels() == ["1", "2", "3", "4", "5"]
    [[first, *_]] = survey.buttons
    enrollment_id = first["callback_data"].split(":")[2]

    await make_chat(102).press_data(f"v1:svs:{enrollment_id}:1", survey)
    assert api.alerts[-1] == "Este botón ya no está activo."
    await ana.press_data(f"v1:svs:{enrollment_id}:9", survey)
    assert api.alerts[-1].startswith("Este botón ya no está activo")

    assert "Gracias por tu respuesta (4 de 5)" in text_of(await ana.press("4"))
    assert "muy largo" in text_of(await ana.send("x" * 1001))
    assert "Guardé tu comentario" in text_of(await ana.send("Muy clara, <b>gracias</b>"))
    await ana.press_data(f"v1:svs:{enrollment_id}:5", survey)
    assert api.alerts[-1] == "Ya registramos tu respuesta. ¡Gracias!"
    async with session_factory() as session:
        [response] = (await session.scalars(select(SurveyResponse))).all()
        states = {row.kind.value: row.state for row in await session.scalars(select(Delivery))}
    assert (response.score, response.comment) == (4, "Muy clara, <b>gracias</b>")
    assert states["survey"] == states["constancia"] == DeliveryState.SENT


async def test_comment_can_be_skipped(app, make_chat, session_factory, clock):
    talk, ana = await _attend(make_chat, session_factory, clock)
    clock.set(talk.ends_at + timedelta(hours=2))
    assert (await run_sender(app)).sent == 2
    await ana.press("2")
    assert "¡Gracias por tu opinión!" in text_of(await ana.press("Omitir"))
    replies = await ana.send("¿qué es el cohecho?")
    assert "Guardé tu comentario" not in text_of(replies)
    async with session_factory() as session:
        [response] = (await session.scalars(select(SurveyResponse))).all()
    assert (response.score, response.comment) == (2, None)
