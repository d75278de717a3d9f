"""The messages the sender delivers from the outbox: reminders and notices."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.calendar import enrollment_ics, ics_filename
from bot.models import Delivery, DeliveryKind
from bot.texts import Markup, format_when, plain, t
from handlers import callbacks as cb
from handlers import render

if TYPE_CHECKING:
    from bot.context import Runtime


@dataclass(frozen=True)
class Outgoing:
    """A message to send: a text (with an optional file after it), or a file alone."""

    text: Markup | None
    markup: InlineKeyboardMarkup | None = None
    document: bytes | None = None
    filename: str | None = None
    caption: str | None = None


Renderer = Callable[[Delivery, "Runtime", datetime], Awaitable[Outgoing]]
RENDERERS: dict[DeliveryKind, Renderer] = {}
"""Renderers for kinds defined by other modules (the staff console registers its own)."""


def offset_text(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return plain("reminders.in_days_one" if days == 1 else "reminders.in_days", n=days)
    if minutes % 60 == 0:
        hours = minutes // 60
        return plain("reminders.in_hours_one" if hours == 1 else "reminders.in_hours", n=hours)
    return plain("reminders.in_minutes", n=minutes)


async def render_delivery(delivery: Delivery, *, runtime: Runtime, now: datetime) -> Outgoing:
    """Builds the message for one outbox row (servant, enrollment, talk and notice loaded)."""
    if delivery.kind in RENDERERS:
        return await RENDERERS[delivery.kind](delivery, runtime, now)
    return render_enrollment_message(delivery, tz=runtime.settings.tz, now=now)


def render_enrollment_message(delivery: Delivery, *, tz: ZoneInfo, now: datetime) -> Outgoing:
    """Reminders and notices about the servant's own enrollment."""
    enrollment = delivery.enrollment
    assert enrollment is not None
    talk = enrollment.talk
    values = {
        "title": talk.title,
        "when": format_when(talk.starts_at, tz),
        "access": render.access_text(talk),
    }
    cancel_button = render.keyboard(
        [render.button("buttons.cannot_attend", cb.CANCEL_ASK, talk.id)]
    )
    if delivery.kind == DeliveryKind.REMINDER:
        return Outgoing(
            t("reminders.text", offset=offset_text(delivery.offset_minutes or 0), **values),
            cancel_button,
        )
    notices = {
        DeliveryKind.PROMOTED: ("notices.promoted", cancel_button, False),
        DeliveryKind.RESCHEDULED: ("notices.rescheduled", cancel_button, False),
        DeliveryKind.TALK_CANCELLED: ("notices.talk_cancelled", None, True),
    }
    if delivery.kind in notices:
        key, markup, cancelled = notices[delivery.kind]
        return Outgoing(
            t(key, **values),
            markup,
            enrollment_ics(talk, enrollment_uid=enrollment.uid, now=now, cancelled=cancelled),
            ics_filename(talk),
        )
    raise ValueError(f"unknown delivery kind {delivery.kind}")
