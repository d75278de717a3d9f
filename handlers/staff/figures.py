"""Staff console: the year's figures, the audit log and the list of staff commands (the
questions without an answer are in `pending`).

/estadisticas [año] sends the figures as text and then a PNG chart as a file (a file keeps
the chart sharp; Telegram recompresses photos). The chart is drawn in a worker thread so the
bot keeps answering while matplotlib works.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_month_names
from babel.numbers import format_decimal, format_percent
from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from bot.models import AuditEntry
from bot.services import stats
from bot.services.stats import Figures, StatsError, YearFigures
from bot.texts import LOCALE, Markup, format_date, format_when, plain, raw, t
from handlers import render
from handlers.conversation import UpdateHandler
from handlers.replies import respond
from handlers.staff.guard import staff_only

TOP_DEPENDENCIES = 10
TOP_TOPICS = 12
NAME_LENGTH = 40
TARGET_LENGTH = 40


def number(value: int) -> str:
    return format_decimal(value, locale=LOCALE)


def counted(key: str, value: int) -> str:
    """ "1 plática" / "46 pláticas": the text under `key`_one or `key`_many."""
    return plain(f"{key}_one" if value == 1 else f"{key}_many", n=number(value))


def rate_text(figures: Figures) -> str:
    rate = figures.rate
    return plain("staff_figures.no_rate") if rate is None else format_percent(rate, locale=LOCALE)


def score_text(figures: Figures) -> str:
    score = figures.score
    return "" if score is None else format_decimal(score, format="0.0", locale=LOCALE)


def summary_text(figures: YearFigures, tz: ZoneInfo) -> Markup:
    """The header, the headline ("46 pláticas impartidas a 3,120 servidores") and totals."""
    period = figures.period
    totals = figures.totals
    span = (
        plain("staff_figures.period_full")
        if period.complete
        else plain("staff_figures.period_to_date", date=format_date(period.until, tz))
    )
    score = (
        t(
            "staff_figures.score",
            score=score_text(totals),
            answers=counted("staff_figures.answers", totals.answers),
        )
        if totals.answers
        else t("staff_figures.no_score")
    )
    return Markup(
        "\n\n".join(
            [
                t("staff_figures.header", year=period.year, period=span),
                t(
                    "staff_figures.headline",
                    talks=counted("staff_figures.talks", totals.talks),
                    people=counted("staff_figures.people", totals.trained),
                ),
                t(
                    "staff_figures.summary",
                    servants=number(totals.servants),
                    enrolled=number(totals.enrolled),
                    attended=number(totals.attended),
                    rate=rate_text(totals),
                    score=score,
                ),
            ]
        )
    )


def group_lines(
    header_key: str, groups: Sequence[tuple[str | None, Figures]], size: int
) -> list[Markup]:
    """One line per group (the largest `size`), then one line adding up the rest."""
    top, rest, rest_count = stats.top_and_rest(groups, size)
    lines = [t(header_key)]
    for name, figures in top:
        score = score_text(figures)
        lines.append(
            t(
                "staff_figures.group_line",
                name=render.short(name or plain("staff_figures.no_dependency"), NAME_LENGTH),
                talks=number(figures.talks),
                enrolled=number(figures.enrolled),
                attended=number(figures.attended),
                rate=rate_text(figures),
                score=t("staff_figures.group_score", score=score) if score else "",
            )
        )
    if rest is not None:
        lines.append(
            t(
                "staff_figures.others_line",
                count=number(rest_count),
                enrolled=number(rest.enrolled),
                attended=number(rest.attended),
            )
        )
    return lines


def figures_text(figures: YearFigures, tz: ZoneInfo) -> Markup:
    """The whole message; names are shortened so it stays under Telegram's 4,096 chars."""
    dependencies = group_lines(
        "staff_figures.by_dependency", figures.by_dependency, TOP_DEPENDENCIES
    )
    topics = group_lines("staff_figures.by_topic", figures.by_topic, TOP_TOPICS)
    return Markup(
        "\n\n".join([summary_text(figures, tz), "\n".join(dependencies), "\n".join(topics)])
    )


