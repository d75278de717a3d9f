"""Randomised inputs through the real Application, on a fake Bot API that refuses what
Telegram refuses: no error may reach the error handler.

A seeded generator (the seed is printed on failure; `FUZZ_SEED` replays one) drives a few
servants, a staff member, a group and a channel: texts of every kind, menu and unknown
commands, the buttons the bot showed and forged or empty button data, edits, documents and
stickers. The run is bounded by `FUZZ_SECONDS` (default 20) and `FUZZ_INPUTS`.
"""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta
from typing import Any

from telegram import Update

from bot.texts import raw
from tests.chat import Chat
from tests.conftest import STAFF_ID
from tests.factories import make_talk
from tests.fakes import FakeBotApi

SECONDS = float(os.environ.get("FUZZ_SECONDS", "20"))
MAX_INPUTS = int(os.environ.get("FUZZ_INPUTS", "10000"))
SEED = int(os.environ.get("FUZZ_SEED", str(random.randrange(10**9))))

TEXTS = [
    "Ana Pérez López",
    "María de la Luz O'Neill",
    "¿Qué es la ley Ingrid?",
    "que es el feminicidio",
    "mi pareja me está golpeando ahora",
    "hola",
    "gracias",
    "ABC123",
    "482913",
    "ana@toluca.gob.mx",
    "Contraloría Municipal",
    "2026-12-10 10:00",
    "90",
    "40",
    "https://meet.example.org/x",
    "<b>negrita</b> & <i>",
    "</b>",
    "&amp; &lt; <script>",
    "\x00\x01\u200b\u202e",
    "🙂" * 50,
    "x" * 4096,
    "palabra " * 700,
    " ",
    "\n\n",
    "Sí",
    "no",
]


def _commands() -> list[str]:
    names = [*raw("commands"), *raw("staff_commands"), "start", "help", "foo", "start platica_1"]
    names += ["start platica_999999999", "asistencia ABC123", "verificar ZZZ", "estadisticas 1"]
    return [f"/{name}" for name in names]


def _random_text(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(TEXTS)
    alphabet = "aeiouáéíóúñ ¿?¡!<>&/@.:0123456789\x00\n🙂Ωz"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))


def _forged_data(rng: random.Random) -> str | None:
    return rng.choice(
        [
            "",
            None,
            "v1",
            "v1:",
            "v1:tl:",
            "v1:tl:-1",
            "v1:td:999999999",
            "v1:en:0",
            "v1:dp:99",
            "v1:md:password",
            "v1:kfd:deadbeef:title",
            "v1:svs:1:9",
            "v1:avs:1",
            "v2:xx",
            "💥" * 20,
            "x" * 64,
        ]
    )


class Fuzzer:
    def __init__(self, app: Any, api: FakeBotApi, rng: random.Random) -> None:
        self.app, self.api, self.rng = app, api, rng
        self.chats = [Chat(app, api, 5551000 + i, f"Persona{i}") for i in range(3)]
        self.chats.append(Chat(app, api, STAFF_ID, "Laura"))
        self.commands = _commands()
        self.inputs = 0

    async def step(self) -> None:
        rng = self.rng
        chat = rng.choice(self.chats)
        kind = rng.random()
        self.inputs += 1
        if kind < 0.35:
            await chat.send(_random_text(rng))
        elif kind < 0.55:
            await chat.send(rng.choice(self.commands))
        elif kind < 0.8:
            await self._press(chat)
        elif kind < 0.85:
            await chat.send_edit(_random_text(rng))
        elif kind < 0.88:
            await chat.send_sticker()
        elif kind < 0.91:
            data = rng.choice([b"titulo,fecha\n", b"\xff\xfe", b"", "título;x\n".encode()])
            await chat.send_document(rng.choice(["p.csv", "p.txt"]), data)
        else:
            await self._elsewhere(chat)

    async def _press(self, chat: Chat) -> None:
        buttons = [
            (button["callback_data"], sent)
            for sent in chat.messages[-6:]
            for row in sent.buttons
            for button in row
            if "callback_data" in button
        ]
        if buttons and self.rng.random() < 0.8:
            data, sent = self.rng.choice(buttons)
            await chat.press_data(data, sent)
        elif chat.messages:
            await chat.press_data(_forged_data(self.rng), chat.last)  # type: ignore[arg-type]

    async def _elsewhere(self, chat: Chat) -> None:
        """A group message, a channel post or an edited channel post."""
        rng = self.rng
        text = rng.choice([*self.commands, *TEXTS])
        group = {"id": -100777, "type": rng.choice(["group", "supergroup"]), "title": "G"}
        channel = {"id": -100888, "type": "channel", "title": "C"}
        message: dict[str, Any] = {
            "message_id": self.inputs,
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        kind = rng.choice(["message", "channel_post", "edited_channel_post"])
        if kind == "message":
            message.update(chat=group, **{"from": chat.user})
        else:
            message.update(chat=channel)
            if kind.startswith("edited"):
                message["edit_date"] = int(time.time())
        update = {"update_id": 10**6 + self.inputs, kind: message}
        await self.app.process_update(Update.de_json(update, self.app.bot))


async def test_random_inputs_never_reach_the_error_handler(settings, clock, session_factory):
    from bot.app import build_application, dispose
    from tests.fakes import virtual_pacer

    api = FakeBotApi(strict=True)
    app = build_application(
        settings, request=api, clock=clock, pacer=virtual_pacer(settings.send_rate_per_second)
    )
    errors: list[BaseException] = []

    async def record(update: object, context: Any) -> None:
        errors.append(context.error)

    app.add_error_handler(record)
    for days in (2, 3):
        await make_talk(session_factory, starts_at=clock.now() + timedelta(days=days))
    rng = random.Random(SEED)
    fuzzer = Fuzzer(app, api, rng)
    deadline = time.monotonic() + SECONDS
    async with app:
        while time.monotonic() < deadline and fuzzer.inputs < MAX_INPUTS:
            await fuzzer.step()
    await dispose(app)
    sent = sum(1 for method, _ in api.calls if method in {"sendMessage", "editMessageText"})
    print(f"fuzz seed {SEED}: {fuzzer.inputs} inputs, {sent} messages, {len(errors)} errors")
    refused = [reason for _, reason in api.refused if reason != "message is not modified"]
    assert [repr(error) for error in errors] == [], f"seed {SEED}"
    assert refused == [], f"seed {SEED}"
    assert fuzzer.inputs >= 100
