"""Builds the texts and keyboards shown for talks and enrollments."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import on_change
from bot.models import EnrollmentStatus, Modality, Talk
from bot.services.talks import TalkPage, TalkSnapshot
from bot.texts import Markup, format_when, plain, t
from handlers import callbacks as cb

SCREENS_KEPT = 64
"""Talk screens (list pages, details) kept built; few are current, as seats change often
(a few dozen talks a year, three states each), so a larger cache only keeps stale screens:
256 cost 2 MB of the bot's memory for no measurable speed.
A screen is rebuilt only when what it shows changed (a talk edited, a seat taken), and is
never read back from a stale talk: the key is the talk's content as just read."""


def button(label_key: str, action: str, *args: object, **values: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(plain(label_key, **values), callback_data=cb.data(action, *args))


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([row for row in rows if row])


@cache
def main_menu() -> InlineKeyboardMarkup:
    """The menu under most answers; built once (PTB's markup objects are immutable)."""
    return keyboard(
        [button("buttons.talks", cb.TALK_PAGE, 0)],
        [button("buttons.my_enrollments", cb.MY_ENROLLMENTS)],
        [button("buttons.questions", cb.FAQ_TOPICS)],
    )


def seats_text(seats_left: int) -> Markup:
    if seats_left <= 0:
        return t("talks.seats_full")
    if seats_left == 1:
        return t("talks.seats_one")
    return t("talks.seats_left", seats=seats_left)


def where_text(talk: Talk | TalkSnapshot) -> Markup:
    if talk.modality == Modality.VIRTUAL:
        return t("talks.where_virtual")
    return t("talks.where_presencial", venue=talk.venue or "")


def access_text(talk: Talk | TalkSnapshot) -> Markup:
    """How to get in: the meeting link (only shown to the enrolled) or the venue."""
    if talk.modality == Modality.VIRTUAL and talk.meeting_link:
        return t("talks.access_link", link=talk.meeting_link)
    return t("talks.access_venue", venue=talk.venue or "")


def talk_list(page: TalkPage, tz: ZoneInfo) -> tuple[Markup, InlineKeyboardMarkup]:
    seats = tuple(page.seats_taken.get(talk.id, 0) for talk in page.talks)
    return _talk_list(tuple(page.talks), seats, page.page, page.pages, page.first_number, tz)


@lru_cache(maxsize=SCREENS_KEPT)
def _talk_list(
    talks: Sequence[TalkSnapshot],
    seats_taken: Sequence[int],
    page: int,
    pages: int,
    first_number: int,
    tz: ZoneInfo,
) -> tuple[Markup, InlineKeyboardMarkup]:
    if not talks:
        return t("talks.none"), main_menu()
    lines = [t("talks.list_header", page=page + 1, pages=pages)]
    buttons = []
    for number, (talk, taken) in enumerate(zip(talks, seats_taken, strict=True), first_number):
        left = max(0, talk.capacity - taken)
        lines.append(
            t(
                "talks.list_item",
                number=number,
                title=talk.title,
                when=format_when(talk.starts_at, tz),
                where=where_text(talk),
                seats=seats_text(left),
            )
        )
        buttons.append(
            [
                button(
                    "buttons.talk_item",
                    cb.TALK_DETAIL,
                    talk.id,
                    number=number,
                    title=short(talk.title),
                )
            ]
        )
    navigation = page_buttons(cb.TALK_PAGE, page=page, pages=pages)
    return Markup("\n\n".join(lines)), keyboard(*buttons, navigation)


def page_buttons(action: str, *, page: int, pages: int) -> list[InlineKeyboardButton]:
    """«Anteriores» and «Siguientes» where there is a page before or after this one."""
    navigation = []
    if page > 0:
        navigation.append(button("buttons.previous", action, page - 1))
    if page + 1 < pages:
        navigation.append(button("buttons.next", action, page + 1))
    return navigation


def short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=SCREENS_KEPT)
def talk_detail(
    talk: TalkSnapshot,
    *,
    seats_left: int,
    status: EnrollmentStatus | None,
    tz: ZoneInfo,
    started: bool,
    waiting_position: int | None = None,
) -> tuple[Markup, InlineKeyboardMarkup]:
    """A talk's detail with the action that fits the servant's `status` (None: never
    enrolled). Built once per version of what it shows: `talk` is a snapshot (hashable)."""
    parts = [
        t(
            "talks.detail",
            title=talk.title,
            topic=talk.topic,
            when=format_when(talk.starts_at, tz),
            duration=talk.duration_min,
            speaker=talk.speaker,
            organizer=talk.organizer,
            where=where_text(talk),
        )
    ]
    if talk.description:
        parts.append(t("talks.description", description=talk.description))
    rows: list[list[InlineKeyboardButton]] = []
    if talk.is_cancelled:
        parts.append(t("talks.state_cancelled"))
    elif started:
        parts.append(t("talks.state_started"))
    elif status == EnrollmentStatus.ENROLLED:
        parts.append(t("talks.state_enrolled"))
        parts.append(access_text(talk))
        rows.append([button("buttons.calendar", cb.CALENDAR, talk.id)])
        rows.append([button("buttons.cancel_enrollment", cb.CANCEL_ASK, talk.id)])
    elif status == EnrollmentStatus.WAITING:
        parts.append(t("talks.state_waiting", position=waiting_position or "?"))
        rows.append([button("buttons.leave_waitlist", cb.CANCEL_ASK, talk.id)])
    else:
        parts.append(seats_text(seats_left))
        if seats_left > 0:
            rows.append([button("buttons.enroll", cb.ENROLL, talk.id)])
        else:
            rows.append([button("buttons.join_waitlist", cb.JOIN_WAITLIST, talk.id)])
    rows.append([button("buttons.back_to_list", cb.TALK_PAGE, 0)])
    return Markup("\n\n".join(parts)), keyboard(*rows)


for _forget in (main_menu, _talk_list, talk_detail):
    on_change(_forget.cache_clear)
