"""Pacing of bulk sends under Telegram's limits: an overall rate and ≤ 1 message/s per chat.

A sender takes its slot when it actually goes, not when it starts waiting: if the event loop
stalls (a busy handler, a garbage-collection pause), the messages that were waiting do not
all leave at once when it resumes, and a 429's `retry_after` holds back every waiting sender,
not only the next one. Waiters take turns in arrival order (asyncio.Lock is fair). Slots stay
on a fixed grid while senders are only slightly late, so small sleep overshoots do not slow
the overall rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

PER_CHAT_INTERVAL = 1.0


class Pacer:
    """Hands out send slots at most `rate` per second overall and one per second per chat."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._chat_ready: dict[int, float] = {}
        self._turn = asyncio.Lock()

    async def wait(self, chat_id: int) -> None:
        """Returns when a message to `chat_id` may be sent now, and books that moment."""
        chat_ready = self._chat_ready.get(chat_id, 0.0)
        self._chat_ready[chat_id] = max(self._clock(), chat_ready) + PER_CHAT_INTERVAL
        await self._sleep_until(lambda: chat_ready)
        async with self._turn:
            await self._sleep_until(lambda: max(self._next_slot, self._paused_until))
            now = self._clock()
            on_time = now - self._next_slot < self.interval
            self._next_slot = (self._next_slot if on_time else now) + self.interval
            self._chat_ready[chat_id] = max(self._chat_ready[chat_id], now + PER_CHAT_INTERVAL)
            if len(self._chat_ready) > 10_000:
                self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}

    def pause(self, seconds: float) -> None:
        """Telegram answered 429: nobody sends until `retry_after` has passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def _sleep_until(self, moment: Callable[[], float]) -> None:
        """Sleeps until `moment()`, which may move later while sleeping (a pause)."""
        while (delay := moment() - self._clock()) > 0:
            await self._sleep(delay)
