"""The public programme over HTTP: /programa (HTML) and /programa.ics (feed).

Requests go through httpx: to the ASGI app in-process, and once to a real uvicorn socket.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from bot.models import Modality, TalkStatus
from bot.services import talk_admin
from bot.web import build_web_app
from bot.web.server import PortUnavailable, WebServer
from tests.conftest import STAFF_ID
from tests.factories import enroll_in, make_servant, make_talk
from tests.fakes import BOT_USER

BOT = BOT_USER["username"]


@pytest.fixture
def web_app(settings, session_factory, clock) -> Any:
    return build_web_app(settings, session_factory, clock=clock, bot_username=lambda: BOT)


@pytest.fixture
async def client(web_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://programa.test") as http:
        yield http


async def _programme(session_factory, clock):
    soon = await make_talk(
        session_factory,
        starts_at=clock.now() + timedelta(days=2),
        title="La Ley Ingrid y el servicio público",
        capacity=2,
    )
    full = await make_talk(
        session_factory,
        starts_at=clock.now() + timedelta(days=3),
        title="Prevención del feminicidio",
        capacity=1,
        modality=Modality.PRESENCIAL,
    )
    gone = await make_talk(
        session_factory, starts_at=clock.now() - timedelta(hours=3), title="Ya pasó"
    )
    called_off = await make_talk(
        session_factory,
        starts_at=clock.now() + timedelta(days=4),
        title="Adultos mayores",
        status=TalkStatus.CANCELLED,
    )
    servant = await make_servant(
        session_factory, telegram_user_id=98765432, now=clock.now(), full_name="Rosa Secreta"
    )
    await enroll_in(session_factory, servant, full.id, clock.now())
    await enroll_in(session_factory, servant, soon.id, clock.now())
    return soon, full, gone, called_off


async def test_the_page_lists_what_the_database_holds_and_nothing_private(
    client, session_factory, clock
):
    soon, full, _gone, called_off = await _programme(session_factory, clock)

    response = await client.get("/programa")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert '<html lang="es">' in page and "<script" not in page
    assert 'href="programa.ics"' in page
    assert 'name="viewport"' in page
    assert page.index("La Ley Ingrid") < page.index("Prevención del feminicidio")
    assert "jueves 3 de diciembre, 09:00 h" in page  # 15:00 UTC in America/Mexico_City
    assert "Quedan 1 lugares" not in page and "Queda 1 lugar" in page
    assert "Cupo lleno: lista de espera" in page
    assert "Presencial: Palacio Municipal, Sala de Cabildo" in page and "En línea" in page
    assert "Lic. Laura Pérez" in page and "Defensoría Municipal de Derechos Humanos" in page
    assert f"https://t.me/{BOT}?start=platica_{soon.id}" in page
    assert f"https://t.me/{BOT}?start=platica_{full.id}" in page
    cancelled = page[page.index(f'id="platica-{called_off.id}"') :]
    assert "Cancelada" in cancelled and f"start=platica_{called_off.id}" not in page
    assert "Ya pasó" not in page
    assert "meet.example.org" not in page and "Rosa Secreta" not in page and "98765432" not in page


async def test_hostile_titles_are_escaped(client, session_factory, clock):
    await make_talk(
        session_factory,
        starts_at=clock.now() + timedelta(days=1),
        title='<script>alert("x")</script> & <b>Ley</b>',
    )
    page = (await client.get("/programa")).text
    assert "<script>" not in page and "<b>Ley</b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Ley&lt;/b&gt;" in page


async def test_an_empty_programme_says_so(client):
    response = await client.get("/programa")
    assert response.status_code == 200
    assert "no hay pláticas programadas" in response.text


async def test_the_feed_follows_a_reschedule_and_a_cancellation(
    client, settings, session_factory, clock
):
    soon, full, _gone, _called_off = await _programme(session_factory, clock)

    response = await client.get("/programa.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert set(events) == {
        "La Ley Ingrid y el servicio público",
        "Prevención del feminicidio",
        "Adultos mayores",
    }
    first = events["La Ley Ingrid y el servicio público"]
    assert str(first["UID"]) == f"platica-{soon.id}@toluca.defensoria-bot"
    assert first.decoded("DTSTART") == soon.starts_at and int(first["SEQUENCE"]) == 0
    assert str(first["URL"]) == f"https://t.me/{BOT}?start=platica_{soon.id}"
    assert f"start=platica_{soon.id}" in str(first["DESCRIPTION"])
    assert str(events["Adultos mayores"]["STATUS"]) == "CANCELLED"
    assert "URL" not in events["Adultos mayores"]
    assert b"meet.example.org" not in response.content and b"Rosa" not in response.content
    assert "Toluca" in str(Calendar.from_ical(response.content)["PRODID"])

    moved = soon.starts_at + timedelta(days=7)
    async with session_factory.begin() as session:
        await talk_admin.reschedule(
            session,
            actor=STAFF_ID,
            talk_id=soon.id,
            starts_at=moved,
            now=clock.now(),
            reminder_offsets=settings.reminder_offsets,
        )
        await talk_admin.cancel(session, actor=STAFF_ID, talk_id=full.id, now=clock.now())

    changed = Calendar.from_ical((await client.get("/programa.ics")).content)
    events = {str(e["UID"]): e for e in changed.walk("VEVENT")}
    rescheduled = events[f"platica-{soon.id}@toluca.defensoria-bot"]
    assert rescheduled.decoded("DTSTART") == moved and int(rescheduled["SEQUENCE"]) == 1
    cancelled = events[f"platica-{full.id}@toluca.defensoria-bot"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1


async def test_the_feed_per_topic(client, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=1), title="Otro tema")
    other = await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2))
    async with session_factory.begin() as session:
        (await session.get(type(other), other.id)).topic = "Ley Ingrid"

    feed = await client.get("/programa.ics", params={"tema": "ley  ingrid"})
    [event] = Calendar.from_ical(feed.content).walk("VEVENT")
    assert str(event["UID"]).startswith(f"platica-{other.id}@")
    assert "Ley Ingrid" in str(Calendar.from_ical(feed.content)["X-WR-CALNAME"])
    page = (await client.get("/programa", params={"tema": "Ley Ingrid"})).text
    assert "Otro tema" not in page and "?tema=Ley%20Ingrid" in page


async def test_conditional_requests_get_304_until_something_changes(
    client, session_factory, clock
):
    talk = await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2))
    etags = {}
    for path in ("/programa", "/programa.ics"):
        first = await client.get(path)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        etags[path] = etag
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag) and modified.endswith(" GMT")
        assert "max-age" in first.headers["cache-control"]

        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        since = await client.get(path, headers={"If-Modified-Since": modified})
        assert since.status_code == 304
        other = await client.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200

    servant = await make_servant(session_factory, telegram_user_id=778, now=clock.now())
    await enroll_in(session_factory, servant, talk.id, clock.now())
    page = await client.get("/programa", headers={"If-None-Match": etags["/programa"]})
    assert page.status_code == 200  # a seat was taken: the page shows it
    assert page.headers["etag"] != etags["/programa"]
    feed = await client.get("/programa.ics", headers={"If-None-Match": etags["/programa.ics"]})
    assert feed.status_code == 304  # the feed shows no seats: unchanged
    clock.advance(days=3)
    gone = await client.get("/programa.ics", headers={"If-None-Match": etags["/programa.ics"]})
    assert gone.status_code == 200 and b"VEVENT" not in gone.content


async def test_a_real_uvicorn_serves_the_page_and_refuses_a_busy_port(
    web_app, session_factory, clock
):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Real")
    server = WebServer(web_app, host="127.0.0.1", port=0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
            response = await http.get("/programa")
            assert response.status_code == 200 and "Real" in response.text
            assert (await http.get("/programa.ics")).status_code == 200
            assert (await http.get("/nada")).status_code == 404
        with pytest.raises(PortUnavailable):
            await WebServer(web_app, host="127.0.0.1", port=server.port).start()
    finally:
        await server.stop()
