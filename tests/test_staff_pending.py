"""The learning loop as servants and staff live it: questions the assistant could not answer
are kept without personal data, shown once two servants asked, taught to the assistant
from /pendientes (answered at once), listed and removed with /frases, purged at 180 days."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.housekeeping import purge_expired_questions
from bot.models import (
    AuditEntry,
    Servant,
    TaughtPhrasing,
    UnansweredAsker,
    UnansweredQuestion,
)
from bot.outbox.sender import run_sender
from tests.chat import Chat, text_of
from tests.conftest import STAFF_ID, restarted
from tests.test_constancias import _attend as attend

NOT_AUTHORIZED = "No autorizado"
QUESTION = "¿qué hago con el gafete del curso de la semana pasada?"
SERVANTS = (5550101, 5550102, 5550103, 5550104)


async def rows(session_factory) -> list[tuple[str, int, int]]:
    """(sample, times asked, distinct askers) of every stored question."""
    async with session_factory() as session:
        askers = (
            select(func.count(UnansweredAsker.id))
            .where(UnansweredAsker.question_id == UnansweredQuestion.id)
            .scalar_subquery()
        )
        result = await session.execute(
            select(UnansweredQuestion.sample, UnansweredQuestion.count, askers).order_by(
                UnansweredQuestion.id
            )
        )
        return [tuple(row) for row in result]


async def audit_rows(session_factory) -> list[tuple[str, str | None, str | None]]:
    async with session_factory() as session:
        entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(entry.action, entry.target, entry.details) for entry in entries]


async def ask_by(make_chat, question: str, *user_ids: int) -> None:
    for user_id in user_ids:
        replies = await make_chat(user_id).send(question)
        assert "Fuente:" not in replies[-1].text


def engine_of(app):
    return app.bot_data["runtime"].faq


# What is stored


async def test_an_email_and_a_phone_are_never_stored(chat, session_factory):
    await chat.send(
        "hola, soy de catastro, mi correo es ana.lopez@toluca.gob.mx y mi cel +52 (722) 123-4567"
        " ¿qué hago con el gafete del curso?"
    )

    [(sample, _, _)] = await rows(session_factory)
    assert "ana.lopez" not in sample and "toluca.gob.mx" not in sample and "@" not in sample
    assert "722" not in sample and "4567" not in sample
    assert "«correo»" in sample and "«teléfono»" in sample
    assert "gafete del curso" in sample


async def test_a_nul_character_is_stripped_before_storing(chat, session_factory):
    await chat.send("¿qué hago con el\x00 gafete?")

    [(sample, _, _)] = await rows(session_factory)
    assert "\x00" not in sample and sample == "¿qué hago con el gafete?"


async def test_nobody_who_asked_is_stored(make_chat, session_factory):
    await ask_by(make_chat, QUESTION, *SERVANTS[:2])

    async with session_factory() as session:
        hashes = (await session.scalars(select(UnansweredAsker.asker_hash))).all()
    assert len(hashes) == 2 and len(set(hashes)) == 2
    assert not any(str(user_id) in value for value in hashes for user_id in SERVANTS)


async def test_similar_wordings_are_grouped(make_chat, session_factory):
    await make_chat(SERVANTS[0]).send(QUESTION)
    await make_chat(SERVANTS[1]).send("Que hago con el GAFETE del curso de la semana pasada???")

    assert await rows(session_factory) == [(QUESTION, 2, 2)]


async def test_staff_trying_the_bot_are_not_logged(make_chat, session_factory):
    await make_chat(STAFF_ID).send(QUESTION)

    assert await rows(session_factory) == []


async def test_answers_typed_during_sign_up_are_not_logged_even_after_a_restart(
    chat, settings, api, clock, session_factory
):
    await chat.send("/mis_datos")
    await chat.press("Acepto")
    assert "nombre" in chat.last.text.lower()

    # The conversation's step is persisted: after the restart it takes the name, and a
    # question typed at the next step is answered there, never logged.
    async with restarted(settings, api, clock) as second:
        servant = Chat(second, api, user_id=chat.user_id)
        await servant.send("Ana María López Pérez")
        assert "dependencia" in servant.last.text
        assert "Sigo esperando" in text_of(await servant.send(QUESTION))
        assert await rows(session_factory) == []

        await servant.send("/cancelar")
        await servant.send(QUESTION)
    assert [sample for sample, _, _ in await rows(session_factory)] == [QUESTION]


async def test_a_survey_comment_typed_after_a_restart_is_not_logged(
    app, settings, api, make_chat, session_factory, clock
):
    talk, ana = await attend(make_chat, session_factory, clock)
    clock.set(talk.ends_at + timedelta(hours=2))
    await run_sender(app)
    await ana.press("4")

    async with restarted(settings, api, clock) as second:
        await Chat(second, api, user_id=ana.user_id).send(
            "Muy clara la licenciada Pérez, soy Ana Ruiz de Catastro"
        )

    assert await rows(session_factory) == []


async def test_finishing_the_sign_up_lets_questions_be_logged_again(chat, session_factory):
    await chat.send("/mis_datos")
    await chat.press("Acepto")
    await chat.send("Ana María López Pérez")
    await chat.press("Otra")
    await chat.send("Dirección de Catastro")
    await chat.press("Prefiero no darlo")
    async with session_factory() as session:
        assert await session.scalar(select(Servant.awaiting_reply_until)) is None

    await chat.send(QUESTION)

    assert [sample for sample, _, _ in await rows(session_factory)] == [QUESTION]


# /pendientes


async def test_one_servant_asking_twice_is_not_listed_two_servants_are(make_chat, session_factory):
    staff = make_chat(STAFF_ID)
    await ask_by(make_chat, QUESTION, SERVANTS[0], SERVANTS[0])

    [reply] = await staff.send("/pendientes")
    assert "No hay preguntas pendientes" in reply.text

    await ask_by(make_chat, QUESTION, SERVANTS[1])
    [reply] = await staff.send("/pendientes")

    assert "❓ <b>Preguntas sin respuesta</b> (1)" in reply.text
    assert f"1. «{QUESTION}»\n      3 veces · 2 personas · última vez:" in reply.text
    assert reply.labels() == ["✏️ 1"]
    assert [action for action, _, _ in await audit_rows(session_factory)] == [
        "faq.pending_viewed",
        "faq.pending_viewed",
    ]


async def test_questions_are_shown_as_typed_and_escaped(make_chat):
    await ask_by(make_chat, "<b>¿Hay</b> gafete & café?", *SERVANTS[:2])

    [reply] = await make_chat(STAFF_ID).send("/pendientes")

    assert "1. «&lt;b&gt;¿Hay&lt;/b&gt; gafete &amp; café?»" in reply.text


async def test_the_most_asked_come_first(make_chat):
    await ask_by(make_chat, "¿dónde recojo mi gafete del curso?", *SERVANTS[:2])
    await ask_by(make_chat, QUESTION, *SERVANTS[:3])

    [reply] = await make_chat(STAFF_ID).send("/pendientes")

    first, second = reply.text.split("\n\n")[2:]
    assert first.startswith(f"1. «{QUESTION}»") and "3 personas" in first
    assert second.startswith("2. «¿dónde recojo mi gafete del curso?»")


async def test_staff_attach_a_suggestion_and_the_next_servant_is_answered_at_once(
    make_chat, app, session_factory
):
    await ask_by(make_chat, QUESTION, *SERVANTS[:2])
    staff = make_chat(STAFF_ID)
    await staff.send("/pendientes")

    [detail] = await staff.press("✏️ 1")
    suggestions = [label for label in detail.labels() if label.startswith("➕ ")]
    assert f"❓ «{QUESTION}»\n2 veces · 2 personas" in detail.text
    assert 1 <= len(suggestions) <= 3
    assert {"📚 Buscar por tema", "✔️ Descartar (no se agrega)"} <= set(detail.labels())
    entry_id = detail.buttons[0][0]["callback_data"].rsplit(":", 1)[1]
    entry = engine_of(app).entry(entry_id)
    assert all(len(b["callback_data"].encode()) <= 64 for row in detail.buttons for b in row)

    [done] = await staff.press(suggestions[0])

    assert done.message_id == detail.message_id
    assert f"«{QUESTION}» ahora se responde con «{entry.question}»" in done.text
    replies = await make_chat(SERVANTS[2]).send(QUESTION)
    assert entry.source in replies[-1].text and "Fuente:" in replies[-1].text
    assert await rows(session_factory) == []
    action, target, details = (await audit_rows(session_factory))[-1]
    assert (action, target) == ("faq.phrasing_added", f"entry:{entry_id}")
    assert json.loads(details).keys() == {"phrasing", "askers", "count"}
    assert json.loads(details)["askers"] == 2


async def test_staff_attach_through_topic_and_entry(make_chat, app, session_factory):
    engine = engine_of(app)
    topic = engine.topics[0]
    entry = engine.entries_for_topic(topic.id)[-1]
    await ask_by(make_chat, QUESTION, *SERVANTS[:2])
    staff = make_chat(STAFF_ID)
    await staff.send("/pendientes")
    await staff.press("✏️ 1")

    [topics] = await staff.press("📚 Buscar por tema")
    assert "Elige el tema" in topics.text and "⬅️ Volver" in topics.labels()
    [entries] = await staff.press(topic.title)
    assert topic.title in entries.text
    await staff.press(entry.question[:30])

    async with session_factory() as session:
        taught = (await session.scalars(select(TaughtPhrasing))).all()
    assert [(row.entry_id, row.text) for row in taught] == [(entry.id, QUESTION)]
    replies = await make_chat(SERVANTS[3]).send(QUESTION)
    assert entry.source in replies[-1].text


async def test_phrasings_are_listed_and_removed_at_once(make_chat, app, session_factory, api):
    await ask_by(make_chat, QUESTION, *SERVANTS[:2])
    staff = make_chat(STAFF_ID)
    await staff.send("/pendientes")
    await staff.press("✏️ 1")
    await staff.press("➕ ")
    entry_id = (await audit_rows(session_factory))[-1][1].removeprefix("entry:")
    entry = engine_of(app).entry(entry_id)

    [listing] = await staff.send("/frases")

    assert "🧠 <b>Frases enseñadas</b> (1)" in listing.text
    assert f"1. «{QUESTION}»\n      → {entry.question[:20]}" in listing.text
    assert listing.labels() == ["🗑️ 1"]
    remove = listing.buttons[0][0]["callback_data"]

    [redrawn] = await staff.press("🗑️ 1")

    assert "Todavía no hay frases enseñadas" in redrawn.text
    replies = await make_chat(SERVANTS[2]).send(QUESTION)
    assert "Fuente:" not in replies[-1].text
    assert [action for action, _, _ in await audit_rows(session_factory)][-2:] == [
        "faq.phrasings_viewed",
        "faq.phrasing_removed",
    ]
    await staff.press_data(remove, on=redrawn)
    assert api.alerts[-1].startswith("Esa frase ya no estaba")


async def test_taught_phrasings_join_the_index_at_start_up(app, make_chat, session_factory, clock):
    async with session_factory.begin() as session:
        session.add(
            TaughtPhrasing(
                entry_id="regalos_propinas",
                text=QUESTION,
                normalized="x",
                created_at=clock.now(),
            )
        )

    await app.post_init(app)

    replies = await make_chat(SERVANTS[0]).send(QUESTION)
    assert engine_of(app).entry("regalos_propinas").source in replies[-1].text


async def test_dismissing_redraws_the_list_and_a_second_tap_is_harmless(
    make_chat, session_factory, api
):
    await ask_by(make_chat, QUESTION, *SERVANTS[:2])
    await ask_by(make_chat, "¿dónde recojo mi gafete del curso?", *SERVANTS[:3])
    staff = make_chat(STAFF_ID)
    [listing] = await staff.send("/pendientes")
    await staff.press("✏️ 1")

    [redrawn] = await staff.press("✔️ Descartar")

    assert redrawn.message_id == listing.message_id
    assert "sin respuesta</b> (1)" in redrawn.text and f"«{QUESTION}»" in redrawn.text
    assert [sample for sample, _, _ in await rows(session_factory)] == [QUESTION]
    action, target, _ = (await audit_rows(session_factory))[-1]
    assert action == "faq.question_dismissed" and target.startswith("unanswered:")

    question_id = target.removeprefix("unanswered:")
    await staff.press_data(f"v1:pqd:{question_id}", on=redrawn)
    assert api.alerts[-1].startswith("Esa pregunta ya no estaba en la lista")
    await staff.press_data(f"v1:pqo:{question_id}", on=redrawn)
    assert api.alerts[-1].startswith("Esa pregunta ya no estaba en la lista")
    assert [sample for sample, _, _ in await rows(session_factory)] == [QUESTION]


async def test_stale_and_forged_buttons_are_answered_kindly(make_chat, session_factory, api):
    await ask_by(make_chat, QUESTION, *SERVANTS[:2])
    staff = make_chat(STAFF_ID)
    [listing] = await staff.send("/pendientes")
    question_id = listing.buttons[0][0]["callback_data"].rsplit(":", 1)[1]

    await staff.press_data(f"v1:pqa:{question_id}:no_existe")
    assert api.alerts[-1].startswith("Este botón ya no está activo")
    await staff.press_data(f"v1:pqe:{question_id}:no_existe")
    assert api.alerts[-1].startswith("Este botón ya no está activo")
    await staff.press_data("v1:pqo:uno")
    assert api.alerts[-1].startswith("Este botón ya no está activo")

    assert [sample for sample, _, _ in await rows(session_factory)] == [QUESTION]


async def test_a_servant_pressing_forged_staff_buttons_gets_nothing(
    make_chat, chat, session_factory, api
):
    await ask_by(make_chat, QUESTION, *SERVANTS[:2])
    [listing] = await make_chat(STAFF_ID).send("/pendientes")
    question_id = listing.buttons[0][0]["callback_data"].rsplit(":", 1)[1]
    await chat.send("/ayuda")
    before = await audit_rows(session_factory)

    for data in (
        f"v1:pqa:{question_id}:regalos_propinas",
        f"v1:pqo:{question_id}",
        f"v1:pqt:{question_id}",
        f"v1:pqe:{question_id}:principios",
        f"v1:pqd:{question_id}",
        "v1:pql",
        "v1:tpr:1",
    ):
        mark = len(chat.messages)
        await chat.press_data(data)
        assert api.alerts[-1].startswith(NOT_AUTHORIZED)
        assert len(chat.messages) == mark
    for command in ("/pendientes", "/frases"):
        [reply] = await chat.send(command)
        assert reply.text.startswith(NOT_AUTHORIZED)

    async with session_factory() as session:
        assert await session.scalar(select(func.count(TaughtPhrasing.id))) == 0
    assert [sample for sample, _, _ in await rows(session_factory)] == [QUESTION]
    assert await audit_rows(session_factory) == before


# Retention


async def test_questions_are_purged_180_days_after_first_asked(
    make_chat, app, session_factory, clock
):
    await ask_by(make_chat, QUESTION, *SERVANTS[:2])
    clock.advance(days=100)
    await ask_by(make_chat, "¿dónde recojo mi gafete del curso?", *SERVANTS[:2])

    clock.advance(days=79, hours=23)
    assert await purge_expired_questions(app) == 0
    assert len(await rows(session_factory)) == 2

    clock.advance(hours=1)
    assert await purge_expired_questions(app) == 1
    assert [sample for sample, _, _ in await rows(session_factory)] == [
        "¿dónde recojo mi gafete del curso?"
    ]
    async with session_factory() as session:
        assert await session.scalar(select(func.count(UnansweredAsker.id))) == 2


async def test_pending_list_never_shows_an_expired_question(make_chat, session_factory, clock):
    await ask_by(make_chat, QUESTION, *SERVANTS[:2])
    clock.advance(days=180)

    [reply] = await make_chat(STAFF_ID).send("/pendientes")

    assert "No hay preguntas pendientes" in reply.text
    assert await rows(session_factory) == []


async def test_the_purge_runs_daily_on_the_job_queue(app):
    [job] = app.job_queue.get_jobs_by_name("faq-purge")
    assert job.job.trigger.interval == timedelta(days=1)
