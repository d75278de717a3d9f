"""`python -m bot import-talks`: a good file, a bad file, re-import, the example programme."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.models import Talk
from tests.factories import enroll_in, make_servant

HEADER = (
    "titulo,tema,descripcion,ponente,organiza,inicio,duracion_min,modalidad,enlace,sede,cupo\n"
)
GOOD = HEADER + (
    'Ley Ingrid,Ley Ingrid,"Qué castiga, y dónde",Lic. Ana Ruiz,Defensoría Municipal,'
    "2030-03-05 10:00,90,virtual,https://meet.example.org/ingrid,,150\n"
    "Adultos mayores,Personas adultas mayores,,Lic. Rosa Díaz,DIF,"
    '2030-03-12 11:30,60,Presencial,,"Palacio Municipal, Sala 2",40\n'
)


def run_cli(database_url: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123:cli",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "import-talks", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


async def _talks(session_factory) -> list[Talk]:
    async with session_factory() as session:
        return list((await session.scalars(select(Talk).order_by(Talk.starts_at))).all())


async def test_good_file_imports_every_talk_in_utc(database_url, session_factory, tmp_path):
    path = tmp_path / "programa.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())

    result = run_cli(database_url, path)

    assert result.returncode == 0, result.stderr
    assert "2 creada(s)" in result.stdout
    ingrid, mayores = await _talks(session_factory)
    assert ingrid.starts_at == datetime(2030, 3, 5, 16, 0, tzinfo=UTC)
    assert (ingrid.description, ingrid.capacity) == ("Qué castiga, y dónde", 150)
    assert (mayores.modality, mayores.venue) == ("presencial", "Palacio Municipal, Sala 2")


async def test_reimport_updates_instead_of_duplicating(database_url, session_factory, tmp_path):
    path = tmp_path / "programa.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert run_cli(database_url, path).returncode == 0
    path.write_text(GOOD.replace("10:00,90", "12:00,90").replace(",40\n", ",45\n"), "utf-8")

    result = run_cli(database_url, path)

    assert result.returncode == 0, result.stderr
    assert "0 creada(s), 2 actualizada(s)" in result.stdout
    ingrid, mayores = await _talks(session_factory)
    assert ingrid.starts_at == datetime(2030, 3, 5, 18, 0, tzinfo=UTC)
    assert ingrid.sequence == 1
    assert mayores.capacity == 45


async def test_bad_file_reports_each_error_by_line_and_imports_nothing(
    database_url, session_factory, tmp_path
):
    bad = GOOD + (
        "Sin fecha,Tema,,Ponente,Organiza,2030-02-30 10:00,90,virtual,https://x.org/a,,10\n"
        "Sin enlace,Tema,,Ponente,Organiza,2030-04-01 10:00,0,virtual,,,-5\n"
        "Modalidad rara,Tema,,Ponente,Organiza,2030-04-02 10:00,60,híbrida,,,10\n"
    )
    path = tmp_path / "programa.csv"
    path.write_text(bad, encoding="utf-8")

    result = run_cli(database_url, path)

    assert result.returncode == 1
    assert "No se importó nada" in result.stderr
    assert "fila 4, columna inicio" in result.stderr
    assert "fila 5, columna duracion_min" in result.stderr
    assert "fila 5, columna enlace" in result.stderr
    assert "fila 5, columna cupo" in result.stderr
    assert "fila 6, columna modalidad" in result.stderr
    assert "Traceback" not in result.stderr
    assert await _talks(session_factory) == []


async def test_missing_columns_and_non_utf8_are_explained(database_url, tmp_path):
    missing = tmp_path / "incompleto.csv"
    missing.write_text("titulo,tema\nA,B\n", encoding="utf-8")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(GOOD.encode("latin-1"))

    result = run_cli(database_url, missing)
    assert result.returncode == 1
    assert "fila 1, columna inicio: falta esta columna" in result.stderr
    result = run_cli(database_url, latin1)
    assert result.returncode == 1
    assert "CSV UTF-8" in result.stderr


async def test_example_programme_moves_to_the_future(database_url, session_factory):
    result = run_cli(
        database_url, PROJECT_ROOT / "content" / "talks.example.csv", "--move-to-future"
    )
    assert result.returncode == 0, result.stderr
    talks = await _talks(session_factory)
    assert len(talks) >= 5
    assert all(talk.starts_at > datetime.now(UTC) for talk in talks)


async def test_reimport_cannot_leave_fewer_seats_than_people_enrolled(
    database_url, session_factory, tmp_path, clock
):
    path = tmp_path / "programa.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert run_cli(database_url, path).returncode == 0
    ingrid, _ = await _talks(session_factory)
    for number in range(3):
        servant = await make_servant(
            session_factory, telegram_user_id=800 + number, now=clock.now()
        )
        await enroll_in(session_factory, servant, ingrid.id, clock.now())
    path.write_text(GOOD.replace(",150\n", ",2\n").replace("Sala 2", "Sala 3"), "utf-8")

    result = run_cli(database_url, path)

    assert result.returncode == 1
    assert "fila 2, columna cupo: el cupo no puede ser menor que las 3 personas" in result.stderr
    ingrid, mayores = await _talks(session_factory)
    assert (ingrid.capacity, mayores.venue) == (150, "Palacio Municipal, Sala 2")


def test_a_spanish_excel_file_reports_spreadsheet_rows(tmp_path: Path) -> None:
    """`;` separators, empty trailing columns, and a description over three lines: the bad
    row is the spreadsheet's row 3, not the file's line 5."""
    programme = tmp_path / "programa.csv"
    programme.write_bytes(
        (
            "titulo;tema;descripcion;ponente;organiza;inicio;duracion_min;modalidad;enlace;"
            "sede;cupo;;\r\n"
            'Ley Ingrid;Ley Ingrid;"Qué castiga\r\ny dónde\r\ny cómo";Lic. Ana Ruiz;DIF;'
            "2030-03-05 10:00;90;virtual;https://meet.example.org/ingrid;;150;;\r\n"
            "Adultos;Adultos;;Lic. Rosa Díaz;DIF;2030-03-12 11:30;60;presencial;;;0;;\r\n"
        ).encode("utf-8-sig")
    )
    result = run_cli(f"sqlite:///{tmp_path / 'db.sqlite'}", programme)
    assert result.returncode == 1, result.stderr
    assert "fila 3, columna sede" in result.stderr
    assert "fila 3, columna cupo" in result.stderr
    assert "columna desconocida" not in result.stderr and "fila 5" not in result.stderr
