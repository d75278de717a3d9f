"""The command menu: Spanish commands for everyone, and the console's for the staff's chats."""

from __future__ import annotations

import json

from tests.conftest import STAFF_ID


async def test_staff_chats_get_the_console_commands(app, api):
    await app.post_init(app)
    menus = [params for method, params in api.calls if method == "setMyCommands"]
    public, staff = menus
    public_names = [command["command"] for command in _commands(public)]
    staff_names = [command["command"] for command in _commands(staff)]
    assert {"platicas", "mis_inscripciones", "preguntas", "ayuda"} <= set(public_names)
    assert "nueva_platica" not in public_names
    assert {"nueva_platica", "aviso_todos", "estadisticas", "platicas"} <= set(staff_names)
    assert _scope(staff) == {"type": "chat", "chat_id": STAFF_ID}


def _commands(params):
    commands = params["commands"]
    return json.loads(commands) if isinstance(commands, str) else commands


def _scope(params):
    scope = params["scope"]
    return json.loads(scope) if isinstance(scope, str) else scope
