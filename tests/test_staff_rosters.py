"""/inscritos and /exportar as the office's staff (and a curious servant) see them."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from bot.models import AuditEntry, Enrollment, Servant
from bot.services import enrollment
from tests.conftest import STAFF_ID
from tests.factories import REMINDER_OFFSETS as OFFSETS
from tests.factories import enroll_in, make_servant, make_talk

OUTSIDER_ID = 5550777


async def enroll_people(session_factory, clock, talk, names, *, first_id=80_000, **fields):
    """Registers one servant per name and enrolls each (or queues them when full)."""
    servants = []
    for number, name in enumerate(names):
        servant = await make_servant(
            session_factory,
            telegram_user_id=first_id + number,
            now=clock.now(),
            full_name=name,
            **fields,
        )
        await enroll_in(session_factory, servant, talk.id, clock.now())
        servants.append(servant)
    return servants


async def audit_actions(session_factory) -> list[tuple[str, str | None, dict]]:
    async with session_factory() as session:
        rows = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    return [(row.action, row.target, json.loads(row.details or "{}")) for row in rows]


async def assert_not_authorized(outsider, api, commands=(), buttons=()) -> None:
    """Every command and button answers "No autorizado" to someone outside the staff."""
    for command in commands:
        replies = await outsider.send(command)
        assert [reply.text for reply in replies] == [
            "No autorizado: esta opción es solo para el personal de la Defensoría."
        ]
    for data in buttons:
        before = len(api.alerts)
        replies = await outsider.press_data(data)
        assert replies == []
        assert api.alerts[before:] == [
            "No autorizado: esta opción es solo para el personal de la Defensoría."
        ]


@pytest.fixture
async def busy_talk(session_factory, clock):
    """A talk with 2 seats: two enrolled (one attended), one who cancelled, one in line."""
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=3), capacity=2, title="Ley Ingrid"
    )
    ana, luis, *_ = await enroll_people(
        session_factory,
        clock,
        talk,
        ["Ana <b>Ruiz</b> & Cía", "Luis Gómez", "Pía Ñúñez", "Marta Díaz"],
    )
    async with session_factory.begin() as session:
        servant = await session.get(Servant, luis.id)
        await enrollment.cancel(
            session, servant=servant, talk_id=talk.id, now=clock.now(), reminder_offsets=OFFSETS
        )
        await session.execute(
            update(Enrollment)
            .where(Enrollment.servant_id == ana.id)
            .values(attended_at=clock.now(), attendance_source="staff")
        )
    return talk


async def test_staff_see_counts_and_the_list_escaped(make_chat, busy_talk, session_factory):
    staff = make_chat(STAFF_ID, "Laura")
    await staff.send("/inscritos")
    assert "¿De qué plática quieres ver la lista?" in staff.last.text
    replies = await staff.press("Ley Ingrid")
    [roster] = [reply.text for reply in replies]
    assert "✅ Inscritos: <b>2</b>" in roster
    assert "⏳ En lista de espera: <b>1</b>" in roster
    assert "❌ Cancelaron: <b>1</b>" in roster
    assert "🙋 Asistieron: <b>1</b>" in roster
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt; &amp; Cía" in roster
    assert "<b>Ruiz</b>" not in roster
    enrolled, waiting = roster.split("Lista de espera (1)")
    assert "🙋 asistió" in enrolled and "Pía Ñúñez" in enrolled
    assert "Marta Díaz" in waiting.split("Cancelaron (1)")[0]
    assert "Luis Gómez" in waiting.split("Cancelaron (1)")[1]
    assert await audit_actions(session_factory) == [
        ("roster.view", f"talk:{busy_talk.id}", {"rows": 4})
    ]


async def test_a_long_list_is_split_under_telegrams_limit(make_chat, session_factory, clock):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=2), capacity=200, title="Cohecho"
    )
    names = [f"Servidora Pública Número {n:03d} Con Apellidos Largos" for n in range(150)]
    await enroll_people(
        session_factory, clock, talk, names, dependency="Dirección General de Seguridad Pública"
    )
    staff = make_chat(STAFF_ID)
    await staff.send("/inscritos")
    replies = await staff.press("Cohecho")
    assert len(replies) > 1
    assert all(len(reply.text) <= 4096 for reply in replies)
    everything = "\n".join(reply.text for reply in replies)
    assert all(name in everything for name in names)
    assert "150. Servidora Pública Número 149" in everything


async def test_the_picker_pages_through_upcoming_and_recent_talks(
    make_chat, session_factory, clock
):
    for day in range(1, 10):
        await make_talk(
            session_factory, starts_at=clock.now() + timedelta(days=day), title=f"Próxima {day}"
        )
    await make_talk(session_factory, starts_at=clock.now() - timedelta(days=20), title="Pasada")
    await make_talk(session_factory, starts_at=clock.now() - timedelta(days=400), title="Vieja")
    staff = make_chat(STAFF_ID)
    await staff.send("/inscritos")
    first_page = staff.last.labels()
    assert "Próxima 1" in first_page[0] and "Siguientes ▶️" in first_page
    await staff.press("Siguientes")
    second_page = staff.last.labels()
    assert any("Próxima 9" in label for label in second_page)
    assert any("Pasada" in label for label in second_page)
    assert not any("Vieja" in label for label in first_page + second_page)
    await staff.press("Anteriores")
    assert "Próxima 1" in staff.last.labels()[0]


async def test_export_sends_csv_with_bom_and_xlsx_with_bold_header(
    make_chat, busy_talk, session_factory
):
    staff = make_chat(STAFF_ID)
    await staff.send("/exportar")
    await staff.press("Ley Ingrid")
    assert "en CSV y en Excel" in staff.last.text
    csv_file, xlsx_file = staff.documents
    assert csv_file.filename == f"roster_{busy_talk.id}.csv"
    assert csv_file.document.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_file.document.decode("utf-8-sig"))))
    assert rows[0] == [
        "Nombre",
        "Dependencia",
        "Correo electrónico",
        "Fecha de inscripción",
        "Estado",
        "Asistencia",
    ]
    assert rows[1][0] == "Ana <b>Ruiz</b> & Cía"
    assert rows[1][3] == "2026-12-01 09:00"
    assert [row[4] for row in rows[1:]] == [
        "Inscrito",
        "Inscrito",
        "En lista de espera",
        "Canceló",
    ]
    assert [row[5] for row in rows[1:]] == ["Sí", "No", "No", "No"]
    assert "Pía Ñúñez" in rows[2][0]

    assert xlsx_file.filename == f"roster_{busy_talk.id}.xlsx"
    sheet = load_workbook(io.BytesIO(xlsx_file.document)).active
    assert [cell.value for cell in sheet[1]] == rows[0]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.max_row == 5
    assert sheet["A3"].value == "Pía Ñúñez"
    assert sheet["D2"].value.strftime("%Y-%m-%d %H:%M") == "2026-12-01 09:00"
    assert await audit_actions(session_factory) == [
        ("roster.export", f"talk:{busy_talk.id}", {"rows": 4})
    ]


async def test_formulas_typed_by_servants_are_not_run_by_spreadsheets(
    make_chat, session_factory, clock
):
    talk = await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2))
    await enroll_people(
        session_factory, clock, talk, ["Eva Luna"], dependency='=HYPERLINK("http://x","y")'
    )
    staff = make_chat(STAFF_ID)
    await staff.send("/exportar")
    await staff.press(talk.title)
    csv_file, xlsx_file = staff.documents
    rows = list(csv.reader(io.StringIO(csv_file.document.decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://x","y")'
    sheet = load_workbook(io.BytesIO(xlsx_file.document)).active
    assert sheet["B2"].data_type == "s"


async def test_outsiders_are_not_authorized_and_see_nothing(
    make_chat, api, busy_talk, session_factory
):
    outsider = make_chat(OUTSIDER_ID)
    await outsider.send("/platicas")
    await assert_not_authorized(
        outsider,
        api,
        commands=["/inscritos", "/exportar"],
        buttons=[
            f"v1:rls:{busy_talk.id}",
            f"v1:rxt:{busy_talk.id}",
            "v1:rlp:1",
            "v1:rxp:0",
        ],
    )
    assert outsider.documents == []
    assert not any("Ana" in sent.text for sent in outsider.messages)
    assert await audit_actions(session_factory) == []


async def test_stale_and_forged_buttons_are_answered_kindly(make_chat, api, busy_talk):
    staff = make_chat(STAFF_ID)
    await staff.send("/exportar")
    replies = await staff.press_data("v1:rxt:999999")
    assert "No encontré esa plática" in replies[-1].text
    assert staff.documents == []
    replies = await staff.press_data("v1:rls:999999")
    assert "No encontré esa plática" in replies[-1].text
    await staff.press_data("v1:rls:abc")
    assert api.alerts[-1].startswith("Este botón ya no está activo")
    replies = await staff.press_data("v1:rlp:99")
    assert "Ley Ingrid" in " ".join(replies[-1].labels())


async def test_no_talks_to_pick(make_chat):
    staff = make_chat(STAFF_ID)
    replies = await staff.send("/inscritos")
    assert "No hay pláticas" in replies[-1].text


async def test_roster_of_a_talk_nobody_joined(make_chat, session_factory, clock):
    talk = await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2))
    staff = make_chat(STAFF_ID)
    await staff.send("/inscritos")
    replies = await staff.press(talk.title)
    assert "Todavía no hay nadie inscrito" in replies[-1].text
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 1
