"""Reminders and notices from the outbox: on time, once, never stale, through failures."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from bot.app import build_application, dispose
from bot.models import Delivery, DeliveryKind, DeliveryState, Servant
from bot.outbox import store
from bot.outbox.sender import run_sender
from bot.services import enrollment, talk_admin
from handlers.notices import offset_text
from tests.conftest import STAFF_ID
from tests.factories import REMINDER_OFFSETS as OFFSETS
from tests.factories import enroll_in, make_servant, make_talk
from tests.fakes import FakeBotApi, Timeout, virtual_pacer


async def _enrolled(session_factory, clock, *, people=1, starts_in=timedelta(days=3), **talk):
    talk_row = await make_talk(session_factory, starts_at=clock.now() + starts_in, **talk)
    servants = []
    for n in range(people):
        servant = await make_servant(session_factory, telegram_user_id=77_000 + n, now=clock.now())
        await enroll_in(session_factory, servant, talk_row.id, clock.now())
        servants.append(servant)
    return talk_row, servants


def _reminders_to(api: FakeBotApi, chat_id: int) -> list[str]:
    return [sent.text for sent in api.sent_to(chat_id) if "Recordatorio" in sent.text]


async def _states(session_factory) -> dict[tuple[str, int | None], tuple[str, str | None]]:
    async with session_factory() as session:
        rows = (await session.scalars(select(Delivery).order_by(Delivery.id))).all()
    return {(row.kind.value, row.offset_minutes): (row.state.value, row.reason) for row in rows}


def test_offsets_read_naturally():
    assert [offset_text(m) for m in (1440, 2880, 60, 180, 2, 90)] == [
        "mañana",
        "en 2 días",
        "en 1 hora",
        "en 3 horas",
        "en 2 minutos",
        "en 90 minutos",
    ]


async def test_each_reminder_arrives_once_at_its_time(app, api, session_factory, clock):
    talk, [ana] = await _enrolled(session_factory, clock, title="Ley Ingrid")
    assert (await run_sender(app)).sent == 0

    clock.set(talk.starts_at - timedelta(hours=24))
    assert (await run_sender(app)).sent == 1
    assert (await run_sender(app)).sent == 0
    [day_before] = _reminders_to(api, ana.chat_id)
    assert "mañana" in day_before and "Ley Ingrid" in day_before
    assert "viernes 4 de diciembre, 09:00 h" in day_before
    assert "https://meet.example.org/abc-defg" in day_before
    assert "¿Ya no puedes asistir?" in api.sent_to(ana.chat_id)[-1].labels()

    clock.set(talk.starts_at - timedelta(minutes=59))
    assert (await run_sender(app)).sent == 1
    assert "en 1 hora" in _reminders_to(api, ana.chat_id)[-1]
    clock.set(talk.starts_at + timedelta(minutes=5))
    assert (await run_sender(app)).sent == 0
    assert len(_reminders_to(api, ana.chat_id)) == 2


async def test_a_new_application_sends_exactly_what_is_left(
    app, api, settings, session_factory, clock
):
    talk, [ana] = await _enrolled(session_factory, clock)
    clock.set(talk.starts_at - timedelta(hours=23))
    await run_sender(app)

    restarted_api = FakeBotApi()
    restarted = build_application(
        settings,
        request=restarted_api,
        clock=clock,
        pacer=virtual_pacer(settings.send_rate_per_second),
    )
    async with restarted:
        assert (await run_sender(restarted)).sent == 0
        clock.set(talk.starts_at - timedelta(minutes=50))
        assert (await run_sender(restarted)).sent == 1
    await dispose(restarted)
    assert len(_reminders_to(api, ana.chat_id)) == 1
    assert ["en 1 hora" in text for text in _reminders_to(restarted_api, ana.chat_id)] == [True]


async def test_reminders_missed_while_down_follow_the_grace_window(
    app, api, session_factory, clock
):
    talk, _ = await _enrolled(session_factory, clock)
    clock.set(talk.starts_at - timedelta(minutes=45))
    stats = await run_sender(app)
    assert stats.sent == 1
    assert await _states(session_factory) == {
        ("reminder", 1440): ("missed", "late"),
        ("reminder", 60): ("sent", None),
    }


async def test_nothing_is_sent_once_the_talk_started(app, api, session_factory, clock):
    talk, [ana] = await _enrolled(session_factory, clock)
    clock.set(talk.starts_at + timedelta(minutes=1))
    assert (await run_sender(app)).sent == 0
    assert {state for state, _ in (await _states(session_factory)).values()} == {"skipped"}
    assert api.sent_to(ana.chat_id) == []


async def test_enrolling_30_minutes_before_gets_no_stale_reminder(
    app, api, session_factory, clock
):
    await _enrolled(session_factory, clock, starts_in=timedelta(minutes=30))
    assert (await run_sender(app)).sent == 0
    assert await _states(session_factory) == {
        ("reminder", 1440): ("skipped", "enrolled_late"),
        ("reminder", 60): ("skipped", "enrolled_late"),
    }


async def test_reschedule_recomputes_reminders_and_notifies_with_updated_calendar(
    app, api, session_factory, clock
):
    talk, [ana] = await _enrolled(session_factory, clock, title="Feminicidio")
    new_start = talk.starts_at + timedelta(days=2, hours=1)
    async with session_factory.begin() as session:
        await talk_admin.reschedule(
            session,
            actor=STAFF_ID,
            talk_id=talk.id,
            starts_at=new_start,
            now=clock.now(),
            reminder_offsets=OFFSETS,
        )
    assert (await run_sender(app)).sent == 1
    notice = api.sent_to(ana.chat_id)[0]
    assert "Cambio de horario" in notice.text and "domingo 6 de diciembre, 10:00 h" in notice.text
    event = Calendar.from_ical(api.sent_to(ana.chat_id)[1].document).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == new_start and int(event["SEQUENCE"]) == 1

    clock.set(talk.starts_at - timedelta(hours=24))
    assert (await run_sender(app)).sent == 0
    clock.set(new_start - timedelta(hours=24))
    assert (await run_sender(app)).sent == 1


async def test_cancelled_talk_notifies_and_cancels_reminders(app, api, session_factory, clock):
    talk, [ana, luis] = await _enrolled(session_factory, clock, people=2, capacity=1)
    async with session_factory.begin() as session:
        cancelled = await talk_admin.cancel(
            session, actor=STAFF_ID, talk_id=talk.id, now=clock.now()
        )
        assert cancelled.people == 2
    assert (await run_sender(app)).sent == 2
    for person in (ana, luis):
        assert "fue cancelada" in api.sent_to(person.chat_id)[0].text
    calendar = Calendar.from_ical(api.sent_to(ana.chat_id)[1].document)
    assert str(calendar["METHOD"]) == "CANCEL"
    clock.set(talk.starts_at - timedelta(hours=1))
    assert (await run_sender(app)).sent == 0
    reminder_states = {
        state
        for (kind, _), (state, _) in (await _states(session_factory)).items()
        if kind == "reminder"
    }
    assert reminder_states == {"cancelled"}


def _failing(plan: list[object]):
    """A responder that answers sendMessage with the planned failures, then normally."""

    def responder(method, params):
        if method == "sendMessage" and plan:
            return plan.pop(0)
        return None

    return responder


def _error(code: int, description: str, **parameters: object):
    body = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, body


async def test_429_is_honoured_and_retried_without_duplicates(app, api, session_factory, clock):
    talk, [ana] = await _enrolled(session_factory, clock)
    api.responder = _failing([_error(429, "Too Many Requests: retry after 1", retry_after=1)])
    clock.set(talk.starts_at - timedelta(hours=24))
    stats = await run_sender(app)
    assert (stats.sent, stats.throttled) == (1, 1)
    assert len(_reminders_to(api, ana.chat_id)) == 1


async def test_timeouts_and_5xx_are_retried_with_backoff_then_fail(
    app, api, session_factory, clock
):
    talk, [ana] = await _enrolled(session_factory, clock)
    api.responder = _failing([Timeout, _error(502, "Bad Gateway")])
    clock.set(talk.starts_at - timedelta(hours=24))
    assert (await run_sender(app)).retried == 1
    assert (await run_sender(app)).sent == 0
    clock.advance(seconds=31)
    assert (await run_sender(app)).retried == 1
    clock.advance(seconds=61)
    assert (await run_sender(app)).sent == 1
    assert len(_reminders_to(api, ana.chat_id)) == 1

    api.responder = _failing([_error(500, "Internal Server Error")] * 10)
    clock.set(talk.starts_at - timedelta(minutes=59))
    for _ in range(6):
        await run_sender(app)
        clock.advance(minutes=5)
    state, reason = (await _states(session_factory))[("reminder", 60)]
    assert state == "failed" and "Internal Server Error" in reason


async def test_403_marks_the_servant_unreachable_and_stops(app, api, session_factory, clock):
    talk, [ana] = await _enrolled(session_factory, clock)
    api.responder = _failing([_error(403, "Forbidden: bot was blocked by the user")])
    clock.set(talk.starts_at - timedelta(hours=24))
    assert (await run_sender(app)).failed == 1
    clock.set(talk.starts_at - timedelta(minutes=59))
    assert (await run_sender(app)).sent == 0
    assert await _states(session_factory) == {
        ("reminder", 1440): ("failed", "blocked"),
        ("reminder", 60): ("skipped", "unreachable"),
    }
    async with session_factory() as session:
        servant = await session.get(Servant, ana.id)
    assert servant.unreachable_at is not None


async def test_two_senders_never_send_the_same_reminder_twice(
    app, api, settings, session_factory, clock
):
    talk, people = await _enrolled(session_factory, clock, people=40, capacity=40)
    clock.set(talk.starts_at - timedelta(hours=24))
    other = build_application(
        settings, request=api, clock=clock, pacer=virtual_pacer(settings.send_rate_per_second)
    )
    async with other:
        first, second = await asyncio.gather(run_sender(app), run_sender(other))
    await dispose(other)
    assert first.sent + second.sent == 40
    per_chat = [len(_reminders_to(api, person.chat_id)) for person in people]
    assert per_chat == [1] * 40
    assert {state for state, _ in (await _states(session_factory)).values()} == {"sent", "pending"}


async def test_promotion_notice_and_kinds_render(app, api, session_factory, clock):
    talk, [ana, luis] = await _enrolled(session_factory, clock, people=2, capacity=1)
    async with session_factory.begin() as session:
        await enrollment.cancel(
            session, servant=ana, talk_id=talk.id, now=clock.now(), reminder_offsets=OFFSETS
        )
    await run_sender(app)
    assert "Se liberó un lugar" in api.sent_to(luis.chat_id)[0].text
    kinds = {kind for kind, _ in await _states(session_factory)}
    assert kinds == {DeliveryKind.REMINDER.value, DeliveryKind.PROMOTED.value}
    assert json.dumps(api.sent_to(luis.chat_id)[0].buttons).count("v1:cx:") == 1
    assert DeliveryState.SENT.value in {s for s, _ in (await _states(session_factory)).values()}


async def test_a_send_interrupted_by_a_crash_is_not_repeated(app, api, session_factory, clock):
    talk, [ana] = await _enrolled(session_factory, clock)
    clock.set(talk.starts_at - timedelta(hours=24))
    async with session_factory.begin() as session:
        [claimed] = (await store.claim_due(session, now=clock.now(), limit=1)).to_send
    assert claimed.offset_minutes == 1440

    clock.advance(minutes=11)
    await run_sender(app)
    assert await _states(session_factory) == {
        ("reminder", 1440): ("failed", "interrupted"),
        ("reminder", 60): ("pending", None),
    }
    assert _reminders_to(api, ana.chat_id) == []


async def test_staff_see_the_scheduler_heartbeat_in_help(app, make_chat, clock):
    servant_chat, staff_chat = make_chat(4242), make_chat(STAFF_ID)
    assert "Última revisión" not in (await servant_chat.send("/ayuda"))[-1].text
    assert "todavía ninguna" in (await staff_chat.send("/ayuda"))[-1].text
    await run_sender(app)
    assert "martes 1 de diciembre, 09:00 h" in (await staff_chat.send("/ayuda"))[-1].text
