"""Edited messages and button presses end to end: the real bot against the Bot API emulator.

An edited message is never new input (only the crisis triage runs on it); every button press is answered,
and a press that is forged, invalid or of another step gets an alert and changes nothing.
"""

from __future__ import annotations

import pytest

from bot.dev.emulator import CallbackQuery, SimUser
from bot.reports.drafts import Draft, Drafts
from bot.residents.preferences import LanguagePreferences
from bot.storage.models import Report
from handlers.resident import report_flow
from tests.e2e.conftest import Harness
from tests.e2e.test_reports import DESCRIPTION, buttons, count, send, walk

EDIT_NOTE = "I don't read edited messages. Please send your message again as a new message."
ALERT = "This button no longer works. Please use the buttons of the latest message."
DELETE_PROMPT = "This deletes your language choice"


async def draft(bot: Harness, user: SimUser) -> tuple[str, Draft] | None:
    return await Drafts(bot.services.db).load(user.id)


def own_message_id(bot: Harness, user: SimUser, text: str) -> int:
    """The id of the resident's (last) message with this text."""
    return [m for m in bot.emu.received(user.id) if m.text == text][-1].message_id


async def edit_and_collect(bot: Harness, user: SimUser, message_id: int, text: str) -> list[str]:
    """Edit the message; the texts of the bot's messages sent in reply."""
    before = len(bot.emu.messages(user.id))
    await bot.edit(user, message_id, text)
    return [m.plain_text or "" for m in bot.emu.messages(user.id)[before:]]


# ---- edited messages -----------------------------------------------------------------------------------


async def test_an_edit_mid_flow_does_not_change_the_draft(bot: Harness) -> None:
    anna = bot.emu.add_user("Anna", "en")
    await walk(bot, anna, upto="place")
    before = await draft(bot, anna)
    assert before is not None and before[0] == "place"
    assert before[1].description == DESCRIPTION

    # Edited into a valid place, the description must not become the place; edited into another valid
    # description, it must not replace the description either.
    description_id = own_message_id(bot, anna, DESCRIPTION)
    assert await edit_and_collect(bot, anna, description_id, "Wapenveld") == [EDIT_NOTE]
    assert await draft(bot, anna) == before
    replies = await edit_and_collect(bot, anna, description_id, "Bottles are smashed at the playground at night.")
    assert replies == [EDIT_NOTE]
    assert await draft(bot, anna) == before

    # The flow goes on from where it was.
    message = await bot.say(anna, "Wapenveld")
    assert buttons(message) == ["r:place:yes", "r:place:other"]
    after = await draft(bot, anna)
    assert after is not None and after[0] == "place_confirm"
    assert (after[1].description, after[1].place_text) == (DESCRIPTION, "Wapenveld")


async def test_an_edit_into_a_command_runs_nothing(bot: Harness) -> None:
    pim = bot.emu.add_user("Pim", "en")
    await bot.press(pim, await bot.say(pim, "/taal"), 1)  # English, stored
    await walk(bot, pim, upto="updates")
    before = await draft(bot, pim)
    assert before is not None

    place_id = own_message_id(bot, pim, "Wapenveld")
    assert await edit_and_collect(bot, pim, place_id, "/verwijder") == [EDIT_NOTE]
    assert await edit_and_collect(bot, pim, place_id, "/cancel") == [EDIT_NOTE]
    assert await edit_and_collect(bot, pim, place_id, "/melding") == [EDIT_NOTE]

    assert not any(DELETE_PROMPT in text for text in bot.texts(pim))
    assert await draft(bot, pim) == before  # not cancelled, not restarted
    assert await LanguagePreferences(bot.services.db).get(pim.id) == "en"


