"""``veiligbot run`` as a real process: long polling against TELEGRAM_API_BASE_URL, graceful SIGTERM, no token
or message text in its logs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.dev.emulator import BotApiEmulator

TOKEN = "987654:REAL-LOOKING-SECRET-TOKEN"


async def test_run_polls_answers_and_stops_gracefully(tmp_path: Path) -> None:
    with BotApiEmulator(token=TOKEN) as emu:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "VEILIGBOT_"))},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "VEILIGBOT_DATA_DIR": str(tmp_path / "data"),
            "LOG_LEVEL": "DEBUG",
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli.main", "run",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            await emu.wait_for(lambda: bool(emu.calls("getUpdates")), timeout=30)
            anna = emu.add_user("Anna", "nl")
            emu.send_text(anna, "ik heb op een link geklikt in een sms van de bank")
            await emu.wait_for_messages(anna.id, 1, timeout=15)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    log = out.decode()
    assert proc.returncode == 0, log
    message = emu.last_message(anna.id)
    assert message is not None
    assert "Phishing" in message.plain_text
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    assert "link geklikt" not in log
    assert "Bot started" in log
    assert {c.method for c in emu.calls()} >= {"getMe", "deleteWebhook", "setMyCommands", "getUpdates"}
