"""Builds the configured python-telegram-bot Application: the one place where things are wired."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommandScopeChat
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.content import use_content_dir
from bot.context import RUNTIME_KEY, BotContext, Runtime
from bot.db import create_engine, make_session_factory
from bot.faq import FaqEngine
from bot.faq.content import empty_office_fields
from bot.faq.encoder import load_encoder
from bot.faq_sync import load_taught_phrasings
from bot.housekeeping import schedule_housekeeping
from bot.outbox.sender import Sender, schedule_sender
from bot.pacing import Pacer
from bot.persistence import PersistentApplication, SqlPersistence
from bot.texts import use_setting_values
from handlers import (
    chats,
    checkin,
    common,
    constancias,
    conversation,
    enrollment,
    faq,
    notice_opt_out,
    outbox,
    profile,
    retention,
    signup,
    survey,
    talks,
)
from handlers.staff import registry as staff

logger = logging.getLogger(__name__)


def api_urls(base: str) -> tuple[str, str]:
    """Turns TELEGRAM_API_BASE_URL (the server's root) into PTB's base_url and base_file_url."""
    root = base.rstrip("/")
    if root.endswith("/bot"):
        root = root[: -len("/bot")]
    return f"{root}/bot", f"{root}/file/bot"


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    *,
    clock: Clock | None = None,
    pacer: Pacer | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Returns the Application; `request` replaces the HTTP layer (tests, benchmarks), and
    `clock` and `pacer` the real time (a test's pacer sleeps on a virtual clock)."""
    use_content_dir(settings.content_dir)
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    use_setting_values(retention_months=settings.retention_months)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        .context_types(ContextTypes(context=BotContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .application_class(PersistentApplication)
        .persistence(SqlPersistence(engine, clock=clock.now))
    )
    if settings.telegram_api_base_url:
        base_url, base_file_url = api_urls(settings.telegram_api_base_url)
        builder = builder.base_url(base_url).base_file_url(base_file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()

    application.bot_data[RUNTIME_KEY] = Runtime(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
        sender=Sender(
            renderers=outbox.RENDERERS,
            pacer=pacer or Pacer(settings.send_rate_per_second),
            batch_listeners=outbox.BATCH_LISTENERS,
        ),
        faq=FaqEngine.from_directory(
            settings.content_dir / "faq",
            encoder=load_encoder(settings.faq_encoder),
            cache_dir=settings.faq_cache_dir,
        ),
    )

    # Order matters: the sign-up conversation, the staff console's conversations and the
    # survey's comment must see their buttons and replies before the generic handlers; a
    # message that is just an attendance code, and any other free text, goes to check-in or
    # to the FAQ only when no conversation claimed it; the fallbacks (unknown commands,
    # stickers, stale buttons) come last.
    for handlers in (
        signup.handlers(),
        staff.handlers(),
        survey.handlers(),
        checkin.HANDLERS,
        constancias.HANDLERS,
        notice_opt_out.HANDLERS,
        common.HANDLERS,
        talks.HANDLERS,
        enrollment.HANDLERS,
        profile.HANDLERS,
        faq.HANDLERS,
        [faq.FREE_TEXT],
        common.FALLBACK_HANDLERS,
    ):
        application.add_handlers(handlers)
    # Before everything: only private chats get through; then a draft found expired when
    # the state was loaded is announced; then every servant's update counts as activity
    # for retention (each group runs one handler, so each concern has its own group).
    application.add_handlers(chats.HANDLERS, group=-3)
    application.add_handlers(conversation.EXPIRY_HANDLERS, group=-2)
    application.add_handler(retention.TOUCH, group=-1)
    application.add_error_handler(common.on_error)
    schedule_sender(application)
    schedule_housekeeping(application)
    return application


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await application.bot.set_my_commands(common.bot_commands())
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    taught = await load_taught_phrasings(runtime)
    logger.info("faq: %d phrasings taught by staff joined the index", taught)
    for staff_id in runtime.settings.admin_ids:
        try:
            await application.bot.set_my_commands(
                common.bot_commands(staff=True), scope=BotCommandScopeChat(staff_id)
            )
        except TelegramError as exc:
            logger.warning("staff command menu not set for one chat: %s", type(exc).__name__)
    _warn_about_faq(runtime)
    if runtime.settings.listen_port is not None and runtime.web is None:
        await start_web(application)
    logger.info("bot @%s ready", application.bot.username)


def _warn_about_faq(runtime: Runtime) -> None:
    """Tells the operator, once at start-up, what the FAQ answers without."""
    engine = runtime.faq
    if engine is not None and not engine.semantic:
        logger.warning(
            "FAQ: no sentence encoder (FAQ_ENCODER=%s): lexical matching only",
            runtime.settings.faq_encoder,
        )
    empty = empty_office_fields(runtime.settings.content_dir / "faq")
    if empty:
        logger.warning(
            "content/faq/office.toml: empty fields %s: answers show no such contact data "
            "until the office fills them in",
            ", ".join(empty),
        )


async def start_web(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Serves the public programme on LISTEN_HOST:LISTEN_PORT in this event loop."""
    from bot.web import build_web_app
    from bot.web.server import WebServer

    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    settings = runtime.settings
    web_app = build_web_app(
        settings,
        runtime.session_factory,
        clock=runtime.clock,
        bot_username=lambda: application.bot.username,
    )
    server = WebServer(web_app, host=settings.listen_host, port=settings.listen_port or 0)
    await server.start()
    runtime.web = server


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await dispose(application)


async def dispose(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stops the web server, if any, and closes the database connections."""
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    if runtime.web is not None:
        await runtime.web.stop()
        runtime.web = None
    await runtime.engine.dispose()
