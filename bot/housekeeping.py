"""Daily clean-up on the JobQueue: unanswered questions are deleted 180 days after they
were first asked (`faq_log.RETENTION`). /pendientes purges too, so nothing expired is shown
even if the bot was down when the job was due."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.context import RUNTIME_KEY, Runtime
from bot.services import faq_log

logger = logging.getLogger(__name__)

PURGE_JOB = "faq-purge"
PURGE_EVERY = timedelta(days=1)
FIRST_PURGE = timedelta(minutes=1)


def schedule_housekeeping(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.job_queue.run_repeating(  # type: ignore[union-attr]
        _purge_job,
        interval=PURGE_EVERY,
        first=FIRST_PURGE,
        name=PURGE_JOB,
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
