"""Conversation state in the database: python-telegram-bot's persistence API over our engine.

`SqlPersistence` stores the state of every persistent ConversationHandler and the
`user_data`/`chat_data` the flows keep their drafts in, in two tables (migration 0006), on
SQLite and PostgreSQL alike. No pickle: values are JSON, and the dataclasses and enums of the
drafts are written with their type's name and rebuilt only when that type is a dataclass or
an enum of this project (`bot.`, `handlers.`), so the table can never make the bot import or
call anything else. `bot_data` (the runtime: engine, clock, sender) and callback data are not
persisted.

**When it is written.** PTB calls `update_persistence` every `update_interval` seconds (60
by default) and at shutdown: a crash in between would lose the step a servant just reached.
`PersistentApplication.process_update` therefore calls it after every update (write-through),
and PTB hands over only the users, chats and conversations that update touched; a value
equal to what the table holds is not written again, so most updates write nothing. The
interval is kept short (`UPDATE_INTERVAL`) only for what changes outside an update: a
conversation ended by its timeout job.

**When it is read.** As PTB does: `Application.initialize()` loads user and chat data and
each persistent ConversationHandler's states. An instance that becomes active later (the
failover of the next issue) loads the state at its own initialisation, from the same tables.

**Drafts expire.** A conversation or draft whose last change is older than `MAX_AGE` (24 h)
is not loaded: its rows are deleted and its owner is remembered in `expired`, so the next
message of that servant can be told that the draft was discarded (`take_expired`).

**Nothing personal once a flow ends.** Flows keep ids and the staff's drafts in `user_data`;
typed personal data goes straight to the servants' table. When a flow ends it removes its
keys, and an emptied `user_data`/`chat_data` deletes its row instead of storing `{}`.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, String, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column
from telegram import Update
from telegram.ext import Application, BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.db import Base, make_session_factory
from bot.models import UTCDateTime

logger = logging.getLogger(__name__)

MAX_AGE = timedelta(hours=24)
"""A draft untouched this long is discarded, with a message to its owner."""
UPDATE_INTERVAL = 5.0
"""Seconds between PTB's own runs of update_persistence (changes made outside an update)."""
_TRUSTED_MODULES = ("bot.", "handlers.")
USER, CHAT = "user", "chat"


class ConversationState(Base):
    """The step one chat/user is at in one named conversation."""

    __tablename__ = "conversation_states"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConversationData(Base):
    """A user's or a chat's `user_data`/`chat_data`: the drafts of the flows in progress."""

    __tablename__ = "conversation_data"

    kind: Mapped[str] = mapped_column(String(4), primary_key=True)
    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- JSON without pickle -------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float) or type(value) is str:
        return value
    if isinstance(value, enum.Enum):
        return {"__enum__": _type_name(type(value)), "value": value.value}
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dataclass__": _type_name(type(value)), "fields": fields}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(item) for item in value]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot persist a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__dict__" in value:
        return {_decode(k): _decode(v) for k, v in value["__dict__"]}
    if "__tuple__" in value:
        return tuple(_decode(item) for item in value["__tuple__"])
    if "__datetime__" in value:
        return datetime.fromisoformat(value["__datetime__"])
    if "__enum__" in value:
        kind = _trusted_type(value["__enum__"])
        if not (isinstance(kind, type) and issubclass(kind, enum.Enum)):
            raise TypeError("not an enum")
        return kind(value["value"])
    if "__dataclass__" in value:
        kind = _trusted_type(value["__dataclass__"])
        if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
            raise TypeError("not a dataclass")
        return kind(**{name: _decode(item) for name, item in value["fields"].items()})
    raise TypeError("unknown stored value")


def _type_name(kind: type) -> str:
    return f"{kind.__module__}:{kind.__qualname__}"


def _trusted_type(name: str) -> object:
    module, _, qualname = name.partition(":")
    if not module.startswith(_TRUSTED_MODULES) or not qualname.isidentifier():
        raise TypeError("untrusted type")
    return getattr(importlib.import_module(module), qualname)


def dumps(value: Any) -> str:
    """The JSON text stored for a value (the drafts' dataclasses and enums included)."""
    return json.dumps(_encode(value), ensure_ascii=False, sort_keys=True)


