"""`GET /healthz`: 200 with the role on the active instance, 503 on a standby.

A reverse proxy (deploy/nginx) sends each request to whichever instance answers, and
monitoring reads the sender's last scan (a stopped scheduler shows as an old time) and the
schema revision (old and new versions overlap during an upgrade).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.instance import InstanceState, Role

HEALTH_PATH = "/healthz"


def health_route(state: InstanceState, last_scan: Callable[[], datetime | None]) -> Route:
    async def healthz(_request: Request) -> JSONResponse:
        body: dict[str, object] = {
            "role": str(state.role),
            "mode": state.mode,
            "schema_revision": state.schema_revision,
        }
        headers = {"Cache-Control": "no-store"}
        if state.role != Role.ACTIVE:
            return JSONResponse(body, status_code=503, headers=headers)
        scan = last_scan()
        body["active_since"] = _iso(state.active_since)
        body["last_sender_scan"] = _iso(scan)
        return JSONResponse(body, headers=headers)

    return Route(HEALTH_PATH, healthz, methods=["GET"], name="healthz")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None
