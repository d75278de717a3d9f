"""What the office reads about its own work: the year's figures and the audit log of staff
actions (the questions the FAQ could not answer are in `faq_teaching`).

Everything here is aggregate: the figures are counts grouped in SQL (never a loop over
enrollments), and the audit log holds staff ids only. Each staff request is itself recorded
in the audit log, in the same unit of work, because reading figures is an action of the
office too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.selectable import Subquery

from bot.models import (
    AuditEntry,
    Enrollment,
    EnrollmentStatus,
    Servant,
    SurveyResponse,
    Talk,
    TalkStatus,
)
from bot.services import audit
from bot.services.errors import ServiceError

FIRST_YEAR = 2000
AUDIT_LIMIT = 30


class StatsError(ServiceError):
    domain = "staff_figures.error"


@dataclass(frozen=True)
class Period:
    """January 1 to December 31 of `year` in the office's zone, cut at `now` for this year."""

    year: int
    start: datetime
    end: datetime
    now: datetime

    @property
    def complete(self) -> bool:
        return self.now >= self.end

    @property
    def until(self) -> datetime:
        """The last moment counted: now for the current year, the year's end otherwise."""
        return min(self.now, self.end)


@dataclass(frozen=True)
class Figures:
    """Aggregates over the talks given in a period, or over one group of them.

    `enrolled` counts seats (an enrollment with status enrolled, or one marked as attended);
    `servants` and `trained` count distinct people among them.
    """

    talks: int = 0
    enrolled: int = 0
    attended: int = 0
    servants: int = 0
    trained: int = 0
    score_sum: int = 0
    answers: int = 0

    @property
    def rate(self) -> float | None:
        return self.attended / self.enrolled if self.enrolled else None

    @property
    def score(self) -> float | None:
        return self.score_sum / self.answers if self.answers else None

    def __add__(self, other: Figures) -> Figures:
        """Sums two disjoint groups; distinct counts (talks, people) may overlap, so the
        sum of those is an upper bound and is only used for the "others" bucket's seats."""
        pairs = zip(astuple(self), astuple(other), strict=True)
        return Figures(*(mine + theirs for mine, theirs in pairs))


FIELD_COUNT = len(fields(Figures))


@dataclass(frozen=True)
class YearFigures:
    """Everything /estadisticas shows: the totals and the same figures per group."""

    period: Period
    totals: Figures
    by_dependency: list[tuple[str | None, Figures]]
    """Most attendees first; None is a servant without a dependencia on record."""
    by_topic: list[tuple[str, Figures]]
    by_month: list[tuple[int, Figures]]
    """Every month from January to the last counted one, empty months included."""


def year_period(year: int | None, *, now: datetime, tz: ZoneInfo) -> Period:
    """The period for `year` (default: the current one, in the office's zone)."""
    current = now.astimezone(tz).year
    year = current if year is None else year
    if year < FIRST_YEAR:
        raise StatsError("bad_year", first=FIRST_YEAR)
    if year > current:
        raise StatsError("future_year", year=year)
    return Period(year=year, start=_new_year(year, tz), end=_new_year(year + 1, tz), now=now)


def _new_year(year: int, tz: ZoneInfo) -> datetime:
    return datetime(year, 1, 1, tzinfo=tz).astimezone(UTC)


def _month_starts(period: Period, tz: ZoneInfo) -> list[datetime]:
    return [datetime(period.year, month, 1, tzinfo=tz).astimezone(UTC) for month in range(2, 13)]


def _talks_given(period: Period, tz: ZoneInfo) -> Subquery:
    """Scheduled talks of the period that have started, with their topic and local month.

    The month is computed here, as a column of a subquery, so that grouping by it is
    grouping by a plain column (PostgreSQL does not match an expression with bound
    parameters in SELECT to the same expression in GROUP BY).
    """
    month = case(
        *[
            (Talk.starts_at < start, number)
            for number, start in enumerate(_month_starts(period, tz), 1)
        ],
        else_=12,
    )
    return (
        select(Talk.id, Talk.topic, month.label("month"))
        .where(
            Talk.status == TalkStatus.SCHEDULED,
            Talk.starts_at >= period.start,
            Talk.starts_at < period.end,
            Talk.starts_at <= period.now,
        )
        .subquery("given")
    )


