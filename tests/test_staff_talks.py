"""The staff console for talks, as the office and the servants see it in the chat:
/nueva_platica, /editar_platica, /reprogramar, /cancelar_platica and a CSV sent to the bot."""

from __future__ import annotations

import inspect
import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.models import AuditEntry, Delivery, DeliveryKind, Modality, Talk, TalkStatus
from bot.outbox.sender import SENDER_JOB, run_sender
from bot.services import talk_admin
from bot.services.talk_import import TalkField
from bot.texts import plain, raw
from handlers import callbacks as cb
from handlers.staff import talks as staff_talks
from tests.chat import Chat, text_of
from tests.conftest import STAFF_ID
from tests.factories import make_talk
from tests.test_reminders import OFFSETS, _enrolled

DEEP_LINK = "https://t.me/defensoria_test_bot?start=platica_{id}"
NOT_AUTHORIZED = "No autorizado"
STALE = "ya no está activo"
HEADER = (
    "titulo,tema,descripcion,ponente,organiza,inicio,duracion_min,modalidad,enlace,sede,cupo\n"
)
PROGRAMME = HEADER + (
    'Ley Ingrid,Ley Ingrid,"Qué castiga, y dónde",Lic. Ana Ruiz,Defensoría Municipal,'
    "2026-12-08 10:00,90,virtual,https://meet.example.org/ingrid,,150\n"
    "Adultos mayores,Personas adultas mayores,,Lic. Rosa Díaz,DIF,"
    '2026-12-15 11:30,60,Presencial,,"Palacio Municipal, Sala 2",40\n'
)
_ids = itertools.count(900_000)


@pytest.fixture
def staff(make_chat) -> Chat:
    return make_chat(STAFF_ID, "Dulce")


@pytest.fixture
def outsider(make_chat) -> Chat:
    return make_chat(5550999, "Beto")


async def _talks(session_factory) -> list[Talk]:
    async with session_factory() as session:
        return list((await session.scalars(select(Talk).order_by(Talk.starts_at))).all())


async def _talk(session_factory, talk_id: int) -> Talk:
    async with session_factory() as session:
        return await session.get(Talk, talk_id)


async def _audit(session_factory) -> list[tuple[str, str | None]]:
    async with session_factory() as session:
        entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(entry.action, entry.target) for entry in entries]


async def _deliveries(session_factory) -> list[Delivery]:
    async with session_factory() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())


async def _open_field(staff: Chat, title: str, field: str) -> None:
    """/editar_platica → the talk → the field to change."""
    await staff.send("/editar_platica")
    await staff.press(title)
    await staff.press(field)


async def _fill_new_talk(staff: Chat, *, title: str = "Principios del servicio público") -> None:
    await staff.send("/nueva_platica")
    for answer in (title, "Principios", "Legalidad, honradez, lealtad.", "Lic. Laura Pérez"):
        await staff.send(answer)
    await staff.press("Defensoría Municipal")
    await staff.send("2026-12-10 10:00")
    await staff.send("90")
    await staff.press("Virtual")
    await staff.send("https://meet.example.org/principios")
    await staff.send("30")