def chart_png(figures: YearFigures, tz: ZoneInfo) -> bytes:
    """Attendances by dependencia (top ten and the rest) and by month, as PNG bytes."""
    period = figures.period
    title = (
        plain("staff_figures.chart_title", year=period.year)
        if period.complete
        else plain(
            "staff_figures.chart_title_to_date",
            year=period.year,
            date=format_datetime(
                period.until, raw("staff_figures.chart_date"), tzinfo=tz, locale=LOCALE
            ),
        )
    )
    top, rest, rest_count = stats.top_and_rest(figures.by_dependency, TOP_DEPENDENCIES)
    labels = [name or plain("staff_figures.no_dependency") for name, _ in top]
    values = [group.attended for _, group in top]
    if rest is not None:
        labels.append(plain("staff_figures.chart_others", count=rest_count))
        values.append(rest.attended)
    # matplotlib takes most of a second and ~70 MB to import: only when a chart is drawn.
    from bot.stats_chart import Bars, year_chart_png

    months = get_month_names("abbreviated", locale=LOCALE)
    return year_chart_png(
        title=title,
        by_group=Bars(
            plain("staff_figures.chart_by_dependency"), labels, values, muted_last=rest is not None
        ),
        by_month=Bars(
            plain("staff_figures.chart_by_month"),
            [months[month] for month, _ in figures.by_month],
            [group.attended for _, group in figures.by_month],
        ),
    )


def _actor(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


def _year_arg(context: BotContext) -> int | None:
    """The optional year after the command; anything but digits becomes 0, which the
    service rejects with the usage text."""
    if not context.args:
        return None
    return int(context.args[0]) if context.args[0].isdecimal() else 0


@staff_only
async def show_figures(update: Update, context: BotContext) -> None:
    """/estadisticas [año]: the year's figures as text, then the chart as a PNG file."""
    tz = context.settings.tz
    try:
        async with context.unit_of_work() as session:
            figures = await stats.year_figures(
                session, actor=_actor(update), year=_year_arg(context), now=context.now(), tz=tz
            )
    except StatsError as error:
        await respond(update, t(error.text_key, **error.details))
        return
    if not figures.totals.talks:
        await respond(update, t("staff_figures.empty", year=figures.period.year))
        return
    await respond(update, figures_text(figures, tz))
    png = await asyncio.to_thread(chart_png, figures, tz)
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_document(
        png,
        filename=plain("staff_figures.chart_filename", year=figures.period.year),
        caption=t("staff_figures.chart_caption", year=figures.period.year),
    )


def audit_line(entry: AuditEntry, tz: ZoneInfo, labels: dict[str, str]) -> Markup:
    target = render.short(entry.target, TARGET_LENGTH) if entry.target else ""
    return t(
        "staff_figures.audit.item",
        when=format_when(entry.created_at, tz),
        actor=entry.actor_telegram_id,
        action=labels.get(entry.action, entry.action),
        target=t("staff_figures.audit.target", target=target) if target else "",
    )


@staff_only
async def show_audit(update: Update, context: BotContext) -> None:
    """/bitacora: the latest staff actions — who (Telegram id), what, when and on what."""
    async with context.unit_of_work() as session:
        entries = await stats.recent_audit(session, actor=_actor(update), now=context.now())
    if not entries:
        await respond(update, t("staff_figures.audit.none"))
        return
    labels = raw("staff_figures.audit.labels")
    lines = [
        t(
            "staff_figures.audit.header",
            actions=counted("staff_figures.audit.actions", len(entries)),
        )
    ]
    lines += [audit_line(entry, context.settings.tz, labels) for entry in entries]
    await respond(update, Markup("\n\n".join(lines)))


@staff_only
async def staff_commands(update: Update, context: BotContext) -> None:
    """/personal: every staff command, one line each."""
    await respond(update, t("staff_figures.commands.text"))


HANDLERS: list[UpdateHandler] = [
    CommandHandler("estadisticas", show_figures),
    CommandHandler("bitacora", show_audit),
    CommandHandler("personal", staff_commands),
]
