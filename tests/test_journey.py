"""The servant's journey through the real Application: browse, consent, profile, enroll."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from tests.factories import make_talk


async def test_start_greets_and_offers_the_menu(chat):
    replies = await chat.send("/start")
    assert "Defensoría Municipal de Derechos Humanos" in replies[0].text
    assert "Próximas pláticas" in " ".join(replies[0].labels())


async def test_first_enrollment_asks_consent_then_profile_then_enrolls(
    chat, session_factory, clock, api
):
    talk = await make_talk(
        session_factory,
        starts_at=clock.now() + timedelta(days=2),
        capacity=10,
        title="La Ley Ingrid y el servicio público",
    )
    await chat.send("/platicas")
    assert "La Ley Ingrid y el servicio público" in chat.last.text
    assert "10 lugares disponibles" in chat.last.text

    await chat.press("La Ley Ingrid")
    assert "jueves 3 de diciembre, 09:00 h" in chat.last.text
    await chat.press("Inscribirme")
    assert "Aviso de privacidad" in chat.last.text

    await chat.press("Acepto")
    assert "nombre completo" in chat.last.text
    await chat.send("  María   <b>López</b> & Hernández 🌸 ")
    assert "No parece un nombre" in chat.last.text
    await chat.send("  María   López  Hernández ")
    assert "dependencia" in chat.last.text
    await chat.press("Tesorería Municipal")
    assert "correo" in chat.last.text
    await chat.send("maria.lopez@toluca.gob.mx")

    texts = [sent.text for sent in chat.messages if sent.text]
    assert "te inscribo" in texts[-2] and "tienes tu lugar" in texts[-1]
    assert "https://meet.example.org/abc-defg" in chat.last.text
    [ics] = chat.documents
    event = Calendar.from_ical(ics.document).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "La Ley Ingrid y el servicio público"
    assert event.decoded("DTSTART") == talk.starts_at

    await chat.send("/mis_datos")
    assert "María López Hernández" in chat.last.text
