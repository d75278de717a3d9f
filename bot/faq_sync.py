"""Keeps the FAQ engine's staff-taught phrasings in step with the database."""

from __future__ import annotations

from bot.context import Runtime
from bot.services import faq_teaching


async def load_taught_phrasings(runtime: Runtime) -> int:
    """Re-indexes the engine with every taught phrasing (at start-up and after a change);
    returns how many there are."""
    async with runtime.session_factory.read() as session:
        pairs = await faq_teaching.taught_pairs(session)
    if runtime.faq is not None:
        runtime.faq.set_taught_phrasings(pairs)
    return len(pairs)
