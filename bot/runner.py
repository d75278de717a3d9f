"""One instance's life: standby until it holds the lease, then active, then a clean hand-over.

    build the Application (handlers, FAQ engine: the slow part, done while waiting)
    serve /healthz (and the webhook) with role standby → 503
    wait for the lease (bot.lease): no getUpdates, no jobs, Application not initialised
    active: initialise the Application (this loads the persisted conversations), post_init,
        start it (JobQueue: the sender and the daily jobs), setWebhook or deleteWebhook,
        poll (bot.intake) or take the webhook's posts
    SIGTERM/SIGINT, or the lease lost: stop taking updates (503), finish the update in hand,
        stop the Application (jobs, persistence flushed), release the lease, shut down.

The outbox sender runs on the active instance only, as a JobQueue job: its pacing under
Telegram's ~30 messages/s is per process, so two senders would send twice as fast and draw
429s; the claim (`FOR UPDATE SKIP LOCKED`) still keeps the overlap of a hand-over safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.ext import Application

from bot.config import Settings
from bot.context import RUNTIME_KEY, Runtime
from bot.instance import InstanceState, schema_revision
from bot.intake import ALLOWED_UPDATES, Intake
from bot.lease import CHECK_SECONDS, Lease, lease_for

logger = logging.getLogger(__name__)

BOOTSTRAP_RETRIES = 3
EXIT_LEASE_LOST = 1


class LeaseLost(Exception):
    """The lease's connection went away while active: another instance may be active now."""


async def run_instance(settings: Settings) -> int:
    """Runs this instance until a stop signal; 0 after a clean stop, 1 if the lease was lost.

    InvalidToken, NetworkError and PortUnavailable propagate for the caller to explain."""
    from bot.app import build_application

    application = build_application(settings)
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    state = InstanceState(mode=settings.bot_mode)
    state.schema_revision = await schema_revision(runtime.session_factory)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    lease = lease_for(settings.database_url, settings.telegram_bot_token.get_secret_value())
    try:
        if settings.web_port is not None:
            await _start_web(application, state)
        logger.info("standby: waiting for the lease (%s)", lease.description)
        if not await _first(lease.acquire(), stop):
            logger.info("stopped while standby")
            return 0
        logger.info("active: lease acquired")
        return await _be_active(application, settings, state, lease, stop)
    finally:
        await lease.release()
        from bot.app import dispose

        await dispose(application)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def _be_active(
    application: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    state: InstanceState,
    lease: Lease,
    stop: asyncio.Event,
) -> int:
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    await _initialize(application)
    intake = Intake(application, runtime.session_factory, runtime.clock)
    intake.polling = settings.bot_mode == "polling"
    poller: asyncio.Task[None] | None = None
    exit_code = 0
    try:
        if application.post_init:
            await application.post_init(application)
        await intake.load()
        await _recover_outbox(runtime)
        await application.start()
        if settings.bot_mode == "webhook":
            await application.bot.set_webhook(
                url=settings.webhook_url or "",
                secret_token=settings.webhook_secret.get_secret_value()
                if settings.webhook_secret
                else None,
                allowed_updates=list(ALLOWED_UPDATES),
                max_connections=settings.webhook_max_connections,
                drop_pending_updates=False,
            )
            logger.info("webhook set; updates arrive at %s", settings.webhook_path)
        else:
            await application.bot.delete_webhook(drop_pending_updates=False)
            poller = asyncio.create_task(intake.poll(), name="polling")
        state.activate(intake)
        watchdog = asyncio.create_task(_watch(lease), name="lease-watchdog")
        waiters = [asyncio.create_task(stop.wait()), watchdog]
        if poller is not None:
            waiters.append(poller)
        done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in waiters:
            if task is not poller and task not in done:
                task.cancel()
        if watchdog in done:
            logger.error("lease lost: stepping down at once")
            exit_code = EXIT_LEASE_LOST
        elif poller is not None and poller in done:
            poller.result()  # an unexpected failure of polling is an error of the process
    finally:
        state.step_down()
        intake.stop_polling()
        if poller is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await poller
        await intake.drain()
        if application.running:
            await application.stop()
        await application.shutdown()
        # Everything this instance owed is done and flushed: the next one may start now.
        await lease.release()
        logger.info(
            "lease released after %d updates (%d repeated ones ignored)",
            intake.processed,
            intake.duplicates,
        )
    return exit_code


async def _initialize(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Initialises the Application (getMe; persisted conversations load here), retrying a
    network blip a few times; a wrong token is InvalidToken at once."""
    for attempt in range(BOOTSTRAP_RETRIES + 1):
        try:
            await application.initialize()
            return
        except InvalidToken:
            raise
        except (TimedOut, NetworkError):
            if attempt == BOOTSTRAP_RETRIES:
                raise
            await asyncio.sleep(1 + attempt)


async def _recover_outbox(runtime: Runtime) -> None:
    """Settles the rows a previous active instance left half-sent (bot.outbox.store)."""
    from bot.outbox import store

    async with runtime.session_factory.begin() as session:
        settled = await store.recover_after_takeover(session, now=runtime.clock.now())
    if any(settled.values()):
        logger.warning(
            "outbox after a crash: %d claimed rows requeued, %d interrupted mid-send "
            "closed as failed (not resent)",
            settled["requeued"],
            settled["interrupted"],
        )


async def _watch(lease: Lease) -> None:
    """Returns when the lease is no longer certain."""
    while await lease.check():  # noqa: ASYNC110 - polling a remote resource, no event exists
        await asyncio.sleep(CHECK_SECONDS)


async def _first(work: Any, stop: asyncio.Event) -> bool:
    """Runs `work` until it finishes (True) or `stop` is set first (False; work cancelled)."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        stopper.cancel()
        task.result()
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return False


async def _start_web(
    application: Application[Any, Any, Any, Any, Any, Any], state: InstanceState
) -> None:
    """Serves /healthz, the programme and (webhook mode) the webhook from the start, so a
    standby already answers 503."""
    from bot.web import build_web_app
    from bot.web.health import health_route
    from bot.web.server import WebServer
    from bot.web.webhook import webhook_route

    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    settings = runtime.settings
    routes = [health_route(state, lambda: runtime.health.get("last_scan"))]
    if settings.bot_mode == "webhook" and settings.webhook_secret is not None:
        routes.append(
            webhook_route(
                state,
                path=settings.webhook_path,
                secret=settings.webhook_secret.get_secret_value(),
            )
        )
    web_app = build_web_app(
        settings,
        runtime.session_factory,
        clock=runtime.clock,
        bot_username=lambda: application.bot.username if application.bot._bot_user else "",
        routes=routes,
    )
    server = WebServer(web_app, host=settings.listen_host, port=settings.web_port or 0)
    await server.start()
    runtime.web = server
