"""Abuse resistance end to end: the message limit (crisis never held back), the reports-per-day limit, content
the bot cannot read, too large photos, channel posts and groups that are not a linked staff chat."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.dev.emulator import MEDIA_KINDS
from bot.settings import Settings
from bot.storage.models import Report, ReportDraft
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import file_via_chat

LIMIT = 8  # above the 7 messages that filing two reports takes


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"messages_per_minute": LIMIT, "reports_per_day": 2, "max_photo_bytes": 5000})


async def settle(bot: Harness, update_ids: list[int]) -> None:
    await bot.emu.wait_for(lambda: all(bot.emu.is_delivered(i) for i in update_ids), timeout=10.0)
    await bot.quiet()


async def test_a_flood_gets_one_friendly_reply_but_a_crisis_still_gets_guidance(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "en")
    await settle(bot, [bot.emu.send_text(anna, "/help") for _ in range(LIMIT)])
    answered = len(bot.emu.messages(anna.id))
    await settle(bot, [bot.emu.send_text(anna, "/help") for _ in range(5)])
    new = bot.texts(anna)[answered:]
    assert len(new) == 1 and "a lot of messages" in new[0] and "112" in new[0]
    crisis = await bot.say(anna, "ik wil dood, ik zie het niet meer zitten")
    assert "113" in (crisis.plain_text or "")  # over the limit, and still the crisis guidance


async def test_the_limit_in_dutch(bot: Harness) -> None:
    piet = bot.emu.add_user("Piet", "nl")
    await settle(bot, [bot.emu.send_text(piet, "/help") for _ in range(LIMIT + 1)])
    assert "veel berichten" in bot.texts(piet)[-1]


async def test_reports_per_day(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "en")
    for _ in range(2):
        await file_via_chat(bot, anna)
    refused = await bot.say(anna, "/melding")
    assert "already filed 2 reports today" in (refused.plain_text or "")
    async with bot.services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 2
        assert await session.scalar(select(ReportDraft).where(ReportDraft.user_id == anna.id)) is None


@pytest.mark.parametrize("kind", MEDIA_KINDS)
async def test_content_the_bot_cannot_read(bot: Harness, kind: str) -> None:
    anna, piet = bot.emu.add_user("Anna", "en"), bot.emu.add_user("Piet", "nl")
    await settle(bot, [bot.emu.send_media(anna, kind), bot.emu.send_media(piet, kind)])
    assert bot.texts(anna)[-1].startswith("I can only read text, locations and photos")
    assert bot.texts(piet)[-1].startswith("Ik kan alleen tekst, locaties en foto's lezen")


async def test_a_contact_and_a_crisis_caption(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "en")
    await settle(bot, [bot.emu.send_contact(anna, "+31612345678")])
    assert bot.texts(anna)[-1].startswith("I can only read text")
    await settle(bot, [bot.emu.send_media(anna, "voice", caption="help mijn vriend wil zich van het leven beroven")])
    assert "113" in bot.texts(anna)[-1]  # the caption is triaged first


async def test_unreadable_content_in_a_report_keeps_the_draft(bot: Harness) -> None:
    from tests.e2e.test_reports import draft_step, walk

    anna = bot.emu.add_user("Anna", "en")
    await walk(bot, anna, upto="photos")
    await settle(bot, [bot.emu.send_media(anna, "sticker")])
    assert bot.texts(anna)[-1].startswith("I can only read text")
    assert await draft_step(bot, anna) == "photos"


async def test_a_too_large_photo_is_refused_politely(bot: Harness) -> None:
    from tests.e2e.test_reports import draft_step, walk

    anna = bot.emu.add_user("Anna", "en")
    await walk(bot, anna, upto="photos")
    await settle(bot, [bot.emu.send_photo(anna, file_size=6000)])
    assert "too large" in bot.texts(anna)[-1]
    loaded = await draft_step(bot, anna)
    assert loaded == "photos"
    async with bot.services.db.session() as session:
        draft = await session.scalar(select(ReportDraft).where(ReportDraft.user_id == anna.id))
    assert draft is not None and draft.data["photos"] == []
    await settle(bot, [bot.emu.send_photo(anna, file_size=4000)])
    assert "1 photo added" in bot.texts(anna)[-1]


async def test_channel_posts_and_unlinked_groups_are_ignored(bot: Harness) -> None:
    channel = bot.emu.add_channel("Nieuws")
    sanne = bot.emu.add_user("Sanne", "nl")
    group = bot.emu.add_group("Some group")
    ids = [bot.emu.post_in_channel(channel, text) for text in ("/start", "ik wil dood", "/melding")]
    ids += [bot.emu.send_text(sanne, text, group) for text in ("/open", "/mijn", "/start", "hallo")]
    ids += [bot.emu.send_media(sanne, "sticker", group)]
    await settle(bot, ids)
    assert bot.emu.messages(channel.id) == [] and bot.emu.messages(group.id) == []
    # The two commands that link a group still work there.
    message = await bot.say(sanne, "/chatid", group)
    assert str(group.id) in (message.plain_text or "")
