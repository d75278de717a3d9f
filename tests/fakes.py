"""An in-process fake of the Telegram Bot API (a PTB BaseRequest) that records every call."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.pacing import Pacer

BOT_USER = {
    "id": 700000001,
    "is_bot": True,
    "first_name": "Defensoría",
    "username": "defensoria_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class VirtualTime:
    """A monotonic clock that moves only when someone sleeps on it, so pacing costs no time.

    A sleeper yields to the event loop once (the others may run, as in a real wait) and then
    moves the clock to the moment it wanted, never back.
    """

    def __init__(self) -> None:
        self.current = 0.0

    def monotonic(self) -> float:
        return self.current

    async def sleep(self, seconds: float) -> None:
        wake_at = self.current + seconds
        await asyncio.sleep(0)
        self.current = max(self.current, wake_at)


def virtual_pacer(rate: float, time: VirtualTime | None = None) -> Pacer:
    """A Pacer with the real rules on virtual time: tests see the same order, without waiting."""
    time = time or VirtualTime()
    return Pacer(rate, clock=time.monotonic, sleep=time.sleep)


Responder = Callable[[str, dict[str, Any]], "tuple[int, dict[str, Any]] | None"]


class Timeout(Exception):
    """Returned by a responder to make the fake raise PTB's TimedOut."""


@dataclass
class Sent:
    """One message as the user sees it (edits update it in place)."""

    message_id: int
    chat_id: int
    text: str = ""
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    document: bytes | None = None
    filename: str | None = None
    caption: str | None = None

    def labels(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]


class FakeBotApi(BaseRequest):
    """Answers like Telegram: canned getMe, messages with increasing ids, and failures on demand.

    `responder(method, params)` may return `(status, body)` to answer instead of the default,
    or `Timeout` to simulate a timeout; it is how tests inject 429, 5xx and 403.
    """

    def __init__(self, responder: Responder | None = None, *, strict: bool = False) -> None:
        self.strict = strict
        """Refuse what Telegram refuses (see `refusal`); the refusals are kept in `refused`."""
        self.refused: list[tuple[str, str]] = []
        self.answered: set[str] = set()
        self.late: bool = False
        """Every press is past Telegram's answer window: answering it fails."""
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[int, Sent] = {}
        self.alerts: list[str] = []
        self.files: dict[str, bytes] = {}
        """Files "on Telegram's servers" by file_id, served by getFile and the download URL."""
        self.touched: list[int] = []
        """Ids of messages sent or edited, in order (an edit to the same text counts too)."""
        self.responder = responder
        self._ids = itertools.count(1000)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            return 200, self.files[url.rsplit("/", 1)[-1]]
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        if self.responder is not None:
            answer = self.responder(api_method, params)
            if answer is Timeout:
                raise TimedOut("fake timeout")
            if answer is not None:
                status, body = answer  # type: ignore[misc]
                return status, json.dumps(body).encode()
        if self.strict and (reason := self.refusal(api_method, params)) is not None:
            self.refused.append((api_method, reason))
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {reason}"}
            return 400, json.dumps(body).encode()
        self.calls.append((api_method, params))
        result = self.result_for(api_method, params, files or {})
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def refusal(self, api_method: str, params: dict[str, Any]) -> str | None:
        """Why Telegram would refuse this call, or None: invalid HTML, a text over 4,096
        characters or a caption over 1,024 (after parsing), an alert over 200, button data
        over 64 bytes, an edit that changes nothing, a press answered twice or too late."""
        if api_method == "answerCallbackQuery":
            if len(params.get("text") or "") > 200:
                return "MESSAGE_TOO_LONG"
            if self.late or params["callback_query_id"] in self.answered:
                return "query is too old and response timeout expired or query ID is invalid"
            self.answered.add(params["callback_query_id"])
            return None
        for row in self._buttons(params):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    return "BUTTON_DATA_INVALID"
        for name, limit in (("text", 4096), ("caption", 1024)):
            if name in params:
                parsed = parse_html(str(params[name]))
                if parsed is None:
                    return "can't parse entities"
                if len(parsed) > limit or (name == "text" and not parsed.strip()):
                    return "message is too long" if parsed.strip() else "message text is empty"
        if api_method == "editMessageText":
            sent = self.messages.get(int(params["message_id"]))
            unchanged = sent is not None and sent.text == params["text"]
            if unchanged and sent.buttons == self._buttons(params):  # type: ignore[union-attr]
                return "message is not modified"
        return None

    def result_for(self, api_method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if api_method == "getMe":
            return BOT_USER
        if api_method == "getUpdates":
            return []
        if api_method == "getFile":
            file_id = params["file_id"]
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": file_id,
            }
        if api_method in {"sendMessage", "sendDocument"}:
            return self._record_message(api_method, params, files)
        if api_method == "editMessageText":
            sent = self.messages.get(int(params["message_id"]))
            if sent is not None:
                sent.text = params["text"]
                sent.buttons = self._buttons(params)
                self.touched.append(sent.message_id)
            return self._message_json(sent) if sent else True
        if api_method == "editMessageReplyMarkup":
            sent = self.messages.get(int(params["message_id"]))
            if sent is not None:
                sent.buttons = self._buttons(params)
                self.touched.append(sent.message_id)
            return self._message_json(sent) if sent else True
        if api_method == "answerCallbackQuery":
            if params.get("text"):
                self.alerts.append(params["text"])
            return True
        return True

    def _record_message(
        self, api_method: str, params: dict[str, Any], files: dict[str, Any]
    ) -> dict[str, Any]:
        sent = Sent(
            message_id=next(self._ids),
            chat_id=int(params["chat_id"]),
            text=params.get("text", ""),
            buttons=self._buttons(params),
            caption=params.get("caption"),
        )
        if api_method == "sendDocument":
            name, content, *_ = files.get("document", (None, b""))
            sent.document = content
            sent.filename = name
        self.messages[sent.message_id] = sent
        self.touched.append(sent.message_id)
        return self._message_json(sent)

    @staticmethod
    def _buttons(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        return (markup or {}).get("inline_keyboard", [])

    @staticmethod
    def _message_json(sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": "private"},
            "from": BOT_USER,
        }
        if sent.document is not None:
            message["document"] = {"file_id": f"f{sent.message_id}", "file_unique_id": "u"}
        else:
            message["text"] = sent.text
        if sent.buttons:
            message["reply_markup"] = {"inline_keyboard": sent.buttons}
        return message

    def sent_to(self, chat_id: int) -> list[Sent]:
        return [sent for sent in self.messages.values() if sent.chat_id == chat_id]

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]


ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []
        self.bad = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.bad = True
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.bad = True

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> str | None:
    """The text Telegram shows for an HTML message, or None when Telegram would refuse it
    (an unknown or unclosed tag, a stray `<` or `&`)."""
    if re.search(r"<(?![a-zA-Z/])|&(?!(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);)", text):
        return None
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.bad or parser.open:
        return None
    return "".join(parser.text)
