"""Rights questions through the bot: answers with sources, suggestions, feedback, crisis."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import FaqFeedback, UnansweredQuestion


async def test_free_text_question_gets_a_sourced_answer(chat):
    replies = await chat.send("q es la ley ingrid")
    answer = replies[-1]
    assert "Ingrid" in answer.text
    assert "Fuente:" in answer.text
    assert "👍 Me sirvió" in answer.labels() and "👎 No me sirvió" in answer.labels()


async def test_feedback_is_counted_once_and_buttons_disappear(chat, session_factory):
    await chat.send("¿qué es el cohecho?")
    await chat.press("👍 Me sirvió")
    assert "👍 Me sirvió" not in chat.last.labels()
    assert "¡Gracias!" in chat.api.alerts[-1]
    async with session_factory() as session:
        votes = (await session.scalars(select(FaqFeedback))).all()
    assert [vote.helpful for vote in votes] == [True]


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
