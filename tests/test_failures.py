"""One ending for every failure: one apology, each press answered exactly once, late presses
still carried out with their result sent as a message; empty button data is stale."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import notices, talks
from tests.chat import Chat, text_of
from tests.conftest import STAFF_ID
from tests.factories import make_talk
from tests.fakes import FakeBotApi

APOLOGY = "algo salió mal de mi lado"


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi(strict=True)


def _answers(api: FakeBotApi) -> list[dict]:
    return [params for method, params in api.calls if method == "answerCallbackQuery"]


async def test_a_failing_button_is_answered_once_and_apologised_for(chat, api, monkeypatch):
    await chat.send("/start")

    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(talks, "upcoming_page", broken)
    replies = await chat.press("Próximas pláticas")
    assert [APOLOGY in sent.text for sent in replies] == [True]
    assert len(_answers(api)) == 1
    assert api.refused == []


async def test_a_late_press_is_still_carried_out(chat, api, session_factory, clock):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Cohecho")
    await chat.send("/platicas")
    api.late = True
    await chat.press("Cohecho")
    assert "Cohecho" in chat.last.text and "Inscribirme" in " ".join(chat.last.labels())
    assert not any(APOLOGY in sent.text for sent in chat.messages)


async def test_a_late_alert_arrives_as_a_message(chat, api):
    await chat.send("/start")
    api.late = True
    replies = await chat.press_data("v1:zz:forged")
    assert "ya no está activo" in replies[-1].text


@pytest.mark.parametrize("data", ["", None])
async def test_empty_button_data_is_a_stale_button(chat: Chat, api, data):
    await chat.send("/start")
    callback_message = chat.last
    replies = await chat.press_data(data, callback_message)  # type: ignore[arg-type]
    assert not any(APOLOGY in sent.text for sent in replies)
    assert [params.get("text") for params in _answers(api)] == [
        "Este botón ya no está activo. Escribe /platicas para ver la información actualizada."
    ]


async def test_a_huge_invalid_date_is_not_echoed_whole(make_chat, api):
    staff = make_chat(STAFF_ID, "Laura")
    await staff.send("/nueva_platica")
    for answer in ("Ley Ingrid", "Ley Ingrid", "Descripción", "Lic. Laura Pérez"):
        await staff.send(answer)
    await staff.press("Defensoría Municipal")
    replies = await staff.send("9" * 4096)
    assert "no es una fecha válida" in text_of(replies)
    assert api.refused == []
    assert not any(APOLOGY in sent.text for sent in replies)


async def test_u0000_is_dropped_from_a_notice():
    assert notices.clean_text("Aviso\x00 importante") == "Aviso importante"


async def test_twenty_simultaneous_taps_on_acepto_create_one_servant(
    chat, api, session_factory, clock
):
    import asyncio

    from sqlalchemy import func, select

    from bot.models import Servant

    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Ética")
    await chat.send("/platicas")
    await chat.press("Ética")
    await chat.press("Inscribirme")
    accept = next(
        button["callback_data"]
        for button in (b for row in chat.last.buttons for b in row)
        if "Acepto" in button["text"]
    )
    on = chat.last
    await asyncio.gather(*(chat.press_data(accept, on) for _ in range(20)))
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Servant)) == 1
    assert not any(APOLOGY in sent.text for sent in chat.messages)
