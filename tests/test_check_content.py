"""`python -m bot check-content [DIR]`: each problem with file, line and key; start-up refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import DEFAULT_CONTENT_DIR
from bot.content_check import check_content, html_problem, key_lines
from tests.test_cli import _run


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "contenido"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def _edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(folder: Path, file: str, needle: str) -> int:
    """The line of the content file where a value starts (content edits move them)."""
    lines = (folder / file).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_the_project_content_is_ready_and_the_summary_says_so(tmp_path):
    result = _run(tmp_path, command=("check-content",), TELEGRAM_BOT_TOKEN="")
    assert result.returncode == 0, result.stderr
    assert "Contenido correcto" in result.stdout
    assert "Defensoría Municipal de Derechos Humanos de Toluca" in result.stdout


def test_every_kind_of_problem_is_reported_with_file_line_and_key(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "messages/main.toml", "asistente de la <b>{oficina}</b>", "<b>{oficinna}</b>")
    _edit(folder, "messages/main.toml", 'access_venue = "📍 Sede', 'access_venue = "📍 <i>Sede')
    _edit(folder, "messages/main.toml", "not_found = ", "# not_found = ")
    _edit(folder, "messages/staff.toml", "not_authorized = ", "not_authorized == ")
    _edit(folder, "faq/delitos.toml", "source = ", "# source = ")
    _edit(folder, "faq/office.toml", 'municipio = "Toluca"', 'municipio = ""')
    _edit(folder, "faq/office.toml", 'web = "https://www.toluca.gob.mx"', 'web = ""')
    _edit(folder, "faq/genero.toml", "reviewed = 2026", "reviewed = '2026")

    result = _run(tmp_path, command=("check-content", str(folder)), TELEGRAM_BOT_TOKEN="")

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    entry_line = (folder / "faq/delitos.toml").read_text(encoding="utf-8").splitlines()
    entry_line_number = entry_line.index("[[entry]]") + 1
    expected = [
        f"faq/delitos.toml:{entry_line_number}: entry.delitos_servidores_publicos: a esta"
        " pregunta le falta la fuente",
        "faq/office.toml:9: office: llena al menos un dato de contacto",
        "faq/office.toml:15: office.municipio: es obligatorio",
        "messages/main.toml: talks.not_found: falta este texto",
        f"messages/main.toml:{_line(folder, 'messages/main.toml', '<b>{oficinna}</b>')}: "
        "start.greeting: el marcador {oficinna} no existe",
        f"messages/main.toml:{_line(folder, 'messages/main.toml', 'access_venue = ')}: "
        "talks.access_venue: Telegram no aceptaría este HTML",
        "messages/staff.toml:4: el archivo no es TOML válido",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, result.stderr)
    assert any(line.startswith("faq/genero.toml:") for line in lines)
    assert "problema(s)" in lines[-1] and "Traceback" not in result.stderr


def test_start_up_refuses_a_broken_folder_with_the_same_report(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "messages/main.toml", "{title}", "{titulo}")
    result = _run(tmp_path, command=(), CONTENT_DIR=str(folder))
    assert result.returncode == 2
    assert "El bot no arrancó: la carpeta de contenido (CONTENT_DIR) tiene errores" in (
        result.stderr
    )
    assert "el marcador {titulo} no existe" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_folder_is_one_clear_problem(tmp_path):
    report = check_content(tmp_path / "no-existe")
    assert [problem.code for problem in report.problems] == ["folder_missing"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b>bien</b> &amp; <i>claro</i> &lt;3 &#128075;", None),
        ('<a href="https://x.example">enlace</a>', None),
        ("<b>sin cerrar", "<b>"),
        ("<b><i>cruzadas</b></i>", "</b>"),
        ("<div>no</div>", "<div>"),
        ("Pérez & Hijos", "&"),
        ("&nbsp;", "&nbsp;"),
        ("3 < 4", "<"),
    ],
)
def test_telegram_html(text, problem):
    assert html_problem(text) == problem


def test_key_lines_follow_tables_and_skip_multiline_strings():
    text = '[a]\nx = """uno\ny = 2\n"""\nz = [\n  "w",\n]\n[a.b]\nq = 1\n[[entry]]\nid = "e"\n'
    assert key_lines(text) == {"a": 1, "a.x": 2, "a.z": 5, "a.b": 8, "a.b.q": 9, "entry#1": 10,
                               "entry": 10, "entry.id": 11}  # fmt: skip


def test_without_a_folder_it_checks_content_dir_and_needs_no_token(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "faq/office.toml", 'prefijo_folio = "DMDH"', 'prefijo_folio = ""')
    result = _run(
        tmp_path, command=("check-content",), TELEGRAM_BOT_TOKEN="", CONTENT_DIR=str(folder)
    )
    assert result.returncode == 1
    assert "faq/office.toml:" in result.stderr and "constancia.prefijo_folio" in result.stderr
