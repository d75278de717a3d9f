"""Every handler of the staff console, in the order they must be tried.

Attendance comes first: its conversation may be waiting for a participants file, which
must not be taken for a programme of talks by the talks module's document handler.
"""

from __future__ import annotations

from handlers.conversation import UpdateHandler
from handlers.staff import attendance, broadcast, figures, pending, rosters, talks


def handlers() -> list[UpdateHandler]:
    """Fresh handlers for one Application (the conversations among them keep state)."""
    return [
        *attendance.handlers(),
        *talks.handlers(),
        *rosters.HANDLERS,
        *broadcast.handlers(),
        *figures.HANDLERS,
        *pending.HANDLERS,
    ]
