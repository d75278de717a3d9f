"""The bot's own HTTP server: a Starlette app, run by uvicorn in the bot's event loop.

`build_web_app` returns the app with the public programme (`/programa`, `/programa.ics`);
other features (a webhook, a health check) pass their routes in `routes`.

Both responses carry a strong ETag computed from what they show (and the template's
version) before anything is rendered, and a Last-Modified: the moment this process first
served that ETag. A conditional request that matches gets 304 after one indexed query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.clock import Clock
from bot.config import Settings
from bot.content import content_dir
from bot.db import SessionFactory
from bot.office import office
from bot.services.talks import public_programme
from bot.texts import plain
from bot.web.pages import Programme, fingerprint, public_talks, topic_key

FEED_PATH = "programa.ics"
PAGE_MAX_AGE = 60
FEED_MAX_AGE = 300
"""Seconds a browser or a calendar may keep a copy before asking again (cheaply, with
If-None-Match)."""


@dataclass
class _Validators:
    """Remembers when each response (by path and topic) last changed."""

    seen: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    limit: int = 512
    """Any text can be sent as ?tema=: past this many keys the memory starts over."""

    def last_modified(self, key: str, etag: str, now: datetime) -> datetime:
        known = self.seen.get(key)
        if known is None or known[0] != etag:
            if len(self.seen) >= self.limit:
                self.seen.clear()
            known = (etag, now.replace(microsecond=0))
            self.seen[key] = known
        return known[1]


def _not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    """RFC 9110 §13.1: If-None-Match wins; If-Modified-Since only without it."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and last_modified <= since
    return False


def build_web_app(
    settings: Settings,
    session_factory: SessionFactory,
    *,
    clock: Clock,
    bot_username: Callable[[], str],
    routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The HTTP app; `bot_username` is asked at each request (known once the bot started)."""
    programme = Programme(content_dir(), office())
    validators = _Validators()
    tz = settings.tz

    async def respond(request: Request, *, feed: bool) -> Response:
        topic = request.query_params.get("tema", "").strip()[:120]
        now = clock.now()
        async with session_factory.read() as session:
            rows = await public_programme(session, now=now)
        topics = sorted({talk.topic for talk, _ in rows}, key=topic_key)
        if topic:
            wanted = topic_key(topic)
            topic = next((name for name in topics if topic_key(name) == wanted), topic)
            rows = [(talk, taken) for talk, taken in rows if topic_key(talk.topic) == wanted]
        username = bot_username()
        etag = fingerprint(rows, programme.version, username, topic_key(topic), seats=not feed)
        key = f"{request.url.path}?{topic_key(topic)}"
        modified = validators.last_modified(key, etag, now)
        headers = {
            "ETag": etag,
            "Last-Modified": format_datetime(modified, usegmt=True),
            "Cache-Control": f"public, max-age={FEED_MAX_AGE if feed else PAGE_MAX_AGE}",
        }
        if _not_modified(request, etag, modified):
            return Response(status_code=304, headers=headers)
        if feed:
            headers["Content-Disposition"] = f'inline; filename="{plain("files.programme")}"'
            body = programme.feed([talk for talk, _ in rows], topic=topic, bot_username=username)
            return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
        talks = public_talks(rows, tz=tz, bot_username=username)
        # Relative, so the link holds behind a reverse proxy that serves the page elsewhere.
        body = programme.page(talks, topic=topic, topics=topics, feed_url=FEED_PATH)
        return Response(body, media_type="text/html; charset=utf-8", headers=headers)

    async def programme_page(request: Request) -> Response:
        return await respond(request, feed=False)

    async def programme_feed(request: Request) -> Response:
        return await respond(request, feed=True)

    return Starlette(
        routes=[
            Route("/programa", programme_page, name="programme_page"),
            Route(f"/{FEED_PATH}", programme_feed, name="programme_feed"),
            *routes,
        ]
    )
