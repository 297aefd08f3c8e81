"""The card's actions as typed commands (/oppakken, /vraag, /bericht, /doorsturen, /afhandelen, /heropenen):
in a reply to the card, inside the report's topic, or with the reference in a private chat. They take the
buttons' path: the same authorization and refusals (recorded), the same preview before anything reaches the
resident, the same workflow events."""

from __future__ import annotations

from bot.dev.emulator import Message, SimChat, SimUser
from bot.staff.registry import add_staff
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import file_via_chat
from tests.e2e.test_staff import actions, card_of, events, press, refusals, report_of, say_in, setup


async def command(
    bot: Harness, user: SimUser, text: str, chat: SimChat | None = None, *, reply_to: Message | None = None
) -> None:
    update_id = bot.emu.send_text(user, text, chat, reply_to=reply_to)
    await bot.emu.wait_for(lambda: bot.emu.is_delivered(update_id), timeout=10.0)
    await bot.quiet()


async def test_typed_commands_take_the_buttons_path(bot: Harness) -> None:
    epe, hattem, eva, hugo, anna = await setup(bot)
    outsider = bot.emu.add_user("Olaf", "nl")
    reference = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()
    card = card_of(bot, epe)

    # Refused like a press, and recorded: Hattem's staff, on the card and with the reference from their group.
    await command(bot, hugo, "/oppakken", epe, reply_to=card)
    assert "andere gemeente" in (bot.last(epe).plain_text or "")
    await command(bot, hugo, f"/oppakken {reference}", hattem)
    assert reference not in "\n".join(bot.texts(hattem))
    # A non-staff member in the group is ignored: no answer, no event.
    before = len(bot.emu.messages(epe.id))
    await command(bot, outsider, "/oppakken", epe, reply_to=card)
    assert len(bot.emu.messages(epe.id)) == before
    assert await refusals(bot, reference) == [
        (f"user:{hugo.id}", "take: other-municipality"),
        (f"user:{hugo.id}", "take: other-municipality"),
    ]
    assert (await report_of(bot, reference)).status == "new"

    # /oppakken in a reply to the card.
    await command(bot, eva, "/oppakken", epe, reply_to=card)
    row = await report_of(bot, reference)
    assert (row.status, row.assignee_id) == ("in_progress", eva.id)
    assert "Epe" in bot.texts(anna)[-1] and reference in bot.texts(anna)[-1]

    # /vraag TEXT: a preview first; only Send reaches the resident.
    told = len(bot.emu.messages(anna.id))
    await command(bot, eva, "/vraag Om hoe laat ongeveer?", epe, reply_to=card_of(bot, epe))
    preview = bot.last(epe)
    assert "Om hoe laat ongeveer?" in (preview.plain_text or "") and actions(preview) == ["send", "drop"]
    assert len(bot.emu.messages(anna.id)) == told
    await press(bot, eva, preview, "send")
    question = bot.last(anna)
    assert "Om hoe laat ongeveer?" in (question.plain_text or "") and reference in (question.plain_text or "")
    assert (await report_of(bot, reference)).status == "reaction_requested"
    await press(bot, anna, question, "answer")
    await bot.say(anna, "Around ten.")
    assert (await report_of(bot, reference)).status == "reaction_received"

    # /bericht with the reference, in a private chat with the bot; without a text the bot asks for it.
    told = len(bot.emu.messages(anna.id))
    await command(bot, eva, f"/bericht {reference}")
    assert "Melder" in (bot.last(eva).plain_text or "")
    assert len(bot.emu.messages(anna.id)) == told
    await bot.say(eva, "We gaan er vanavond langs.")
    await press(bot, eva, bot.last(eva), "send")
    assert "We gaan er vanavond langs." in bot.texts(anna)[-1]

    # /afhandelen TEXT: an own closing text, previewed; the resident gets it with 👍/👎.
    await command(bot, eva, "/afhandelen De jongerenwerker is langs geweest.", epe, reply_to=card_of(bot, epe))
    preview = bot.last(epe)
    assert "De jongerenwerker is langs geweest." in (preview.plain_text or "")
    assert (await report_of(bot, reference)).status == "reaction_received"
    await press(bot, eva, preview, "send")
    closing = bot.last(anna)
    assert "De jongerenwerker is langs geweest." in (closing.plain_text or "")
    assert [b["text"] for b in closing.buttons] == ["👍", "👎"]
    assert (await report_of(bot, reference)).status == "closed"

    # A move the workflow does not allow is refused and recorded, as for a stale or illegal button.
    await command(bot, eva, "/oppakken", epe, reply_to=card_of(bot, epe))
    assert (await refusals(bot, reference))[-1] == (f"staff:{eva.id}", "take: illegal")

    # /heropenen by reference in private.
    await command(bot, eva, f"/heropenen {reference}")
    assert (await report_of(bot, reference)).status == "reopened"
    trail = [(e.action, e.actor) for e in await events(bot, reference) if e.to_status]
    assert trail == [
        ("created", "resident"),
        ("take", f"staff:{eva.id}"),
        ("ask", f"staff:{eva.id}"),
        ("answer", "resident"),
        ("message", f"staff:{eva.id}"),
        ("close", f"staff:{eva.id}"),
        ("reopen", f"staff:{eva.id}"),
    ]


