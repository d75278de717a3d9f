"""A real HTTP fake of the Telegram Bot API, for tests and benchmarks that run `python -m bot`.

The in-process `tests.fakes.FakeBotApi` replaces PTB's HTTP layer, so it cannot show that the
bot really starts, talks HTTP to `TELEGRAM_API_BASE_URL` and shuts down. This server can: it
listens on 127.0.0.1, answers `<root>/bot<token>/<method>` like Telegram (JSON, form or
multipart POSTs), serves queued updates through `getUpdates`, records every call thread-safely
and can enforce a messages-per-second limit with Telegram's 429 answer.

Usage::

    with HttpFakeBotApi() as api:
        env["TELEGRAM_API_BASE_URL"] = api.root_url
        api.queue_update({"message": {...}})
        call = api.wait_for_message(chat_id=42, timeout=30)
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import math
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes import BOT_USER

SENDING_METHODS = frozenset({"sendMessage", "sendDocument"})
"""The calls that count against the rate limit: what Telegram throttles are new messages."""

DEFAULT_IDLE_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made, as the server understood it."""

    method: str
    token: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float
    """`time.monotonic()` when the request arrived."""
    throttled: bool = False

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    def json_param(self, name: str) -> Any:
        """A parameter PTB sent JSON-encoded inside a form (reply_markup, commands…)."""
        value = self.params.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value


