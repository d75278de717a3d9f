"""The layering the code relies on: checked, so it does not erode one import at a time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.models import DeliveryKind
from handlers.outbox import RENDERERS

ROOT = Path(__file__).resolve().parent.parent
COMPOSITION_ROOT = {"bot/app.py", "bot/__main__.py"}


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_only_the_composition_root_of_bot_imports_handlers():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] == "handlers"
        )
        for path in _python_files("bot")
        if str(path.relative_to(ROOT)) not in COMPOSITION_ROOT
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_the_sender_runs_without_any_handler_imported():
    code = (
        "import sys, bot.outbox.sender;"
        "sys.exit(any(m.split('.')[0] == 'handlers' for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_delivery_rows_are_created_only_by_the_outbox_enqueue_functions():
    writers = set()
    for path in _python_files("bot") + _python_files("handlers"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and (
                    node.func.id == "Delivery"
                    or (
                        node.func.id == "insert"
                        and any(isinstance(a, ast.Name) and a.id == "Delivery" for a in node.args)
                    )
                )
            ):
                writers.add(str(path.relative_to(ROOT)))
    assert writers == {"bot/outbox/enqueue.py"}


def test_every_delivery_kind_has_a_renderer():
    assert set(RENDERERS) == set(DeliveryKind)