async def test_staff_create_a_talk_question_by_question(staff, make_chat, session_factory):
    await staff.send("/nueva_platica")
    assert "Paso 1 de 10" in staff.last.text
    await staff.send("Ley Ingrid: qué es y cómo se aplica")
    await staff.send("Ley Ingrid")
    await staff.press("Sin descripción")
    await staff.send("Mtra. Sofía <Reyes> & equipo")
    await staff.press("Defensoría Municipal")
    assert "no es una fecha válida" in text_of(await staff.send("mañana a las 10"))
    assert "deben ser futuras" in text_of(await staff.send("2026-11-30 10:00"))
    await staff.send("2026-12-10 10:00")
    assert "no es una duración válida" in text_of(await staff.send("0"))
    await staff.send("90")
    await staff.press("Virtual")
    assert "no parece un enlace" in text_of(await staff.send("meet.example.org/ingrid"))
    await staff.send("https://meet.example.org/ingrid")
    assert "no es un cupo válido" in text_of(await staff.send("cuarenta"))
    await staff.send("40")

    preview = staff.last.text
    assert "Revisa la plática" in preview
    assert "jueves 10 de diciembre, 10:00 h (90 min)" in preview
    assert "Mtra. Sofía &lt;Reyes&gt; &amp; equipo" in preview
    assert "Cupo: 40" in preview and "(sin descripción)" in preview
    assert await _talks(session_factory) == []

    await staff.press("Guardar")
    [talk] = await _talks(session_factory)
    assert "Plática guardada" in staff.last.text
    assert DEEP_LINK.format(id=talk.id) in staff.last.text
    assert talk.starts_at == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    assert (talk.modality, talk.meeting_link, talk.venue) == (
        Modality.VIRTUAL,
        "https://meet.example.org/ingrid",
        None,
    )
    assert (talk.capacity, talk.duration_min, talk.description) == (40, 90, "")
    assert talk.organizer == "Defensoría Municipal de Derechos Humanos de Toluca"
    assert await _audit(session_factory) == [("talk.create", f"talk:{talk.id}")]

    servant = make_chat(5550101, "Ana")
    opened = await servant.send(f"/start platica_{talk.id}")
    assert "Ley Ingrid: qué es y cómo se aplica" in opened[0].text
    assert "Inscribirme" in " ".join(opened[0].labels())
    every_button = [b["callback_data"] for s in staff.messages for row in s.buttons for b in row]
    assert every_button and max(len(data.encode()) for data in every_button) <= 64


async def test_preview_can_be_corrected_and_abandoned(staff, session_factory):
    await _fill_new_talk(staff)
    await staff.press("Corregir")
    await staff.press("Cupo")
    assert "Paso 10 de 10" in staff.last.text
    await staff.send("55")
    assert "Cupo: 55" in staff.last.text

    await staff.press("Corregir")
    await staff.press("Modalidad")
    await staff.press("Presencial")
    assert "sede" in staff.last.text
    await staff.send("Palacio Municipal, Sala de Cabildo")
    assert "Presencial · Palacio Municipal, Sala de Cabildo" in staff.last.text
    assert "meet.example.org" not in staff.last.text

    await staff.press("Corregir")
    await staff.press("Volver a la vista previa")
    assert "Revisa la plática" in staff.last.text
    await staff.press("Cancelar")
    assert "no guardé ningún cambio" in staff.last.text
    assert await _talks(session_factory) == []


async def test_a_save_button_from_an_abandoned_draft_does_nothing(staff, session_factory, api):
    await _fill_new_talk(staff)
    old_preview = staff.last
    [save_data] = [
        b["callback_data"] for row in old_preview.buttons for b in row if "Guardar" in b["text"]
    ]
    await staff.send("/cancelar")
    await staff.press_data(save_data, old_preview)
    assert STALE in api.alerts[-1]
    assert await _talks(session_factory) == []

    await _fill_new_talk(staff)
    await staff.press("Guardar")
    await staff.press_data(save_data, old_preview)
    assert STALE in api.alerts[-1]
    assert len(await _talks(session_factory)) == 1


async def test_the_same_title_on_the_same_day_is_refused(staff, session_factory):
    await _fill_new_talk(staff, title="Cohecho")
    await staff.press("Guardar")
    await _fill_new_talk(staff, title="  COHECHO ")
    await staff.press("Guardar")
    [talk] = await _talks(session_factory)
    assert f"Ya existe una plática con ese título ese mismo día (#{talk.id})" in staff.last.text


async def test_cancelar_and_commands_leave_the_guided_flow(staff, session_factory):
    await staff.send("/nueva_platica")
    await staff.send("Feminicidio")
    await staff.send("/cancelar")
    assert "no guardé ningún cambio" in staff.last.text
    await staff.send("Hola, ¿qué tal?")
    assert "Soy el asistente" in staff.last.text
    assert await _talks(session_factory) == []


