"""Command line: `python -m bot` runs the bot; `import-talks FILE.csv` imports; `check-content
[DIR]` checks a content folder; `migrate` only upgrades the database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.config import ContentSettings, OfflineSettings, Settings
from bot.content import use_content_dir
from bot.log_privacy import configure_logging
from bot.startup_checks import prepare_database
from bot.texts import plain

EXIT_CONFIG_ERROR = 2
EXIT_UNREACHABLE = 3
BOOTSTRAP_RETRIES = 3
"""Tries to reach Telegram at start-up before giving up (a network blip at boot)."""


def load_settings(kind: type[Settings] = Settings) -> Settings:
    """Reads the configuration, or explains in one paragraph what is missing and exits 2."""
    try:
        return kind()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else ""
            if name == "TELEGRAM_BOT_TOKEN":
                print(plain("cli.missing_token"), file=sys.stderr)
                raise SystemExit(EXIT_CONFIG_ERROR) from None
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message}" if name else message)
        print(plain("cli.bad_config", problems="; ".join(problems)), file=sys.stderr)
        raise SystemExit(EXIT_CONFIG_ERROR) from None


def run_bot(settings: Settings) -> int:
    """Runs until SIGINT/SIGTERM; a wrong token or an unreachable Bot API is explained."""
    from telegram.error import InvalidToken, NetworkError

    from bot.runner import run_instance
    from bot.web.server import PortUnavailable

    refusal = _content_refusal(settings) or prepare_database(settings.database_url, apart=True)
    if refusal:
        print(refusal, file=sys.stderr)
        return EXIT_CONFIG_ERROR
    try:
        return asyncio.run(run_instance(settings))
    except InvalidToken:
        print(plain("cli.invalid_token"), file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except NetworkError as exc:
        print(plain("cli.unreachable", error=exc.message), file=sys.stderr)
        return EXIT_UNREACHABLE
    except PortUnavailable as exc:
        print(
            plain("web.port_busy", host=exc.host, port=exc.port, error=exc.reason), file=sys.stderr
        )
        return EXIT_CONFIG_ERROR


def _content_refusal(settings: Settings) -> str | None:
    """Checks CONTENT_DIR (with the project's texts) and then switches to it."""
    from bot.cli_content import refuse_broken

    refusal = refuse_broken(settings.content_dir)
    if refusal is None:
        use_content_dir(settings.content_dir)
    return refusal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=plain("cli.description"))
    commands = parser.add_subparsers(dest="command")
    importer = commands.add_parser("import-talks", help=plain("cli.import_help"))
    importer.add_argument("file", type=Path)
    importer.add_argument("--move-to-future", action="store_true", help=plain("cli.shift_help"))
    commands.add_parser("migrate", help=plain("cli.migrate_help"))
    checker = commands.add_parser("check-content", help=plain("check.help"))
    checker.add_argument("directory", type=Path, nargs="?")
    args = parser.parse_args(argv)

    if args.command == "check-content":
        from bot.cli_content import run_check

        return run_check(args.directory or ContentSettings().content_dir)
    # import-talks and migrate never talk to Telegram: they run without a token.
    settings = load_settings(OfflineSettings if args.command else Settings)
    configure_logging(settings.log_level, settings.telegram_bot_token.get_secret_value())
    if args.command == "import-talks":
        from bot.cli_import import run_import

        refusal = _content_refusal(settings) or prepare_database(settings.database_url)
        if refusal:
            print(refusal, file=sys.stderr)
            return EXIT_CONFIG_ERROR
        return asyncio.run(run_import(settings, args.file, move_to_future=args.move_to_future))
    if args.command == "migrate":
        refusal = prepare_database(settings.database_url)
        if refusal:
            print(refusal, file=sys.stderr)
            return EXIT_CONFIG_ERROR
        return 0
    return run_bot(settings)


if __name__ == "__main__":
    sys.exit(main())
