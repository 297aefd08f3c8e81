"""The webhook server of `veiligbot run --webhook`: Telegram's updates in, a health endpoint for the proxy.

PTB's documented custom-webhook pattern: our own small web server puts each update on the application's
update queue. It runs on tornado, the server PTB itself uses for ``run_webhook`` (the ``webhooks`` extra), so
there is no second web framework; PTB's built-in server has no health endpoint, hence this one.

- ``POST <path of WEBHOOK_URL>``: an update. 403 without the right ``X-Telegram-Bot-Api-Secret-Token`` (compared
  in constant time); 503 while this instance is not active (a standby, or shutting down): Telegram keeps the
  update and retries, and a proxy with ``proxy_next_upstream http_503`` tries the other instance.
- ``GET /healthz``: 200 ``{"status": "active"}`` on the active instance, 503 ``{"status": "standby"}`` or
  ``"stopping"`` otherwise.

Pitfall: update bodies are resident messages: never log them (tornado's access log carries only method, path
and status, and the secret is a header, never in the URL).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal
from urllib.parse import urlsplit

import tornado.httpserver
import tornado.web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; Telegram's own limit for a webhook body is far below this

State = Literal["standby", "active", "stopping"]


def webhook_path(url: str) -> str:
    """The path part of WEBHOOK_URL, which the proxy passes on unchanged (``/`` when it has none)."""
    return urlsplit(url).path or "/"


class WebhookServer:
    def __init__(
        self,
        *,
        listen: str,
        port: int,
        path: str,
        secret: str,
        on_update: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        self.listen, self.port, self.path = listen, port, path
        self._secret = secret.encode()
        self._on_update = on_update
        self.state: State = "standby"
        self._server: tornado.httpserver.HTTPServer | None = None

    async def start(self) -> None:
        app = tornado.web.Application(
            [(HEALTH_PATH, _Health, {"server": self}), (self.path, _Update, {"server": self})],
            log_function=_log_request,
        )
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY, xheaders=True)
        self._server.listen(self.port, self.listen)
        log.info("Webhook server listening on %s:%s", self.listen, self.port)

    async def stop(self) -> None:
        self.state = "stopping"
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None

    def secret_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self._secret)

    async def deliver(self, update: dict[str, Any]) -> None:
        await self._on_update(update)


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Method, path and status only (tornado's default would be similar, but never the body or headers).
    log.debug("%s %s %s", handler.request.method, handler.request.path, handler.get_status())


class _Health(tornado.web.RequestHandler):
    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    def get(self) -> None:
        self.set_status(200 if self.server.state == "active" else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"status": self.server.state}))


class _Update(tornado.web.RequestHandler):
    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    async def post(self) -> None:
        if not self.server.secret_ok(self.request.headers.get(SECRET_HEADER)):
            self.set_status(403)
            return
        if self.server.state != "active":
            self.set_status(503)
            return
        try:
            update = json.loads(self.request.body)
        except ValueError:
            self.set_status(400)
            return
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            self.set_status(400)
            return
        await self.server.deliver(update)
        self.set_status(200)