async def test_buttons_are_expected_where_there_are_buttons(staff):
    await staff.send("/nueva_platica")
    for answer in ("Feminicidio", "Prevención", "Descripción.", "Lic. Ana", "DIF"):
        await staff.send(answer)
    await staff.send("2026-12-10 10:00")
    await staff.send("60")
    assert "Elige una de las opciones" in text_of(await staff.send("virtual"))
    await staff.press("Virtual")
    assert "como texto" in text_of(await staff.send_sticker())


async def test_a_timed_out_draft_is_dropped_and_the_staff_told(app, staff):
    await app.job_queue.start()
    app.job_queue.scheduler.pause()
    try:
        await staff.send("/nueva_platica")
        await staff.send("Ley Ingrid")
        jobs = [job for job in app.job_queue.jobs() if job.name != SENDER_JOB]
        await jobs[-1].run(app)
    finally:
        await app.job_queue.stop(wait=False)
    assert "descarté lo que estabas capturando" in staff.last.text
    await staff.send("¿Qué es el cohecho?")
    assert "Paso" not in staff.last.text


async def test_more_capacity_promotes_the_waiting_list(app, api, staff, session_factory, clock):
    talk, [_, luis] = await _enrolled(
        session_factory, clock, people=2, capacity=1, title="Peculado"
    )
    await _open_field(staff, "Peculado", "Cupo")
    assert "Ahora: <code>1</code>" in staff.last.text
    assert "no es un cupo válido" in text_of(await staff.send("0"))
    assert "mismo dato" in text_of(await staff.send("1"))
    await staff.send("3")
    assert "Cupo: 1 → <b>3</b>" in staff.last.text
    await staff.press("Confirmar")
    assert "actualicé <b>Peculado</b>" in staff.last.text
    assert "1 persona(s) de la lista de espera ya tienen lugar" in staff.last.text

    assert (await run_sender(app)).sent == 1
    assert "Se liberó un lugar y es tuyo" in api.sent_to(luis.chat_id)[0].text
    edited = await _talk(session_factory, talk.id)
    assert (edited.capacity, edited.sequence) == (3, 0)
    assert await _audit(session_factory) == [("talk.edit", f"talk:{talk.id}")]


async def test_capacity_never_drops_below_the_seats_taken(staff, session_factory, clock):
    talk, _ = await _enrolled(session_factory, clock, people=2, capacity=5, title="Lealtad")
    await _open_field(staff, "Lealtad", "Cupo")
    await staff.send("1")
    assert "Ya hay 2 persona(s) inscritas" in staff.last.text
    assert (await _talk(session_factory, talk.id)).capacity == 5
    assert await _audit(session_factory) == []


async def test_a_new_link_reaches_the_reminders_and_the_calendar(
    app, api, staff, session_factory, clock
):
    talk, [ana] = await _enrolled(session_factory, clock, title="Ley Ingrid")
    await _open_field(staff, "Ley Ingrid", "Enlace")
    await staff.send("https://meet.example.org/nueva-sala")
    assert "https://meet.example.org/abc-defg → <b>https://meet.example.org/nueva-sala" in (
        staff.last.text
    )
    await staff.press("Confirmar")
    assert "/aviso" in staff.last.text
    assert (await _talk(session_factory, talk.id)).sequence == 1

    clock.set(talk.starts_at - timedelta(hours=24))
    assert (await run_sender(app)).sent == 1
    assert "https://meet.example.org/nueva-sala" in api.sent_to(ana.chat_id)[0].text