async def test_an_edited_question_is_not_answered(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en")
    await bot.say(john, "hello")
    replies = await edit_and_collect(bot, john, own_message_id(bot, john, "hello"), "what is phishing?")
    assert replies == [EDIT_NOTE]


async def test_an_edited_crisis_message_gets_crisis_guidance(bot: Harness) -> None:
    john = bot.emu.add_user("John", "en")
    await bot.say(john, "hello")
    replies = await edit_and_collect(bot, john, own_message_id(bot, john, "hello"), "I want to kill myself")
    assert len(replies) == 1
    assert "113" in replies[0] and "0800-0113" in replies[0]
    assert EDIT_NOTE not in replies


async def test_an_edited_crisis_message_mid_flow_gets_guidance_and_keeps_the_draft(bot: Harness) -> None:
    sara = bot.emu.add_user("Sara", "en")
    await walk(bot, sara, upto="place")
    before = await draft(bot, sara)
    replies = await edit_and_collect(bot, sara, own_message_id(bot, sara, DESCRIPTION), "my father hits me")
    assert len(replies) == 1
    assert "0800-2000" in replies[0]  # Veilig Thuis
    assert await draft(bot, sara) == before


# ---- button presses ------------------------------------------------------------------------------------


def last_query(bot: Harness) -> CallbackQuery:
    return bot.emu.callback_queries()[-1]


async def press_forged(bot: Harness, user: SimUser, data: str) -> None:
    """Press ``data`` on the bot's last message; assert it got the alert and nothing else happened."""
    since = len(bot.emu.events())
    await bot.press_data(user, bot.last(user), data)
    query = last_query(bot)
    assert query.data == data
    assert (query.answered, query.show_alert, query.text) == (True, True, ALERT), data
    kinds = [event.kind for event in bot.emu.events(since)]
    assert kinds == ["pressed", "answered"], (data, kinds)  # no message sent, edited or deleted


@pytest.mark.parametrize("data", ["garbage", "r:sum:send", "x" * 70, "rep:bogus", "r:cat:bogus", "r:mun:amsterdam"])
async def test_a_forged_or_stale_press_mid_report_gets_an_alert_and_changes_nothing(bot: Harness, data: str) -> None:
    eva = bot.emu.add_user("Eva", "en")
    await walk(bot, eva, upto="updates")  # "send" belongs to the summary, not here
    before = await draft(bot, eva)
    assert before is not None and before[0] == "updates"
    await press_forged(bot, eva, data)
    assert await draft(bot, eva) == before
    assert await count(bot, Report) == 0
    # The flow still takes its own buttons.
    message = await bot.press(eva, bot.last(eva), 0)
    assert buttons(message) == ["r:contact:skip"]


@pytest.mark.parametrize("data", ["garbage", "x" * 70, "r:sum:send", "rep:bogus", "topic:no-such-topic", "lang:de"])
async def test_a_forged_press_outside_a_report_gets_an_alert(bot: Harness, data: str) -> None:
    john = bot.emu.add_user("John", "en")
    await bot.say(john, "/start")
    await press_forged(bot, john, data)
    assert await draft(bot, john) is None


async def test_send_pressed_again_on_an_old_summary_files_nothing_more(bot: Harness) -> None:
    gus = bot.emu.add_user("Gus", "en")
    summary = await walk(bot, gus)
    await send(bot, gus, summary)
    assert await count(bot, Report) == 1
    since = len(bot.emu.events())
    await bot.press_data(gus, summary, "r:sum:send")
    assert (last_query(bot).answered, last_query(bot).show_alert) == (True, True)
    assert [e.kind for e in bot.emu.events(since)] == ["pressed", "answered"]
    assert await count(bot, Report) == 1


async def test_a_press_of_an_earlier_step_is_stale(bot: Harness) -> None:
    """A category button pressed again at the summary: valid data, wrong step."""
    fay = bot.emu.add_user("Fay", "en")
    category_question = await walk(bot, fay, upto="category")
    await bot.press(fay, category_question, 1)
    for _ in range(20):  # up to the summary (the helper cannot start over: reuse the same draft)
        step = await draft(bot, fay)
        assert step is not None
        if step[0] == "summary":
            break
        if step[0] == "description":
            await bot.say(fay, DESCRIPTION)
        elif step[0] == "place":
            await bot.say(fay, "Wapenveld")
        else:
            await bot.press(fay, bot.last(fay), 0)
    before = await draft(bot, fay)
    assert before is not None and before[0] == "summary"
    since = len(bot.emu.events())
    await bot.press_data(fay, category_question, "r:cat:online-scam-signal")
    assert (last_query(bot).answered, last_query(bot).show_alert, last_query(bot).text) == (True, True, ALERT)
    assert [e.kind for e in bot.emu.events(since)] == ["pressed", "answered"]
    assert await draft(bot, fay) == before


async def test_every_press_of_every_kind_is_answered(bot: Harness) -> None:
    """Theme menu, topics, feedback, language, the report flow, deletion: no press is left with a spinner."""
    john = bot.emu.add_user("John", "en")
    welcome = await bot.say(john, "/start")
    theme_list = await bot.press(john, welcome, 0)  # theme
    topic = await bot.press(john, theme_list, 0)  # topic
    await bot.press(john, topic, len(topic.buttons) - 1)  # all themes (menu)
    await bot.press(john, topic, 0)  # 👍 (removes the feedback buttons)
    await bot.press(john, await bot.say(john, "/taal"), 1)  # language
    await send(bot, john, await walk(bot, john))  # every step of the report flow
    await bot.press(john, await bot.say(john, "/verwijder"), 1)  # "No"
    queries = bot.emu.callback_queries()
    assert {q.data.split(":")[0] for q in queries} == {"theme", "topic", "menu", "fb", "lang", "r", "del"}
    assert len(queries) == 13  # 5 above, 7 in the report flow, 1 for /verwijder
    unanswered = [q.data for q in queries if not q.answered]
    assert unanswered == []
    assert not any(q.show_alert for q in queries)  # valid presses get no alert
    assert len(bot.emu.calls("answerCallbackQuery")) == len(queries)  # and exactly one answer each


async def test_a_failing_step_still_answers_the_press(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report step answers its press after it ran; when it fails, the error handler answers instead."""

    async def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(report_flow, "file_report", explode)
    kim = bot.emu.add_user("Kim", "en")
    summary = await walk(bot, kim)
    before = await draft(bot, kim)
    reply = await bot.press(kim, summary, 0)  # send
    assert "something went wrong" in (reply.plain_text or "")
    query = last_query(bot)
    assert (query.data.startswith("r:sum:send:"), query.answered, query.show_alert) == (True, True, False)
    assert await draft(bot, kim) == before  # nothing filed, the draft kept for another try
    assert await count(bot, Report) == 0
