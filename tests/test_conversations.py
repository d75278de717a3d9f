"""The conversation toolkit: answers are typed text, edits are not answers, codes are unique."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import STAFF_ID

GENERIC_ERROR = "algo salió mal de mi lado"
ROOT = Path(__file__).resolve().parent.parent
CODE_TAKERS = {"pattern", "data", "button", "_buttons", "TalkPicker"}
"""What takes a callback code: the handler's pattern, the button, the console's helpers."""


@pytest.mark.parametrize(
    ("user_id", "start", "answer", "expected"),
    [
        (STAFF_ID, "/aviso_todos", "Aviso importante", "No hay a quién enviarlo"),
        (5550001, "/mis_datos", None, None),
    ],
)
async def test_an_edited_message_is_not_taken_for_an_answer(
    make_chat, user_id, start, answer, expected
):
    chat = make_chat(user_id, "Laura")
    await chat.send(start)
    await chat.send_edit("Aviso corregido")
    assert not any(GENERIC_ERROR in sent.text for sent in chat.messages)
    if answer is not None:
        assert expected in (await chat.send(answer))[-1].text


def _callback_codes() -> list[tuple[str, str, str]]:
    """(module, name, code) of every module-level string used as a callback action (given to
    a pattern, a button or a picker somewhere in handlers/), and all of handlers/callbacks.py."""
    modules = {
        path: ast.parse(path.read_text("utf-8")) for path in (ROOT / "handlers").rglob("*.py")
    }
    used = {
        arg.attr if isinstance(arg, ast.Attribute) else arg.id
        for tree in modules.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) in CODE_TAKERS
        for arg in node.args
        if isinstance(arg, ast.Name | ast.Attribute)
    }
    codes = []
    for path, tree in modules.items():
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and node.targets[0].id != "PREFIX"
                and (path.name == "callbacks.py" or node.targets[0].id in used)
            ):
                codes.append((str(path.relative_to(ROOT)), node.targets[0].id, node.value.value))
    return codes


def test_callback_codes_are_unique_across_modules():
    codes = _callback_codes()
    assert len(codes) >= 50
    repeated = {code for code, count in Counter(code for _, _, code in codes).items() if count > 1}
    assert [entry for entry in codes if entry[2] in repeated] == []
