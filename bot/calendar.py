"""iCalendar (.ics) files for enrollments, built with the `icalendar` library.

The UID is stable per enrollment, and SEQUENCE follows the talk's `sequence`, so a calendar
app that imported the first file updates the same event when it gets a newer one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from bot.models import Modality, Talk
from bot.texts import plain

PRODID = "-//Defensoria Municipal de Derechos Humanos de Toluca//defensoria-bot//ES"
UID_DOMAIN = "defensoria-bot"


def enrollment_ics(
    talk: Talk, *, enrollment_uid: str, now: datetime, cancelled: bool = False
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")

    event = Event()
    event.add("uid", f"{enrollment_uid}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add("dtstart", talk.starts_at)
    event.add("dtend", talk.starts_at + timedelta(minutes=talk.duration_min))
    event.add("sequence", talk.sequence)
    event.add("summary", talk.title)
    event.add("status", "CANCELLED" if cancelled or talk.is_cancelled else "CONFIRMED")
    lines = [talk.description] if talk.description else []
    lines.append(plain("calendar.people", speaker=talk.speaker, organizer=talk.organizer))
    if talk.modality == Modality.VIRTUAL and talk.meeting_link:
        event.add("location", talk.meeting_link)
        event.add("url", talk.meeting_link)
        lines.append(plain("calendar.link", link=talk.meeting_link))
    elif talk.venue:
        event.add("location", talk.venue)
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    return calendar.to_ical()


def ics_filename(talk: Talk) -> str:
    return f"platica-{talk.id}.ics"
