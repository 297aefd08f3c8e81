"""Hostile input through the real bot and the emulator: every input in every place a resident or staff member can
type it (a question, a report's description and place, an internal note, a staff question to the resident,
``/status``), forged and oversized button data, locations in the sea and abroad, and postcodes written with
look-alike digits.

For each case: no crash (no error handler, no ERROR log, no Bot API call refused), a clear reply, and the
database holds what it should (verbatim where the text is kept, nothing where it is not).

One bot and one emulator serve the whole module (``world``): the resident cases run concurrently (each its own
resident), the staff cases one after the other per staff group (six groups, one coordinator). The parametrised
tests then check each case's outcome.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.dev.emulator import BotApiEmulator, Message, SimChat, SimUser
from bot.outbox.delivery import link_municipality
from bot.reports.drafts import Draft, Drafts
from bot.reports.filing import file_report
from bot.services import build_services
from bot.settings import Settings
from bot.staff.queries import end_compose
from bot.staff.registry import add_staff
from bot.storage.models import MissedQuestion, Report, ReportEvent
from tests.e2e.conftest import Harness

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOSTILE: dict[str, str] = {
    "text-4096": ("Ik maak me zorgen over de jongeren bij het station. " * 90)[:4096],
    "zero-width": "ik\u200b heb op een\u200c link geklikt in een\u200d sms van de bank\ufeff",
    "rtl-override": "\u202eknab ed nav sms nee ni dekilkeg knil nee po bei ki\u202c en nu?",
    "emoji-only": "😡😡😡🙈🙈🔥🔥🔥",
    "emoji-2000": "🙈" * 2000,
    "control-chars": "hallo\x00\x01\x07\x08\x1b[31mrood\x1b[0m\x7f wereld, er is iets mis",
    "html": "<b>vet</b> <script>alert('x')</script> <a href=\"javascript:alert(1)\">klik</a> & <i>",
    "html-entities": "&lt;b&gt;niet vet&lt;/b&gt; &amp; &#60;script&#62; &#x1F600; &bogus;",
    "markdown": "*vet* _schuin_ [klik hier](http://phish.example) `code` ~~weg~~ ||spoiler|| \\",
    "sql-drop": "'); DROP TABLE reports; -- en nog wat tekst erachter",
    "sql-or": "x' OR '1'='1'; SELECT * FROM residents WHERE '1'='1",
    "format-strings": "{reference} {0} {municipality!r} %s %(name)s {{}} $(whoami) ${HOME}",
    "fullwidth": "Ｈｏｅ ｍｅｌｄ ｉｋ ｅｅｎ ｐｈｉｓｈｉｎｇ ｍａｉｌ？",
    "homoglyphs": "іk hеb оp еen lіnk gеklіkt vаn dе bаnk",  # Cyrillic і е о а
    "newlines-tabs": "regel een\n\n\n\nregel twee\r\nregel drie\t\ttab \u2028 \u2029 einde",
}
RESIDENT_CONTEXTS = ("question", "description", "place", "status")
STAFF_CONTEXTS = ("note", "staff-question")

LOCATIONS: dict[str, tuple[float, float]] = {
    "north-sea": (53.5, 3.0),
    "ijsselmeer": (52.6, 5.4),
    "berlin": (52.52, 13.40),
    "null-island": (0.0, 0.0),
    "north-pole": (90.0, 180.0),
    "south-pacific": (-45.0, -150.0),
}
POSTCODES: dict[str, str] = {
    "fullwidth": "８０８１ AB",
    "arabic-indic": "٨٠٨١ AB",
    "persian": "۸۰۸۱ AB",
    "devanagari": "८०८१ AB",
    "bengali": "৮০৮১ AB",
    "math-bold": "𝟖𝟎𝟖𝟏 AB",
    "fullwidth-letters": "８０８１ａｂ",
}
RESIDENT_PRESSES: dict[str, str] = {
    "one-byte": "x",  # Telegram never delivers empty data (1-64 bytes)
    "65-bytes": "x" * 65,
    "oversized": "r:cat:" + "9" * 500,
    "path": "r:cat:../../../etc/passwd",
    "script": "rep:<script>alert(1)</script>",
    "extra-fields": "fb:phishing:1:extra:fields",
    "staff-action": "s1:close:{report}:new",
    "nul": "\x00\x01\x02",
    "unknown-language": "lang:xx",
    "other-report-answer": "m1:answer:999999999:reaction_requested",
    "send-other-key": "r:sum:send:AAAAAAAAAAAAAAAA",
}
STAFF_PRESSES: dict[str, str] = {
    "wrong-status": "s1:close:{report}:closed",
    "no-such-report": "s1:take:999999999:new",
    "bad-municipality": "s1:to:{report}:new:atlantis",
    "bad-template": "s1:tpl:{report}:new:99",
    "huge-number": "s1:take:" + "9" * 100 + ":new",
    "negative": "s1:take:-1:new",
}

MUNICIPALITIES = ("elburg", "epe", "hattem", "heerde", "nunspeet", "oldebroek")
VALID_DESCRIPTION = "Elke avond hangen er jongeren bij de speeltuin die flessen kapotgooien."
GENERIC_ERROR = "er ging bij ons iets mis"


@dataclass
class Outcome:
    """What one case did: the bot's new messages in the case's chat, the update ids it sent, and whatever the
    check needs from the database (filled in by the case)."""

    replies: list[Message] = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)
    chat_id: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    alert: str | None = None


@dataclass
class World:
    bot: Harness
    outcomes: dict[str, Outcome]
    errors: list[logging.LogRecord]


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _stable(bot: Harness) -> None:
    """Wait until the bot is done (bot.dev.idle): a step may answer with several messages, and the production
    rate limiter spreads them out, so a short silence is no proof. The cases run concurrently and each waits here
    after each step, so they move in rounds."""
    await bot.quiet()


async def _step(bot: Harness, outcome: Outcome, chat_id: int, send: Callable[[], int]) -> list[Message]:
    emu = bot.emu
    before = len(emu.messages(chat_id))
    update_id = send()
    outcome.update_ids.append(update_id)
    await emu.wait_for(lambda: emu.is_delivered(update_id), timeout=30.0)
    await emu.wait_for(lambda: len(emu.messages(chat_id)) > before, timeout=30.0)
    await _stable(bot)
    return emu.messages(chat_id)[before:]


async def _forged_press(bot: Harness, outcome: Outcome, user: SimUser, message: Message, data: str) -> None:
    emu = bot.emu
    before = len(emu.messages(message.chat_id))
    seen = len(emu.callback_queries())
    update_id = emu.press_data(user, message, data)
    outcome.update_ids.append(update_id)

    def answered() -> bool:
        mine = [q for q in emu.callback_queries()[seen:] if q.user_id == user.id and q.data == data]
        return bool(mine) and mine[0].answered

    await emu.wait_for(answered, timeout=30.0)
    await _stable(bot)
    query = next(q for q in emu.callback_queries()[seen:] if q.user_id == user.id and q.data == data)
    outcome.alert = query.text
    outcome.replies = emu.messages(message.chat_id)[before:]


def _buttons(message: Message) -> list[str]:
    return [str(b.get("callback_data", b.get("text"))) for b in message.buttons]


async def _to_description(bot: Harness, outcome: Outcome, user: SimUser) -> None:
    (*_, menu) = await _step(bot, outcome, user.id, lambda: bot.emu.send_text(user, "/melding"))
    await _step(bot, outcome, user.id, lambda: bot.emu.press(user, menu, 1))  # youth nuisance


async def _to_place(bot: Harness, outcome: Outcome, user: SimUser) -> None:
    await _to_description(bot, outcome, user)
    await _step(bot, outcome, user.id, lambda: bot.emu.send_text(user, VALID_DESCRIPTION))


async def _draft(bot: Harness, user: SimUser) -> tuple[str, Draft] | None:
    return await Drafts(bot.services.db).load(user.id)


# ---- the cases --------------------------------------------------------------------------------------------


async def resident_case(bot: Harness, context: str, name: str, text: str, outcome: Outcome, user: SimUser) -> None:
    send = lambda: bot.emu.send_text(user, text)  # noqa: E731
    if context == "question":
        outcome.replies = await _step(bot, outcome, user.id, send)
    elif context == "description":
        await _to_description(bot, outcome, user)
        outcome.replies = await _step(bot, outcome, user.id, send)
        outcome.data["draft"] = await _draft(bot, user)
    elif context == "place":
        await _to_place(bot, outcome, user)
        outcome.replies = await _step(bot, outcome, user.id, send)
        outcome.data["draft"] = await _draft(bot, user)
    elif context == "status":
        outcome.replies = await _step(bot, outcome, user.id, lambda: bot.emu.send_text(user, f"/status {text}"))


async def location_case(bot: Harness, outcome: Outcome, user: SimUser, lat: float, lon: float) -> None:
    await _to_place(bot, outcome, user)
    outcome.replies = await _step(bot, outcome, user.id, lambda: bot.emu.send_location(user, lat, lon))
    outcome.data["draft"] = await _draft(bot, user)


async def postcode_case(bot: Harness, outcome: Outcome, user: SimUser, text: str) -> None:
    await _to_place(bot, outcome, user)
    outcome.replies = await _step(bot, outcome, user.id, lambda: bot.emu.send_text(user, text))
    outcome.data["draft"] = await _draft(bot, user)


async def resident_press_case(bot: Harness, outcome: Outcome, user: SimUser, data: str, report_id: int) -> None:
    (*_, menu) = await _step(bot, outcome, user.id, lambda: bot.emu.send_text(user, "/melding"))
    before = await _draft(bot, user)
    await _forged_press(bot, outcome, user, menu, data.format(report=report_id))
    outcome.data["before"], outcome.data["draft"] = before, await _draft(bot, user)


def _card(bot: Harness, group: SimChat, reference: str) -> Message:
    return next(m for m in bot.emu.messages(group.id) if m.from_bot and reference in (m.plain_text or "")[:40])


async def _report(bot: Harness, report_id: int) -> Report:
    async with bot.services.db.session() as session:
        report = await session.get(Report, report_id)
    assert report is not None
    return report


async def _events(bot: Harness, report_id: int) -> list[ReportEvent]:
    async with bot.services.db.session() as session:
        rows = await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id))
        return list(rows)


async def note_case(bot: Harness, outcome: Outcome, eva: SimUser, group: SimChat, card: Message, text: str) -> None:
    outcome.replies = await _step(bot, outcome, group.id, lambda: bot.emu.reply(eva, card, text))


async def staff_question_case(
    bot: Harness, outcome: Outcome, eva: SimUser, group: SimChat, report_id: int, resident: SimUser, text: str
) -> None:
    report = await _report(bot, report_id)
    card = _card(bot, group, report.reference)
    ask = next(i for i, d in enumerate(_buttons(card)) if d.split(":")[1] == "ask")
    await _step(bot, outcome, group.id, lambda: bot.emu.press(eva, card, ask))
    replies = await _step(bot, outcome, group.id, lambda: bot.emu.send_text(eva, text, group))
    outcome.replies = list(replies)
    preview = replies[-1]
    if any(d.split(":")[1] == "send" for d in _buttons(preview)):
        before = len(bot.emu.messages(resident.id))
        send = next(i for i, d in enumerate(_buttons(preview)) if d.split(":")[1] == "send")
        outcome.update_ids.append(bot.emu.press(eva, preview, send))
        await bot.emu.wait_for(lambda: len(bot.emu.messages(resident.id)) > before, timeout=30.0)
        await _stable(bot)
        outcome.data["resident"] = bot.emu.messages(resident.id)[before:]
    outcome.data["report"] = await _report(bot, report_id)
    outcome.data["events"] = await _events(bot, report_id)


async def staff_press_case(
    bot: Harness, outcome: Outcome, eva: SimUser, card: Message, data: str, report_id: int
) -> None:
    before = await _report(bot, report_id)
    await _forged_press(bot, outcome, eva, card, data.format(report=report_id))
    outcome.data["before"], outcome.data["after"] = before, await _report(bot, report_id)


# ---- the module's one bot -----------------------------------------------------------------------------------


def _case_ids() -> list[str]:
    ids = [f"{context}/{name}" for context in RESIDENT_CONTEXTS + STAFF_CONTEXTS for name in HOSTILE]
    ids += [f"location/{name}" for name in LOCATIONS] + [f"postcode/{name}" for name in POSTCODES]
    ids += [f"press/{name}" for name in RESIDENT_PRESSES] + [f"staff-press/{name}" for name in STAFF_PRESSES]
    return ids


CASES = _case_ids()


async def _file(bot: Harness, chat_id: int, municipality: str) -> int:
    draft = Draft(
        category="youth-nuisance",
        description=VALID_DESCRIPTION,
        place_text=municipality.capitalize(),
        municipality=municipality,
        updates="chat",
        consent=True,
    )
    return (await file_report(bot.services.db, draft, chat_id=chat_id, language="nl")).id


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    data = Path(tmp_path_factory.mktemp("hostile"))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, veiligbot_data_dir=data, database_url=None, messages_per_minute=1000, reports_per_day=1000
    ).model_copy(update={"telegram_group_rate_limit": 6000.0})  # see tests/e2e/conftest.py's settings
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    with BotApiEmulator(accept_any_token=True) as emu:
        bot = Harness(emu=emu, settings=settings, services=build_services(settings))
        await bot.start()
        try:
            outcomes = {case: Outcome() for case in CASES}
            # Telegram (and PTB's rate limiter) allow about 20 bot messages per minute in one group: the staff
            # cases are spread over the six municipalities' groups, with Eva as coordinator of all six.
            eva = emu.add_user("Eva", "nl")
            groups: dict[str, SimChat] = {}
            for municipality in MUNICIPALITIES:
                groups[municipality] = emu.add_group(f"{municipality} staff")
                await link_municipality(bot.services.db, municipality, groups[municipality].id)
            await add_staff(bot.services.db, eva.id, "epe", "coordinator", "Eva")
            residents = {case: emu.add_user(f"R{i}", "nl") for i, case in enumerate(CASES)}
            names = list(HOSTILE)
            where = {name: MUNICIPALITIES[i % len(MUNICIPALITIES)] for i, name in enumerate(names)}
            # One report per group for the notes and forged staff presses; one per staff question.
            shared = {m: await _file(bot, emu.add_user(f"Shared {m}", "nl").id, m) for m in MUNICIPALITIES}
            asked = {name: await _file(bot, residents[f"staff-question/{name}"].id, where[name]) for name in names}
            outbox = bot.app.bot_data.outbox  # type: ignore[attr-defined]
            await outbox.run_once()
            await emu.wait_for(
                lambda: sum(len(emu.messages(g.id)) for g in groups.values()) >= len(shared) + len(asked),
                timeout=30.0,
            )
            cards = {m: _card(bot, groups[m], (await _report(bot, shared[m])).reference) for m in MUNICIPALITIES}

            jobs: list[Awaitable[None]] = []
            for context in RESIDENT_CONTEXTS:
                for name, text in HOSTILE.items():
                    case = f"{context}/{name}"
                    jobs.append(resident_case(bot, context, name, text, outcomes[case], residents[case]))
            for name, (lat, lon) in LOCATIONS.items():
                case = f"location/{name}"
                jobs.append(location_case(bot, outcomes[case], residents[case], lat, lon))
            for name, text in POSTCODES.items():
                case = f"postcode/{name}"
                jobs.append(postcode_case(bot, outcomes[case], residents[case], text))
            for name, data_ in RESIDENT_PRESSES.items():
                case = f"press/{name}"
                jobs.append(resident_press_case(bot, outcomes[case], residents[case], data_, shared["epe"]))
            limit = asyncio.Semaphore(12)

            async def bounded(job: Awaitable[None]) -> None:
                async with limit:
                    await job

            await asyncio.gather(*(bounded(job) for job in jobs))

            # Staff: one case after the other within a group (a composition is per person and chat).
            async def staff_in(municipality: str) -> None:
                group, card = groups[municipality], cards[municipality]
                mine = [n for n in names if where[n] == municipality]
                for name in mine:
                    outcome = outcomes[f"note/{name}"]
                    await note_case(bot, outcome, eva, group, card, HOSTILE[name])
                    outcome.data["events"] = await _events(bot, shared[municipality])
                    outcome.chat_id = group.id
                for name in mine:
                    case = f"staff-question/{name}"
                    await staff_question_case(
                        bot, outcomes[case], eva, group, asked[name], residents[case], HOSTILE[name]
                    )
                    outcomes[case].chat_id = group.id
                    await end_compose(bot.services.db, eva.id, group.id)  # a refused text leaves it open

            await asyncio.gather(*(staff_in(m) for m in MUNICIPALITIES))
            for name, data_ in STAFF_PRESSES.items():
                outcome = outcomes[f"staff-press/{name}"]
                await staff_press_case(bot, outcome, eva, cards["epe"], data_, shared["epe"])
                outcome.chat_id = groups["epe"].id
            await bot.app.bot_data.messages.run_once()  # type: ignore[attr-defined]
            await bot.quiet()
            async with bot.services.db.session() as session:
                missed = list(await session.scalars(select(MissedQuestion.text)))
            for case, outcome in outcomes.items():
                outcome.data["missed"] = missed
                if not outcome.chat_id:
                    outcome.chat_id = residents[case].id
            yield World(bot, outcomes, errors.records)
        finally:
            logging.getLogger().removeHandler(errors)
            await bot.stop()


# ---- the checks ---------------------------------------------------------------------------------------------


def _no_crash(world: World, case: str) -> None:
    outcome = world.outcomes[case]
    crashed = [r for r in world.errors if r.args and r.args[0] in outcome.update_ids]
    assert not crashed, f"the error handler ran for {case}"
    texts = [m.plain_text or "" for m in outcome.replies]
    assert not any(GENERIC_ERROR in t for t in texts), texts
    refused = [
        (c.method, c.description)
        for c in world.bot.emu.calls()
        if c.status not in (None, 200)
        and str(c.params.get("chat_id")) == str(outcome.chat_id)
        and "not modified" not in (c.description or "")
    ]
    assert not refused, refused


async def test_nothing_was_logged_at_error_level(world: World) -> None:
    assert [r.getMessage() for r in world.errors] == []


async def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize("case", CASES)
async def test_hostile_input(world: World, case: str) -> None:
    _no_crash(world, case)
    outcome = world.outcomes[case]
    context, name = case.split("/", 1)
    check = CHECKS[context]
    check(world, outcome, name)


def _replied(outcome: Outcome) -> list[str]:
    texts = [m.plain_text or "" for m in outcome.replies if m.from_bot]
    assert texts and all(t.strip() for t in texts), "no clear reply"
    return texts


def check_question(world: World, outcome: Outcome, name: str) -> None:
    _replied(outcome)
    # Missed questions are kept verbatim (at most 1000 characters), never altered or escaped; only questions.
    assert set(outcome.data["missed"]) <= {t[:1000] for t in HOSTILE.values()}


def check_description(world: World, outcome: Outcome, name: str) -> None:
    texts = _replied(outcome)
    text = HOSTILE[name]
    step, draft = outcome.data["draft"]
    if 10 <= len(text.strip()) <= 2000:
        if step == "crisis_offer":
            return  # the crisis triage took it (the offer to file anyway follows)
        assert step == "place", (step, texts)
        assert draft.description == text.strip()  # verbatim: escaped only when shown
    else:
        assert step == "description" and draft.description is None, (step, texts)
        assert any("10" in t or "2000" in t for t in texts), texts


def check_place(world: World, outcome: Outcome, name: str) -> None:
    texts = _replied(outcome)
    text = HOSTILE[name]
    step, draft = outcome.data["draft"]
    routed = world.bot.services.router.route(text)
    if step in ("place", "municipality"):
        assert draft.municipality is None, texts
    else:
        assert step == "place_confirm" and routed.status == "ok" and draft.municipality == routed.municipality
    assert draft.place_text in (None, text.strip()[:300])


def check_status(world: World, outcome: Outcome, name: str) -> None:
    texts = _replied(outcome)
    assert any("geen melding" in t or "/status" in t for t in texts), texts  # nothing found, or how to use it


def check_note(world: World, outcome: Outcome, name: str) -> None:
    texts = _replied(outcome)
    assert any("🔒" in t for t in texts), texts
    notes = [e.note for e in outcome.data["events"] if e.action == "note"]
    assert HOSTILE[name] in notes  # stored verbatim


def check_staff_question(world: World, outcome: Outcome, name: str) -> None:
    texts = _replied(outcome)
    text = HOSTILE[name]
    report: Report = outcome.data["report"]
    if "resident" not in outcome.data:  # refused before a preview: it must say why, and nothing changed
        assert report.status == "new", texts
        assert not [e for e in outcome.data["events"] if e.action == "ask"]
        assert any("4000" in t or "te lang" in t for t in texts), texts
        return
    assert report.status == "reaction_requested"
    (ask,) = [e for e in outcome.data["events"] if e.action == "ask"]
    assert ask.note == text  # verbatim in the history
    received = "\n".join(m.plain_text or "" for m in outcome.data["resident"])
    assert text.strip() in received  # shown as typed: escaped on the way, not altered


def check_location(world: World, outcome: Outcome, name: str) -> None:
    texts = _replied(outcome)
    if outcome.data["draft"] is None:  # outside the region: said so, and the draft is gone (nothing filed)
        assert any("buiten" in t or "overheid.nl" in t for t in texts), texts
        return
    step, draft = outcome.data["draft"]
    assert step in ("place", "municipality") and draft.municipality is None, (step, texts)


def check_postcode(world: World, outcome: Outcome, name: str) -> None:
    texts = _replied(outcome)
    step, draft = outcome.data["draft"]
    assert step == "place_confirm" and draft.municipality == "elburg", (step, texts)
    assert draft.place_text == POSTCODES[name]  # verbatim as typed
    assert any("Elburg" in t for t in texts), texts


def check_press(world: World, outcome: Outcome, name: str) -> None:
    assert outcome.alert, "a forged press gets an alert"
    assert outcome.replies == [], [m.plain_text for m in outcome.replies]
    assert outcome.data["draft"] == outcome.data["before"]  # the draft as it was


def check_staff_press(world: World, outcome: Outcome, name: str) -> None:
    assert outcome.alert, "a forged press gets an alert"
    before, after = outcome.data["before"], outcome.data["after"]
    assert (after.status, after.municipality, after.assignee_id) == (before.status, before.municipality, None)
    assert not [m for m in outcome.replies if m.from_bot and "Voorbeeld" in (m.plain_text or "")]


CHECKS: dict[str, Callable[[World, Outcome, str], None]] = {
    "question": check_question,
    "description": check_description,
    "place": check_place,
    "status": check_status,
    "note": check_note,
    "staff-question": check_staff_question,
    "location": check_location,
    "postcode": check_postcode,
    "press": check_press,
    "staff-press": check_staff_press,
}
