"""The office's figures, audit log and command list, as staff see them (pending questions:
test_staff_pending.py)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from bot.models import (
    AuditEntry,
    Enrollment,
    EnrollmentStatus,
    Modality,
    Servant,
    SurveyResponse,
    Talk,
    TalkStatus,
)
from bot.services import audit, stats
from tests.conftest import STAFF_ID

TZ = ZoneInfo("America/Mexico_City")
NOT_AUTHORIZED = "No autorizado"
SERVANT_ID = 5550001
_ids = itertools.count(1)


def local(moment: str) -> datetime:
    """A local (Toluca) "YYYY-MM-DD HH:MM" as the UTC moment stored in the database."""
    return datetime.strptime(moment, "%Y-%m-%d %H:%M").replace(tzinfo=TZ).astimezone(UTC)


class Rows:
    """Builds talks, servants, seats and survey answers directly through the ORM."""

    def __init__(self, session, now: datetime) -> None:
        self.session = session
        self.now = now

    async def talk(
        self, starts: str, topic: str, status: TalkStatus = TalkStatus.SCHEDULED
    ) -> Talk:
        number = next(_ids)
        talk = Talk(
            import_key=f"figures-{number}",
            title=f"{topic} {number}",
            topic=topic,
            speaker="Lic. Laura Pérez",
            organizer="Defensoría Municipal de Derechos Humanos",
            starts_at=local(starts),
            duration_min=90,
            modality=Modality.VIRTUAL,
            meeting_link="https://meet.example.org/abc-defg",
            capacity=100,
            status=status,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(talk)
        await self.session.flush()
        return talk

    async def servant(self, dependency: str | None) -> Servant:
        user_id = 8_000_000 + next(_ids)
        servant = Servant(
            telegram_user_id=user_id,
            chat_id=user_id,
            privacy_version="2026-11",
            privacy_accepted_at=self.now,
            full_name="María López" if dependency else None,
            dependency=dependency,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(servant)
        await self.session.flush()
        return servant

    async def seat(
        self,
        talk: Talk,
        servant: Servant,
        *,
        status: EnrollmentStatus = EnrollmentStatus.ENROLLED,
        attended: bool = False,
        score: int | None = None,
    ) -> Enrollment:
        seat = Enrollment(
            talk_id=talk.id,
            servant_id=servant.id,
            status=status,
            queued_at=talk.starts_at - timedelta(days=7),
            attended_at=talk.starts_at + timedelta(minutes=30) if attended else None,
            attendance_source="code" if attended else None,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(seat)
        await self.session.flush()
        if score is not None:
            self.session.add(
                SurveyResponse(enrollment_id=seat.id, score=score, answered_at=talk.ends_at)
            )
        return seat


async def programme(session_factory, now: datetime) -> None:
    """Two years of talks. 2026 (to December 1): four talks given, nine seats, six
    attendances by five people, four survey answers averaging 4.5."""
    async with session_factory.begin() as session:
        rows = Rows(session, now)
        treasury_a, treasury_b = (
            await rows.servant("Tesorería Municipal"),
            await rows.servant("Tesorería Municipal"),
        )
        police_a, police_b = (
            await rows.servant("Seguridad Pública"),
            await rows.servant("Seguridad Pública"),
        )
        water = await rows.servant("Agua & Saneamiento <OPDAPAS>")
        no_profile = await rows.servant(None)

        last_year = await rows.talk("2025-11-20 10:00", "Ley Ingrid")
        await rows.seat(last_year, treasury_a, attended=True, score=2)
        new_year_eve = await rows.talk("2025-12-31 23:00", "Ley Ingrid")
        await rows.seat(new_year_eve, treasury_b, attended=True)

        ingrid = await rows.talk("2026-02-10 10:00", "Ley Ingrid")
        await rows.seat(ingrid, treasury_a, attended=True, score=5)
        await rows.seat(ingrid, treasury_b, attended=True, score=4)
        await rows.seat(ingrid, police_a)
        await rows.seat(ingrid, police_b, status=EnrollmentStatus.CANCELLED)
        await rows.seat(ingrid, water, status=EnrollmentStatus.WAITING)

        feminicide = await rows.talk("2026-06-15 10:00", "Prevención del feminicidio")
        await rows.seat(feminicide, treasury_a, attended=True, score=4)
        await rows.seat(feminicide, police_a, attended=True)
        await rows.seat(feminicide, water, attended=True, score=5)
        await rows.seat(feminicide, no_profile)

        ingrid_again = await rows.talk("2026-06-30 19:00", "Ley Ingrid")  # July 1 in UTC
        await rows.seat(ingrid_again, police_b, attended=True)
        await rows.seat(ingrid_again, treasury_b)

        await rows.talk("2026-09-01 10:00", "Principios del servicio público")

        cancelled = await rows.talk("2026-03-03 10:00", "Ley Ingrid", TalkStatus.CANCELLED)
        await rows.seat(cancelled, police_a, attended=True, score=1)
        upcoming = await rows.talk("2026-12-10 10:00", "Ley Ingrid")
        await rows.seat(upcoming, water)


async def audit_actions(session_factory) -> list[tuple[int, str, str | None]]:
    async with session_factory() as session:
        entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(entry.actor_telegram_id, entry.action, entry.target) for entry in entries]


# /estadisticas


async def test_figures_of_the_year_to_date(make_chat, session_factory, clock, api):
    await programme(session_factory, clock.now())
    staff = make_chat(STAFF_ID, "Rosa")

    replies = await staff.send("/estadisticas")

    text = replies[0].text
    assert "📊 <b>Estadísticas 2026</b>\n<i>Del 1 de enero al 1 de diciembre de 2026</i>" in text
    assert "<b>4 pláticas impartidas</b> a <b>5 servidoras y servidores públicos</b>." in text
    assert "• Personas inscritas: <b>6</b> · lugares ocupados: 9" in text
    assert "• Asistencias: <b>6</b> · <b>67%</b> de asistencia" in text
    assert "• Encuesta de satisfacción: <b>4.5 de 5</b> (4 respuestas)" in text
    dependencies = text.split("<b>Por dependencia</b>")[1].split("<b>Por tema</b>")[0]
    assert dependencies.strip().splitlines()[1:] == [
        "• Tesorería Municipal: 3 · 4 · 3 · 75% · ⭐ 4.3",
        "• Seguridad Pública: 3 · 3 · 2 · 67%",
        "• Agua &amp; Saneamiento &lt;OPDAPAS&gt;: 1 · 1 · 1 · 100% · ⭐ 5.0",
        "• Sin dependencia registrada: 1 · 1 · 0 · 0%",
    ]
    topics = text.split("<b>Por tema</b>")[1]
    assert topics.strip().splitlines()[1:] == [
        "• Ley Ingrid: 2 · 5 · 3 · 60% · ⭐ 4.5",
        "• Prevención del feminicidio: 1 · 4 · 3 · 75% · ⭐ 4.5",
        "• Principios del servicio público: 1 · 0 · 0 · —",
    ]
    [chart] = staff.documents
    assert chart.filename == "estadisticas-2026.png"
    assert chart.document.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.document) > 20_000
    assert chart.caption == "Asistencias por dependencia y por mes, 2026."
    assert await audit_actions(session_factory) == [(STAFF_ID, "stats.viewed", "2026")]


async def test_a_past_year_is_complete_and_counted_in_local_time(
    make_chat, session_factory, clock
):
    await programme(session_factory, clock.now())
    staff = make_chat(STAFF_ID)

    [text_reply, chart] = await staff.send("/estadisticas 2025")

    assert "<i>Año completo</i>" in text_reply.text
    # The talk on December 31 at 23:00 in Toluca is already January 1 in UTC.
    assert "<b>2 pláticas impartidas</b> a <b>2 servidoras y servidores públicos</b>." in (
        text_reply.text
    )
    assert "<b>2.0 de 5</b> (1 respuesta)" in text_reply.text
    assert chart.filename == "estadisticas-2025.png"


async def test_months_and_others_are_grouped_for_the_chart(session_factory, clock):
    await programme(session_factory, clock.now())
    async with session_factory.begin() as session:
        figures = await stats.year_figures(
            session, actor=STAFF_ID, year=None, now=clock.now(), tz=TZ
        )
    attended = {month: group.attended for month, group in figures.by_month}
    assert attended == {m: {2: 2, 6: 4}.get(m, 0) for m in range(1, 13)}
    assert [group.talks for _, group in figures.by_month if group.talks] == [1, 2, 1]
    top, rest, rest_count = stats.top_and_rest(figures.by_dependency, 2)
    assert [name for name, _ in top] == ["Tesorería Municipal", "Seguridad Pública"]
    assert (rest_count, rest.enrolled, rest.attended) == (2, 2, 1)


async def test_the_headline_reads_like_the_office_reports_it(make_chat, session_factory, clock):
    """46 talks and more than 3,000 people: thousands separated the Mexican way."""
    async with session_factory.begin() as session:
        rows, talk_ids = Rows(session, clock.now()), []
        for week in range(46):
            talk = await rows.talk(
                (datetime(2026, 1, 8) + timedelta(weeks=week)).strftime("%Y-%m-%d 10:00"),
                "Ley Ingrid" if week % 2 else "Principios del servicio público",
            )
            talk_ids.append(talk.id)
        servant_ids = await _bulk_servants(session, 3_120, clock.now())
        await _bulk_seats(session, talk_ids, servant_ids, clock.now())
    staff = make_chat(STAFF_ID)

    replies = await staff.send("/estadisticas")

    text = replies[0].text
    assert "<b>46 pláticas impartidas</b> a <b>3,120 servidoras y servidores públicos</b>." in (
        text
    )
    assert "• Personas inscritas: <b>3,120</b> · lugares ocupados: 3,200" in text
    assert "• Asistencias: <b>3,160</b> · <b>99%</b> de asistencia" in text
    assert len(text) < 4_096


async def _bulk_servants(session, count: int, now: datetime) -> list[int]:
    dependencies = ["Tesorería Municipal", "Seguridad Pública", "DIF Municipal"] + [
        f"Dirección {n}" for n in range(12)
    ]
    await session.execute(
        insert(Servant),
        [
            {
                "telegram_user_id": 9_100_000 + n,
                "chat_id": 9_100_000 + n,
                "privacy_version": "2026-11",
                "privacy_accepted_at": now,
                "dependency": dependencies[n % len(dependencies)],
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ],
    )
    return list(await session.scalars(select(Servant.id).order_by(Servant.id)))


async def _bulk_seats(session, talk_ids: list[int], servant_ids: list[int], now: datetime):
    """Everyone takes one talk, the first 80 a second one; 40 of those miss it."""
    seats = [(talk_ids[n % len(talk_ids)], servant, True) for n, servant in enumerate(servant_ids)]
    seats += [(talk_ids[(n + 1) % 46], servant_ids[n], n >= 40) for n in range(80)]
    await session.execute(
        insert(Enrollment),
        [
            {
                "talk_id": talk_id,
                "servant_id": servant_id,
                "status": EnrollmentStatus.ENROLLED,
                "uid": f"bulk-{n}",
                "queued_at": now,
                "attended_at": now if attended else None,
                "created_at": now,
                "updated_at": now,
            }
            for n, (talk_id, servant_id, attended) in enumerate(seats)
        ],
    )


async def test_a_year_without_talks_says_so_without_a_chart(make_chat, session_factory, clock):
    await programme(session_factory, clock.now())
    staff = make_chat(STAFF_ID)

    replies = await staff.send("/estadisticas 2024")

    assert [reply.document for reply in replies] == [None]
    assert "Todavía no hay pláticas impartidas en 2024" in replies[0].text


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/estadisticas 2030", "El año 2030 todavía no empieza"),
        ("/estadisticas 1999", "Escribe el año con cuatro cifras, desde 2000"),
        ("/estadisticas pasado", "Escribe el año con cuatro cifras, desde 2000"),
    ],
)
async def test_a_wrong_year_gets_the_usage(make_chat, session_factory, command, expected):
    staff = make_chat(STAFF_ID)

    replies = await staff.send(command)

    assert expected in replies[0].text
    assert staff.documents == []
    assert await audit_actions(session_factory) == []


# /bitacora


async def test_audit_log_shows_who_what_when_and_target(make_chat, session_factory, clock):
    async with session_factory.begin() as session:
        audit.record(
            session,
            actor=9000002,
            action="talk.cancelled",
            now=clock.now() - timedelta(hours=2),
            target="talk:7 <Ley Ingrid>",
        )
    staff = make_chat(STAFF_ID)
    await staff.send("/estadisticas")
    clock.advance(minutes=5)

    [reply] = await staff.send("/bitacora")

    assert reply.text.split("\n\n") == [
        "🗒️ <b>Bitácora del personal</b> · 2 acciones, la más reciente primero",
        f"• martes 1 de diciembre, 09:00 h — usuario <code>{STAFF_ID}</code>\n"
        "      Consultó las estadísticas · 2026",
        "• martes 1 de diciembre, 07:00 h — usuario <code>9000002</code>\n"
        "      talk.cancelled · talk:7 &lt;Ley Ingrid&gt;",
    ]
    assert (await audit_actions(session_factory))[-1] == (STAFF_ID, "audit.viewed", None)


async def test_audit_log_keeps_the_last_thirty(make_chat, session_factory, clock):
    async with session_factory.begin() as session:
        for minute in range(35):
            audit.record(
                session,
                actor=STAFF_ID,
                action="stats.viewed",
                now=clock.now() - timedelta(minutes=minute),
                target=str(minute),
            )

    [reply] = await make_chat(STAFF_ID).send("/bitacora")

    assert "· 30 acciones, la más reciente primero" in reply.text
    assert re.findall(r" · (\d+)$", reply.text, re.MULTILINE) == [str(m) for m in range(30)]


async def test_empty_audit_log(make_chat):
    [reply] = await make_chat(STAFF_ID).send("/bitacora")

    assert "La bitácora está vacía" in reply.text


# /personal


async def test_staff_command_list(make_chat):
    [reply] = await make_chat(STAFF_ID).send("/personal")

    commands = [line.split(" — ")[0] for line in reply.text.splitlines() if line.startswith("/")]
    assert commands == [
        "/nueva_platica",
        "/editar_platica",
        "/reprogramar",
        "/cancelar_platica",
        "/inscritos",
        "/exportar",
        "/aviso",
        "/aviso_todos",
        "/asistencia",
        "/estadisticas",
        "/pendientes",
        "/frases",
        "/bitacora",
        "/ayuda",
    ]
    assert "CSV" in reply.text


# Everyone else


@pytest.mark.parametrize(
    "command", ["/estadisticas", "/estadisticas 2025", "/bitacora", "/personal"]
)
async def test_servants_are_not_authorized(chat, session_factory, clock, command):
    await programme(session_factory, clock.now())

    replies = await chat.send(command)

    assert [reply.text.split(":")[0] for reply in replies] == [NOT_AUTHORIZED]
    assert chat.documents == []
    assert await audit_actions(session_factory) == []