async def test_a_virtual_talk_becomes_presencial_with_its_venue(staff, session_factory, clock):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=3), title="Adultos mayores"
    )
    await _open_field(staff, "Adultos mayores", "Modalidad")
    await staff.press("Presencial")
    assert "sede" in staff.last.text
    await staff.send("Palacio Municipal, Sala de Cabildo")
    assert "Modalidad: 💻 Virtual → <b>📍 Presencial</b>" in staff.last.text
    await staff.press("Confirmar")
    edited = await _talk(session_factory, talk.id)
    assert (edited.modality, edited.venue, edited.meeting_link) == (
        Modality.PRESENCIAL,
        "Palacio Municipal, Sala de Cabildo",
        None,
    )
    assert edited.sequence == 1


async def test_editing_the_start_goes_through_the_reschedule(
    app, api, staff, session_factory, clock
):
    _, [ana] = await _enrolled(session_factory, clock, title="Honradez")
    await _open_field(staff, "Honradez", "Fecha y hora")
    assert "Ahora: <code>2026-12-04 09:00</code>" in staff.last.text
    await staff.send("2026-12-07 12:00")
    assert "Avisaré a 1 persona(s)" in staff.last.text
    await staff.press("Sí, reprogramar")
    assert (await run_sender(app)).sent == 1
    assert "lunes 7 de diciembre, 12:00 h" in api.sent_to(ana.chat_id)[0].text


async def test_reschedule_tells_everyone_and_moves_the_reminders(
    app, api, staff, session_factory, clock
):
    talk, [ana, luis] = await _enrolled(
        session_factory, clock, people=2, capacity=1, title="Feminicidio"
    )
    await staff.send("/reprogramar")
    await staff.press("Feminicidio")
    assert "misma fecha y hora" in text_of(await staff.send("2026-12-04 09:00"))
    assert "deben ser futuras" in text_of(await staff.send("2026-12-01 08:00"))
    await staff.send("2026-12-06 10:00")
    confirm = staff.last.text
    assert "Antes: viernes 4 de diciembre, 09:00 h" in confirm
    assert "Ahora: <b>domingo 6 de diciembre, 10:00 h</b>" in confirm
    assert "Avisaré a 2 persona(s)" in confirm
    await staff.press("Sí, reprogramar")
    assert "Reprogramé <b>Feminicidio</b> para el domingo 6 de diciembre" in staff.last.text

    assert (await run_sender(app)).sent == 2
    new_start = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    for person in (ana, luis):
        assert "Cambio de horario" in api.sent_to(person.chat_id)[0].text
    [ics] = [sent.document for sent in api.sent_to(ana.chat_id) if sent.document]
    assert Calendar.from_ical(ics).walk("VEVENT")[0].decoded("DTSTART") == new_start
    reminders = {
        delivery.offset_minutes: delivery.due_at
        for delivery in await _deliveries(session_factory)
        if delivery.kind == DeliveryKind.REMINDER
    }
    assert reminders == {1440: new_start - OFFSETS[0], 60: new_start - OFFSETS[1]}
    assert await _audit(session_factory) == [("talk.reschedule", f"talk:{talk.id}")]


async def test_cancel_asks_first_then_tells_everyone(
    app, api, staff, make_chat, session_factory, clock
):
    talk, [ana, luis] = await _enrolled(
        session_factory, clock, people=2, capacity=1, title="Cohecho"
    )
    await staff.send("/cancelar_platica")
    await staff.press("Cohecho")
    assert "Avisaré a 2 persona(s)" in staff.last.text
    await staff.press("No, dejarla como está")
    assert (await _talk(session_factory, talk.id)).status == TalkStatus.SCHEDULED

    await staff.send("/cancelar_platica")
    await staff.press("Cohecho")
    await staff.press("Sí, cancelar la plática")
    assert "Cancelé <b>Cohecho</b>. Estoy avisando a 2 persona(s)" in staff.last.text
    assert (await run_sender(app)).sent == 2
    for person in (ana, luis):
        assert "fue cancelada" in api.sent_to(person.chat_id)[0].text
    assert "no hay pláticas programadas" in (await make_chat(5550102).send("/platicas"))[0].text
    assert await _audit(session_factory) == [("talk.cancel", f"talk:{talk.id}")]


