"""Group chats (municipal staff groups): the bot helps link them and stays quiet otherwise."""

from __future__ import annotations

from tests.e2e.conftest import Harness


async def test_chatid_tells_the_operator_how_to_link_the_group(bot: Harness) -> None:
    staff = bot.emu.add_user("Sanne", "nl")
    group = bot.emu.add_group("Heerde staff")
    message = await bot.say(staff, "/chatid", group)
    assert message.chat_id == group.id
    assert str(group.id) in (message.plain_text or "")
    assert "veiligbot municipality link" in (message.plain_text or "")


async def test_resident_commands_and_free_text_are_ignored_in_groups(bot: Harness) -> None:
    staff = bot.emu.add_user("Sanne", "nl")
    group = bot.emu.add_group("Heerde staff")
    ids = [
        bot.emu.send_text(staff, text, group)
        for text in ("/start", "/melding", "ik heb op een link geklikt in een sms van de bank")
    ]
    await bot.emu.wait_for(lambda: all(bot.emu.is_delivered(i) for i in ids))
    await bot.quiet()
    assert bot.emu.messages(group.id) == []
