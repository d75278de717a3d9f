"""Where updates enter the active instance: once each, in order, whether they come from
polling or from the webhook.

Every update processed is remembered (the last RECENT ids, in memory), and one seen again
is acknowledged and ignored: Telegram re-sends a webhook post that was not answered in time.
Polling also keeps a mark in the database (the `installation_secrets` row
`last_update_id`): polled updates come in increasing order, and an update at or below the
mark is one the previous active instance processed but had not yet confirmed, redelivered to
its successor. Webhook posts for different chats arrive concurrently and out of order, so
there a mark would drop updates; Telegram re-sends only posts that got no 2xx, which the
instance that died had not finished.

Polling is this module's own loop rather than PTB's Updater: PTB confirms a batch's offset
with the next `getUpdates` as soon as the batch is queued, so a crash loses the queued
updates; here the offset moves past an update only after it was processed.

What a crash does to the update in flight: its handler ran partly (each unit of work is
committed or not as a whole) and no mark was written, so the next active instance gets it
again and processes it again. The handlers are idempotent in what they store (unique
enrollments, insert-or-ignore), so the servant at worst reads a second, consistent reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.error import Conflict, NetworkError, TelegramError, TimedOut
from telegram.ext import Application

from bot.clock import Clock
from bot.db import SessionFactory, upsert
from bot.models import InstallationSecret

logger = logging.getLogger(__name__)

MARK_NAME = "last_update_id"
ALLOWED_UPDATES = ("message", "callback_query")
"""What the bot's handlers react to; Telegram sends nothing else."""
POLL_TIMEOUT = 10
"""Seconds of each long poll."""
DEDUP_WINDOW = 100_000
RECENT = 10_000
MARK_MAX_AGE = timedelta(days=6)
"""After a week without updates Telegram may restart its numbering at random: an older
mark no longer says anything."""


class Intake:
    """Hands updates to the Application one at a time and remembers the last one."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        session_factory: SessionFactory,
        clock: Clock,
    ) -> None:
        self.application = application
        self._sessions = session_factory
        self._clock = clock
        self._lock = asyncio.Lock()
        self.mark: int | None = None
        self._recent: set[int] = set()
        self._order: deque[int] = deque()
        self.polling = True
        """False in webhook mode: no mark is kept or consulted."""
        self.processed = 0
        self.duplicates = 0
        self._stopping = False
        self._polling_call: asyncio.Task[Any] | None = None

    async def load(self) -> None:
        """Reads the mark left by the previous active instance."""
        async with self._sessions.read() as session:
            row = (
                await session.execute(
                    select(InstallationSecret).where(InstallationSecret.name == MARK_NAME)
                )
            ).scalar_one_or_none()
        if row is not None and self._clock.now() - row.created_at <= MARK_MAX_AGE:
            self.mark = int(row.value)

    def seen(self, update_id: int) -> bool:
        if update_id in self._recent:
            return True
        return (
            self.polling
            and self.mark is not None
            and self.mark - DEDUP_WINDOW < update_id <= self.mark
        )

    async def handle(self, update: Update) -> bool:
        """Processes the update unless it was already processed; True when it was new."""
        async with self._lock:
            if self.seen(update.update_id):
                self.duplicates += 1
                logger.info("update %s already processed: ignored", update.update_id)
                return False
            await self.application.process_update(update)
            await self._remember(update.update_id)
            self.processed += 1
            return True

    async def _remember(self, update_id: int) -> None:
        self._recent.add(update_id)
        self._order.append(update_id)
        if len(self._order) > RECENT:
            self._recent.discard(self._order.popleft())
        if not self.polling:
            return
        self.mark = update_id
        async with self._sessions.begin() as session:
            await upsert(
                session,
                InstallationSecret,
                {"name": MARK_NAME, "value": str(update_id), "created_at": self._clock.now()},
                conflict=["name"],
                update={"value": str(update_id), "created_at": self._clock.now()},
            )

    async def poll(self) -> None:
        """Long-polls until `stop_polling`; the offset passes an update once it is processed."""
        bot = self.application.bot
        offset = self.mark + 1 if self.mark is not None else None
        failures = 0
        while not self._stopping:
            self._polling_call = asyncio.ensure_future(
                bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT,
                    allowed_updates=list(ALLOWED_UPDATES),
                    read_timeout=POLL_TIMEOUT + 10,
                )
            )
            try:
                updates = await self._polling_call
            except asyncio.CancelledError:
                if self._stopping:
                    return
                raise
            except (Conflict, TimedOut, NetworkError, TelegramError) as exc:
                failures += 1
                logger.warning("getUpdates failed (%s); retrying", exc)
                await asyncio.sleep(min(5.0, 0.5 * failures))
                continue
            finally:
                self._polling_call = None
            failures = 0
            for update in updates:
                if self._stopping:
                    return  # the rest stay unconfirmed: the next active instance gets them
                await self.handle(update)
                offset = update.update_id + 1

    def stop_polling(self) -> None:
        """Stops after the update in hand; a long poll in progress is abandoned."""
        self._stopping = True
        if self._polling_call is not None:
            self._polling_call.cancel()

    async def drain(self) -> None:
        """Waits for the update in hand, if any."""
        async with self._lock:
            return None


async def confirm_quietly(task: asyncio.Task[Any] | None) -> None:
    """Awaits a finished or cancelled polling task without raising."""
    if task is None:
        return
    with contextlib.suppress(asyncio.CancelledError):
        await task
