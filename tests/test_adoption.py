"""Another Defensoría adopts the bot by content only: Villa del Valle (invented).

Its folder is built as an office would build it: a copy of the project's `content/` with
its own `faq/` (office identity, help lines, a few entries) laid over it. Then a servant
enrolls, gets reminders, attends, receives the constancia, and the staff export the roster;
nothing the bot sends or generates may mention Toluca.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from bot.app import build_application, dispose
from bot.config import Settings
from bot.content import DEFAULT_CONTENT_DIR
from bot.content_check import check_content
from bot.models import Modality
from bot.outbox.sender import run_sender
from bot.texts import plain
from tests.chat import Chat, text_of
from tests.conftest import STAFF_ID
from tests.factories import make_talk
from tests.fakes import FakeBotApi, Sent
from tests.test_staff_attendance import open_code

VILLA = Path(__file__).resolve().parent / "offices" / "villa_del_valle"
OFFICE = "Defensoría Municipal de Derechos Humanos de Villa del Valle"


def adopted_folder(target: Path) -> Path:
    """The project's content with Villa del Valle's own files laid over it."""
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    shutil.rmtree(target / "faq")
    shutil.copytree(VILLA / "faq", target / "faq")
    return target


@pytest.fixture
def villa_dir(tmp_path: Path) -> Path:
    return adopted_folder(tmp_path / "contenido")


@pytest.fixture
async def villa_app(
    settings: Settings, villa_dir: Path, api: FakeBotApi, clock: Any
) -> AsyncIterator[Any]:
    adopted = settings.model_copy(update={"content_dir": villa_dir})
    application = build_application(adopted, request=api, clock=clock)
    async with application:
        yield application
    await dispose(application)


def test_both_folders_pass_the_check(villa_dir: Path) -> None:
    assert check_content(DEFAULT_CONTENT_DIR).problems == []
    report = check_content(villa_dir)
    assert report.problems == []
    assert report.office_name == OFFICE and report.faq_entries == 4


def everything_sent(api: FakeBotApi) -> list[str]:
    """Every text, caption, button and file the bot produced, as text."""
    produced = []
    for sent in api.messages.values():
        produced += [sent.text, sent.caption or "", *sent.labels(), sent.filename or ""]
        if sent.document is not None:
            produced.append(document_text(sent))
    produced += api.alerts
    return produced


def document_text(sent: Sent) -> str:
    data = sent.document or b""
    if data.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as workbook:
            return "\n".join(workbook.read(name).decode("utf-8") for name in workbook.namelist())
    return data.decode("utf-8-sig")


async def test_a_servant_and_the_staff_of_villa_del_valle_never_see_toluca(
    villa_app, api, session_factory, clock
):
    talk = await make_talk(
        session_factory,
        starts_at=clock.now() + timedelta(days=2),
        title="Ley Ingrid",
        modality=Modality.VIRTUAL,
    )
    ana = Chat(villa_app, api, user_id=5550001, first_name="Ana")
    greeting = text_of(await ana.send("/start"))
    assert OFFICE in greeting

    await ana.send("/platicas")
    await ana.press("Ley Ingrid")
    await ana.press("Inscribirme")
    notice = ana.last.text
    assert f"<b>{OFFICE}</b> es responsable" in notice
    assert "Domicilio: Plaza de la Constitución 1" in notice
    assert "Unidad de Transparencia del Ayuntamiento de Villa del Valle" in notice
    await ana.press("Acepto")
    await ana.send("Ana Ruiz Ñúñez")
    assert "Protección Civil" in ana.last.labels()
    await ana.press("Protección Civil")
    await ana.send("ana@villadelvalle.example")
    assert "tienes tu lugar" in ana.last.text

    [ics] = ana.documents
    assert ics.filename == f"platica-{talk.id}.ics"
    calendar = Calendar.from_ical(ics.document)
    assert "Villa del Valle" in str(calendar["PRODID"])
    organizer = calendar.walk("VEVENT")[0]["ORGANIZER"]
    assert str(organizer) == "mailto:defensoria@villadelvalle.example"
    assert organizer.params["CN"] == OFFICE

    contact = text_of(await ana.send("¿Cómo contacto a la defensoría de Villa del Valle?"))
    assert "555 010 2030" in contact
    assert "cohecho" in text_of(await ana.send("¿puedo aceptar una propina?"))
    crisis = text_of(await ana.send("mi esposo me está golpeando"))
    assert "Línea Violeta de Villa del Valle" in crisis
    assert "800 911 2000" in text_of(await ana.send("me quiero morir"))
    await ana.send("/ayuda")
    await ana.send("/mis_datos")

    clock.set(talk.starts_at - timedelta(hours=1))
    assert (await run_sender(villa_app)).sent >= 1
    clock.set(talk.starts_at + timedelta(minutes=10))
    staff = Chat(villa_app, api, user_id=STAFF_ID, first_name="Rocío")
    code = await open_code(staff, "Ley Ingrid")
    await ana.send(code)
    clock.set(talk.ends_at)
    assert (await run_sender(villa_app)).sent == 1
    pdf = ana.documents[-1]
    assert pdf.filename.startswith("constancia-DVV-")
    text = document_text(pdf)
    assert "DEFENSORÍA MUNICIPAL DE DERECHOS HUMANOS DE VILLA DEL VALLE" in text
    assert "Lic. Aurora Benítez Salgado" in text and "Coordinación de Capacitación" in text
    assert "Expedida en Villa del Valle" in text
    assert "Folio: DVV-" in pdf.caption

    await staff.send("/exportar")
    await staff.press("Ley Ingrid")
    csv_file, xlsx_file = staff.documents
    assert "Protección Civil" in document_text(csv_file)
    assert "Ana Ruiz" in document_text(xlsx_file)
    await staff.send("/aviso_todos")

    produced = everything_sent(api)
    assert len(produced) > 40
    assert [item for item in produced if "toluca" in item.lower()] == []


def test_the_default_organizer_is_the_office(villa_app) -> None:
    assert plain("staff_talks.default_organizer") == OFFICE
