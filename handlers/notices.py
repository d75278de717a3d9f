"""The messages the sender delivers about a servant's own enrollment: reminders, a seat
from the waiting list, a talk moved or cancelled."""

from __future__ import annotations

from bot.calendar import enrollment_ics, ics_filename
from bot.models import DeliveryKind
from bot.outbox.message import Letter, Outgoing
from bot.texts import format_when, plain, t
from handlers import callbacks as cb
from handlers import render


def offset_text(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return plain("reminders.in_days_one" if days == 1 else "reminders.in_days", n=days)
    if minutes % 60 == 0:
        hours = minutes // 60
        return plain("reminders.in_hours_one" if hours == 1 else "reminders.in_hours", n=hours)
    return plain("reminders.in_minutes", n=minutes)


async def render_enrollment_message(letter: Letter) -> Outgoing:
    """Reminders and notices about the servant's own enrollment."""
    delivery, tz, now = letter.delivery, letter.tz, letter.now
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