async def test_no_upcoming_talks_to_choose(staff):
    for command in ("/editar_platica", "/reprogramar", "/cancelar_platica"):
        assert "No hay pláticas próximas" in text_of(await staff.send(command))


async def test_a_csv_sent_to_the_bot_imports_the_programme(
    app, api, staff, session_factory, clock
):
    mayores, [ana, luis] = await _enrolled(
        session_factory,
        clock,
        people=2,
        capacity=1,
        title="Adultos mayores",
        starts_in=datetime(2026, 12, 15, 16, 0, tzinfo=UTC) - clock.now(),
    )
    async with session_factory.begin() as session:
        (await session.get(Talk, mayores.id)).import_key = "adultos mayores@2026-12-15"

    replies = await staff.send_document("programa.csv", PROGRAMME.encode("utf-8-sig"))

    answer = text_of(replies)
    ingrid, _ = await _talks(session_factory)
    assert "Programa importado" in answer and "1 creada(s), 1 actualizada(s)" in answer
    assert f"🆕 #{ingrid.id} <b>Ley Ingrid</b> · martes 8 de diciembre, 10:00 h" in answer
    assert DEEP_LINK.format(id=ingrid.id) in answer
    assert f"✏️ #{mayores.id} <b>Adultos mayores</b> · martes 15 de diciembre, 11:30 h" in answer
    assert "Aviso del cambio de horario a 2 persona(s)" in answer
    assert "1 persona(s) pasaron de la lista de espera" in answer
    assert ingrid.starts_at == datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
    updated = await _talk(session_factory, mayores.id)
    assert (updated.capacity, updated.venue) == (40, "Palacio Municipal, Sala 2")
    assert await _audit(session_factory) == [("talk.import", None)]

    assert (await run_sender(app)).sent == 3
    assert "Cambio de horario" in api.sent_to(ana.chat_id)[0].text
    assert any("Se liberó un lugar" in sent.text for sent in api.sent_to(luis.chat_id))


async def test_a_bad_csv_gets_the_line_numbered_report_and_imports_nothing(staff, session_factory):
    bad = PROGRAMME + (
        "Sin fecha,Tema,,Ponente,Organiza,2030-02-30 10:00,90,virtual,https://x.org/a,,10\n"
        "Sin enlace,Tema,,Ponente,Organiza,2030-04-01 10:00,0,virtual,,,-5\n"
        "<b>Rara</b>,Tema,,Ponente,Organiza,2030-04-02 10:00,60,<i>híbrida</i>,,,10\n"
    )
    answer = text_of(await staff.send_document("programa.csv", bad.encode()))
    assert "No se importó nada: el archivo tiene 5 error(es)" in answer
    for where in (
        "fila 4, columna inicio",
        "fila 5, columna duracion_min",
        "fila 5, columna enlace",
        "fila 5, columna cupo",
        "fila 6, columna modalidad: «&lt;i&gt;híbrida&lt;/i&gt;» no es una modalidad",
    ):
        assert where in answer
    assert await _talks(session_factory) == []
    assert await _audit(session_factory) == []


async def test_a_large_bad_file_gets_one_message_and_the_report_attached(staff):
    rows = "".join(f"Plática {n},Tema,,P,O,2030-13-01 10:00,90,virtual,,,0\n" for n in range(1600))
    replies = await staff.send_document("programa.csv", (HEADER + rows).encode())
    texts = [sent for sent in replies if sent.document is None]
    assert len(texts) == 1 and len(texts[0].text) <= 4096
    assert "el archivo tiene 4800 error(es)" in texts[0].text
    assert "fila 2, columna inicio" in texts[0].text and "4790 error(es) más" in texts[0].text
    [report] = staff.documents
    lines = report.document.decode("utf-8-sig").splitlines()
    assert lines[0] == "fila,columna,problema" and len(lines) == 4801
    assert lines[-1].startswith("1601,enlace,")


