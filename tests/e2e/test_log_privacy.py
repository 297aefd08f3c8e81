"""``veiligbot run`` as a real process at LOG_LEVEL=DEBUG: whatever happens (a report with contact details, a
question that ends in fallback, a database error while filing), the log holds no resident text, no contact
details and no token.

The database error is real: the ``reports`` table is dropped behind the bot's back just before a resident presses
"send", so the INSERT carrying the description and e-mail address fails and the error handler logs the traceback.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from bot.dev.emulator import BotApiEmulator, Message, SimUser

TOKEN = "987654:PRIVATE-LOOKING-SECRET-TOKEN"
FIRST_DESCRIPTION = "Jongeren bij de Zuiderzeestraat 41 dealen elke avond achter de garage van Hendriksen."
SECOND_DESCRIPTION = "Mevrouw Vlietstra op nummer 9 krijgt steeds nepmails van Zwaantje Incasso B.V."
PHONE_TYPED, PHONE_STORED = "06 47118293", "+31647118293"
EMAIL = "marijke.vlietstra@example.nl"
QUESTION = "when is the bulky waste collected at Kapellestraat 17 Wezep"
TIMEOUT = 20.0


def _buttons(message: Message | None) -> list[str]:
    return [str(b.get("callback_data", b.get("text"))) for b in (message.buttons if message else [])]


class Resident:
    """Drives one resident against the bot process: each step waits for the reply it expects."""

    def __init__(self, emu: BotApiEmulator, user: SimUser) -> None:
        self.emu, self.user = emu, user

    async def _after(self, update_id: int, seen: int, expect: Callable[[Message], bool]) -> Message:
        await self.emu.wait_for(lambda: self.emu.is_delivered(update_id), TIMEOUT)

        def replied() -> bool:
            messages = self.emu.messages(self.user.id)
            return len(messages) > seen and expect(messages[-1])

        await self.emu.wait_for(replied, TIMEOUT)
        message = self.emu.last_message(self.user.id)
        assert message is not None
        return message

    async def say(self, text: str, expect: Callable[[Message], bool] = lambda m: True) -> Message:
        seen = len(self.emu.messages(self.user.id))
        return await self._after(self.emu.send_text(self.user, text), seen, expect)

    async def press(self, data: str, expect: Callable[[Message], bool] = lambda m: True) -> Message:
        last = self.emu.last_message(self.user.id)
        assert last is not None
        seen = len(self.emu.messages(self.user.id))
        # By prefix: some buttons carry a token after the action (r:sum:send:<idempotency key>).
        index = next(i for i, button in enumerate(_buttons(last)) if button.startswith(data))
        return await self._after(self.emu.press(self.user, last, index), seen, expect)

    async def report_until_summary(self, description: str, contact: str) -> Message:
        def has(data: str) -> Callable[[Message], bool]:
            return lambda m: any(button.startswith(data) for button in _buttons(m))

        await self.say("/melding", has("r:cat:youth-nuisance"))
        await self.press("r:cat:youth-nuisance")
        await self.say(description, lambda m: bool(m.reply_markup and "keyboard" in m.reply_markup))
        await self.say("Wapenveld", has("r:place:yes"))
        await self.press("r:place:yes", has("r:photos:done"))
        await self.press("r:photos:done", has("r:upd:chat"))
        await self.press("r:upd:chat", has("r:contact:skip"))
        await self.say(contact, has("r:consent:yes"))
        return await self.press("r:consent:yes", has("r:sum:send"))


async def test_debug_log_holds_no_personal_data_even_on_a_database_error(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with BotApiEmulator(token=TOKEN) as emu:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "VEILIGBOT_"))},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "VEILIGBOT_DATA_DIR": str(data_dir),
            "LOG_LEVEL": "DEBUG",
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli.main", "run",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        # Read both streams while the bot runs, so a chatty DEBUG log cannot fill a pipe and block it.
        stdout = asyncio.ensure_future(proc.stdout.read())  # type: ignore[union-attr]
        stderr = asyncio.ensure_future(proc.stderr.read())  # type: ignore[union-attr]
        try:
            await emu.wait_for(lambda: bool(emu.calls("getUpdates")), timeout=60)
            sanne = Resident(emu, emu.add_user("Sanne", "en"))

            await sanne.report_until_summary(FIRST_DESCRIPTION, PHONE_TYPED)
            filed = await sanne.press("r:sum:send", lambda m: "Reference" in (m.plain_text or ""))

            fallback = await sanne.say(QUESTION)
            assert fallback.buttons, fallback.plain_text  # the fallback offers topics and a report

            summary = await sanne.report_until_summary(SECOND_DESCRIPTION, EMAIL)
            assert EMAIL in (summary.plain_text or "")
            with sqlite3.connect(data_dir / "veiligbot.sqlite3", timeout=10) as conn:
                conn.execute("DROP TABLE reports")
            failed = await sanne.press("r:sum:send", lambda m: "went wrong" in (m.plain_text or ""))
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), timeout=30)
        log = (await stdout).decode() + (await stderr).decode()

    assert proc.returncode == 0, log
    assert "Reference" in (filed.plain_text or "")
    assert "Please try again" in (failed.plain_text or "")
    # The database error was logged (with its traceback), and the DEBUG level was really in effect.
    assert "Error while handling update" in log
    assert "no such table: reports" in log
    assert " DEBUG " in log
    with sqlite3.connect(data_dir / "veiligbot.sqlite3") as conn:
        assert conn.execute("SELECT action FROM missed_questions").fetchall() == [("fallback",)]

    secrets = [
        TOKEN,
        TOKEN.split(":")[1],
        FIRST_DESCRIPTION,
        SECOND_DESCRIPTION,
        PHONE_TYPED,
        PHONE_STORED,
        EMAIL,
        QUESTION,
    ]
    for secret in secrets:
        for fragment in (secret, secret[:24], secret[-24:]):
            assert fragment not in log, f"{fragment!r} appears in the log"
    for word in ("Zuiderzeestraat", "Hendriksen", "Vlietstra", "Zwaantje", "47118293", "Kapellestraat"):
        assert word not in log, f"{word!r} appears in the log"
