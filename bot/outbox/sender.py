"""The sender: a JobQueue job that drains the outbox under Telegram's limits.

Every `REMINDER_SCAN_SECONDS` it settles the rows that must not be sent, claims the due
ones in batches, runs the service steps a message needs (issuing a constancia), renders
each with the renderer for its kind and sends it through the shared Pacer. Outcomes:
- sent; 429 → pause everyone for `retry_after` and try the same message again;
- 403 (blocked) → the servant is marked unreachable, this and their pending rows stop;
- 400 → failed with Telegram's reason (retrying would not help);
- timeouts, network and 5xx errors → back to pending with back-off, failed after
  MAX_ATTEMPTS. Every row ends sent, skipped, missed, cancelled or failed.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot.context import RUNTIME_KEY, Runtime
from bot.models import Delivery, DeliveryKind, DeliveryState
from bot.office import office
from bot.outbox import store
from bot.outbox.message import Letter, Outgoing, Renderer
from bot.pacing import Pacer
from bot.services import constancias

BatchListener = Callable[
    [Application[Any, Any, Any, Any, Any, Any], list[tuple[Delivery, DeliveryState]]],
    Awaitable[None],
]
"""Called after each batch with every sent row and its outcome (e.g. to show a notice's
progress to the staff member who sent it), and with no rows after rows interrupted by a
crash were closed, since that too can finish a notice."""


@dataclass
class Sender:
    """What the sender is given by `build_application`: the renderer of every delivery kind,
    who hears about each batch, and the pacer shared by every bulk send."""

    renderers: Mapping[DeliveryKind, Renderer]
    pacer: Pacer
    batch_listeners: Sequence[BatchListener] = ()
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """One run at a time in this process."""


logger = logging.getLogger(__name__)

SENDER_JOB = "sender"
HEARTBEAT_EVERY = timedelta(minutes=15)
BATCH_SIZE = 100
"""The most rows one scan claims; see `claim_size`."""
CLAIM_SECONDS = 1.0
MAX_RETRY_AFTER_ROUNDS = 20


@dataclass
class SenderStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    throttled: int = 0
    settled: dict[str, int] = field(default_factory=dict)


def schedule_sender(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    if application.job_queue is None:
        raise RuntimeError("the sender needs python-telegram-bot[job-queue]")
    application.job_queue.run_repeating(
        _sender_job,
        interval=runtime.settings.reminder_scan_seconds,
        first=1,
        name=SENDER_JOB,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )


def run_sender_now(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Runs the sender soon, outside its schedule (after a promotion, say)."""
    job_queue = application.job_queue
    if job_queue is not None and job_queue.scheduler.running:
        job_queue.run_once(_sender_job, 0, name=f"{SENDER_JOB}-now")


async def _sender_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_sender(context.application)


async def run_sender(application: Application[Any, Any, Any, Any, Any, Any]) -> SenderStats:
    """Sends everything that is due now; returns what happened. One run at a time."""
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    sender = runtime.sender
    stats = SenderStats()
    if sender.lock.locked():
        return stats
    async with sender.lock:
        async with runtime.session_factory.begin() as session:
            interrupted = await store.expire_interrupted(session, now=runtime.clock.now())
        if interrupted:
            stats.settled["interrupted"] = interrupted
            for listener in sender.batch_listeners:
                await listener(application, [])
        while True:
            now = runtime.clock.now()
            async with runtime.session_factory.begin() as session:
                claim = await store.claim_due(
                    session, now=now, limit=claim_size(runtime.settings.send_rate_per_second)
                )
            _heartbeat(runtime, now)
            for reason, count in claim.closed.items():
                stats.settled[reason] = stats.settled.get(reason, 0) + count
            if not claim.to_send and not claim.closed:
                break
            outcomes = await asyncio.gather(
                *(
                    _deliver(application.bot, runtime, delivery, stats)
                    for delivery in claim.to_send
                )
            )
            for listener in sender.batch_listeners:
                await listener(application, list(zip(claim.to_send, outcomes, strict=True)))
    if stats.sent or stats.failed or stats.settled:
        logger.info(
            "sender: %d sent, %d failed, %d retried later, %d throttled, closed unsent %s",
            stats.sent,
            stats.failed,
            stats.retried,
            stats.throttled,
            stats.settled,
        )
    return stats


def claim_size(rate: float) -> int:
    """About one second of sending: a crash can only strand what was claimed and not yet
    sent (those rows end `interrupted`, never resent), so claims stay small."""
    return min(BATCH_SIZE, max(1, math.ceil(rate * CLAIM_SECONDS)))


def _heartbeat(runtime: Runtime, now: datetime) -> None:
    """Records the scan; logs it every HEARTBEAT_EVERY so a stopped scheduler is noticed."""
    last_logged = runtime.health.get("last_heartbeat_log")
    runtime.health["last_scan"] = now
    if last_logged is None or now - last_logged >= HEARTBEAT_EVERY:
        runtime.health["last_heartbeat_log"] = now
        logger.info("sender heartbeat: outbox scanned at %s", now.isoformat(timespec="seconds"))


