"""The emulator's staff side: forum topics, the bot's rights in a group, pins, deletions within 48 hours, copies,
group members who post, reply and press, and blocked residents, seen through real PTB as the bot sees them."""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")

from collections.abc import AsyncIterator, Awaitable, Iterator

import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
)
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.dev.emulator import BotApiEmulator, BotRights, SimUser


async def refusal(emu: BotApiEmulator, call: Awaitable[object], error: type[TelegramError] = BadRequest) -> str:
    """The exact Bot API description of a refused call (PTB's exception text capitalises it)."""
    with pytest.raises(error):
        await call
    return emu.calls()[-1].description or ""


CARD = InlineKeyboardMarkup([[InlineKeyboardButton("Oppakken", callback_data="v1:take:7")]])


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    with BotApiEmulator() as server:
        yield server


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as the_bot:
        yield the_bot


@pytest.fixture
def henk(emu: BotApiEmulator) -> SimUser:
    return emu.add_user("Henk", "nl")


# ---- forum topics ---------------------------------------------------------------------------------------


async def test_a_forum_reports_itself_and_a_topic_holds_the_bots_and_the_members_messages(
    emu: BotApiEmulator, bot: Bot, henk: SimUser
) -> None:
    forum = emu.add_group("Heerde staff", forum=True, members=(henk,))
    plain = emu.add_group("Epe staff", supergroup=False)
    assert (await bot.get_chat(forum.id)).is_forum is True
    assert not (await bot.get_chat(plain.id)).is_forum

    topic = await bot.create_forum_topic(forum.id, "HEE-7K3Q Overlast", icon_color=16766590)
    assert (topic.name, topic.icon_color) == ("HEE-7K3Q Overlast", 16766590)
    card = await bot.send_message(
        forum.id, "<b>Melding</b>", parse_mode="HTML", message_thread_id=topic.message_thread_id
    )
    assert card.is_topic_message and card.message_thread_id == topic.message_thread_id
    assert card.message_id > topic.message_thread_id  # the thread id is the id of the creation message
    general = await bot.send_message(forum.id, "for everyone")
    assert general.message_thread_id is None and not general.is_topic_message

    emu.send_text(henk, "note in the topic", forum, thread_id=topic.message_thread_id)
    emu.reply(henk, emu.last_message(forum.id) or card, "reply in general")
    (note, reply) = [u.message for u in await bot.get_updates()]
    assert note is not None and reply is not None
    assert note.is_topic_message and note.message_thread_id == topic.message_thread_id
    # Telegram quirk: a topic message that replies to nothing "replies" to the topic's creation message.
    assert note.reply_to_message is not None and note.reply_to_message.forum_topic_created is not None
    assert note.reply_to_message.forum_topic_created.name == "HEE-7K3Q Overlast"
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == general.message_id
    assert not reply.is_topic_message

    shown = emu.topic_messages(forum.id, topic.message_thread_id)
    assert [m.plain_text for m in shown] == ["Melding", "note in the topic"]
    assert [m.plain_text for m in emu.topic_messages(forum.id, None)] == ["for everyone", "reply in general"]
    assert [m.plain_text for m in emu.messages(forum.id)] == ["Melding", "for everyone"]  # no service messages


async def test_replying_to_a_card_in_a_topic_stays_in_the_topic(emu: BotApiEmulator, bot: Bot, henk: SimUser) -> None:
    forum = emu.add_group("Heerde staff", forum=True)
    topic = await bot.create_forum_topic(forum.id, "HEE-1")
    card = await bot.send_message(forum.id, "card", message_thread_id=topic.message_thread_id, reply_markup=CARD)
    card_in_emu = emu.last_message(forum.id)
    assert card_in_emu is not None
    emu.reply(henk, card_in_emu, "answer to the card")
    (update,) = await bot.get_updates()
    message = update.message
    assert message is not None and message.reply_to_message is not None
    assert message.reply_to_message.message_id == card.message_id
    assert message.reply_to_message.reply_to_message is None  # nested one level only, as on Telegram
    assert message.message_thread_id == topic.message_thread_id and message.is_topic_message
    # The bot's reply to a message inside a topic lands in the topic without naming it.
    answer = await bot.send_message(forum.id, "noted", reply_parameters=ReplyParameters(message.message_id))
    assert answer.message_thread_id == topic.message_thread_id
    with pytest.raises(ValueError, match="topic of the message"):
        emu.send_text(henk, "elsewhere", forum, reply_to=card_in_emu, thread_id=topic.message_thread_id + 100)


