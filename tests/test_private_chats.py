"""Private chats only: groups get a button to the private chat and never personal data;
channel posts, edits and other update kinds are ignored without error."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from telegram import Update

from tests.chat import text_of
from tests.conftest import STAFF_ID
from tests.factories import make_servant

GROUP_ID = -100123
_ids = itertools.count(500_000)
GENERIC_ERROR = "algo salió mal de mi lado"


def _message(chat: dict[str, Any], text: str, user_id: int | None = 5550001) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "text": text,
    }
    if user_id is not None:
        message["from"] = {"id": user_id, "is_bot": False, "first_name": "Ana"}
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return message


async def _process(app, data: dict[str, Any]) -> None:
    await app.process_update(Update.de_json({"update_id": next(_ids), **data}, app.bot))


GROUP = {"id": GROUP_ID, "type": "supergroup", "title": "Enlaces"}
CHANNEL = {"id": -100999, "type": "channel", "title": "Avisos"}


@pytest.mark.parametrize("command", ["/start", "/ayuda", "/ayuda@defensoria_test_bot"])
async def test_a_group_gets_a_button_to_the_private_chat(app, api, command):
    await _process(app, {"message": _message(GROUP, command)})
    [reply] = api.sent_to(GROUP_ID)
    assert "solo converso en privado" in reply.text
    assert reply.buttons[0][0]["url"] == "https://t.me/defensoria_test_bot"


async def test_personal_data_is_never_shown_in_a_group(app, api, session_factory, clock):
    await make_servant(
        session_factory, telegram_user_id=5550001, now=clock.now(), full_name="Ana Pérez López"
    )
    for text in ("/mis_datos", "¿Qué es la ley Ingrid?", "/nueva_platica", "hola", "ABC123"):
        await _process(app, {"message": _message(GROUP, text)})
    await _process(app, {"message": _message(GROUP, "/nueva_platica", user_id=STAFF_ID)})
    assert api.sent_to(GROUP_ID) == []


async def test_channel_posts_edits_and_other_updates_are_ignored(app, api, chat):
    await _process(app, {"channel_post": _message(CHANNEL, "hola", user_id=None)})
    await _process(app, {"edited_channel_post": _message(CHANNEL, "hola", user_id=None)})
    edited = _message(chat.chat, "¿Qué es la ley Ingrid?")
    edited["edit_date"] = int(time.time())
    await _process(app, {"edited_message": edited})
    await _process(
        app,
        {
            "inline_query": {
                "id": "1",
                "from": chat.user,
                "query": "ley",
                "offset": "",
            }
        },
    )
    sent = [call for call in api.calls if call[0] not in {"getMe", "setMyCommands"}]
    assert sent == []


async def test_a_private_chat_still_works(chat):
    assert GENERIC_ERROR not in text_of(await chat.send("/start"))
    assert "Ana" in chat.last.text
