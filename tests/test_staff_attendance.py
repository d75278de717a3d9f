"""Attendance as staff and servants see it: the code read aloud, the participant list,
and staff-only buttons refused to everyone else."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from sqlalchemy import select, update

from bot.models import (
    AttendanceWindow,
    AuditEntry,
    Delivery,
    DeliveryKind,
    Enrollment,
    Servant,
)
from tests.chat import Chat, text_of
from tests.conftest import STAFF_ID
from tests.factories import enroll_in, make_servant, make_talk

CODE = re.compile(r"/asistencia ([A-Z]{3}\d{3})")
_ids = itertools.count(900_000)


async def enrolled_talk(session_factory, clock, people, *, title="Ley Ingrid", started=True):
    """A talk with the given (user id, name, email) enrolled; the clock 10 minutes into it."""
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(hours=2), title=title
    )
    for user_id, name, email in people:
        servant = await make_servant(
            session_factory, telegram_user_id=user_id, now=clock.now(), full_name=name
        )
        async with session_factory.begin() as session:
            await session.execute(
                update(Servant).where(Servant.id == servant.id).values(email=email)
            )
        await enroll_in(session_factory, servant, talk.id, clock.now())
    if started:
        clock.set(talk.starts_at + timedelta(minutes=10))
    return talk


async def open_code(staff: Chat, title: str) -> str:
    await staff.send("/asistencia")
    await staff.press(title)
    replies = await staff.press("🔑")
    match = CODE.search(text_of(replies))
    assert match, text_of(replies)
    return match.group(1)


async def _attended(session_factory) -> dict[int, str | None]:
    async with session_factory() as session:
        rows = (await session.scalars(select(Enrollment).order_by(Enrollment.id))).all()
    return {row.servant_id: row.attendance_source for row in rows}


async def test_code_read_aloud_marks_servants_present(make_chat, session_factory, clock):
    talk = await enrolled_talk(session_factory, clock, [(101, "Ana Ruiz", None)])
    staff, ana = make_chat(STAFF_ID, "Personal"), make_chat(101, "Ana")
    code = await open_code(staff, "Ley Ingrid")
    assert code[:3].isalpha() and not set(code) & set("01OIL8BSZG")
    assert code == await open_code(staff, "Ley Ingrid")

    replies = await ana.send(f"/asistencia {code}")
    assert "Registré tu asistencia a <b>Ley Ingrid</b>" in text_of(replies)
    replies = await ana.send(f"{code[:3].lower()} {code[3:]}")
    assert "Ya tenías registrada tu asistencia" in text_of(replies)

    async with session_factory() as session:
        rows = (await session.scalars(select(Delivery).where(Delivery.offset_minutes == 0))).all()
        audit = (await session.scalars(select(AuditEntry))).all()
    due = {row.kind: row.due_at for row in rows}
    assert due == {
        DeliveryKind.CONSTANCIA: talk.ends_at,
        DeliveryKind.SURVEY: talk.ends_at + timedelta(hours=1),
    }
    assert [(a.actor_telegram_id, a.action) for a in audit] == [(STAFF_ID, "attendance.open_code")]
    await staff.send("/asistencia")
    await staff.press("Ley Ingrid")
    assert "Asistencia registrada: 1" in staff.last.text and code[:3] in staff.last.text


async def test_wrong_expired_and_unenrolled_codes_are_explained(make_chat, session_factory, clock):
    await enrolled_talk(session_factory, clock, [(101, "Ana Ruiz", None)])
    await make_servant(session_factory, telegram_user_id=102, now=clock.now())
    code = await open_code(make_chat(STAFF_ID), "Ley Ingrid")
    ana, beto, carla = make_chat(101), make_chat(102), make_chat(103)

    assert "no es válido" in text_of(await ana.send("/asistencia XYZ999"))
    assert "No encuentro tu inscripción en <b>Ley Ingrid</b>" in text_of(
        await beto.send(f"/asistencia {code}")
    )
    assert "aún no tengo tus datos" in text_of(await carla.send(code))
    clock.advance(hours=3)
    assert "ya venció" in text_of(await ana.send(f"/asistencia {code}"))
    assert await _attended(session_factory) == {1: None}


async def test_ordinary_words_are_not_taken_for_codes(make_chat, session_factory, clock):
    await enrolled_talk(session_factory, clock, [(101, "Ana Ruiz", None)])
    ana = make_chat(101)
    for text in ("buenas", "Gracias por la plática", "ABCDEF"):
        assert "código" not in text_of(await ana.send(text))
    assert "escribe <b>/asistencia</b> seguido del código" in text_of(
        await ana.send("/asistencia")
    )


async def test_opening_a_code_too_early_is_refused(make_chat, session_factory, clock):
    await enrolled_talk(session_factory, clock, [], title="Cohecho", started=False)
    staff = make_chat(STAFF_ID)
    await staff.send("/asistencia")
    await staff.press("Cohecho")
    assert "Aún es pronto" in text_of(await staff.press("Abrir código"))
    async with session_factory() as session:
        assert (await session.scalars(select(AttendanceWindow))).all() == []


async def test_staff_buttons_are_refused_to_everyone_else(
    app, make_chat, session_factory, clock, api
):
    talk = await enrolled_talk(session_factory, clock, [(101, "Ana Ruiz", None)])
    ana = make_chat(101)
    await ana.send("/platicas")
    for data in (f"v1:ast:{talk.id}", f"v1:aso:{talk.id}", f"v1:asl:{talk.id}", "v1:asm"):
        await ana.press_data(data)
        assert api.alerts[-1].startswith("No autorizado")
    await ana.send_document("participantes.csv", b"Nombre\nAna Ruiz\n")
    assert "Asistencia registrada" not in text_of(ana.messages)
    async with session_factory() as session:
        assert (await session.scalars(select(AttendanceWindow))).all() == []
        assert (await session.scalars(select(AuditEntry))).all() == []
    assert await _attended(session_factory) == {1: None}


async def test_stale_or_forged_staff_buttons(make_chat, session_factory, clock, api):
    staff = make_chat(STAFF_ID)
    await staff.send("/asistencia")
    assert "No hay pláticas" in staff.last.text
    assert "No encontré esa plática" in text_of(await staff.press_data("v1:aso:999999"))
    assert "No encontré esa plática" in text_of(await staff.press_data("v1:ast:999999"))
    await staff.press_data("v1:aso:abc")
    assert api.alerts[-1].startswith("Este botón ya no está activo")


PARTICIPANTS = """Name (Original Name),User Email,Join Time,Duration (Minutes)
Ana Ruiz (Ana),ANA.RUIZ@toluca.gob.mx,12/04/2026 09:01,88
Jose Perez,,12/04/2026 09:02,80
Jose Perez,,12/04/2026 10:02,5
Maria Lopes Garcia,,12/04/2026 09:05,85
Juan Hernández,,12/04/2026 09:05,85
<b>Invitado</b>,invitado@example.org,12/04/2026 09:10,60
"""


async def test_participant_list_marks_matches_and_reports_the_rest(
    make_chat, session_factory, clock, api
):
    await enrolled_talk(
        session_factory,
        clock,
        [
            (101, "Ana Ruiz Díaz", "ana.ruiz@toluca.gob.mx"),
            (102, "José Pérez", None),
            (103, "María López García", None),
            (104, "Juan Hernández", None),
            (105, "Juan  HERNANDEZ", None),
        ],
    )
    staff = make_chat(STAFF_ID)
    await staff.send("/asistencia")
    await staff.press("Ley Ingrid")
    assert "como <b>documento</b>" in text_of(await staff.press("Subir lista"))
    assert "Espero el archivo CSV" in text_of(await staff.send("aquí va"))
    report = text_of(await staff.send_document("participantes.csv", PARTICIPANTS.encode("cp1252")))

    assert "registrada ahora: 3" in report
    assert "Sin coincidencia: 1" in report and "• &lt;b&gt;Invitado&lt;/b&gt;" in report
    assert "Ambiguas (coinciden con varias personas): 1" in report and "• Juan Hernández" in report
    assert await _attended(session_factory) == {
        1: "import",
        2: "import",
        3: "import",
        4: None,
        5: None,
    }
    async with session_factory() as session:
        [entry] = (await session.scalars(select(AuditEntry))).all()
    assert entry.action == "attendance.import_list"
    assert "Invitado" not in (entry.details or "") and '"marked": 3' in (entry.details or "")

    await staff.press("Volver a la plática")
    await staff.press("Subir lista")
    again = text_of(await staff.send_document("participantes.csv", PARTICIPANTS.encode("utf-16")))
    assert "registrada ahora: 0" in again and "Ya estaban registradas: 3" in again


async def test_unreadable_list_and_cancel(make_chat, session_factory, clock, api):
    await enrolled_talk(session_factory, clock, [(101, "Ana Ruiz", None)])
    staff = make_chat(STAFF_ID)
    await staff.send("/asistencia")
    await staff.press("Ley Ingrid")
    await staff.press("Subir lista")
    assert "No encontré participantes" in text_of(
        await staff.send_document("participantes.csv", b"\n\n")
    )
    assert "no subí ninguna lista" in text_of(await staff.send("/cancelar"))
    assert await _attended(session_factory) == {1: None}


def test_every_attendance_and_survey_error_has_a_text():
    from pathlib import Path

    from bot.config import PROJECT_ROOT
    from bot.texts import raw

    sources = "".join(
        Path(PROJECT_ROOT, "bot", "services", name).read_text(encoding="utf-8")
        for name in ("attendance.py", "surveys.py")
    )
    codes = re.findall(r'\b(Attendance|Survey)Error\("([a-z_]+)"', sources)
    assert len(codes) > 10
    for kind, code in codes:
        assert raw(f"{kind.lower()}_error.{code}")
