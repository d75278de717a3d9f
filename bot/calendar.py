"""iCalendar (.ics) files, built with the `icalendar` library: one per enrollment, and the
public programme feed.

The UID is stable (per enrollment; per talk in the feed), and SEQUENCE follows the talk's
`sequence`, so a calendar app that imported the first file, or subscribes to the feed,
updates the same event when it gets a newer one. The producer (PRODID) and the organizer
come from the office (bot.office). The feed never carries the meeting link: that goes only
to the enrolled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDDDTypes, vText

from bot.content import on_change
from bot.models import Modality, Talk
from bot.office import office
from bot.texts import plain

UID_DOMAIN = "defensoria-bot"
"""Domain of the enrollments' UIDs; kept as it was so existing calendar entries update."""
FEED_CACHE_SIZE = 4096
_END = b"END:VCALENDAR\r\n"
_feed_events: dict[tuple[object, ...], bytes] = {}
"""Each talk's VEVENT in the feed, by what it shows: icalendar takes ~0.2 ms per event, and
a feed polled every few minutes mostly repeats itself."""
on_change(_feed_events.clear)
_enrollment_files: dict[tuple[object, ...], bytes] = {}
"""Each talk's enrollment file with a placeholder UID and stamp: every servant who enrolls in
a talk gets the same file but for those two lines, and icalendar takes ~1 ms to build one."""
on_change(_enrollment_files.clear)
_UID_SLOT = "0" * 32
_STAMP_SLOT = datetime(2000, 1, 1, tzinfo=UTC)
_MAX_LINE = 75
"""RFC 5545 folds longer lines; a UID that would need folding is built the slow way."""


def _calendar(method: str, *, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", office().calendar_prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    return calendar


def _event(talk: Talk, *, uid: str, now: datetime, cancelled: bool, with_link: bool) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", talk.starts_at)
    event.add("dtend", talk.starts_at + timedelta(minutes=talk.duration_min))
    event.add("sequence", talk.sequence)
    event.add("summary", talk.title)
    event.add("status", "CANCELLED" if cancelled or talk.is_cancelled else "CONFIRMED")
    identity = office()
    if identity.calendar_organizer_email:
        organizer = vCalAddress(f"mailto:{identity.calendar_organizer_email}")
        organizer.params["cn"] = vText(identity.calendar_organizer)
        event.add("organizer", organizer)
    lines = [talk.description] if talk.description else []
    lines.append(plain("calendar.people", speaker=talk.speaker, organizer=talk.organizer))
    if talk.modality == Modality.VIRTUAL:
        if with_link and talk.meeting_link:
            event.add("location", talk.meeting_link)
            event.add("url", talk.meeting_link)
            lines.append(plain("calendar.link", link=talk.meeting_link))
        elif not with_link:
            event.add("location", plain("calendar.virtual"))
    elif talk.venue:
        event.add("location", talk.venue)
    event.add("description", "\n".join(lines))
    return event


def enrollment_ics(
    talk: Talk, *, enrollment_uid: str, now: datetime, cancelled: bool = False
) -> bytes:
    """The calendar file of one enrollment, with the meeting link."""
    uid_line = _uid_line(enrollment_uid)
    if len(uid_line) - len(b"\r\n") > _MAX_LINE:
        return _enrollment_file(talk, uid=enrollment_uid, now=now, cancelled=cancelled)
    key = (
        talk.id,
        talk.sequence,
        talk.status,
        talk.updated_at,
        talk.title,
        talk.starts_at,
        talk.duration_min,
        talk.description,
        talk.speaker,
        talk.organizer,
        talk.modality,
        talk.meeting_link,
        talk.venue,
        cancelled,
    )
    template = _enrollment_files.get(key)
    if template is None:
        if len(_enrollment_files) >= FEED_CACHE_SIZE:
            _enrollment_files.clear()
        template = _enrollment_file(talk, uid=_UID_SLOT, now=_STAMP_SLOT, cancelled=cancelled)
        _enrollment_files[key] = template
    return template.replace(_uid_line(_UID_SLOT), uid_line, 1).replace(
        _stamp_line(_STAMP_SLOT), _stamp_line(now), 1
    )


def _uid_line(uid: str) -> bytes:
    return b"UID:" + vText(f"{uid}@{UID_DOMAIN}").to_ical() + b"\r\n"


def _stamp_line(moment: datetime) -> bytes:
    stamp: bytes = vDDDTypes(moment.astimezone(UTC)).to_ical()
    return b"DTSTAMP:" + stamp + b"\r\n"


def _enrollment_file(talk: Talk, *, uid: str, now: datetime, cancelled: bool) -> bytes:
    calendar = _calendar("CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(
        _event(talk, uid=f"{uid}@{UID_DOMAIN}", now=now, cancelled=cancelled, with_link=True)
    )
    ical: bytes = calendar.to_ical()
    return ical


def programme_uid(talk: Talk) -> str:
    return f"platica-{talk.id}@{office().calendar_uid_domain}"


def programme_ics(talks: Iterable[Talk], *, name: str, enroll_url: Callable[[int], str]) -> bytes:
    """The public feed: every talk given, cancelled ones marked so, no meeting links.

    Each event is stamped with the talk's last change, so the same programme gives the same
    bytes, and a subscriber's calendar sees a change only when there is one.
    """
    head: bytes = _calendar("PUBLISH", name=name).to_ical()
    events = b"".join(_feed_event(talk, enroll_url(talk.id)) for talk in talks)
    return head.removesuffix(_END) + events + _END


def _feed_event(talk: Talk, enroll_url: str) -> bytes:
    """The talk's event with the way to enroll (the deep link) instead of the meeting link."""
    key = (talk.id, talk.sequence, talk.status, talk.updated_at, talk.starts_at, enroll_url)
    cached = _feed_events.get(key)
    if cached is None:
        if len(_feed_events) >= FEED_CACHE_SIZE:
            _feed_events.clear()
        event = _event(
            talk, uid=programme_uid(talk), now=talk.updated_at, cancelled=False, with_link=False
        )
        if not talk.is_cancelled:
            event.add("url", enroll_url)
            description = f"{event['DESCRIPTION']}\n{plain('calendar.enroll', link=enroll_url)}"
            event["DESCRIPTION"] = vText(description)
        cached = _feed_events[key] = event.to_ical()
    return cached


def ics_filename(talk: Talk) -> str:
    return plain("files.calendar", id=talk.id)
