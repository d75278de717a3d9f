"""/aviso, /aviso_todos and /sin_avisos: what staff and servants see, through restarts too."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.app import build_application, dispose
from bot.models import AuditEntry, Notice, Servant
from bot.outbox import sender, store
from bot.outbox.sender import run_sender
from tests.conftest import STAFF_ID
from tests.factories import make_servant, make_talk
from tests.fakes import virtual_pacer
from tests.test_staff_rosters import OUTSIDER_ID, assert_not_authorized, enroll_people

HEADER = "Aviso de la Defensoría Municipal de Derechos Humanos de Toluca"
TEXT = "Mañana <b>no</b> hay atención & cerramos"
ESCAPED = "Mañana &lt;b&gt;no&lt;/b&gt; hay atención &amp; cerramos"


async def registered(session_factory, clock, count, *, first_id=60_000):
    return [
        await make_servant(session_factory, telegram_user_id=first_id + n, now=clock.now())
        for n in range(count)
    ]


async def mark(session_factory, servant, **values):
    async with session_factory.begin() as session:
        await session.execute(update(Servant).where(Servant.id == servant.id).values(**values))


async def notices_in_db(session_factory) -> list[Notice]:
    async with session_factory() as session:
        return list((await session.scalars(select(Notice))).all())


async def write_general_notice(staff, text=TEXT):
    await staff.send("/aviso_todos")
    return await staff.send(text)


def notices_to(api, chat_id):
    return [sent.text for sent in api.sent_to(chat_id) if HEADER in sent.text]


def staff_texts(api):
    return [sent.text for sent in api.sent_to(STAFF_ID)]


async def test_general_notice_reaches_everyone_who_can_get_it_once(
    make_chat, api, app, session_factory, clock
):
    ana, luis, opted, blocked = await registered(session_factory, clock, 4)
    await mark(session_factory, opted, notices_opt_out_at=clock.now())
    await mark(session_factory, blocked, unreachable_at=clock.now())
    staff = make_chat(STAFF_ID)

    [preview] = await write_general_notice(staff)
    assert "llegará a <b>2</b> personas" in preview.text
    assert ESCAPED in preview.text and "/sin_avisos" in preview.text
    assert await notices_in_db(session_factory) == []
    await staff.press("Enviar a 2")
    assert "enviados 0 de 2" in staff.last.text

    await run_sender(app)
    await run_sender(app)
    for servant in (ana, luis):
        [received] = notices_to(api, servant.chat_id)
        assert ESCAPED in received
        assert "escribe /sin_avisos" in received
    assert notices_to(api, opted.chat_id) == notices_to(api, blocked.chat_id) == []
    progress, report = staff_texts(api)[-2:]
    assert "enviados 2 de 2" in progress
    assert "Aviso terminado" in report and "Entregados: <b>2</b>" in report
    [notice] = await notices_in_db(session_factory)
    assert notice.total == 2 and notice.finished_at == clock.now()
    async with session_factory() as session:
        [(action, details)] = (
            await session.execute(select(AuditEntry.action, AuditEntry.details))
        ).all()
    assert action == "notice.create.all"
    assert json.loads(details) == {"talk_id": None, "recipients": 2}


async def test_talk_notice_goes_only_to_the_enrolled(make_chat, api, app, session_factory, clock):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=2), capacity=1, title="Peculado"
    )
    seated, waiting = await enroll_people(session_factory, clock, talk, ["Ana Ruiz", "Luis Paz"])
    [bystander] = await registered(session_factory, clock, 1)
    staff = make_chat(STAFF_ID)
    await staff.send("/aviso")
    await staff.press("Peculado")
    assert "inscritos de <b>Peculado</b>" in staff.last.text
    [preview] = await staff.send("El enlace cambió: https://meet.example.org/nuevo")
    assert "llegará a <b>1</b> personas" in preview.text
    await staff.press("Enviar a 1")
    await run_sender(app)

    [received] = notices_to(api, seated.chat_id)
    assert "Sobre la plática <b>Peculado</b>" in received
    assert "https://meet.example.org/nuevo" in received and "/sin_avisos" not in received
    assert notices_to(api, waiting.chat_id) == notices_to(api, bystander.chat_id) == []
    assert "Entregados: <b>1</b>" in staff_texts(api)[-1]


async def test_progress_is_counted_per_batch_and_blocked_are_reported(
    make_chat, app, session_factory, clock, monkeypatch
):
    servants = await registered(session_factory, clock, 5)
    refused = servants[2].chat_id

    def telegram(method, params):
        if method == "sendMessage" and int(params["chat_id"]) == refused:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: blocked"}
        return None

    app.bot.request.responder = telegram
    monkeypatch.setattr(sender, "BATCH_SIZE", 2)
    staff = make_chat(STAFF_ID)
    await write_general_notice(staff, "Feliz año")
    await staff.press("Enviar a 5")
    await run_sender(app)

    api = app.bot.request
    edits = [params["text"] for method, params in api.calls if method == "editMessageText"]
    counters = [text for text in edits if "enviados" in text]
    assert counters == [
        "📤 Enviando aviso: enviados 0 de 5",
        "📤 Enviando aviso: enviados 2 de 5",
        "📤 Enviando aviso: enviados 3 de 5",
        "📤 Enviando aviso: enviados 4 de 5",
    ]
    report = staff_texts(api)[-1]
    assert "Entregados: <b>4</b>" in report
    assert "Bloquearon el bot o ya no están disponibles: <b>1</b>" in report
    assert "No se pudieron enviar: <b>0</b>" in report


async def test_a_restart_resumes_without_repeating_or_skipping(
    make_chat, api, app, settings, session_factory, clock
):
    servants = await registered(session_factory, clock, 5)
    staff = make_chat(STAFF_ID)
    await write_general_notice(staff, "Aviso importante")
    await staff.press("Enviar a 5")
    async with session_factory.begin() as session:
        crashed = await store.claim_due(session, now=clock.now(), limit=2)
    assert len(crashed.to_send) == 2

    clock.advance(minutes=11)
    restarted = build_application(
        settings, request=api, clock=clock, pacer=virtual_pacer(settings.send_rate_per_second)
    )
    async with restarted:
        assert (await run_sender(restarted)).sent == 3
        assert (await run_sender(restarted)).sent == 0
    await dispose(restarted)

    received = [len(notices_to(api, s.chat_id)) for s in servants]
    assert sorted(received) == [0, 0, 1, 1, 1]
    interrupted = {d.servant_id for d in crashed.to_send}
    assert {s.id for s, n in zip(servants, received, strict=True) if n == 0} == interrupted
    report = staff_texts(api)[-1]
    assert "Entregados: <b>3</b>" in report and "No se pudieron enviar: <b>2</b>" in report
    assert [n.finished_at for n in await notices_in_db(session_factory)] == [clock.now()]


async def test_servants_opt_out_and_back_in(make_chat, api, app, session_factory, clock):
    ana = make_chat(60_000, "Ana")
    [servant] = await registered(session_factory, clock, 1)
    replies = await ana.send("/sin_avisos")
    assert "ya no te enviaré avisos" in replies[-1].text
    assert "recordatorios" in replies[-1].text
    assert "Ya tenías desactivados" in (await ana.send("/sin_avisos"))[-1].text

    staff = make_chat(STAFF_ID)
    [preview] = await write_general_notice(staff)
    assert "No hay a quién enviarlo" in preview.text and preview.labels() == []

    assert "Volverás a recibir" in (await ana.send("/con_avisos"))[-1].text
    assert "Ya recibes" in (await ana.send("/con_avisos"))[-1].text
    await write_general_notice(staff)
    await staff.press("Enviar a 1")
    await run_sender(app)
    assert len(notices_to(api, servant.chat_id)) == 1


async def test_opting_out_while_a_notice_is_queued_stops_it(
    make_chat, api, app, session_factory, clock
):
    _first, second = await registered(session_factory, clock, 2)
    staff = make_chat(STAFF_ID)
    await write_general_notice(staff)
    await staff.press("Enviar a 2")
    await make_chat(second.telegram_user_id).send("/sin_avisos")
    await run_sender(app)
    assert notices_to(api, second.chat_id) == []
    report = staff_texts(api)[-1]
    assert "Entregados: <b>1</b>" in report and "Pidieron no recibir avisos: <b>1</b>" in report


async def test_someone_never_registered_has_nothing_to_opt_out_of(chat, session_factory):
    replies = await chat.send("/sin_avisos")
    assert "No tengo datos tuyos" in replies[-1].text
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Servant)) == 0


async def test_outsiders_are_not_authorized_and_nothing_is_sent(
    make_chat, api, session_factory, clock
):
    talk = await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2))
    await enroll_people(session_factory, clock, talk, ["Ana Ruiz"])
    outsider = make_chat(OUTSIDER_ID)
    await outsider.send("/platicas")
    await assert_not_authorized(
        outsider,
        api,
        commands=["/aviso", "/aviso_todos"],
        buttons=[f"v1:avt:{talk.id}", "v1:avp:0", "v1:avs:123", "v1:avx:123"],
    )
    replies = await outsider.send("Hola a todos")
    assert not any("Vista previa" in reply.text for reply in replies)
    assert await notices_in_db(session_factory) == []


async def test_stale_double_and_cancelled_confirmations_send_nothing_twice(
    make_chat, api, app, session_factory, clock
):
    await registered(session_factory, clock, 1)
    staff = make_chat(STAFF_ID)
    await write_general_notice(staff)
    preview = staff.last
    confirm = preview.buttons[0][0]["callback_data"]
    await staff.press_data("v1:avs:1", on=preview)
    assert api.alerts[-1].startswith("Este aviso ya no está pendiente")
    await staff.press("Cancelar")
    assert "no envié nada" in staff.last.text
    await staff.press_data(confirm, on=preview)
    assert api.alerts[-1].startswith("Este aviso ya no está pendiente")
    assert await notices_in_db(session_factory) == []

    await write_general_notice(staff)
    button = staff.last.buttons[0][0]["callback_data"]
    await staff.press_data(button)
    await staff.press_data(button)
    assert api.alerts[-1].startswith("Este aviso ya no está pendiente")
    assert len(await notices_in_db(session_factory)) == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("   ", "El aviso está vacío"), ("x" * 3501, "tiene 3501 caracteres y el máximo es 3500")],
)
async def test_empty_or_too_long_text_is_asked_again(
    make_chat, session_factory, clock, typed, expected
):
    await registered(session_factory, clock, 1)
    staff = make_chat(STAFF_ID)
    [reply] = await write_general_notice(staff, typed)
    assert expected in reply.text
    [preview] = await staff.send("Ahora sí")
    assert "Vista previa" in preview.text


async def test_cancelar_while_typing_and_a_gone_talk(make_chat, session_factory, clock):
    staff = make_chat(STAFF_ID)
    await staff.send("/aviso_todos")
    assert "no envié nada" in (await staff.send("/cancelar"))[-1].text
    replies = await staff.send("Esto ya no es un aviso")
    assert not any("Vista previa" in reply.text for reply in replies)
    replies = await staff.press_data("v1:avt:999999")
    assert "No encontré esa plática" in replies[-1].text
    talk = await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2))
    await staff.send("/aviso")
    await staff.press(talk.title)
    [reply] = await staff.send("Nadie lo recibirá")
    assert "No hay a quién enviarlo" in reply.text


async def test_opting_out_of_general_notices_keeps_notices_about_ones_talks(
    make_chat, api, app, session_factory, clock
):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=2), title="Ética"
    )
    [seated] = await enroll_people(session_factory, clock, talk, ["Ana Ruiz"])
    await mark(session_factory, seated, notices_opt_out_at=clock.now())
    staff = make_chat(STAFF_ID)
    await staff.send("/aviso")
    await staff.press("Ética")
    [preview] = await staff.send("Cambió el enlace de la sesión")
    assert "llegará a <b>1</b> personas" in preview.text
    await staff.press("Enviar a 1")
    await run_sender(app)
    assert len(notices_to(api, seated.chat_id)) == 1


async def test_a_notice_whose_last_rows_were_interrupted_still_gets_its_report(
    make_chat, api, app, session_factory, clock
):
    await registered(session_factory, clock, 2)
    staff = make_chat(STAFF_ID)
    await write_general_notice(staff, "Aviso breve")
    await staff.press("Enviar a 2")
    async with session_factory.begin() as session:
        assert len((await store.claim_due(session, now=clock.now(), limit=5)).to_send) == 2

    clock.advance(minutes=11)
    await run_sender(app)

    report = staff_texts(api)[-1]
    assert "Aviso terminado" in report and "No se pudieron enviar: <b>2</b>" in report
