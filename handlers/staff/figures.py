"""Staff console: figures (being built)."""

from __future__ import annotations

from telegram.ext import BaseHandler

HANDLERS: list[BaseHandler] = []