async def test_a_closed_topic_refuses_messages_unless_the_sender_manages_topics(
    emu: BotApiEmulator, bot: Bot, henk: SimUser
) -> None:
    forum = emu.add_group("Heerde staff", forum=True, members=(henk,))
    thread = (await bot.create_forum_topic(forum.id, "HEE-2 Inbraak")).message_thread_id
    assert await bot.close_forum_topic(forum.id, thread)
    assert emu.topic(forum.id, thread).closed
    assert await refusal(emu, bot.close_forum_topic(forum.id, thread)) == "Bad Request: TOPIC_NOT_MODIFIED"
    with pytest.raises(ValueError, match="TOPIC_CLOSED"):
        emu.send_text(henk, "still here?", forum, thread_id=thread)
    await bot.send_message(forum.id, "the bot manages topics", message_thread_id=thread)  # as on Telegram
    emu.set_bot_rights(forum, BotRights(can_manage_topics=False))
    assert (
        await refusal(emu, bot.send_message(forum.id, "refused", message_thread_id=thread))
        == "Bad Request: TOPIC_CLOSED"
    )
    assert await bot.reopen_forum_topic(forum.id, thread)  # the creator of a topic may still reopen it
    emu.send_text(henk, "open again", forum, thread_id=thread)
    await bot.send_message(forum.id, "accepted", message_thread_id=thread)
    texts = [m.plain_text for m in emu.topic_messages(forum.id, thread)]
    assert texts == ["the bot manages topics", "open again", "accepted"]
    (call,) = [c for c in emu.calls("sendMessage") if c.params["text"] == "refused"]
    assert (call.status, call.description) == (400, "Bad Request: TOPIC_CLOSED")


async def test_editing_and_deleting_topics(emu: BotApiEmulator, bot: Bot, henk: SimUser) -> None:
    forum = emu.add_group("Heerde staff", forum=True)
    keep = (await bot.create_forum_topic(forum.id, "HEE-3")).message_thread_id
    gone = (await bot.create_forum_topic(forum.id, "HEE-4")).message_thread_id
    assert await bot.edit_forum_topic(forum.id, keep, name="HEE-3 Afgehandeld")
    assert emu.topic(forum.id, keep).name == "HEE-3 Afgehandeld"
    assert (
        await refusal(emu, bot.edit_forum_topic(forum.id, keep, name="HEE-3 Afgehandeld"))
        == "Bad Request: TOPIC_NOT_MODIFIED"
    )
    await bot.send_message(forum.id, "card 4", message_thread_id=gone)
    emu.send_text(henk, "note 4", forum, thread_id=gone)
    await bot.send_message(forum.id, "card 3", message_thread_id=keep)
    assert await bot.delete_forum_topic(forum.id, gone)
    assert emu.topic(forum.id, gone).deleted
    assert [t.name for t in emu.topics(forum.id)] == ["HEE-3 Afgehandeld"]
    assert [m.plain_text for m in emu.chat_messages(forum.id)] == ["card 3"]  # its messages disappeared
    assert (
        await refusal(emu, bot.send_message(forum.id, "too late", message_thread_id=gone))
        == "Bad Request: message thread not found"
    )
    assert await refusal(emu, bot.close_forum_topic(forum.id, gone)) == "Bad Request: TOPIC_ID_INVALID"
    with pytest.raises(ValueError, match="does not exist"):
        emu.send_text(henk, "too late", forum, thread_id=gone)
    kinds = [(e.note, e.thread_id) for e in emu.events() if e.kind == "topic"]
    assert kinds == [("created", keep), ("created", gone), ("edited", keep), ("deleted", gone)]


async def test_topics_need_a_forum_and_the_right_to_manage_them(emu: BotApiEmulator, bot: Bot, henk: SimUser) -> None:
    plain = emu.add_group("Epe staff", supergroup=False)
    assert await refusal(emu, bot.create_forum_topic(plain.id, "EPE-1")) == "Bad Request: the chat is not a forum"
    assert (
        await refusal(emu, bot.send_message(plain.id, "x", message_thread_id=5))
        == "Bad Request: message thread not found"
    )
    with pytest.raises(ValueError, match="not a forum"):
        emu.send_text(henk, "x", plain, thread_id=5)
    forum = emu.add_group("Heerde staff", forum=True, bot_rights=BotRights(can_manage_topics=False))
    assert (
        await refusal(emu, bot.create_forum_topic(forum.id, "HEE-5"))
        == "Bad Request: not enough rights to create a topic"
    )
    emu.set_bot_rights(forum, BotRights())
    assert await refusal(emu, bot.create_forum_topic(forum.id, " ")) == "Bad Request: TOPIC_TITLE_EMPTY"
    thread = (await bot.create_forum_topic(forum.id, "HEE-5")).message_thread_id
    emu.set_bot_rights(forum, BotRights(can_delete_messages=False))
    assert (
        await refusal(emu, bot.delete_forum_topic(forum.id, thread))
        == "Bad Request: not enough rights to manage chat topics"
    )
    assert not emu.topic(forum.id, thread).deleted


