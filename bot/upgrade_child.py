"""`python -m bot.upgrade_child`: upgrades the database whose URL comes on standard input
and prints the name of the database error that stopped it, if any (see
`bot.startup_checks.prepare_database`, which runs it before the bot starts)."""

from __future__ import annotations

import sys

from bot.startup_checks import upgrade_reporting_error


def main() -> int:
    failure = upgrade_reporting_error(sys.stdin.read().strip())
    if failure is not None:
        print(failure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
