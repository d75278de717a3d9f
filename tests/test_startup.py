"""Start-up problems are one Spanish paragraph and exit code 2, never a traceback; the
commands that never talk to Telegram run without a token."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.http_fake_api import HttpFakeBotApi
from tests.test_e2e import EXIT_TIMEOUT, BotProcess, bot_environment

HEADER = (
    "titulo,tema,descripcion,ponente,organiza,inicio,duracion_min,modalidad,enlace,sede,cupo\n"
)
ROW = "Ley Ingrid,Ley Ingrid,,Lic. Ana Ruiz,DIF,2030-03-05 10:00,90,virtual,https://x.org/a,,15\n"


def run(tmp_path: Path, *command: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = bot_environment(**variables)
    return subprocess.run(
        [sys.executable, "-m", "bot", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def debug_bot(api: HttpFakeBotApi, tmp_path: Path, token: str) -> BotProcess:
    """`python -m bot` at LOG_LEVEL=DEBUG against `api`, on a fresh SQLite file."""
    env = bot_environment(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=api.root_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        LOG_LEVEL="DEBUG",
        FAQ_ENCODER="none",
    )
    return BotProcess(tmp_path, env)


def assert_one_paragraph(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    paragraph = result.stderr.strip()
    assert "\n" not in paragraph, paragraph
    for text in expected:
        assert text in paragraph, paragraph
    return paragraph


def test_migrate_and_import_run_without_a_token(tmp_path):
    database = f"sqlite:///{tmp_path / 'x.db'}"
    assert run(tmp_path, "migrate", DATABASE_URL=database).returncode == 0
    programme = tmp_path / "programa.csv"
    programme.write_text(HEADER + ROW, encoding="utf-8")
    result = run(tmp_path, "import-talks", str(programme), DATABASE_URL=database)
    assert result.returncode == 0, result.stderr
    assert "1 creada(s)" in result.stdout


@pytest.mark.parametrize("command", [("migrate",), ()])
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("esto no es una url", "no es una dirección de base de datos válida"),
        ("postgresql://postgres@127.0.0.1:abc/x", "no es una dirección de base de datos válida"),
        ("mysql://ana:secreta@db/defensoria", "usa «mysql»"),
        ("postgresql://ana:secreta@127.0.0.1:5432", "no dice qué base de datos usar"),
        ("postgresql://ana:secreta@127.0.0.1:1/defensoria", "127.0.0.1:1: no responde"),
    ],
)
def test_a_wrong_database_url_is_one_paragraph(tmp_path, command, url, expected):
    result = run(tmp_path, *command, DATABASE_URL=url, TELEGRAM_BOT_TOKEN="123:unused")
    paragraph = assert_one_paragraph(result, expected, "DATABASE_URL")
    assert "secreta" not in paragraph


def test_a_url_without_database_name_suggests_one_and_creates_nothing(tmp_path):
    result = run(tmp_path, "migrate", DATABASE_URL="postgresql://postgres@127.0.0.1:5432")
    assert_one_paragraph(result, "postgresql://postgres@127.0.0.1:5432/defensoria", "createdb")


def _server() -> tuple[str, int]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL not set: no PostgreSQL server to ask")
    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432


def test_a_missing_postgresql_database_says_how_to_create_it(tmp_path):
    host, port = _server()
    url = f"postgresql://postgres@{host}:{port}/defensoria_que_no_existe"
    paragraph = assert_one_paragraph(
        run(tmp_path, "migrate", DATABASE_URL=url), "«defensoria_que_no_existe» no existe"
    )
    assert f"createdb -h {host} -p {port} -U postgres defensoria_que_no_existe" in paragraph


def test_an_unknown_postgresql_user_is_explained(tmp_path):
    host, port = _server()
    url = f"postgresql://nadie_por_aqui:clave@{host}:{port}/postgres"
    paragraph = assert_one_paragraph(
        run(tmp_path, "migrate", DATABASE_URL=url), "rechazó al usuario «nadie_por_aqui»"
    )
    assert "clave" not in paragraph.replace("contraseña", "")


def test_a_rejected_token_is_explained_and_never_printed(tmp_path):
    token = "987654321:AAH-rechazado-por-telegram_0123456789"
    with HttpFakeBotApi() as api:
        api.rejected_tokens.add(token)
        bot = debug_bot(api, tmp_path, token)
        try:
            code = bot.wait(EXIT_TIMEOUT)
        finally:
            bot.kill()
    output = bot.stderr() + bot.stdout()
    assert code == 2, bot.diagnosis(f"exit code {code}")
    assert "Telegram rechazó TELEGRAM_BOT_TOKEN" in output
    assert token not in output and "AAH-rechazado" not in output, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("command", [("migrate",), ()])
def test_a_user_who_cannot_create_tables_is_explained(tmp_path, command):
    host, port = _server()
    admin = ["psql", "-h", host, "-p", str(port), "-U", "postgres", "-q", "-c"]
    for statement in (
        "DROP DATABASE IF EXISTS defensoria_sin_permiso",
        "DROP ROLE IF EXISTS lectora",
        "CREATE ROLE lectora LOGIN",
        "CREATE DATABASE defensoria_sin_permiso",
    ):
        subprocess.run([*admin, statement], check=True, capture_output=True)
    url = f"postgresql://lectora@{host}:{port}/defensoria_sin_permiso"
    try:
        result = run(tmp_path, *command, DATABASE_URL=url, TELEGRAM_BOT_TOKEN="123:unused")
        assert_one_paragraph(result, "No pude preparar las tablas", "(ProgrammingError)")
    finally:
        for statement in ("DROP DATABASE defensoria_sin_permiso", "DROP ROLE lectora"):
            subprocess.run([*admin, statement], capture_output=True)


def test_the_schema_is_built_in_a_child_process_and_alembic_never_loads_in_the_bot(tmp_path):
    """The bot runs for weeks: the migration tooling must not stay in its memory."""
    database = tmp_path / "x.db"
    script = (
        "import sys\n"
        "from bot.startup_checks import prepare_database\n"
        f"print(prepare_database({f'sqlite:///{database}'!r}, apart=True))\n"
        "print('alembic' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert result.stdout.split() == ["None", "False"], result.stderr
    with closing(sqlite3.connect(database)) as connection:
        (revisions,) = connection.execute("select count(*) from alembic_version").fetchone()
    assert revisions == 1
