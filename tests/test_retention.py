"""Retention on a fake clock: a servant without activity for RETENTION_MONTHS is told 30 days
before, then their data is deleted as /borrar_mis_datos does; any activity starts again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.housekeeping import apply_retention
from bot.models import AuditEntry, Enrollment, Servant
from bot.outbox.sender import run_sender
from bot.services.retention import months_before
from tests.factories import enroll_in, make_servant, make_talk

DAY = timedelta(days=1)


async def _servant(session_factory, telegram_user_id: int) -> Servant | None:
    async with session_factory() as session:
        return await session.scalar(
            select(Servant).where(Servant.telegram_user_id == telegram_user_id)
        )


async def _audit(session_factory) -> list[str]:
    async with session_factory() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_months_are_calendar_months():
    assert months_before(datetime(2026, 3, 31, 9, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )
    assert months_before(datetime(2026, 12, 1, tzinfo=UTC), 24) == datetime(
        2024, 12, 1, tzinfo=UTC
    )


async def test_a_silent_servant_is_told_then_erased_as_borrar_mis_datos_does(
    app, make_chat, session_factory, clock
):
    start = clock.now()
    given = await make_talk(session_factory, starts_at=start + 2 * DAY, title="Ingrid")
    ana = make_chat(5550301, "Ana")
    await ana.send("/platicas")
    await ana.press("Ingrid")
    await ana.press("Inscribirme")
    assert "si pasan 24 meses sin que te inscribas" in ana.last.text
    await ana.press("Acepto")
    await ana.send("Ana Torres Vidal")
    await ana.press("Tesorería Municipal")
    await ana.press("Prefiero no darlo")
    assert any("tienes tu lugar" in (sent.text or "") for sent in ana.messages)

    assert app.job_queue.get_jobs_by_name("retention"), "the daily job is scheduled"
    clock.set(months_before(start, -24) - 30 * DAY - DAY)  # a day before the notice is due
    assert (await apply_retention(app)).notified == []
    clock.advance(days=2)
    report = await apply_retention(app)
    assert len(report.notified) == 1 and report.erased == []
    await run_sender(app)
    notice = ana.messages[-1].text
    assert "Tus datos se borrarán pronto" in notice and "24 meses" in notice
    assert (await apply_retention(app)).notified == [], "told once"

    clock.advance(days=29)
    assert (await apply_retention(app)).erased == []
    clock.advance(days=1, hours=1)
    assert len((await apply_retention(app)).erased) == 1

    # Dissociated exactly as /borrar_mis_datos: the talk given is kept, anonymously.
    assert await _servant(session_factory, ana.user_id) is None
    async with session_factory() as session:
        kept = (
            await session.scalars(select(Enrollment).where(Enrollment.talk_id == given.id))
        ).all()
        [row] = kept
        servant = await session.get(Servant, row.servant_id)
    assert servant.full_name is None and servant.erased_at == clock.now()
    assert servant.dependency == "Tesorería Municipal"
    assert await _audit(session_factory) == ["retention.notice", "retention.erase"]
    await ana.send("/mis_datos")
    assert (
        "No tengo ningún dato" in ana.last.text or "aviso de privacidad" in ana.last.text.lower()
    )


async def test_writing_after_the_notice_keeps_the_data(app, make_chat, session_factory, clock):
    luis = make_chat(5550302, "Luis")
    await make_servant(session_factory, telegram_user_id=luis.user_id, now=clock.now())
    clock.set(months_before(clock.now(), -24) - 10 * DAY)
    assert len((await apply_retention(app)).notified) == 1

    clock.advance(hours=3)
    await luis.send("hola, ¿qué pláticas hay?")
    clock.advance(days=31)
    report = await apply_retention(app)
    assert report.erased == [] and report.notified == []
    assert (await _servant(session_factory, luis.user_id)).full_name == "María López"

    clock.advance(days=24 * 31)
    assert len((await apply_retention(app)).notified) == 1, "a new period, a new notice"


async def test_enrolling_and_attending_count_as_activity(app, session_factory, clock):
    servant = await make_servant(session_factory, telegram_user_id=5550303, now=clock.now())
    clock.advance(days=700)
    talk = await make_talk(session_factory, starts_at=clock.now() + 3 * DAY)
    await enroll_in(session_factory, servant, talk.id, clock.now())
    clock.advance(days=60)
    assert (await apply_retention(app)).notified == []


async def test_a_shorter_period_is_stated_in_the_privacy_notice(
    app, make_chat, clock, session_factory
):
    from bot.texts import t, use_setting_values

    use_setting_values(retention_months=12)
    try:
        assert "12 meses" in t("privacy.notice", version="x", domicilio="")
    finally:
        use_setting_values(retention_months=24)
