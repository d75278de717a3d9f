"""Time to serve the public programme with 200 upcoming talks.

Run from the repository root::

    .venv/bin/python benchmarks/programme.py [--talks N] [--requests R] [--database-url URL]

Loads N upcoming talks (some cancelled, some full, each with enrollments) into a scratch
database built by the migrations, then requests `/programa`, `/programa.ics` and a
conditional `/programa` (If-None-Match, answered 304) R times each through httpx's ASGI
transport, the query and the template included. The baseline, measured in the same run on
the same transport, is a Starlette route returning a fixed body of the page's size: what
HTTP and the framework cost before any work. Prints p50/p99 per request, the ratio to the
baseline, the feed drawn cold (each talk's event is kept until the talk changes), the
database query alone, and the verdict against the target: ≤ 20 ms per page and per feed
(p50).

`--database-url` takes an SQLite URL of a file that does not exist yet, or a PostgreSQL
server URL, on which a throw-away database is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from benchmarks.support import build_schema, scratch_database  # noqa: E402
from bot import calendar  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import create_engine, make_session_factory  # noqa: E402
from bot.models import (  # noqa: E402
    Enrollment,
    EnrollmentStatus,
    Modality,
    Servant,
    Talk,
    TalkStatus,
)
from bot.services.talks import public_programme  # noqa: E402
from bot.web import build_web_app  # noqa: E402

TARGET_MS = 20.0
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TOPICS = ("Ley Ingrid", "Feminicidio", "Responsabilidades", "Adultos mayores", "Principios")


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def _load(url: str, talks: int) -> None:
    engine = create_engine(url)
    factory = make_session_factory(engine)
    async with factory.begin() as session:
        servants = [
            Servant(
                telegram_user_id=10_000 + n,
                chat_id=10_000 + n,
                privacy_version="2026-11",
                privacy_accepted_at=NOW,
                full_name=f"Persona {n}",
                dependency="Tesorería Municipal",
                created_at=NOW,
                updated_at=NOW,
            )
            for n in range(20)
        ]
        session.add_all(servants)
        for number in range(talks):
            starts = NOW + timedelta(days=1 + number // 3, hours=number % 3)
            talk = Talk(
                import_key=f"bench-{number}",
                title=f"Plática {number}: la Ley Ingrid & el servicio público <{number}>",
                topic=TOPICS[number % len(TOPICS)],
                description="Qué castiga la ley, cómo se aplica y qué hacer ante un caso.",
                speaker="Mtra. Laura Pérez Hernández",
                organizer="Defensoría Municipal de Derechos Humanos de Toluca",
                starts_at=starts,
                duration_min=90,
                modality=Modality.VIRTUAL if number % 4 else Modality.PRESENCIAL,
                meeting_link="https://meet.example.org/abc-defg" if number % 4 else None,
                venue=None if number % 4 else "Palacio Municipal, Sala de Cabildo",
                capacity=5 if number % 7 == 0 else 100,
                status=TalkStatus.CANCELLED if number % 11 == 0 else TalkStatus.SCHEDULED,
                sequence=number % 3,
                created_at=NOW - timedelta(days=30),
                updated_at=NOW - timedelta(days=number % 30),
            )
            session.add(talk)
            await session.flush()
            for servant in servants[: 5 + number % 10]:
                session.add(
                    Enrollment(
                        talk_id=talk.id,
                        servant_id=servant.id,
                        status=EnrollmentStatus.ENROLLED,
                        queued_at=NOW,
                        created_at=NOW,
                        updated_at=NOW,
                    )
                )
    await engine.dispose()


async def _time(
    client: httpx.AsyncClient, path: str, requests: int, **headers: str
) -> list[float]:
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = await client.get(path, headers=headers)
        timings.append((time.perf_counter() - start) * 1000.0)
        assert response.status_code in (200, 304), response.status_code
    return timings


async def _time_cold(client: httpx.AsyncClient, requests: int) -> list[float]:
    """The feed when every event must be drawn again (as after importing a new programme)."""
    timings = []
    for _ in range(requests):
        calendar._feed_events.clear()
        timings += await _time(client, "/programa.ics", 1)
    return timings


async def _time_query(factory: object, requests: int) -> list[float]:
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        async with factory.read() as session:  # type: ignore[attr-defined]
            await public_programme(session, now=NOW)
        timings.append((time.perf_counter() - start) * 1000.0)
    return timings


def _row(name: str, timings: list[float], baseline: float) -> tuple[str, float]:
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    line = f"  {name:<28}{p50:>9.2f}{p99:>9.2f}{p50 / baseline:>9.1f}×"
    return line, p50


async def run(talks: int, requests: int, database_url: str | None) -> bool:
    async with scratch_database(database_url, "programme") as url:
        await build_schema(url)
        await _load(url, talks)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token="1:bench",
            database_url=url,
        )
        engine = create_engine(url)
        factory = make_session_factory(engine)
        app = build_web_app(
            settings,
            factory,
            clock=FixedClock(),
            bot_username=lambda: "defensoria_bot",
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            page = await client.get("/programa")
            etag = page.headers["etag"]
            body = page.content
            feed = await client.get("/programa.ics")
            await _time(client, "/programa", 10)  # warm-up: statement cache, template, dates

            async def fixed(_request: object) -> Response:
                return Response(body, media_type="text/html; charset=utf-8")

            floor_app = Starlette(routes=[Route("/programa", fixed)])
            floor_transport = httpx.ASGITransport(app=floor_app)
            async with httpx.AsyncClient(transport=floor_transport, base_url="http://b") as floor:
                await _time(floor, "/programa", 10)
                baseline_timings = await _time(floor, "/programa", requests)
            baseline = statistics.median(baseline_timings)

            rows = [
                _row("baseline (fixed body)", baseline_timings, baseline),
                _row("/programa", await _time(client, "/programa", requests), baseline),
                _row("/programa.ics", await _time(client, "/programa.ics", requests), baseline),
                _row(
                    "/programa 304 (If-None-Match)",
                    await _time(client, "/programa", requests, **{"If-None-Match": etag}),
                    baseline,
                ),
                _row(
                    "/programa.ics?tema=…",
                    await _time(client, "/programa.ics?tema=Ley%20Ingrid", requests),
                    baseline,
                ),
                _row("/programa.ics, cold", await _time_cold(client, requests), baseline),
                _row("the query alone", await _time_query(factory, requests), baseline),
            ]
        await engine.dispose()

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    upcoming = body.count(b"<article")
    print(f"backend: {backend}; {upcoming} talks on the page ({len(body) / 1024:.0f} KiB),")
    events = feed.content.count(b"BEGIN:VEVENT")
    print(f"{events} events in the feed ({len(feed.content) / 1024:.0f} KiB)")
    print(f"  {'request':<28}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>10}")
    for line, _ in rows:
        print(line)
    page_ms, feed_ms = rows[1][1], rows[2][1]
    ok = page_ms <= TARGET_MS and feed_ms <= TARGET_MS
    verdict = "PASS" if ok else "FAIL"
    print(f"\npage {page_ms:.2f} ms, feed {feed_ms:.2f} ms (p50)", end="")
    print(f"; target ≤ {TARGET_MS:.0f} ms  {verdict}")
    return ok


def main() -> None:
    """Runs the benchmark and prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--talks", type=int, default=200, help="upcoming talks (default 200)")
    parser.add_argument("--requests", type=int, default=200, help="requests per measurement")
    parser.add_argument("--database-url", default=None, help="SQLite file URL or PostgreSQL")
    args = parser.parse_args()
    asyncio.run(run(args.talks, args.requests, args.database_url))


if __name__ == "__main__":
    main()