async def test_a_large_good_file_gets_one_message_and_the_talks_attached(staff, session_factory):
    rows = "".join(
        f"Plática {n},Tema,,P,O,2030-03-{1 + n % 28:02d} {8 + n // 28}:00,60,virtual,"
        f"https://meet.example.org/{n},,10\n"
        for n in range(300)
    )
    replies = await staff.send_document("programa.csv", (HEADER + rows).encode())
    texts = [sent for sent in replies if sent.document is None]
    assert len(texts) == 1 and "300 creada(s)" in texts[0].text
    [listing] = staff.documents
    lines = listing.document.decode("utf-8-sig").splitlines()
    assert len(lines) == 301 and "https://t.me/" in lines[1]
    assert len(await _talks(session_factory)) == 300


async def test_an_excel_file_with_semicolons_and_trailing_columns_imports(staff, session_factory):
    excel = (
        "titulo;tema;descripcion;ponente;organiza;inicio;duracion_min;modalidad;enlace;sede;cupo;;\r\n"
        'Ley Ingrid;Ley Ingrid;"Qué castiga;\r\ny dónde";Lic. Ana Ruiz;Defensoría;'
        "2030-12-08 10:00;90;virtual;https://meet.example.org/ingrid;;150;;\r\n"
        ";;;;;;;;;;;;\r\n"
    )
    answer = text_of(await staff.send_document("programa.csv", excel.encode("utf-8-sig")))
    assert "Programa importado" in answer and "1 creada(s)" in answer
    [talk] = await _talks(session_factory)
    assert "castiga;" in talk.description and "y dónde" in talk.description
    assert (talk.capacity, talk.duration_min) == (150, 90)


async def test_unreadable_or_huge_files_are_refused_kindly(staff, session_factory):
    latin1 = PROGRAMME.encode("latin-1")
    assert "no está en UTF-8" in text_of(await staff.send_document("a.csv", latin1))
    huge = await staff.send_document("b.csv", b"x", size=2 * 1024 * 1024)
    assert "pesa más de 1 MB" in text_of(huge)
    assert await _talks(session_factory) == []


async def test_a_csv_mid_draft_is_imported_and_the_draft_survives(staff, session_factory):
    await staff.send("/nueva_platica")
    await staff.send("Ley Ingrid")
    await staff.send_document("programa.csv", PROGRAMME.encode())
    assert "Programa importado" in staff.last.text
    await staff.send("Ley Ingrid")
    assert "Paso 3 de 10" in staff.last.text


STAFF_COMMANDS = ("/nueva_platica", "/editar_platica", "/reprogramar", "/cancelar_platica")


async def test_non_staff_are_refused_every_command_and_file(outsider, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=3), title="Lealtad")
    for command in STAFF_COMMANDS:
        assert NOT_AUTHORIZED in text_of(await outsider.send(command))
    await outsider.send("Ley Ingrid")
    assert "Paso" not in outsider.last.text
    assert NOT_AUTHORIZED in text_of(
        await outsider.send_document("programa.csv", PROGRAMME.encode())
    )
    other = await outsider.send_document("foto.pdf", b"%PDF", mime="application/pdf")
    assert NOT_AUTHORIZED not in text_of(other)
    assert [talk.title for talk in await _talks(session_factory)] == ["Lealtad"]
    assert await _audit(session_factory) == []


