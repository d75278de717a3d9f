"""Pacing of bulk sends under Telegram's limits: an overall rate and ≤ 1 message/s per chat.

Slots are spaced strictly (no burst allowance): Telegram counts messages over short windows,
and a leaky bucket that lets a burst through at start-up is what produces 429s.
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
        self._chat_ready: dict[int, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: int) -> None:
        """Waits until this chat may receive again, then for the next overall slot.

        A chat that is not ready yet does not hold back the other chats' slots.
        """
        async with self._lock:
            now = self._clock()
            chat_ready = max(now, self._chat_ready.get(chat_id, 0.0))
            self._chat_ready[chat_id] = chat_ready + PER_CHAT_INTERVAL
            if len(self._chat_ready) > 10_000:
                self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
        await self._sleep_until(chat_ready)
        async with self._lock:
            slot = max(self._clock(), self._next_slot, self._paused_until)
            self._next_slot = slot + self.interval
            self._chat_ready[chat_id] = max(self._chat_ready[chat_id], slot + PER_CHAT_INTERVAL)
        await self._sleep_until(slot)

    async def _sleep_until(self, moment: float) -> None:
        delay = moment - self._clock()
        if delay > 0:
            await self._sleep(delay)

    def pause(self, seconds: float) -> None:
        """Telegram answered 429: nobody sends until `retry_after` has passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