def _figures_select(given: Subquery, *, with_servants: bool = False) -> Select[Any]:
    """The aggregate columns of `Figures`, over the given talks and their seats."""
    attended = Enrollment.attended_at.is_not(None)
    counted = or_(Enrollment.status == EnrollmentStatus.ENROLLED, attended)
    statement = select(
        func.count(distinct(given.c.id)),
        func.count(Enrollment.id),
        func.count(Enrollment.attended_at),
        func.count(distinct(Enrollment.servant_id)),
        func.count(distinct(case((attended, Enrollment.servant_id)))),
        func.coalesce(func.sum(SurveyResponse.score), 0),
        func.count(SurveyResponse.id),
    ).select_from(given)
    join = and_(Enrollment.talk_id == given.c.id, counted)
    if with_servants:
        statement = statement.join(Enrollment, join).join(
            Servant, Servant.id == Enrollment.servant_id
        )
    else:
        statement = statement.outerjoin(Enrollment, join)
    return statement.outerjoin(SurveyResponse, SurveyResponse.enrollment_id == Enrollment.id)


async def _grouped(
    session: AsyncSession,
    statement: Select[Any],
    key: ColumnElement[Any] | QueryableAttribute[Any],
) -> list[tuple[Any, Figures]]:
    rows = await session.execute(statement.add_columns(key.label("key")).group_by(key))
    return [(row.key, _figures(row)) for row in rows]


def _figures(row: Sequence[Any]) -> Figures:
    return Figures(*(int(value or 0) for value in row[:FIELD_COUNT]))


async def year_figures(
    session: AsyncSession, *, actor: int, year: int | None, now: datetime, tz: ZoneInfo
) -> YearFigures:
    """The year's figures, in four grouped queries; the request is audited."""
    period = year_period(year, now=now, tz=tz)
    given = _talks_given(period, tz)
    totals = _figures((await session.execute(_figures_select(given))).one())
    by_dependency = await _grouped(
        session, _figures_select(given, with_servants=True), Servant.dependency
    )
    by_topic = await _grouped(session, _figures_select(given), given.c.topic)
    months = dict(await _grouped(session, _figures_select(given), given.c.month))
    last_month = period.until.astimezone(tz).month if not period.complete else 12
    audit.record(session, actor=actor, action="stats.viewed", now=now, target=str(period.year))
    return YearFigures(
        period=period,
        totals=totals,
        by_dependency=sorted(by_dependency, key=_most_attended),
        by_topic=sorted(by_topic, key=_most_talks),
        by_month=[(month, months.get(month, Figures())) for month in range(1, last_month + 1)],
    )


def _most_attended(group: tuple[str | None, Figures]) -> tuple[int, int, str]:
    name, figures = group
    return (-figures.attended, -figures.enrolled, name or "")


def _most_talks(group: tuple[str, Figures]) -> tuple[int, int, str]:
    name, figures = group
    return (-figures.talks, -figures.attended, name)


def top_and_rest(
    groups: Sequence[tuple[str | None, Figures]], size: int
) -> tuple[list[tuple[str | None, Figures]], Figures | None, int]:
    """The first `size` groups, the sum of the others (None if there are none) and how
    many others there are. Only the rest's seats and attendances are exact sums."""
    top, rest = list(groups[:size]), groups[size:]
    if not rest:
        return top, None, 0
    summed = Figures()
    for _, figures in rest:
        summed = summed + figures
    return top, summed, len(rest)


async def recent_audit(
    session: AsyncSession, *, actor: int, now: datetime
) -> Sequence[AuditEntry]:
    """The latest staff actions, newest first; this reading is recorded after listing."""
    entries = (
        await session.scalars(
            select(AuditEntry)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(AUDIT_LIMIT)
        )
    ).all()
    audit.record(session, actor=actor, action="audit.viewed", now=now)
    return entries
