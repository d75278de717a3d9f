"""Untrusted input: every odd message or button gets a clear Spanish answer, nothing breaks."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import delete

from bot.models import Talk
from tests.factories import make_servant, make_talk


async def test_unknown_command(chat):
    replies = await chat.send("/borrarlotodo_ya")
    assert "No conozco ese comando" in replies[0].text


async def test_huge_and_empty_looking_messages(chat):
    replies = await chat.send("a" * 5000)
    assert "no tengo una respuesta segura" in replies[0].text
    replies = await chat.send("   ")
    assert replies and replies[0].text


async def test_sticker_gets_a_kind_answer(chat):
    replies = await chat.send_sticker()
    assert "solo entiendo mensajes de texto" in replies[0].text


async def test_forged_and_stale_buttons_are_answered(chat, api):
    await chat.send("/start")
    for data in ("v1:zz:1", "garbage", "v1:en:notanumber", "v0:en:1", "v1:tl:99999999999"):
        await chat.press_data(data)
    assert (
        api.alerts.count(
            "Este botón ya no está activo. Escribe /platicas para ver la información actualizada."
        )
        == 5
    )


async def test_button_of_a_deleted_talk(chat, session_factory, clock):
    talk = await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=2), title="Imparcialidad"
    )
    await chat.send("/platicas")
    async with session_factory.begin() as session:
        await session.execute(delete(Talk).where(Talk.id == talk.id))
    await chat.press("Imparcialidad")
    assert "No encontré esa plática" in chat.last.text
    await make_servant(session_factory, telegram_user_id=chat.user_id, now=clock.now())
    replies = await chat.press_data(f"v1:en:{talk.id}")
    assert "No encontré esa plática" in replies[-1].text
    replies = await chat.press_data(f"v1:cy:{talk.id}")
    assert "No encontré esa plática" in replies[-1].text


async def test_out_of_range_page_shows_the_last_page(chat, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Única")
    await chat.send("/start")
    replies = await chat.press_data("v1:tl:999")
    assert "Única" in replies[-1].text


async def test_names_with_markup_and_emoji_never_break_html(chat, session_factory, clock):
    await make_talk(
        session_factory, starts_at=clock.now() + timedelta(days=2), title="<i>Equidad</i> & género"
    )
    await chat.send("/platicas")
    assert "&lt;i&gt;Equidad&lt;/i&gt; &amp; género" in chat.last.text
    await chat.press("Equidad")
    await chat.press("Inscribirme")
    await chat.press("Acepto")
    refused = "*Ana* _<script>_ `O'Brien` & Ñúñez 👩🏽‍💼"
    assert "No parece un nombre" in (await chat.send(refused))[-1].text
    name = "Ana O'Brien Ñúñez"
    await chat.send(name)
    await chat.press("Otra")
    await chat.send("<b>Área</b> de *Cultura*")
    await chat.send("ana@example.org")
    await chat.send("/mis_datos")
    assert html.escape(name, quote=False) in chat.last.text
    assert "&lt;b&gt;Área&lt;/b&gt; de *Cultura*" in chat.last.text


async def test_invalid_names_are_explained(chat, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Ética")
    await chat.send("/platicas")
    await chat.press("Ética")
    await chat.press("Inscribirme")
    await chat.press("Acepto")
    assert "muy largo" in (await chat.send("N" * 5000))[-1].text
    assert "no lleva números" in (await chat.send("12345 !!!"))[-1].text
    assert "No parece un nombre" in (await chat.send("Ana & Ruiz !!!"))[-1].text
    assert "texto" in (await chat.send_sticker())[-1].text
    replies = await chat.send("Ana Ruiz")
    assert "dependencia" in replies[-1].text


async def test_handler_crash_apologises(chat, app, monkeypatch):
    from bot.services import talks

    async def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(talks, "upcoming_page", explode)
    replies = await chat.send("/platicas")
    assert "algo salió mal de mi lado" in replies[-1].text
