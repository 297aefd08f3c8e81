"""Crisis first under load: a crisis reply goes out before ordinary answers that were queued earlier.

Not timed: the test compares the order in which the bot's messages reached the emulator.
"""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.e2e.conftest import Harness

CRISIS = "ik wil niet meer leven, ik heb de pillen al klaargelegd"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # 5 messages a second: the queue builds however slowly the machine processes updates.
    return settings.model_copy(update={"telegram_rate_limit": 5.0})


async def test_a_crisis_reply_overtakes_queued_answers(bot: Harness) -> None:
    emu = bot.emu
    residents = [emu.add_user(f"Vraagsteller{i}", "nl") for i in range(40)]
    updates = [emu.send_text(user, "hoe herken ik phishing") for user in residents]
    await emu.wait_for(lambda: all(emu.is_delivered(u) for u in updates), timeout=30)
    sent_before = len(emu.calls("sendMessage"))
    person = emu.add_user("Iemand", "nl")
    emu.send_text(person, CRISIS)
    await emu.wait_for(
        lambda: any(str(c.params.get("chat_id")) == str(person.id) for c in emu.calls("sendMessage")), 30
    )
    await bot.quiet()
    chats = [int(c.params["chat_id"]) for c in emu.calls("sendMessage")]
    crisis_at = chats.index(person.id)
    later_answers = [chat for chat in chats[crisis_at + 1 :] if chat != person.id]
    assert sent_before < 20  # the queue had built up when the crisis arrived
    assert len(later_answers) >= 15, f"only {len(later_answers)} queued answers went out after the crisis reply"
    assert "113" in (bot.last(person).plain_text or "")
