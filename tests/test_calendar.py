"""The enrollment file is built once per talk and stamped per servant: the stamped file must
be byte for byte what icalendar builds for that servant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from bot.calendar import _enrollment_file, enrollment_ics
from bot.models import Modality, Talk, TalkStatus

STARTS = datetime(2027, 3, 4, 16, 0, tzinfo=UTC)


def _talk(title: str = "Ley Ingrid", link: str | None = "https://meet.example.org/x") -> Talk:
    return Talk(
        id=7,
        import_key="t-7",
        title=title,
        topic="Derechos humanos",
        description="Una plática; con comas, y \\ barras.",
        speaker="Lic. Laura Pérez",
        organizer="Defensoría",
        starts_at=STARTS,
        duration_min=90,
        modality=Modality.VIRTUAL,
        meeting_link=link,
        sequence=2,
        status=TalkStatus.SCHEDULED,
        updated_at=STARTS - timedelta(days=9),
    )


@settings(max_examples=60, deadline=None)
@given(
    uid=st.text(alphabet="0123456789abcdef", min_size=1, max_size=64),
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    cancelled=st.booleans(),
    title=st.text(min_size=1, max_size=80),
)
def test_a_stamped_file_is_the_file_icalendar_builds(
    uid: str, now: datetime, cancelled: bool, title: str
) -> None:
    talk = _talk(title)
    expected = _enrollment_file(talk, uid=uid, now=now, cancelled=cancelled)
    assert enrollment_ics(talk, enrollment_uid=uid, now=now, cancelled=cancelled) == expected


def test_two_servants_get_their_own_uid_and_a_changed_talk_its_new_link() -> None:
    now = STARTS - timedelta(days=2)
    first = Calendar.from_ical(enrollment_ics(_talk(), enrollment_uid="a" * 32, now=now))
    second = Calendar.from_ical(enrollment_ics(_talk(), enrollment_uid="b" * 32, now=now))
    assert str(first.walk("VEVENT")[0]["UID"]).startswith("a" * 32)
    assert str(second.walk("VEVENT")[0]["UID"]).startswith("b" * 32)
    moved = _talk(link="https://meet.example.org/nuevo")
    event = Calendar.from_ical(enrollment_ics(moved, enrollment_uid="a" * 32, now=now))
    assert "nuevo" in str(event.walk("VEVENT")[0]["URL"])