async def test_doorsturen_to_a_municipality_or_a_partner(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, anna = await setup(bot)
    heerde = await bot.staff_group("heerde")
    hanna = bot.emu.add_user("Hanna", "nl")
    await add_staff(bot.services.db, hanna.id, "heerde", "staff", "Hanna")
    first = await file_via_chat(bot, anna, place="Epe")
    await bot.quiet()

    # Unknown target: refused and recorded; nothing moves.
    await command(bot, eva, "/doorsturen nergenshuizen", epe, reply_to=card_of(bot, epe))
    assert (await refusals(bot, first))[-1] == (f"staff:{eva.id}", "transfer: bad-target")
    # A municipality by name: the report and its card move there.
    await command(bot, eva, "/doorsturen Heerde", epe, reply_to=card_of(bot, epe))
    row = await report_of(bot, first)
    assert (row.municipality, row.status) == ("heerde", "new")
    assert first in (card_of(bot, heerde).plain_text or "") and "Heerde" in bot.texts(anna)[-1]

    # A partner with a note: a preview first; the resident is told in general terms only.
    await command(
        bot, hanna, "/doorsturen jongerenwerk Graag langsgaan bij het speelveld.", heerde, reply_to=card_of(bot, heerde)
    )
    preview = bot.last(heerde)
    assert "speelveld" in (preview.plain_text or "") and actions(preview) == ["send", "drop"]
    assert (await report_of(bot, first)).status == "new"
    await press(bot, hanna, preview, "send")
    assert (await report_of(bot, first)).status == "forwarded"
    told = bot.texts(anna)[-1]
    assert "organisation" in told and "speelveld" not in told and "jongerenwerk" not in told.lower()


async def test_commands_inside_a_reports_topic(bot: Harness) -> None:
    from bot.staff.registry import new_link_code

    forum = bot.emu.add_group("Heerde staff", forum=True)
    henk, anna = bot.emu.add_user("Henk", "nl"), bot.emu.add_user("Anna", "en")
    await add_staff(bot.services.db, henk.id, "heerde", "staff", "Henk")
    await say_in(bot, henk, forum, f"/koppel {await new_link_code(bot.services.db, 'heerde')}")
    reference = await file_via_chat(bot, anna, place="Wapenveld")
    await bot.quiet()
    (topic,) = bot.emu.topics(forum.id)
    assert topic.name == f"{reference} · Overlast door jongeren"  # the reference and the category

    async def in_topic(text: str) -> None:
        update_id = bot.emu.send_text(henk, text, forum, thread_id=topic.message_thread_id)
        await bot.emu.wait_for(lambda: bot.emu.is_delivered(update_id), timeout=10.0)
        await bot.quiet()

    await in_topic("/oppakken")
    assert (await report_of(bot, reference)).status == "in_progress"
    await in_topic("/afhandelen")  # without a text: the standard texts to choose from, in the topic
    picker = bot.last(forum)
    assert picker.message_thread_id == topic.message_thread_id and "tpl" in actions(picker)
    await press(bot, henk, picker, "tpl")
    await press(bot, henk, bot.last(forum), "send")
    assert (await report_of(bot, reference)).status == "closed"
    assert bot.emu.topics(forum.id)[0].closed
    # The closed topic takes no messages; the reference works in the group's General topic.
    await say_in(bot, henk, forum, f"/heropenen {reference}")
    assert (await report_of(bot, reference)).status == "reopened"
    assert not bot.emu.topics(forum.id)[0].closed


async def test_a_command_without_a_report_says_how(bot: Harness) -> None:
    epe, _hattem, eva, _hugo, _anna = await setup(bot)
    await command(bot, eva, "/oppakken", epe)
    assert "/oppakken EPE-7K3Q" in (bot.last(epe).plain_text or "")
    # A resident's unknown command in private is not staff work: the bot does not answer it as staff.
    resident = bot.emu.add_user("Ria", "nl")
    await command(bot, resident, "/oppakken")
    assert all("EPE-7K3Q" not in text for text in bot.texts(resident))
