"""At LOG_LEVEL=DEBUG the log holds no name, e-mail, message text nor token: the bot is
run in-process through a whole sign-up and as `python -m bot` over HTTP, and the log it
wrote is searched for everything that was typed."""

from __future__ import annotations

import io
import logging
import signal
from datetime import timedelta

from bot.log_privacy import PrivacyFilter, configure_logging
from tests.factories import make_talk
from tests.http_fake_api import HttpFakeBotApi
from tests.test_e2e import EXIT_TIMEOUT, START_TIMEOUT, start_command
from tests.test_startup import debug_bot

NAME = "Ximena Quetzalli Ocampo"
EMAIL = "ximena.ocampo@toluca.gob.mx"
QUESTION = "mi jefe Rodolfo Barragán me grita frente a todos, qué hago"
TOKEN = "424242424:AAFprivado-del-bot_ABCDEFGHIJKLMNOP"


def _secrets_in(log: str) -> list[str]:
    words = [NAME, "Quetzalli", EMAIL, "ximena.ocampo", QUESTION, "Barragán", TOKEN, "AAFprivado"]
    return [word for word in words if word in log]


async def _sign_up(chat) -> None:
    await chat.send("/platicas")
    await chat.press("Ingrid")
    await chat.press("Inscribirme")
    await chat.press("Acepto")
    await chat.send(NAME)
    await chat.press("Tesorería Municipal")
    await chat.send(EMAIL)
    await chat.send("/mis_datos")
    await chat.send(QUESTION)


async def _logged_during(chat, handler: logging.Handler, stream: io.StringIO) -> str:
    try:
        await _sign_up(chat)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
        for name in ("telegram", "httpx", "sqlalchemy", "apscheduler"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert any(EMAIL in (sent.text or "") for sent in chat.messages), "the sign-up did not end"
    return stream.getvalue()


async def test_a_sign_up_at_debug_leaves_no_personal_data_in_the_log(
    make_chat, session_factory, clock, settings
):
    await make_talk(session_factory, starts_at=clock.now() + timedelta(days=2), title="Ingrid")
    raw = io.StringIO()
    plain_handler = logging.StreamHandler(raw)
    logging.getLogger().addHandler(plain_handler)
    logging.getLogger().setLevel(logging.DEBUG)
    unguarded = await _logged_during(make_chat(5550101, "Ana"), plain_handler, raw)
    assert EMAIL in unguarded and NAME in unguarded, "DEBUG without the guard shows them"

    stream = io.StringIO()
    token = settings.telegram_bot_token.get_secret_value()
    handler = configure_logging("DEBUG", token, stream=stream)
    log = await _logged_during(make_chat(5550102, "Eva"), handler, stream)
    assert _secrets_in(log) == [] and token not in log, log


def test_the_bot_at_debug_over_http_logs_no_personal_data(tmp_path):
    with HttpFakeBotApi() as api:
        bot = debug_bot(api, tmp_path, TOKEN)
        try:
            user = 5550777
            api.queue_update(start_command(user))
            assert api.wait_for_message(user, timeout=START_TIMEOUT), bot.diagnosis("no /start")
            for text in (f"soy {NAME}, mi correo es {EMAIL}", QUESTION):
                update = start_command(user, "/x")
                update["message"]["text"] = text
                del update["message"]["entities"]
                api.queue_update(update)
            answered = api.wait_for(
                lambda _call: len([c for c in api.calls("sendMessage") if c.chat_id == user]) >= 3,
                timeout=START_TIMEOUT,
            )
            assert answered, bot.diagnosis("the two texts got no answer")
            bot.process.send_signal(signal.SIGTERM)
            assert bot.wait(EXIT_TIMEOUT) == 0, bot.diagnosis("no clean exit")
        finally:
            bot.kill()
    log = bot.stderr() + bot.stdout()
    assert " DEBUG " in log, log
    assert _secrets_in(log) == [], bot.diagnosis("personal data in the log")


def test_the_filter_hides_tokens_and_emails_in_messages_and_tracebacks():
    scrub = PrivacyFilter(("123:corto",))
    try:
        raise ValueError(f"fallo con {EMAIL} y {TOKEN}")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "token %s, %s", ("123:corto", EMAIL), sys.exc_info()
        )
    assert scrub.filter(record)
    text = logging.Formatter().format(record)
    assert _secrets_in(text) == [] and "123:corto" not in text
    assert "<token>" in text and "<correo>" in text
