"""``veiligbot run --webhook`` as a real process: the emulator posts updates to it with the secret, the bot
answers, /healthz says it is active, and SIGTERM stops it gracefully."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.dev.emulator import BotApiEmulator
from tests.bot.test_webhook import call, free_port

TOKEN = "987654:WEBHOOK-TEST-TOKEN"
SECRET = "webhook-secret-for-the-test"


async def test_webhook_mode_answers_reports_health_and_stops_gracefully(tmp_path: Path) -> None:
    port = free_port()
    with BotApiEmulator(token=TOKEN) as emu:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "VEILIGBOT_"))},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "VEILIGBOT_DATA_DIR": str(tmp_path / "data"),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli.main", "run", "--webhook",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            await emu.wait_for(lambda: bool(emu.calls("setWebhook")), timeout=60)
            health = await call(f"http://127.0.0.1:{port}/healthz")
            anna = emu.add_user("Anna", "nl")
            emu.send_text(anna, "ik heb op een link geklikt in een sms van de bank")
            await emu.wait_for_messages(anna.id, 1, timeout=30)
            forged = await call(f"http://127.0.0.1:{port}/telegram", b'{"update_id": 99}', "not-the-secret")
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    log = out.decode()
    assert proc.returncode == 0, log
    assert health == (200, '{"status": "active"}')
    assert forged[0] == 403
    (hook,) = emu.calls("setWebhook")
    assert hook.params["secret_token"] == SECRET and hook.params["url"].endswith("/telegram")
    assert not emu.calls("getUpdates")
    message = emu.last_message(anna.id)
    assert message is not None and "Phishing" in (message.plain_text or "")
    assert set(emu.webhook_statuses()) == {200}
    assert "Stopped" in log
    assert TOKEN.split(":")[1] not in log and SECRET not in log and "link geklikt" not in log