async def test_a_reply_in_a_plain_supergroup_has_a_reply_thread_that_is_no_topic(
    emu: BotApiEmulator, bot: Bot, henk: SimUser
) -> None:
    group = emu.add_group("Elburg staff")
    card = await bot.send_message(group.id, "card", reply_markup=CARD)
    emu.reply(henk, emu.messages(group.id)[0], "I take it")
    (update,) = await bot.get_updates()
    message = update.message
    assert message is not None and message.reply_to_message is not None
    assert message.message_thread_id == card.message_id and not message.is_topic_message
    refused = await refusal(emu, bot.send_message(group.id, "x", message_thread_id=card.message_id))
    assert refused == "Bad Request: message thread not found"  # a reply chain is not a topic


# ---- the bot's rights ----------------------------------------------------------------------------------


async def test_get_chat_member_reports_the_bots_rights_and_the_members(
    emu: BotApiEmulator, bot: Bot, henk: SimUser
) -> None:
    forum = emu.add_group("Heerde staff", forum=True)
    plain = emu.add_group("Epe staff", supergroup=False, bot_rights=BotRights.member())
    me = await bot.get_chat_member(forum.id, bot.id)
    assert isinstance(me, ChatMemberAdministrator)
    assert (me.can_manage_topics, me.can_delete_messages, me.can_pin_messages) == (True, True, True)
    emu.set_bot_rights(forum, BotRights(can_pin_messages=False))
    me = await bot.get_chat_member(forum.id, bot.id)
    assert isinstance(me, ChatMemberAdministrator) and me.can_pin_messages is False
    assert isinstance(await bot.get_chat_member(plain.id, bot.id), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(plain.id, henk.id), ChatMemberLeft)
    emu.add_member(plain, henk, "administrator")
    assert isinstance(await bot.get_chat_member(plain.id, henk.id), ChatMemberAdministrator)
    assert [m.user.id for m in await bot.get_chat_administrators(plain.id)] == [henk.id]
    assert await refusal(emu, bot.get_chat_member(plain.id, 999)) == "Bad Request: user not found"
    emu.remove_bot(plain)
    assert isinstance(await bot.get_chat_member(plain.id, bot.id), ChatMemberLeft)
    with pytest.raises(ValueError, match="private"):
        emu.set_bot_rights(emu.chat(henk.id), BotRights())


async def test_pinning_needs_the_right_and_shows_in_get_chat(emu: BotApiEmulator, bot: Bot, henk: SimUser) -> None:
    group = emu.add_group("Hattem staff", supergroup=False)
    first = await bot.send_message(group.id, "first card")
    second = await bot.send_message(group.id, "second card")
    assert await bot.pin_chat_message(group.id, first.message_id)
    assert await bot.pin_chat_message(group.id, second.message_id)
    pinned = (await bot.get_chat(group.id)).pinned_message
    assert pinned is not None and pinned.message_id == second.message_id
    assert [m.plain_text for m in emu.pinned_messages(group.id)] == ["first card", "second card"]
    assert await bot.unpin_chat_message(group.id)  # the most recent pin
    assert (emu.pinned_message(group.id) or first).message_id == first.message_id
    assert [e.kind for e in emu.events() if e.kind in ("pinned", "unpinned")] == ["pinned", "pinned", "unpinned"]
    emu.set_bot_rights(group, BotRights.member())
    assert (
        await refusal(emu, bot.pin_chat_message(group.id, second.message_id))
        == "Bad Request: not enough rights to manage pinned messages in the chat"
    )
    assert (
        await refusal(emu, bot.unpin_chat_message(group.id, first.message_id))
        == "Bad Request: not enough rights to manage pinned messages in the chat"
    )
    assert emu.pinned_message(group.id) is not None
    emu.set_bot_rights(group, BotRights())
    assert await bot.unpin_all_chat_messages(group.id)
    assert emu.pinned_message(group.id) is None and (await bot.get_chat(group.id)).pinned_message is None


