"""The webhook server: the secret is required, a standby refuses updates (503) and says so on /healthz."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.error
import urllib.request
from typing import Any

from bot.webhook import SECRET_HEADER, WebhookServer, webhook_path

SECRET = "s3cret_-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def call(url: str, body: bytes | None = None, secret: str | None = None) -> tuple[int, str]:
    def go() -> tuple[int, str]:
        request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
        if secret is not None:
            request.add_header(SECRET_HEADER, secret)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    return await asyncio.to_thread(go)


def test_the_path_comes_from_the_public_url() -> None:
    assert webhook_path("https://bot.example.nl/telegram/hook") == "/telegram/hook"
    assert webhook_path("https://bot.example.nl") == "/"


async def test_secret_standby_and_health() -> None:
    received: list[dict[str, Any]] = []

    async def on_update(update: dict[str, Any]) -> None:
        received.append(update)

    port = free_port()
    server = WebhookServer(listen="127.0.0.1", port=port, path="/telegram", secret=SECRET, on_update=on_update)
    await server.start()
    base = f"http://127.0.0.1:{port}"
    update = json.dumps({"update_id": 7, "message": {"text": "hallo"}}).encode()
    try:
        # A standby: unhealthy for the proxy, and Telegram is told to come back later.
        assert await call(f"{base}/healthz") == (503, '{"status": "standby"}')
        assert (await call(f"{base}/telegram", update, SECRET))[0] == 503

        server.state = "active"
        assert await call(f"{base}/healthz") == (200, '{"status": "active"}')
        assert (await call(f"{base}/telegram", update))[0] == 403  # no secret
        assert (await call(f"{base}/telegram", update, "wrong"))[0] == 403
        assert (await call(f"{base}/telegram", b"not json", SECRET))[0] == 400
        assert (await call(f"{base}/telegram", b'{"no": "update_id"}', SECRET))[0] == 400
        assert not received
        assert (await call(f"{base}/telegram", update, SECRET))[0] == 200
        assert received == [{"update_id": 7, "message": {"text": "hallo"}}]
    finally:
        await server.stop()
    assert server.state == "stopping"
