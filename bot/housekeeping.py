"""Daily clean-up on the JobQueue: unanswered questions are deleted 180 days after they
were first asked (`faq_log.RETENTION`; /pendientes purges too, so nothing expired is shown
even if the bot was down when the job was due); servants without activity for
RETENTION_MONTHS are told, then their data is deleted (`bot.services.retention`)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.context import RUNTIME_KEY, Runtime
from bot.outbox.sender import run_sender_now
from bot.services import faq_log, retention

logger = logging.getLogger(__name__)

PURGE_JOB = "faq-purge"
RETENTION_JOB = "retention"
PURGE_EVERY = timedelta(days=1)
FIRST_PURGE = timedelta(minutes=1)


def schedule_housekeeping(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if application.job_queue is None:
        raise RuntimeError("housekeeping needs python-telegram-bot[job-queue]")
    for job, name in ((_purge_job, PURGE_JOB), (_retention_job, RETENTION_JOB)):
        application.job_queue.run_repeating(
            job,
            interval=PURGE_EVERY,
            first=FIRST_PURGE,
            name=name,
            job_kwargs={"max_instances": 1, "coalesce": True},
        )


async def _purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await purge_expired_questions(context.application)


async def purge_expired_questions(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Deletes the expired unanswered questions; returns how many."""
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    async with runtime.session_factory.begin() as session:
        purged = await faq_log.purge_expired(session, now=runtime.clock.now())
    if purged:
        logger.info(
            "faq: %d unanswered questions older than %s deleted", purged, faq_log.RETENTION
        )
    return purged


async def _retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await apply_retention(context.application)


async def apply_retention(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> retention.RetentionReport:
    """Tells the servants whose data expires in 30 days and deletes the expired; the notices
    go out through the outbox at once."""
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    settings = runtime.settings
    async with runtime.session_factory.begin() as session:
        report = await retention.apply_retention(
            session,
            now=runtime.clock.now(),
            months=settings.retention_months,
            reminder_offsets=settings.reminder_offsets,
        )
    if report.notified or report.erased:
        logger.info(
            "retention: %d servants told, %d erased after %d months without activity",
            len(report.notified),
            len(report.erased),
            settings.retention_months,
        )
    if report.notified or report.erased:
        run_sender_now(application)
    return report
