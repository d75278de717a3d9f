"""Rights questions through the bot: answers with sources, suggestions, feedback, crisis."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import func, select

from bot.context import RUNTIME_KEY
from bot.models import FaqFeedback, UnansweredQuestion
from bot.services import faq_log


async def test_free_text_question_gets_a_sourced_answer(chat):
    replies = await chat.send("q es la ley ingrid")
    answer = replies[-1]
    assert "Ingrid" in answer.text
    assert "Fuente:" in answer.text
    assert "👍 Me sirvió" in answer.labels() and "👎 No me sirvió" in answer.labels()


async def test_a_long_question_in_the_servants_words_is_answered_without_buttons(chat):
    """No phrasing of the entry matches closely, but every signal points at it."""
    replies = await chat.send(
        "hola, quería saber quién tiene que hacer la declaración patrimonial y hasta cuándo "
        "hay chance, porque en mi área nadie sabe bien"
    )
    assert not any("Quisiste decir" in reply.text for reply in replies)
    assert "declaración patrimonial" in replies[-1].text.lower()
    assert "Fuente:" in replies[-1].text


async def test_an_answer_the_engine_nearly_gave_otherwise_offers_the_other_one(chat):
    """When the runner-up scored almost as high, it is one tap away under the answer."""
    [answer] = await chat.send("la defensoría es lo mismo que la codhem?")
    assert "CODHEM" in answer.text and "Fuente:" in answer.text
    [nearby] = [label for label in answer.labels() if label.startswith("🔎 ¿O era esto?")]
    assert "Defensoría" in nearby

    [other] = await chat.press(nearby)
    assert "Fuente:" in other.text
    assert other.text != answer.text


async def test_a_clear_answer_offers_no_other_one(chat):
    [answer] = await chat.send("qué es la ley ingrid")
    assert not any(label.startswith("🔎") for label in answer.labels())


async def test_another_countrys_law_gets_what_the_bot_covers_not_toluca_law(chat):
    [reply] = await chat.send("en colombia cuántos años de cárcel dan por feminicidio?")
    assert "leyes de México y del Estado de México" in reply.text
    assert "Fuente:" not in reply.text
    assert "Ninguna de estas: ver temas" in reply.labels()


async def test_feedback_is_counted_once_and_buttons_disappear(chat, session_factory):
    await chat.send("¿qué es el cohecho?")
    await chat.press("👍 Me sirvió")
    assert "👍 Me sirvió" not in chat.last.labels()
    assert "¡Gracias!" in chat.api.alerts[-1]
    async with session_factory() as session:
        votes = (await session.scalars(select(FaqFeedback))).all()
    assert [vote.helpful for vote in votes] == [True]


async def test_a_double_tap_and_a_later_change_of_mind_count_once(
    chat, make_chat, session_factory
):
    [*_, answer] = await chat.send("¿qué es el cohecho?")
    helpful, not_helpful = (button["callback_data"] for button in answer.buttons[0])

    await chat.press_data(helpful, on=answer)
    await chat.press_data(helpful, on=answer)
    await chat.press_data(not_helpful, on=answer)
    other = make_chat(5550002)
    [*_, answer] = await other.send("¿qué es el cohecho?")
    await other.press_data(not_helpful, on=answer)

    async with session_factory() as session:
        votes = (await session.scalars(select(FaqFeedback).order_by(FaqFeedback.id))).all()
    assert [vote.helpful for vote in votes] == [True, False]
    assert len({vote.voter_hash for vote in votes}) == 2
    assert not any(str(user) in vote.voter_hash for vote in votes for user in (5550001, 5550002))
    assert chat.api.alerts[-1].startswith("¡Gracias!")


async def test_racing_votes_of_one_servant_store_one(session_factory, clock):
    async def vote(helpful: bool) -> bool:
        async with session_factory.begin() as session:
            return await faq_log.record_feedback(
                session,
                entry_id="cohecho",
                helpful=helpful,
                telegram_user_id=5550001,
                now=clock.now(),
            )

    counted = await asyncio.gather(*(vote(i % 2 == 0) for i in range(8)))

    assert counted.count(True) == 1
    async with session_factory() as session:
        assert await session.scalar(select(func.count(FaqFeedback.id))) == 1


async def test_uncertain_question_offers_suggestions_and_is_logged(chat, session_factory):
    replies = await chat.send("principios")
    assert "¿Quisiste decir" in replies[-1].text
    suggestions = [label for label in replies[-1].labels() if label.startswith("❓")]
    assert 1 <= len(suggestions) <= 3
    await chat.press(suggestions[0].removeprefix("❓ ")[:20])
    assert "Fuente:" in chat.last.text
    async with session_factory() as session:
        logged = (await session.scalars(select(UnansweredQuestion))).all()
    assert [(row.sample, row.count) for row in logged] == [("principios", 1)]


async def test_off_topic_gets_an_honest_no_and_counts_repeats(chat, session_factory):
    for _ in range(2):
        replies = await chat.send("cuánto cuesta el predial este año")
    assert "no tengo una respuesta segura" in replies[-1].text
    assert "Fuente:" not in replies[-1].text
    async with session_factory() as session:
        logged = (await session.scalars(select(UnansweredQuestion))).all()
    assert [row.count for row in logged] == [2]
    assert str(chat.user_id) not in logged[0].sample


async def test_crisis_is_answered_first_with_emergency_lines(chat):
    replies = await chat.send("mi jefe me acosa y tengo miedo")
    assert "911" in replies[0].text
    assert "800 108 4053" in replies[0].text


async def test_topics_browse_to_an_answer_with_detail(chat):
    await chat.send("/preguntas")
    await chat.press("Ley Ingrid")
    assert "Elige una pregunta" in chat.last.text
    await chat.press("❓")
    assert "Fuente:" in chat.last.text


async def test_principles_and_ley_ingrid_commands(chat):
    replies = await chat.send("/principios")
    assert "Principios" in replies[-1].text
    assert any("legalidad" in label.lower() for label in replies[-1].labels())
    replies = await chat.send("/ley_ingrid")
    assert "Ley Ingrid" in replies[-1].text


async def test_greeting_and_thanks(chat):
    assert "Hola" in (await chat.send("holaaa buenos días"))[-1].text
    assert "gusto" in (await chat.send("muchas gracias!!"))[-1].text


async def test_stale_faq_buttons(chat, api):
    await chat.send("/preguntas")
    await chat.press_data("v1:fq:no_existe")
    assert "ya no está disponible" in chat.last.text
    await chat.press_data("v1:fb:no_existe:1")
    assert api.alerts[-1].startswith("Este botón ya no está activo")


async def test_suicidal_intent_in_passing_gets_911_and_the_life_line_then_the_answer(chat):
    replies = await chat.send(
        "¿quién tiene que presentar la declaración patrimonial? la verdad ya no le veo sentido "
        "a nada, ya regalé mis cosas"
    )
    first = replies[0].text
    assert first.index("911") < first.index("800 911 2000") < 200
    assert "Fuente:" not in first
    assert any("declaración" in r.text.lower() and "Fuente:" in r.text for r in replies[1:])


async def test_a_long_message_offers_its_second_subject(chat):
    replies = await chat.send(
        "Buenos días, les escribo porque en mi área hay mucho movimiento por las elecciones. "
        "Mi coordinador nos pidió ir a un mitin del partido en horario de trabajo y llevarnos "
        "la camioneta del ayuntamiento. Otra cosa que quería preguntar: ¿quién tiene que "
        "presentar la declaración patrimonial y cuándo?"
    )
    assert "Fuente:" in replies[0].text
    assert "también preguntas por esto" in replies[-1].text
    assert len([label for label in replies[-1].labels() if label.startswith("❓")]) == 1


async def test_a_question_that_only_reads_like_danger_keeps_its_suggestions(chat, monkeypatch):
    """When only the classifier (no danger phrase) takes a message for a crisis, the lines
    come first and what the servant asked is still offered as buttons."""
    engine = chat.app.bot_data[RUNTIME_KEY].faq
    doubtful = replace(engine.calibration, crisis=0.0, answer=1.01, answer_agree=1.01, gate=None)
    monkeypatch.setattr(engine, "calibration", doubtful)

    lines, offer = await chat.send("un señor me dejó un regalo en la ventanilla, ¿lo acepto?")
    assert "911" in lines.text
    assert "Quisiste decir" in offer.text
    assert any("regalo" in label.lower() for label in offer.labels())

    [danger] = await chat.send("me están golpeando")
    assert "911" in danger.text
