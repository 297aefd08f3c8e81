"""The staff side end to end: two municipalities' staff groups, several staff users, a resident, the real bot.

Staff work in Dutch (the card's language); the resident speaks English so their messages can be told apart.
Assertions read the callback data of buttons (``s1:<action>:<report>:<status>``), the stored events and the
messages in each chat.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.dev.emulator import Message, SimChat, SimUser
from bot.staff.registry import add_staff
from bot.storage.models import Report, ReportEvent
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import file_via_chat

NOTE = "Bekende plek; de wijkagent weet ervan."
QUESTION = "Om hoe laat ongeveer?"
ANSWER = "Around ten in the evening."


async def _settle(bot: Harness, update_id: int) -> None:
    await bot.emu.wait_for(lambda: bot.emu.is_delivered(update_id), timeout=10.0)
    await bot.quiet()


async def press(bot: Harness, user: SimUser, message: Message, action: str) -> None:
    """Press the button of ``message`` whose callback data starts with ``s1:<action>:`` (or ``m1:<action>:``)."""
    current = bot.emu.messages(message.chat_id)
    fresh = next(m for m in current if m.message_id == message.message_id)
    datas = [str(b.get("callback_data", "")) for b in fresh.buttons]
    index = next(i for i, d in enumerate(datas) if d.split(":")[1] == action)
    await _settle(bot, bot.emu.press(user, fresh, index))


async def say_in(bot: Harness, user: SimUser, chat: SimChat, text: str, reply_to: Message | None = None) -> None:
    await _settle(bot, bot.emu.send_text(user, text, chat, reply_to=reply_to))


def card_of(bot: Harness, group: SimChat) -> Message:
    cards = [m for m in bot.emu.messages(group.id) if m.from_bot and "📝" in (m.plain_text or "")]
    assert cards, "no card in the staff group"
    return cards[0]


def actions(message: Message) -> list[str]:
    return [str(b.get("callback_data", "")).split(":")[1] for b in message.buttons]


def last_alert(bot: Harness) -> str:
    queries = bot.emu.callback_queries()
    assert queries and queries[-1].answered
    return queries[-1].text or ""


async def report_of(bot: Harness, reference: str) -> Report:
    async with bot.services.db.session() as session:
        row = await session.scalar(select(Report).where(Report.reference == reference))
    assert row is not None
    return row


async def events(bot: Harness, reference: str) -> list[ReportEvent]:
    report = await report_of(bot, reference)
    async with bot.services.db.session() as session:
        return list(await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)))


async def setup(bot: Harness) -> tuple[SimChat, SimChat, SimUser, SimUser, SimUser]:
    epe, hattem = await bot.staff_group("epe"), await bot.staff_group("hattem")
    eva, hugo = bot.emu.add_user("Eva", "nl"), bot.emu.add_user("Hugo", "nl")
    await add_staff(bot.services.db, eva.id, "epe", "staff", "Eva")
    await add_staff(bot.services.db, hugo.id, "hattem", "staff", "Hugo")
    anna = bot.emu.add_user("Anna", "en")
    return epe, hattem, eva, hugo, anna


async def test_full_flow_take_ask_answer_close_feedback_reopen(bot: Harness) -> None:
    epe, hattem, eva, hugo, anna = await setup(bot)
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    card = card_of(bot, epe)
    assert reference in (card.plain_text or "") and f"Melder {reference}" in (card.plain_text or "")
    assert "Anna" not in (card.plain_text or "") and str(anna.id) not in (card.plain_text or "")
    assert actions(card)[:1] == ["take"] and "reopen" not in actions(card)
    assert not bot.emu.messages(hattem.id)

    # Hattem's staff member cannot take an Epe report, not even on its own card.
    await press(bot, hugo, card, "take")
    assert last_alert(bot)
    assert (await report_of(bot, reference)).status == "new"
    refused = [e for e in await events(bot, reference) if e.action == "refused"]
    assert refused and refused[-1].actor == f"user:{hugo.id}" and "other-municipality" in (refused[-1].note or "")

    await press(bot, eva, card, "take")
    row = await report_of(bot, reference)
    assert (row.status, row.assignee_id) == ("in_progress", eva.id)
    card = card_of(bot, epe)
    assert card.edited and "Eva" in (card.plain_text or "") and "take" not in actions(card)
    told = bot.texts(anna)[-1]
    assert reference in told and "Epe" in told and "Eva" not in told

    # An internal note: stored, acknowledged in the group, never sent to the resident.
    before = len(bot.emu.messages(anna.id))
    await say_in(bot, eva, epe, NOTE, reply_to=card)
    assert [e.note for e in await events(bot, reference) if e.action == "note"] == [NOTE]
    assert len(bot.emu.messages(anna.id)) == before

    # A question: the bot asks for the text, shows a preview, and only Send reaches the resident.
    await press(bot, eva, card, "ask")
    await say_in(bot, eva, epe, QUESTION)
    preview = bot.last(epe)
    assert QUESTION in (preview.plain_text or "") and actions(preview) == ["send", "drop"]
    assert len(bot.emu.messages(anna.id)) == before
    await press(bot, eva, preview, "send")
    question = bot.last(anna)
    assert QUESTION in (question.plain_text or "") and reference in (question.plain_text or "")
    assert "Epe" in (question.plain_text or "") and "Eva" not in (question.plain_text or "")
    assert [str(b["callback_data"]).split(":")[1] for b in question.buttons] == ["answer"]
    assert (await report_of(bot, reference)).status == "reaction_requested"
    assert NOTE not in "\n".join(bot.texts(anna))

    # The resident answers; the answer comes back under the card.
    await press(bot, anna, question, "answer")
    await bot.say(anna, ANSWER)
    assert (await report_of(bot, reference)).status == "reaction_received"
    posted = bot.last(epe)
    assert ANSWER in (posted.plain_text or "") and posted.reply_to_message_id == card.message_id

    # Close with a standard text: the resident gets it in English, with 👍/👎.
    card = card_of(bot, epe)
    await press(bot, eva, card, "close")
    picker = bot.last(epe)
    await press(bot, eva, picker, "tpl")
    preview = bot.last(epe)
    await press(bot, eva, preview, "send")
    closing = bot.last(anna)
    assert (await report_of(bot, reference)).status == "closed"
    assert "youth workers" in (closing.plain_text or "") and [b["text"] for b in closing.buttons] == ["👍", "👎"]

    status = await bot.say(anna, f"/status {reference}")
    assert "youth workers" in (status.plain_text or "")  # /status shows the municipality's last message
    await press(bot, anna, closing, "down")
    assert (await report_of(bot, reference)).feedback == "down"
    offer = bot.last(anna)
    await press(bot, anna, offer, "reopen")
    assert (await report_of(bot, reference)).reopen_requested_at is not None
    card = card_of(bot, epe)
    assert "reopen" in actions(card)
    await press(bot, eva, card, "reopen")
    assert (await report_of(bot, reference)).status == "reopened"
    trail = [(e.action, e.from_status, e.to_status) for e in await events(bot, reference) if e.to_status]
    assert trail == [
        ("created", None, "new"),
        ("take", "new", "in_progress"),
        ("ask", "in_progress", "reaction_requested"),
        ("answer", "reaction_requested", "reaction_received"),
        ("close", "reaction_received", "closed"),
        ("reopen", "closed", "reopened"),
    ]


async def refusals(bot: Harness, reference: str) -> list[tuple[str, str]]:
    return [(e.actor, e.note or "") for e in await events(bot, reference) if e.action == "refused"]


async def test_refusals_are_alerted_and_recorded_with_the_pressers_id(bot: Harness) -> None:
    epe, hattem, eva, hugo, anna = await setup(bot)
    outsider = bot.emu.add_user("Olaf", "nl")  # in the group, but not registered staff
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    card = card_of(bot, epe)
    report_id = (await report_of(bot, reference)).id

    # A non-staff member's press: alert, event, nothing changes.
    await press(bot, outsider, card, "take")
    assert last_alert(bot)
    # Staff of another municipality, on the card itself.
    await press(bot, hugo, card, "take")
    # A forged press: an Epe report's id pressed in Hattem's group by Hattem's staff (no such button exists there).
    hattem_message = await bot.say(hugo, "/open", hattem)
    await _settle(bot, bot.emu.press_data(hugo, hattem_message, f"s1:take:{report_id}:n"))
    assert last_alert(bot)
    # Eva, but in Hattem's group: the wrong chat for an Epe report.
    await _settle(bot, bot.emu.press_data(eva, hattem_message, f"s1:take:{report_id}:n"))
    # An illegal transition, well-formed: reopening a report that is new.
    await _settle(bot, bot.emu.press_data(eva, card, f"s1:reopen:{report_id}:n"))
    assert last_alert(bot)
    # Garbage data is answered by the catch-all and changes nothing.
    await _settle(bot, bot.emu.press_data(eva, card, "s1:take:abc:n"))
    assert bot.emu.callback_queries()[-1].answered

    assert (await report_of(bot, reference)).status == "new"
    assert await refusals(bot, reference) == [
        (f"user:{outsider.id}", "take: not-staff"),
        (f"user:{hugo.id}", "take: other-municipality"),
        (f"user:{hugo.id}", "take: other-municipality"),
        (f"user:{eva.id}", "take: wrong-chat"),
        (f"staff:{eva.id}", "reopen: illegal"),
    ]
    # Hattem's group never saw the Epe report.
    assert all(reference not in (m.plain_text or "") for m in bot.emu.messages(hattem.id))


async def test_a_stale_button_is_refused_and_the_card_redrawn(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    ellen = bot.emu.add_user("Ellen", "nl")
    await add_staff(bot.services.db, ellen.id, "epe", "staff", "Ellen")
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    first = card_of(bot, epe)
    drawn = next(str(b["callback_data"]) for b in first.buttons if ":close:" in str(b["callback_data"]))
    await press(bot, eva, first, "take")
    # Ellen's client still shows the card as it was drawn ("new"): her press carries that status.
    await _settle(bot, bot.emu.press_data(ellen, card_of(bot, epe), drawn))
    assert last_alert(bot)
    assert await refusals(bot, reference) == [(f"staff:{ellen.id}", "close: stale")]
    assert (await report_of(bot, reference)).status == "in_progress"
    assert ":p" in "".join(str(b["callback_data"]) for b in card_of(bot, epe).buttons)


async def test_non_staff_messages_in_a_staff_group_are_ignored(bot: Harness) -> None:
    epe, _hattem, _eva, _hugo, anna = await setup(bot)
    outsider = bot.emu.add_user("Olaf", "nl")
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    card = card_of(bot, epe)
    before = len(bot.emu.messages(epe.id))
    await say_in(bot, outsider, epe, "Wat is dit?", reply_to=card)
    await _settle(bot, bot.emu.send_text(outsider, "/open", epe))
    await _settle(bot, bot.emu.send_text(outsider, f"/melding {reference}", epe))
    assert len(bot.emu.messages(epe.id)) == before  # the bot said nothing
    assert not [e for e in await events(bot, reference) if e.action == "note"]


async def test_staff_commands_in_the_group_and_in_private(bot: Harness) -> None:
    epe, hattem, eva, hugo, anna = await setup(bot)
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    listing = await bot.say(eva, "/open", epe)
    assert reference in (listing.plain_text or "")
    await press(bot, eva, card_of(bot, epe), "take")
    mine = await bot.say(eva, "/mijn")
    assert reference in (mine.plain_text or "")
    detail = await bot.say(eva, f"/melding {reference}")
    assert "Eva" in (detail.plain_text or "") and "opgepakt" in (detail.plain_text or "")
    # Hattem's staff see nothing of Epe, in their group or in private.
    assert reference not in (await bot.say(hugo, "/open", hattem)).plain_text
    refused = await bot.say(hugo, f"/melding {reference}")
    assert reference not in (refused.plain_text or "")
    # A resident's /melding without a reference still starts a report.
    start = await bot.say(anna, "/melding")
    assert any(str(b.get("callback_data", "")).startswith("r:cat:") for b in start.buttons)


async def test_transfer_to_another_municipality_moves_the_card(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    heerde = await bot.staff_group("heerde")
    hanna = bot.emu.add_user("Hanna", "nl")
    await add_staff(bot.services.db, hanna.id, "heerde", "staff", "Hanna")
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    await press(bot, eva, card_of(bot, epe), "take")
    await press(bot, eva, card_of(bot, epe), "transfer")
    picker = bot.last(epe)
    index = next(i for i, b in enumerate(picker.buttons) if str(b["callback_data"]).endswith(":heerde"))
    await _settle(bot, bot.emu.press(eva, picker, index))
    row = await report_of(bot, reference)
    assert (row.municipality, row.status, row.assignee_id) == ("heerde", "new", None)
    old = card_of(bot, epe)
    assert old.buttons == [] and "Heerde" in (old.plain_text or "")
    new = card_of(bot, heerde)
    assert reference in (new.plain_text or "") and actions(new)[0] == "take"
    assert "Heerde" in bot.texts(anna)[-1]
    # Epe has no say any more; Heerde's staff take it on.
    await press(bot, eva, new, "take")
    assert last_alert(bot)
    await press(bot, hanna, new, "take")
    assert (await report_of(bot, reference)).assignee_id == hanna.id


async def test_forward_to_a_partner_tells_the_resident_in_general_terms(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    await press(bot, eva, card_of(bot, epe), "transfer")
    picker = bot.last(epe)
    index = next(i for i, b in enumerate(picker.buttons) if str(b["callback_data"]).endswith(":jongerenwerk"))
    await _settle(bot, bot.emu.press(eva, picker, index))
    await say_in(bot, eva, epe, "Graag langsgaan bij het speelveld.")
    await press(bot, eva, bot.last(epe), "send")
    row = await report_of(bot, reference)
    assert row.status == "forwarded"
    (event,) = [e for e in await events(bot, reference) if e.action == "forward"]
    assert "jongerenwerk" in (event.note or "") and "speelveld" in (event.note or "")
    told = bot.texts(anna)[-1]
    assert "organisation" in told and "jongerenwerk" not in told.lower() and "speelveld" not in told


async def test_no_buttons_that_contact_a_resident_without_updates(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    reference = await file_via_chat(bot, anna, place="Epe", updates="none")
    await bot.quiet()
    card = card_of(bot, epe)
    assert "ask" not in actions(card) and "message" not in actions(card) and "close" in actions(card)
    report_id = (await report_of(bot, reference)).id
    await _settle(bot, bot.emu.press_data(eva, card, f"s1:ask:{report_id}:n"))
    assert last_alert(bot)
    assert (await refusals(bot, reference))[-1] == (f"staff:{eva.id}", "ask: illegal")


async def test_a_resident_who_blocked_the_bot_shows_as_unreachable(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    bot.emu.block_bot(anna)
    await press(bot, eva, card_of(bot, epe), "take")  # the resident's status message cannot be delivered
    await bot.quiet()
    row = await report_of(bot, reference)
    assert row.resident_unreachable
    assert "resident-unreachable" in [e.action for e in await events(bot, reference)]
    card = card_of(bot, epe)
    assert "niet bereikbaar" in (card.plain_text or "")
    assert "ask" not in actions(card) and "message" not in actions(card)


async def test_crisis_in_the_residents_answer_gets_guidance_at_once_and_flags_the_card(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    await press(bot, eva, card_of(bot, epe), "ask")
    await say_in(bot, eva, epe, QUESTION)
    await press(bot, eva, bot.last(epe), "send")
    await press(bot, anna, bot.last(anna), "answer")
    count = len(bot.emu.messages(anna.id))
    await bot.say(anna, "They said they will stab him tonight, he has a knife")
    replies = [m.plain_text or "" for m in bot.emu.messages(anna.id)[count:] if m.from_bot]
    assert "112" in replies[0]  # guidance first
    row = await report_of(bot, reference)
    assert row.crisis == "emergency" and row.status == "reaction_received"
    assert "🚨" in (card_of(bot, epe).plain_text or "")
    assert any("🚨" in (m.plain_text or "") for m in bot.emu.messages(epe.id)[1:])


async def test_topic_mode_one_topic_per_report_opened_closed_and_reopened(bot: Harness) -> None:
    from bot.staff.registry import new_link_code

    forum = bot.emu.add_group("Heerde staff", forum=True)
    henk, anna = bot.emu.add_user("Henk", "nl"), bot.emu.add_user("Anna", "en")
    await add_staff(bot.services.db, henk.id, "heerde", "staff", "Henk")
    code = await new_link_code(bot.services.db, "heerde")
    linked = await bot.say(henk, f"/koppel {code}", forum)
    assert "topic" in (linked.plain_text or "") and "mist" not in (linked.plain_text or "")
    reference = await file_via_chat(bot, anna, place="Wapenveld")
    await bot.quiet()
    (topic,) = bot.emu.topics(forum.id)
    assert reference in topic.name and not topic.closed
    card = card_of(bot, forum)
    assert card.message_thread_id == topic.message_thread_id

    # A plain message inside the topic is an internal note.
    await _settle(bot, bot.emu.send_text(henk, NOTE, forum, thread_id=topic.message_thread_id))
    assert [e.note for e in await events(bot, reference) if e.action == "note"] == [NOTE]
    assert NOTE not in "\n".join(bot.texts(anna))

    await press(bot, henk, card, "close")
    await press(bot, henk, bot.last(forum), "tpl")
    preview = bot.last(forum)
    assert preview.message_thread_id == topic.message_thread_id  # the flow stays inside the topic
    await press(bot, henk, preview, "send")
    assert (await report_of(bot, reference)).status == "closed"
    assert bot.emu.topics(forum.id)[0].closed
    await press(bot, henk, card_of(bot, forum), "reopen")
    assert not bot.emu.topics(forum.id)[0].closed


async def test_linking_a_group_says_what_the_bot_lacks(bot: Harness) -> None:
    from bot.dev.emulator import BotRights
    from bot.staff.registry import new_link_code

    forum = bot.emu.add_group("Hattem staff", forum=True, bot_rights=BotRights.member())
    hugo, stranger = bot.emu.add_user("Hugo", "nl"), bot.emu.add_user("Sam", "nl")
    await add_staff(bot.services.db, hugo.id, "hattem", "staff", "Hugo")
    code = await new_link_code(bot.services.db, "hattem")
    await _settle(bot, bot.emu.send_text(stranger, f"/koppel {code}", forum))
    assert not bot.emu.messages(forum.id)  # non-staff are ignored, and the code is not used up
    reply = await bot.say(hugo, f"/koppel {code}", forum)
    text = reply.plain_text or ""
    assert "Hattem" in text and "beheerder" in text and "kaart" in text
    again = await bot.say(hugo, f"/koppel {code}", forum)
    assert "gebruikt" in (again.plain_text or "")  # one-time
    anna = bot.emu.add_user("Anna", "en")
    reference = await file_via_chat(bot, anna, place="Hattem")
    await bot.quiet()
    assert not bot.emu.topics(forum.id) and reference in (card_of(bot, forum).plain_text or "")


async def test_contact_details_only_privately_and_recorded(bot: Harness) -> None:
    epe, _hattem, eva, hugo, anna = await setup(bot)
    reference = await file_via_chat(bot, anna, place="Epe", contact="06 12345678")
    await bot.quiet()
    card = card_of(bot, epe)
    assert "12345678" not in (card.plain_text or "")
    await press(bot, hugo, card, "contact")
    assert not any("12345678" in (m.plain_text or "") for m in bot.emu.messages(hugo.id))
    await press(bot, eva, card, "contact")
    assert "+31612345678" in (bot.last(eva).plain_text or "")
    assert not any("12345678" in (m.plain_text or "") for m in bot.emu.messages(epe.id))
    shown = [e for e in await events(bot, reference) if e.action == "contact-shown"]
    assert [e.actor for e in shown] == [f"staff:{eva.id}"]
