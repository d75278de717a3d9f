"""The webhook endpoint: Telegram posts each update to WEBHOOK_URL's path.

- The secret in `X-Telegram-Bot-Api-Secret-Token` is compared in constant time: 403 without
  it or with another one.
- A standby (or an instance that is stopping) answers 503 and does nothing, so the proxy in
  front tries the other instance, or Telegram retries later.
- 200 only once the update has been processed (`Intake.handle`): an instance that dies in
  between never answered, so Telegram posts the update again to the next active one. An
  update already processed is acknowledged with 200 and ignored.
"""

from __future__ import annotations

import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.instance import InstanceState, Role

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_route(state: InstanceState, *, path: str, secret: str) -> Route:
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        offered = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(offered, expected):
            return Response(status_code=403)
        body = await request.body()
        # No await between this check and the intake's queue: an instance that steps down
        # processes what it accepted before and refuses what comes after.
        intake = state.intake
        if state.role != Role.ACTIVE or intake is None:
            return JSONResponse({"role": str(state.role)}, status_code=503)
        try:
            update = Update.de_json(json.loads(body), intake.application.bot)
        except (ValueError, TypeError, KeyError):
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        await intake.handle(update)
        return JSONResponse({})

    return Route(path, receive, methods=["POST"], name="webhook")