class SlidingWindowLimiter:
    """At most `limit` events in any 1-second window: the simplest faithful model of a cap."""

    def __init__(self, limit: float, window: float = 1.0) -> None:
        self.limit = limit
        self.window = window
        self._events: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now); forgets expired events."""
        while self._events and now - self._events[0] >= self.window:
            self._events.popleft()
        if len(self._events) < self.limit:
            return 0.0
        return self.window - (now - self._events[0])

    def record(self, now: float) -> None:
        self._events.append(now)


class RateLimit:
    """Telegram-like throttling: an overall and an optional per-chat messages/second cap."""

    def __init__(self, per_second: float | None, per_chat_per_second: float | None) -> None:
        self.overall = SlidingWindowLimiter(per_second) if per_second is not None else None
        self.per_chat_per_second = per_chat_per_second
        self.per_chat: dict[int, SlidingWindowLimiter] = {}

    def check(self, chat_id: int | None, now: float) -> int | None:
        """Returns None and counts the message when it may go, else `retry_after` seconds.

        Both windows are consulted before either records, so a refused message uses up no
        capacity, as with Telegram.
        """
        limiters = [limiter for limiter in (self.overall, self._chat(chat_id)) if limiter]
        wait = max((limiter.wait_time(now) for limiter in limiters), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for limiter in limiters:
            limiter.record(now)
        return None

    def _chat(self, chat_id: int | None) -> SlidingWindowLimiter | None:
        if self.per_chat_per_second is None or chat_id is None:
            return None
        if chat_id not in self.per_chat:
            self.per_chat[chat_id] = SlidingWindowLimiter(self.per_chat_per_second)
        return self.per_chat[chat_id]


class HttpFakeBotApi:
    """A threaded HTTP server that answers like the Bot API; start()/stop() or `with`.

    Args:
        rate_limit: messages/second over all chats above which sends get a 429; None = no cap.
        per_chat_rate_limit: the same cap per chat (Telegram keeps about 1/s per chat).
        idle_poll_seconds: how long an empty `getUpdates` waits, instead of the long-poll
            timeout the bot asks for, so that queued updates and shutdown are seen quickly.
    """

    def __init__(
        self,
        *,
        rate_limit: float | None = None,
        per_chat_rate_limit: float | None = None,
        idle_poll_seconds: float = DEFAULT_IDLE_POLL_SECONDS,
    ) -> None:
        self.idle_poll_seconds = idle_poll_seconds
        self._limit = (
            RateLimit(rate_limit, per_chat_rate_limit)
            if rate_limit is not None or per_chat_rate_limit is not None
            else None
        )
        self._condition = threading.Condition()
        self._calls: list[ApiCall] = []
        self._pending: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._sent_per_chat: Counter[int] = Counter()
        self._throttled_per_chat: Counter[int] = Counter()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.rejected_tokens: set[str] = set()
        """Tokens answered 401 Unauthorized, as Telegram answers a revoked token."""
        self.webhook: dict[str, Any] | None = None
        """The parameters of the last setWebhook, until a deleteWebhook; getUpdates is then
        refused with 409, as Telegram does."""

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> HttpFakeBotApi:
        """Binds a free port on 127.0.0.1 and serves in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("the fake Bot API is already running")
        server = _QuietServer(("127.0.0.1", 0), _handler_class(self))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="http-fake-bot-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving and releases the port; waiting long polls return at once."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> HttpFakeBotApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("start the fake Bot API first")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL."""
        return f"http://127.0.0.1:{self.port}"

    # -- what the test does ----------------------------------------------------------------

    def queue_update(self, update: dict[str, Any]) -> int:
        """Queues an update for the next getUpdates; gives it an `update_id` if it has none."""
        with self._condition:
            update = dict(update)
            update.setdefault("update_id", next(self._update_ids))
            self._pending.append(update)
            self._condition.notify_all()
            return int(update["update_id"])

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """A snapshot of the recorded calls (all, or of one method), oldest first."""
        with self._condition:
            return [call for call in self._calls if method is None or call.method == method]

    def wait_for(self, predicate: Callable[[ApiCall], bool], timeout: float) -> ApiCall | None:
        """Blocks until a recorded call matches `predicate`; None when `timeout` passes."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                for call in self._calls:
                    if predicate(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._condition.wait(remaining)

    def wait_for_message(
        self, chat_id: int, timeout: float, contains: str | None = None
    ) -> ApiCall | None:
        """Waits for a delivered sendMessage to `chat_id` (whose text has `contains`)."""

        def matches(call: ApiCall) -> bool:
            return (
                call.method == "sendMessage"
                and not call.throttled
                and call.chat_id == chat_id
                and (contains is None or contains in call.text)
            )

        return self.wait_for(matches, timeout)

    @property
    def throttled(self) -> int:
        """How many sends were answered 429."""
        with self._condition:
            return sum(self._throttled_per_chat.values())

    def sent_per_chat(self) -> dict[int, int]:
        """Delivered sendMessage calls per chat (what a rate-limit benchmark checks)."""
        with self._condition:
            return dict(self._sent_per_chat)

    def throttled_per_chat(self) -> dict[int, int]:
        with self._condition:
            return dict(self._throttled_per_chat)

    # -- what the server does --------------------------------------------------------------

    def handle(
        self, method: str, token: str, request: ParsedRequest
    ) -> tuple[int, dict[str, Any]]:
        """Records one call and returns (HTTP status, JSON body) as Telegram would."""
        call = ApiCall(method, token, request.params, request.files, time.monotonic())
        if token in self.rejected_tokens:
            with self._condition:
                self._calls.append(call)
            return HTTPStatus.UNAUTHORIZED, {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        if method == "getUpdates":
            if self.webhook is not None:
                with self._condition:
                    self._calls.append(call)
                    self._condition.notify_all()
                return HTTPStatus.CONFLICT, _WEBHOOK_CONFLICT
            return HTTPStatus.OK, {"ok": True, "result": self._get_updates(call)}
        if method == "setWebhook":
            self.webhook = dict(call.params)
        elif method == "deleteWebhook":
            self.webhook = None
        with self._condition:
            retry_after = self._retry_after(call)
            self._calls.append(replace(call, throttled=retry_after is not None))
            self._condition.notify_all()
            if retry_after is not None:
                self._throttled_per_chat[call.chat_id or 0] += 1
                return HTTPStatus.TOO_MANY_REQUESTS, _too_many_requests(retry_after)
            if method == "sendMessage" and call.chat_id is not None:
                self._sent_per_chat[call.chat_id] += 1
            return HTTPStatus.OK, {"ok": True, "result": self._result_for(call)}

    def _retry_after(self, call: ApiCall) -> int | None:
        """None when the call may go; else the seconds a 429 tells the bot to wait."""
        if self._limit is None or call.method not in SENDING_METHODS:
            return None
        return self._limit.check(call.chat_id, call.at)

    def _get_updates(self, call: ApiCall) -> list[dict[str, Any]]:
        """Serves the queued updates from `offset` on (earlier ones are confirmed and dropped),
        at most `limit`; an update is served again until a later offset confirms it."""
        offset = _int(call.params.get("offset"), 0)
        limit = _int(call.params.get("limit"), 100) or 100
        requested = float(call.params.get("timeout") or 0)
        deadline = time.monotonic() + min(self.idle_poll_seconds, requested)
        with self._condition:
            self._calls.append(call)
            self._condition.notify_all()
            while True:
                # As Telegram: an update stays until a later call's offset confirms it, so a
                # consumer that dies before confirming gets it again (or its successor does).
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
                if self._pending or self._stopping:
                    return self._pending[:limit]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._condition.wait(remaining)

    def _result_for(self, call: ApiCall) -> Any:
        if call.method == "getMe":
            return BOT_USER
        if call.method in SENDING_METHODS:
            return self._message(call, next(self._message_ids))
        if call.method == "editMessageText":
            if call.params.get("inline_message_id"):
                return True
            return self._message(call, _int(call.params.get("message_id"), 0))
        return True

    @staticmethod
    def _message(call: ApiCall, message_id: int) -> dict[str, Any]:
        """A plausible Message for what the bot just sent or edited."""
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": call.chat_id or 0, "type": "private"},
            "from": BOT_USER,
        }
        if call.method == "sendDocument":
            message["document"] = {"file_id": f"f{message_id}", "file_unique_id": "u"}
            if call.params.get("caption"):
                message["caption"] = call.params["caption"]
        else:
            message["text"] = str(call.params.get("text", ""))
        markup = call.json_param("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        return message


@dataclass
class ParsedRequest:
    """The parameters and files of one POST, whatever its encoding."""

    params: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


def parse_body(content_type: str, body: bytes) -> ParsedRequest:
    """Decodes a JSON, url-encoded or multipart body (PTB uses the last two)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return ParsedRequest()
    if kind == "application/json":
        data = json.loads(body)
        return ParsedRequest(params=data if isinstance(data, dict) else {})
    if kind == "multipart/form-data":
        return _parse_multipart(content_type, body)
    return ParsedRequest(params=dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)))


def _parse_multipart(content_type: str, body: bytes) -> ParsedRequest:
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    request = ParsedRequest()
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            request.files[str(name)] = payload
        else:
            request.params[str(name)] = payload.decode(part.get_content_charset() or "utf-8")
    return request


_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}
_WEBHOOK_CONFLICT = {
    "ok": False,
    "error_code": 409,
    "description": "Conflict: can't use getUpdates method while webhook is active;"
    " use deleteWebhook to delete the webhook first",
}


def _too_many_requests(retry_after: int) -> dict[str, Any]:
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _split_path(path: str) -> tuple[str, str] | None:
    """`/bot<token>/<method>` (after any prefix) → (token, method)."""
    parts = [part for part in path.split("?", 1)[0].split("/") if part]
    if len(parts) < 2 or not parts[-2].startswith("bot"):
        return None
    return parts[-2][len("bot") :], parts[-1]


class _QuietServer(ThreadingHTTPServer):
    """Daemon handler threads; a client that hangs up mid-poll is normal, not an error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_class(api: HttpFakeBotApi) -> type[BaseHTTPRequestHandler]:
    """A request handler bound to `api` (http.server instantiates the class per request)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects from Telegram
        # Headers and body leave in two writes: without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK hold every answer back ~40 ms.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self._answer()

        def do_GET(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            target = _split_path(self.path)
            if target is None:
                self._send(HTTPStatus.NOT_FOUND, _NOT_FOUND)
                return
            token, method = target
            request = parse_body(self.headers.get("Content-Type", ""), body)
            if self.command == "GET":
                request.params.update(parse_qsl(self.path.partition("?")[2]))
            status, answer = api.handle(method, token, request)
            self._send(status, answer)

        def _send(self, status: int, answer: dict[str, Any]) -> None:
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the test output should show the bot's logs, not every poll."""

    return Handler