def loads(text: str) -> Any:
    return _decode(json.loads(text))


# -- the persistence -----------------------------------------------------------------------


class SqlPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB persistence over the project's SQLAlchemy engine (conversations, user and chat
    data; not bot data nor callback data)."""

    def __init__(
        self, engine: AsyncEngine, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, callback_data=False),
            update_interval=UPDATE_INTERVAL,
        )
        self._sessions = make_session_factory(engine)
        self._now = clock or (lambda: datetime.now(UTC))
        self._written: dict[tuple[str, str], str] = {}
        self.expired: set[int] = set()
        """Users (or chats) whose draft was discarded at load: tell them once."""

    def _fresh_since(self) -> datetime:
        return self._now() - MAX_AGE

    async def _load_data(self, kind: str) -> dict[int, dict[Any, Any]]:
        since = self._fresh_since()
        loaded: dict[int, dict[Any, Any]] = {}
        async with self._sessions.begin() as session:
            rows = (await session.scalars(select(ConversationData).filter_by(kind=kind))).all()
            for row in rows:
                if row.updated_at < since:
                    self.expired.add(row.owner_id)
                    await session.delete(row)
                    continue
                try:
                    loaded[row.owner_id] = loads(row.data)
                except (TypeError, ValueError, AttributeError, ImportError):
                    logger.warning("discarding unreadable %s data of one owner", kind)
                    await session.delete(row)
                    continue
                self._written[(kind, str(row.owner_id))] = row.data
        return loaded

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return await self._load_data(USER)

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return await self._load_data(CHAT)

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        since = self._fresh_since()
        states: ConversationDict = {}
        async with self._sessions.begin() as session:
            rows = (await session.scalars(select(ConversationState).filter_by(name=name))).all()
            for row in rows:
                key = tuple(json.loads(row.key))
                if row.updated_at < since:
                    self.expired.update(part for part in key if isinstance(part, int))
                    await session.delete(row)
                    continue
                states[key] = loads(row.state)
                self._written[(f"conv:{name}", row.key)] = row.state
        return states

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        stored_key = json.dumps(list(key))
        if new_state is None:
            await self._delete(
                ConversationState, (f"conv:{name}", stored_key), name=name, key=stored_key
            )
            return
        text = dumps(new_state)
        if self._written.get((f"conv:{name}", stored_key)) == text:
            return
        async with self._sessions.begin() as session:
            await session.merge(
                ConversationState(name=name, key=stored_key, state=text, updated_at=self._now())
            )
        self._written[(f"conv:{name}", stored_key)] = text

    async def _update_data(self, kind: str, owner_id: int, data: dict[Any, Any]) -> None:
        if not data:
            await self._drop_data(kind, owner_id)
            return
        text = dumps(data)
        if self._written.get((kind, str(owner_id))) == text:
            return
        async with self._sessions.begin() as session:
            await session.merge(
                ConversationData(kind=kind, owner_id=owner_id, data=text, updated_at=self._now())
            )
        self._written[(kind, str(owner_id))] = text

    async def _drop_data(self, kind: str, owner_id: int) -> None:
        await self._delete(ConversationData, (kind, str(owner_id)), kind=kind, owner_id=owner_id)

    async def _delete(self, model: type[Base], cache: tuple[str, str], **where: object) -> None:
        """Deletes a stored row; nothing to do when this instance never saw one."""
        if self._written.pop(cache, None) is None:
            return
        async with self._sessions.begin() as session:
            await session.execute(delete(model).filter_by(**where))

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await self._update_data(USER, user_id, data)

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        await self._update_data(CHAT, chat_id, data)

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        await self._drop_data(USER, user_id)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._drop_data(CHAT, chat_id)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None

    def take_expired(self, *ids: int | None) -> bool:
        """True once for a user or chat whose draft was discarded at load (too old)."""
        found = False
        for owner in ids:
            if owner is not None and owner in self.expired:
                self.expired.discard(owner)
                found = True
        return found


class PersistentApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that writes the persistence after every update (write-through)."""

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            if self.persistence is not None and isinstance(update, Update):
                await self.update_persistence()
