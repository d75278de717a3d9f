"""`python -m bot check-content [DIR]` and the same check at start-up, in Spanish."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.content_check import Problem, Report, check_content
from bot.texts import plain

EXIT_PROBLEMS = 1


def _text(key: str, **values: object) -> str:
    """A text of the report; falls back to the bare key if the project's own texts are the
    broken ones (the report must still come out)."""
    try:
        return plain(key, **values)
    except Exception:
        shown = " ".join(f"{name}={value}" for name, value in values.items() if value)
        return f"{key} {shown}".strip()


def describe_problem(problem: Problem) -> str:
    where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
    what = _text(f"check.problem.{problem.code}", detail=problem.detail, hint=problem.hint)
    return f"{where}: {problem.key}: {what}" if problem.key else f"{where}: {what}"


def describe(report: Report) -> str:
    """The whole report: one line per problem, then the count; or the summary."""
    if report.ok:
        return _text(
            "check.ok",
            directory=report.directory,
            office=report.office_name,
            files=report.message_files,
            texts=report.texts,
            entries=report.faq_entries,
            topics=report.faq_topics,
            templates=report.templates,
        )
    lines = [describe_problem(problem) for problem in report.problems]
    lines.append(_text("check.failed", count=len(report.problems), directory=report.directory))
    return "\n".join(lines)


def run_check(directory: Path) -> int:
    """Prints the report; 0 when the folder is ready, 1 otherwise."""
    report = check_content(directory)
    print(describe(report), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else EXIT_PROBLEMS


def refuse_broken(directory: Path) -> str | None:
    """The report to print when the folder cannot be used at start-up, or None."""
    report = check_content(directory)
    if report.ok:
        return None
    return f"{_text('check.refused')}\n{describe(report)}"
