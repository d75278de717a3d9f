"""The typed callback context: handlers reach settings, database and clock through it."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.db import SessionFactory

if TYPE_CHECKING:
    from bot.faq import FaqEngine
    from bot.outbox.sender import Sender
    from bot.web.server import WebServer

RUNTIME_KEY = "runtime"


@dataclass
class Runtime:
    """What every handler and job needs, created once per Application."""

    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    clock: Clock
    sender: Sender
    faq: FaqEngine | None = None
    web: WebServer | None = None
    health: dict[str, datetime] = field(default_factory=dict)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the Runtime."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.bot_data[RUNTIME_KEY]
        return runtime

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def now(self) -> datetime:
        return self.runtime.clock.now()

    def unit_of_work(self) -> AbstractAsyncContextManager[AsyncSession]:
        """One session and one transaction: ``async with context.unit_of_work() as s:``."""
        return self.runtime.session_factory.begin()

    def reading(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A read-only session: ``async with context.reading() as s:``."""
        return self.runtime.session_factory.read()
