"""The public programme as a page and a calendar feed, rendered from the same rows.

What may be public is decided here, once: `PublicTalk` has no meeting link and nothing about
the people enrolled, only how many seats are left. The page's template lives in the
content folder (`web/programa.html`, Jinja2 with autoescape), so an office changes its look
with content only.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.calendar import programme_ics
from bot.models import Talk
from bot.office import Office
from bot.texts import format_when, plain

TEMPLATES = ("programa.html",)
"""The templates a content folder must have in `web/` (check-content verifies them)."""


def topic_key(topic: str) -> str:
    """Compares topics ignoring case, accents and extra spaces: "Ley  ingrid" = "Ley Ingrid"."""
    decomposed = unicodedata.normalize("NFKD", topic.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def enroll_url(bot_username: str, talk_id: int) -> str:
    """The deep link that opens the talk in the bot (handlers.common parses `platica_<id>`)."""
    return f"https://t.me/{bot_username}?start=platica_{talk_id}"


@dataclass(frozen=True)
class PublicTalk:
    """A talk as anyone may see it on the web."""

    id: int
    title: str
    topic: str
    description: str
    when: str
    starts_at: datetime
    duration_min: int
    modality: str
    venue: str
    speaker: str
    organizer: str
    seats_left: int
    cancelled: bool
    enroll_url: str

    @property
    def waiting_list(self) -> bool:
        return self.seats_left == 0


def public_talks(
    rows: Iterable[tuple[Talk, int]], *, tz: ZoneInfo, bot_username: str
) -> list[PublicTalk]:
    return [
        PublicTalk(
            id=talk.id,
            title=talk.title,
            topic=talk.topic,
            description=talk.description,
            when=format_when(talk.starts_at, tz),
            starts_at=talk.starts_at,
            duration_min=talk.duration_min,
            modality=talk.modality.value,
            venue=talk.venue or "",
            speaker=talk.speaker,
            organizer=talk.organizer,
            seats_left=max(0, talk.capacity - taken),
            cancelled=talk.is_cancelled,
            enroll_url=enroll_url(bot_username, talk.id),
        )
        for talk, taken in rows
    ]


def fingerprint(rows: Sequence[tuple[Talk, int]], *parts: str, seats: bool) -> str:
    """A strong ETag from what the response shows; `seats` for the page only."""
    shown = [
        (talk.id, talk.sequence, talk.status.value, talk.updated_at.timestamp(), seats and taken)
        for talk, taken in rows
    ]
    digest = hashlib.sha256("\x1f".join((*parts, repr(shown))).encode())
    return f'"{digest.hexdigest()[:32]}"'


class Programme:
    """Renders the page (template from the content folder) and the feed."""

    def __init__(self, content: Path, office: Office) -> None:
        environment = Environment(
            loader=FileSystemLoader(content / "web"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            auto_reload=False,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._page = environment.get_template("programa.html")
        source = Path(self._page.filename or "").read_bytes() if self._page.filename else b""
        self.version = hashlib.sha256(source).hexdigest()[:16]
        """Changes with the template, so a new look is never answered with 304."""
        self._office = office

    def page(
        self, talks: Sequence[PublicTalk], *, topic: str, topics: Sequence[str], feed_url: str
    ) -> bytes:
        return self._page.render(
            office=self._office,
            talks=talks,
            topic=topic,
            topics=topics,
            feed_url=feed_url,
        ).encode("utf-8")

    def feed(self, talks: Iterable[Talk], *, topic: str, bot_username: str) -> bytes:
        name = plain("web.feed_name_topic", topic=topic) if topic else plain("web.feed_name")
        return programme_ics(
            talks, name=name, enroll_url=lambda talk_id: enroll_url(bot_username, talk_id)
        )