async def test_non_staff_are_refused_every_button_even_with_a_real_draft_token(
    api, staff, outsider, session_factory, clock
):
    talk, _ = await _enrolled(session_factory, clock, capacity=1, title="Lealtad")
    await _fill_new_talk(staff)
    token = re.search(r"v1:kok:([0-9a-f]{8})", str(staff.last.buttons)).group(1)
    await outsider.send("/platicas")
    forged = [
        cb.data(staff_talks.PICK_EDIT, talk.id),
        cb.data(staff_talks.PICK_RESCHEDULE, talk.id),
        cb.data(staff_talks.PICK_CANCEL, talk.id),
        cb.data(staff_talks.FIELD, token, "cupo"),
        cb.data(staff_talks.MODALITY, token, "virtual"),
        cb.data(staff_talks.DEFAULT, token),
        cb.data(staff_talks.SAVE, token),
        cb.data(staff_talks.CORRECT, token),
        cb.data(staff_talks.BACK, token),
        cb.data(staff_talks.ABORT),
        cb.data(staff_talks.RESCHEDULE_YES, talk.id, 29_500_000),
        cb.data(staff_talks.CANCEL_YES, talk.id),
    ]
    for data in forged:
        before = len(api.alerts)
        await outsider.press_data(data)
        assert api.alerts[before:] == [plain("staff.not_authorized")], data

    unchanged = await _talk(session_factory, talk.id)
    assert (unchanged.status, unchanged.starts_at, unchanged.sequence) == (
        TalkStatus.SCHEDULED,
        talk.starts_at,
        0,
    )
    assert [t.title for t in await _talks(session_factory)] == ["Lealtad"]
    assert await _audit(session_factory) == []
    kinds = {delivery.kind for delivery in await _deliveries(session_factory)}
    assert kinds == {DeliveryKind.REMINDER}
    await staff.press("Guardar")
    assert "Plática guardada" in staff.last.text


async def test_stale_and_forged_buttons_change_nothing(api, staff, session_factory, clock):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=3), title="Lealtad"
    )
    gone = await make_talk(
        session_factory,
        starts_at=clock.now() + timedelta(days=4),
        title="Retirada",
        status=TalkStatus.CANCELLED,
    )
    started = await make_talk(
        session_factory, starts_at=clock.now() - timedelta(minutes=10), title="En curso"
    )
    await staff.send("/editar_platica")

    await staff.press_data(cb.data(staff_talks.SAVE, "deadbeef"))
    assert STALE in api.alerts[-1]
    await staff.press_data(cb.data(staff_talks.FIELD, "deadbeef", "cupo"))
    assert STALE in api.alerts[-1]
    assert "No encontré esa plática" in text_of(
        await staff.press_data(cb.data(staff_talks.PICK_EDIT, 999_999))
    )
    assert "está cancelada" in text_of(
        await staff.press_data(cb.data(staff_talks.CANCEL_YES, gone.id))
    )
    assert "ya comenzó" in text_of(
        await staff.press_data(cb.data(staff_talks.PICK_CANCEL, started.id))
    )
    past = int((clock.now() - timedelta(days=1)).timestamp() // 60)
    assert "deben ser futuras" in text_of(
        await staff.press_data(cb.data(staff_talks.RESCHEDULE_YES, talk.id, past))
    )
    [fields] = await staff.press("Lealtad")
    token = re.search(r"v1:kfd:([0-9a-f]{8})", str(fields.buttons)).group(1)
    await staff.press_data(cb.data(staff_talks.FIELD, token, "hack"))
    assert STALE in api.alerts[-1]
    await staff.press_data(cb.data(staff_talks.SAVE, token))
    assert STALE in api.alerts[-1]
    await staff.press_data("v1:kfd:" + "x" * 70)
    assert "Este botón ya no está activo" in api.alerts[-1]

    assert (await _talk(session_factory, talk.id)).sequence == 0
    assert (await _talk(session_factory, gone.id)).sequence == 0
    assert await _audit(session_factory) == []


def test_every_error_code_and_field_has_a_text():
    codes = set(re.findall(r'TalkAdminError\("([a-z0-9_]+)"', inspect.getsource(talk_admin)))
    assert {"invalid", "not_found", "duplicate", "not_utf8"} <= codes
    for code in codes:
        assert raw(f"staff_talks.error.{code}")
    for talk_field in TalkField:
        assert raw(f"staff_talks.fields.{talk_field}")
        assert raw(f"staff_talks.ask.{talk_field}")
    for modality in Modality:
        assert raw(f"staff_talks.modalities.{modality.value}")
