"""Callback-data formats. Prefixed and versioned (``v1:``) so stale or forged data from an
old message is recognised and answered kindly instead of crashing a handler."""

from __future__ import annotations

import re

PREFIX = "v1"

TALK_PAGE = "tl"
TALK_DETAIL = "td"
ENROLL = "en"
JOIN_WAITLIST = "wl"
CANCEL_ASK = "cx"
CANCEL_YES = "cy"
CANCEL_NO = "cn"
CALENDAR = "ic"
PRIVACY_ACCEPT = "pa"
PRIVACY_DECLINE = "pd"
DEPENDENCY = "dp"
DEPENDENCY_OTHER = "do"
EMAIL_SKIP = "es"
MY_ENROLLMENTS = "me"
PROFILE_EDIT = "md"
DELETE_ASK = "ba"
DELETE_YES = "bx"
DELETE_NO = "bn"
FAQ_TOPICS = "fl"
FAQ_TOPIC = "ft"
FAQ_QUESTION = "fq"
FAQ_DETAIL = "fd"
FAQ_FEEDBACK = "fb"


def data(action: str, *args: object) -> str:
    return ":".join([PREFIX, action, *(str(arg) for arg in args)])


def pattern(action: str, *, with_arg: bool = False, arg: str = r"\d{1,9}") -> re.Pattern[str]:
    """Regex for one action; the argument (a number by default) is group 1."""
    suffix = f":({arg})" if with_arg else ""
    return re.compile(rf"^{PREFIX}:{action}{suffix}$")


def matched(match: re.Match[str] | None) -> re.Match[str]:
    """What a button handler's pattern matched: PTB sets `context.match` for every handler
    registered with a pattern, so None means one was registered without."""
    if match is None:
        raise ValueError("a button handler without a pattern")
    return match


def int_arg(match: re.Match[str] | None) -> int:
    return int(matched(match).group(1))
