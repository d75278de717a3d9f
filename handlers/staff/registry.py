"""Every handler of the staff console, in the order they must be tried.

Attendance comes first: its conversation may be waiting for a participants file, which
must not be taken for a programme of talks by the talks module's document handler.
"""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.staff import attendance, broadcast, figures, pending, rosters, talks

HANDLERS: list[BaseHandler] = [
    *attendance.HANDLERS,
    *talks.HANDLERS,
    *rosters.HANDLERS,
    *broadcast.HANDLERS,
    *figures.HANDLERS,
    *pending.HANDLERS,
]
