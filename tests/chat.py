"""A conversation helper: a servant who sends messages, presses buttons and reads replies."""

from __future__ import annotations

import itertools
import time
from typing import Any

from telegram import Update
from telegram.ext import Application

from tests.fakes import FakeBotApi, Sent

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


class Chat:
    """A private chat between one user and the bot, driven through `Application.process_update`."""

    def __init__(
        self, app: Application, api: FakeBotApi, user_id: int, first_name: str = "Ana"
    ) -> None:
        self.app = app
        self.api = api
        self.user_id = user_id
        self.first_name = first_name
        self._seen = 0

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "es",
        }

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}

    async def send(self, text: str) -> list[Sent]:
        """Sends a text (a /command gets its entity, as Telegram does) and returns the replies."""
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._process({"update_id": next(_update_ids), "message": message})

    async def send_edit(self, text: str) -> list[Sent]:
        """Edits an earlier message of the user's (Telegram sends an `edited_message`)."""
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
        }
        return await self._process({"update_id": next(_update_ids), "edited_message": message})

    async def send_sticker(self) -> list[Sent]:
        message = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            },
        }
        return await self._process({"update_id": next(_update_ids), "message": message})

    async def send_document(
        self, name: str, data: bytes, *, mime: str = "text/csv", size: int | None = None
    ) -> list[Sent]:
        """Sends a file (stored on the fake Bot API for the bot to download)."""
        file_id = f"file-{next(_message_ids)}"
        self.api.files[file_id] = data
        message = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "document": {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": name,
                "mime_type": mime,
                "file_size": len(data) if size is None else size,
            },
        }
        return await self._process({"update_id": next(_update_ids), "message": message})

    async def press(self, label: str) -> list[Sent]:
        """Presses the newest button whose label contains `label`."""
        for sent in reversed(self.api.sent_to(self.user_id)):
            for row in sent.buttons:
                for button in row:
                    if label in button["text"]:
                        return await self.press_data(button["callback_data"], sent)
        raise AssertionError(f"no button {label!r}; visible: {self.visible_labels()}")

    async def press_data(self, data: str, on: Sent | None = None) -> list[Sent]:
        """Presses a button with arbitrary (possibly stale or forged) callback data."""
        on = on or self.last
        message = {
            "message_id": on.message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": {"id": 700000001, "is_bot": True, "first_name": "Defensoría"},
            "text": on.text or "…",
        }
        if on.buttons:
            message["reply_markup"] = {"inline_keyboard": on.buttons}
        callback = {
            "id": str(next(_update_ids)),
            "from": self.user,
            "chat_instance": str(self.user_id),
            "data": data,
            "message": message,
        }
        return await self._process({"update_id": next(_update_ids), "callback_query": callback})

    async def _process(self, data: dict[str, Any]) -> list[Sent]:
        mark = len(self.api.touched)
        await self.app.process_update(Update.de_json(data, self.app.bot))
        touched = dict.fromkeys(self.api.touched[mark:])
        return [
            self.api.messages[message_id]
            for message_id in touched
            if self.api.messages[message_id].chat_id == self.user_id
        ]

    @property
    def messages(self) -> list[Sent]:
        return self.api.sent_to(self.user_id)

    @property
    def last(self) -> Sent:
        texts = [sent for sent in self.messages if sent.document is None]
        assert texts, "the bot has not written to this chat"
        return texts[-1]

    @property
    def documents(self) -> list[Sent]:
        return [sent for sent in self.messages if sent.document is not None]

    def visible_labels(self) -> list[str]:
        return [label for sent in self.messages for label in sent.labels()]


def text_of(replies: list[Sent]) -> str:
    return "\n".join(sent.text or sent.caption or "" for sent in replies)
