"""The pacer's rules on virtual time: the overall rate, one message a second per chat, 429."""

from __future__ import annotations

import asyncio
import itertools

from tests.fakes import VirtualTime, virtual_pacer


async def _send_times(rate: float, chats: list[int], time: VirtualTime) -> list[float]:
    pacer = virtual_pacer(rate, time)
    moments: list[float] = []

    async def send(chat_id: int) -> None:
        await pacer.wait(chat_id)
        moments.append(time.monotonic())

    await asyncio.gather(*(send(chat_id) for chat_id in chats))
    return sorted(moments)


async def test_the_overall_rate_is_kept_without_waiting_in_real_time():
    time = VirtualTime()
    loop = asyncio.get_running_loop()
    started = loop.time()
    moments = await _send_times(25, list(range(100)), time)
    assert loop.time() - started < 1
    assert moments[-1] - moments[0] >= 99 / 25 - 1e-9
    assert all(b - a >= 1 / 25 - 1e-9 for a, b in itertools.pairwise(moments))


async def test_one_chat_gets_at_most_one_message_a_second():
    moments = await _send_times(25, [7] * 5, VirtualTime())
    assert all(b - a >= 1 - 1e-9 for a, b in itertools.pairwise(moments))


async def test_a_pause_holds_back_every_waiting_sender():
    time = VirtualTime()
    pacer = virtual_pacer(25, time)
    await pacer.wait(1)
    pacer.pause(30)
    await pacer.wait(2)
    assert time.monotonic() >= 30