async def _deliver(
    bot: Bot, runtime: Runtime, delivery: Delivery, stats: SenderStats
) -> DeliveryState:
    pacer = runtime.sender.pacer
    reason: str | None
    try:
        letter = await _prepare(runtime, delivery, now=runtime.clock.now())
        outgoing = await runtime.sender.renderers[delivery.kind](letter)
    except Exception:
        logger.exception("could not render delivery %s", delivery.id)
        state, reason = DeliveryState.FAILED, "render_error"
    else:
        await pacer.wait(delivery.servant.chat_id)
        async with runtime.session_factory.begin() as session:
            await store.mark_started(session, delivery_id=delivery.id)
        state, reason = await _send(
            bot, pacer, delivery.servant.chat_id, outgoing, stats, paced=True
        )
    async with runtime.session_factory.begin() as session:
        now = runtime.clock.now()
        if state == DeliveryState.PENDING:
            state = await store.retry_later(
                session,
                delivery_id=delivery.id,
                attempts=delivery.attempts,
                now=now,
                error=reason or "",
            )
        else:
            await store.finish(
                session, delivery_id=delivery.id, state=state, now=now, reason=reason
            )
            if reason == "blocked":
                await store.mark_unreachable(session, servant_id=delivery.servant_id, now=now)
    if state == DeliveryState.SENT:
        stats.sent += 1
    elif state == DeliveryState.FAILED:
        stats.failed += 1
    else:
        stats.retried += 1
    return state


async def _prepare(runtime: Runtime, delivery: Delivery, *, now: datetime) -> Letter:
    """Runs the service step a row needs before it can be rendered: a constancia is issued
    (once; a retry finds the same folio) in its own transaction."""
    tz = runtime.settings.tz
    if delivery.kind != DeliveryKind.CONSTANCIA:
        return Letter(delivery, now, tz)
    async with runtime.session_factory.begin() as session:
        issued = await constancias.issue(
            session,
            enrollment_id=delivery.enrollment_id or 0,
            now=now,
            tz=tz,
            folio_prefix=office().folio_prefix,
        )
    if issued is None:
        raise ValueError("constancia for an enrollment without attendance")
    return Letter(delivery, now, tz, constancia=issued)


async def _send(
    bot: Bot,
    pacer: Pacer,
    chat_id: int,
    outgoing: Outgoing,
    stats: SenderStats,
    *,
    paced: bool = False,
) -> tuple[DeliveryState, str | None]:
    """Sends one message and its file; returns the row's next state and the reason.

    The text (or, without text, the file) decides the outcome; a file that follows a text
    that already arrived is logged if it fails, never a reason to send the text again.
    """
    first: Callable[[], Awaitable[object]]
    if outgoing.text is not None:
        first = partial(bot.send_message, chat_id, outgoing.text, reply_markup=outgoing.markup)
    elif outgoing.document is not None:
        first = partial(_send_file, bot, chat_id, outgoing.document, outgoing, with_markup=True)
    else:
        return DeliveryState.FAILED, "empty_message"
    state, reason = await _paced(pacer, chat_id, first, stats, slot_taken=paced)
    if state == DeliveryState.SENT and outgoing.text is not None and outgoing.document:
        file_state, file_reason = await _paced(
            pacer, chat_id, partial(_send_file, bot, chat_id, outgoing.document, outgoing), stats
        )
        if file_state != DeliveryState.SENT:
            logger.warning("file of a delivered message not sent: %s", file_reason)
    return state, reason


async def _send_file(
    bot: Bot, chat_id: int, document: bytes, outgoing: Outgoing, *, with_markup: bool = False
) -> object:
    return await bot.send_document(
        chat_id,
        document,
        filename=outgoing.filename,
        caption=outgoing.caption,
        reply_markup=outgoing.markup if with_markup else None,
    )


async def _paced(
    pacer: Pacer,
    chat_id: int,
    call: Callable[[], Awaitable[object]],
    stats: SenderStats,
    *,
    slot_taken: bool = False,
) -> tuple[DeliveryState, str | None]:
    """Makes one Bot API call in a paced slot, honouring 429; classifies what went wrong.

    A timeout may hide a message Telegram did accept; it is retried all the same, as
    retrying is what brings most reminders home, and the rare duplicate is the price.
    """
    for _ in range(MAX_RETRY_AFTER_ROUNDS):
        if not slot_taken:
            await pacer.wait(chat_id)
        slot_taken = False
        try:
            await call()
        except RetryAfter as exc:
            stats.throttled += 1
            pacer.pause(_seconds(exc.retry_after))
            continue
        except Forbidden:
            return DeliveryState.FAILED, "blocked"
        except BadRequest as exc:
            return DeliveryState.FAILED, _short_reason(exc)
        except TelegramError as exc:
            return DeliveryState.PENDING, _short_reason(exc)
        return DeliveryState.SENT, None
    return DeliveryState.PENDING, "throttled"


def _seconds(retry_after: float | timedelta) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


def _short_reason(exc: TelegramError) -> str:
    return f"{type(exc).__name__}: {exc.message}"[:300]