async def test_deleting_follows_the_48_hour_limit_and_the_rights(emu: BotApiEmulator, bot: Bot, henk: SimUser) -> None:
    group = emu.add_group("Nunspeet staff")
    old = await bot.send_message(group.id, "old card")
    emu.send_text(henk, "chatter", group)
    chatter = emu.received(group.id)[0]
    emu.set_bot_rights(group, BotRights.member())
    assert (
        await refusal(emu, bot.delete_message(group.id, chatter.message_id)) == "Bad Request: message can't be deleted"
    )
    emu.set_bot_rights(group, BotRights())
    emu.advance_clock(47 * 3600)
    young = await bot.send_message(group.id, "young card")
    assert await bot.delete_message(group.id, chatter.message_id)  # an admin with can_delete_messages
    emu.advance_clock(3600)
    assert (
        await refusal(emu, bot.delete_message(group.id, old.message_id))
        == "Bad Request: message can't be deleted for everyone"
    )
    assert await bot.delete_message(group.id, young.message_id)
    assert [m.plain_text for m in emu.chat_messages(group.id)] == ["old card"]
    assert young.date.timestamp() >= old.date.timestamp() + 47 * 3600  # message dates follow the clock
    with pytest.raises(ValueError, match="forward"):
        emu.advance_clock(-1)


async def test_the_topic_creation_message_cannot_be_deleted(emu: BotApiEmulator, bot: Bot) -> None:
    forum = emu.add_group("Heerde staff", forum=True)
    thread = (await bot.create_forum_topic(forum.id, "HEE-6")).message_thread_id
    assert await refusal(emu, bot.delete_message(forum.id, thread)) == "Bad Request: message can't be deleted"


# ---- cards, presses, copies, blocked residents -----------------------------------------------------------


async def test_a_card_is_edited_in_place_and_a_member_press_reaches_the_bot(
    emu: BotApiEmulator, bot: Bot, henk: SimUser
) -> None:
    forum = emu.add_group("Heerde staff", forum=True)
    thread = (await bot.create_forum_topic(forum.id, "HEE-7")).message_thread_id
    card = await bot.send_message(forum.id, "Status: ontvangen", message_thread_id=thread, reply_markup=CARD)
    shown = emu.messages(forum.id)[0]
    emu.press(henk, shown, 0)
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "v1:take:7" and query.from_user.id == henk.id
    assert query.message is not None and query.message.chat.id == forum.id
    assert query.message.message_thread_id == thread  # type: ignore[union-attr]
    assert await bot.answer_callback_query(query.id, "Opgepakt")
    await bot.edit_message_text("Status: in behandeling", forum.id, card.message_id, reply_markup=None)
    (edited,) = emu.topic_messages(forum.id, thread)
    assert (edited.message_id, edited.plain_text, edited.reply_markup) == (
        card.message_id,
        "Status: in behandeling",
        None,
    )
    assert edited.edits[0].text == "Status: ontvangen"
    pressed = [e for e in emu.events() if e.kind == "pressed"]
    assert [(e.user_id, e.thread_id) for e in pressed] == [(henk.id, thread)]
    assert henk.id in emu.members(forum.id)


async def test_copy_message_into_a_topic(emu: BotApiEmulator, bot: Bot) -> None:
    anna = emu.add_user("Anna")
    forum = emu.add_group("Heerde staff", forum=True)
    thread = (await bot.create_forum_topic(forum.id, "HEE-8")).message_thread_id
    emu.send_photo(anna, caption="kapotte lantaarn")
    photo = emu.received(anna.id)[0]
    copied = await bot.copy_message(forum.id, anna.id, photo.message_id, message_thread_id=thread, caption="Foto")
    (shown,) = emu.topic_messages(forum.id, thread)
    assert shown.message_id == copied.message_id and shown.photo is not None and shown.plain_text == "Foto"
    assert await refusal(emu, bot.copy_message(forum.id, anna.id, 999)) == "Bad Request: message to copy not found"
    assert await refusal(emu, bot.copy_message(anna.id, forum.id, thread)) == "Bad Request: message can't be copied"


async def test_a_resident_who_blocked_the_bot_cannot_be_reached(emu: BotApiEmulator, bot: Bot) -> None:
    anna = emu.add_user("Anna")
    emu.block_bot(anna)
    assert (
        await refusal(emu, bot.send_message(anna.id, "Vraag over je melding"), Forbidden)
        == "Forbidden: bot was blocked by the user"
    )
    forum = emu.add_group("Heerde staff", forum=True)
    emu.send_text(emu.add_user("Henk"), "x", forum)
    assert (
        await refusal(emu, bot.copy_message(anna.id, forum.id, emu.received(forum.id)[0].message_id), Forbidden)
        == "Forbidden: bot was blocked by the user"
    )
    emu.unblock_bot(anna)
    await bot.send_message(anna.id, "again")
    assert [m.plain_text for m in emu.messages(anna.id)] == ["again"]
