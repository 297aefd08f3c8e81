"""``make load``: many simulated residents at once through the Bot API emulator; and the throughput ratio.

``python -m bot.dev.load [--residents N] [--throughput M]``

Load: every resident, all at the same moment, asks a question, starts a report (``/melding``), picks a
category and stops (``/annuleer``), one step after the bot's reply to the previous one, with the production
rate limiter (``TELEGRAM_RATE_LIMIT``, 30 messages a second). One resident in a hundred sends a crisis message
first. A step's latency runs from the moment the emulator hands out the resident's message to the first
request the bot makes for that chat (a message, or an edit after a press). Reported: p50 and p99 of ordinary
steps and of crisis replies, throughput (steps answered per second) and errors.

Throughput (``make bench`` prints it too): ``M`` residents each send one question at once, with the rate
limiter effectively off; the bot's processing rate is compared with a minimal python-telegram-bot echo bot on
the same emulator in the same run (target ratio ≥ 0.8).

Pitfalls: the emulator runs in a thread of this process, so the driver, the emulator and the bot share one
interpreter and its GIL; figures are for comparison on one machine, not absolute capacities. Staff actions are
not in the mix (the staff e2e tests cover them); nothing here is timed in ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.dev.emulator import BotApiEmulator, Call, Message, SimUser
from bot.settings import Settings

QUESTIONS = (
    "Ik kreeg een appje van mijn zoon met een nieuw nummer, hij vraagt geld. Wat moet ik doen?",
    "What should I do when someone threatens to share my photos?",
    "hoe herken ik een drugslab in de buurt",
    "Mijn dochter wordt gepest in de groepsapp, wie kan helpen?",
    "Is het strafbaar om mijn bankpas uit te lenen?",
    "phishing mail van de bank, link aangeklikt",
)
CRISIS = "Ik wil niet meer leven, ik heb de pillen al klaargelegd."
NO_REPLY = float("nan")


@dataclass
class LoadResult:
    residents: int
    steps: int
    answered: int
    seconds: float
    throughput: float  # answered steps per second
    p50_ms: float
    p99_ms: float
    crisis_p50_ms: float
    crisis_max_ms: float
    errors: int
    latencies_ms: list[float] = field(default_factory=list, repr=False)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return NO_REPLY
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class _Watcher:
    """One poller for all residents: the first bot request for a chat after a mark answers its step."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self._emu = emu
        self._seen = 0
        self._waiting: dict[int, tuple[float, asyncio.Future[float]]] = {}
        self._task: asyncio.Task[None] | None = None

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = (time.monotonic(), future)
        return future

    def _feed(self, calls: list[Call]) -> None:
        for call in calls:
            chat_id = _chat_of(call)
            entry = self._waiting.get(chat_id) if chat_id is not None else None
            if entry is not None and call.at >= entry[0]:
                del self._waiting[chat_id]  # type: ignore[arg-type]
                if not entry[1].done():
                    entry[1].set_result((call.at - entry[0]) * 1000)

    async def _run(self) -> None:
        while True:
            calls = self._emu.calls_since(self._seen)
            self._seen += len(calls)
            self._feed(calls)
            await asyncio.sleep(0.005)

    def __enter__(self) -> _Watcher:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


def _chat_of(call: Call) -> int | None:
    if call.method in ("getUpdates", "answerCallbackQuery"):
        return None
    value = call.params.get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class _ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextlib.contextmanager
def _count_errors() -> Iterator[_ErrorCounter]:
    counter = _ErrorCounter()
    root = logging.getLogger()
    root.addHandler(counter)
    try:
        yield counter
    finally:
        root.removeHandler(counter)


async def _message_with_buttons(emu: BotApiEmulator, chat_id: int, wait: float) -> Message | None:
    """The bot's last message once it carries buttons (a reply may come as two messages), or None."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        message = emu.last_message(chat_id)
        if message is not None and message.buttons:
            return message
        await asyncio.sleep(0.02)
    return None


async def _resident(
    emu: BotApiEmulator,
    watcher: _Watcher,
    user: SimUser,
    index: int,
    timeout: float,  # noqa: ASYNC109
) -> list[tuple[bool, float]]:
    """One resident's steps; each entry is (crisis?, latency in ms or NaN when no reply came)."""
    steps: list[tuple[str, Any]] = []
    if index % 100 == 50:
        steps.append(("crisis", CRISIS))
    steps += [("say", QUESTIONS[index % len(QUESTIONS)]), ("say", "/melding"), ("press", 0), ("say", "/annuleer")]
    results: list[tuple[bool, float]] = []
    for kind, value in steps:
        future = watcher.expect(user.id)
        if kind == "press":
            message = await _message_with_buttons(emu, user.id, timeout)
            if message is None:
                results.append((False, NO_REPLY))
                continue
            emu.press(user, message, value)
        else:
            emu.send_text(user, value)
        try:
            latency = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            latency = NO_REPLY
        results.append((kind == "crisis", latency))
        await asyncio.sleep(0.05)  # a step's reply may come in two requests; let the last one land
    return results


async def run_load(settings: Settings, residents: int, *, timeout: float = 120.0) -> LoadResult:  # noqa: ASYNC109
    """Drive ``residents`` at once through a fresh emulator and the real bot on ``settings``' database."""
    from bot.app import embedded_bot  # the composition root imports telegram: only when run

    with BotApiEmulator(accept_any_token=True) as emu, _count_errors() as errors:
        async with embedded_bot(settings, base_url=emu.base_url, base_file_url=emu.base_file_url):
            await emu.wait_quiet(0.2)
            users = [emu.add_user(f"Inwoner{i}", "nl" if i % 3 else "en") for i in range(residents)]
            start = time.monotonic()
            with _Watcher(emu) as watcher:
                per_resident = await asyncio.gather(
                    *(_resident(emu, watcher, user, i, timeout) for i, user in enumerate(users))
                )
            seconds = time.monotonic() - start
            await emu.wait_quiet(0.3, timeout=30)
    steps = [step for steps in per_resident for step in steps]
    ordinary = [ms for crisis, ms in steps if not crisis and ms == ms]
    crisis = [ms for is_crisis, ms in steps if is_crisis and ms == ms]
    answered = len(ordinary) + len(crisis)
    return LoadResult(
        residents=residents,
        steps=len(steps),
        answered=answered,
        seconds=round(seconds, 2),
        throughput=round(answered / seconds, 1) if seconds else 0.0,
        p50_ms=round(_percentile(ordinary, 0.5), 1),
        p99_ms=round(_percentile(ordinary, 0.99), 1),
        crisis_p50_ms=round(_percentile(crisis, 0.5), 1),
        crisis_max_ms=round(max(crisis), 1) if crisis else NO_REPLY,
        errors=errors.count,
        latencies_ms=ordinary,
    )


def sample_questions() -> list[str]:
    """Every sample question of the knowledge base, both languages (over a thousand distinct texts)."""
    from knowledge.base import load_knowledge_base

    kb = load_knowledge_base()
    return [q for topic in kb.topics.values() for lang in ("nl", "en") for q in topic.lang(lang).questions]


async def _burst(emu: BotApiEmulator, texts: list[str], name: str = "Burst") -> float:
    """One new resident per text sends it, all at once; seconds until the bot has sent every one a reply."""
    users = [emu.add_user(f"{name}{i}", "nl") for i in range(len(texts))]
    seen = len(emu.calls())
    pending = {u.id for u in users}
    start = time.monotonic()
    for user, text in zip(users, texts, strict=True):
        emu.send_text(user, text)
    deadline = start + 300
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} of {len(texts)} residents got no reply")
        calls = emu.calls_since(seen)
        seen += len(calls)
        pending -= {_chat_of(c) for c in calls if c.method == "sendMessage"}
        await asyncio.sleep(0.005)
    return time.monotonic() - start


WARM_UP = 20  # messages before the timed burst, for both bots


async def echo_throughput(texts: list[str]) -> float:
    """Messages per second of a minimal python-telegram-bot echo bot on the emulator (the baseline)."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    async def echo(update: Update, _: object) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    with BotApiEmulator(accept_any_token=True) as emu:
        app = ApplicationBuilder().token("1:echo").base_url(emu.base_url).concurrent_updates(True).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            await app.start()
            await _burst(emu, texts[-WARM_UP:], "Warm")
            seconds = await _burst(emu, texts[:-WARM_UP])
            await app.updater.stop()
            await app.stop()
    return (len(texts) - WARM_UP) / seconds


async def bot_throughput(settings: Settings, texts: list[str]) -> float:
    """Messages per second of our bot with the rate limiter effectively off (questions, one per resident)."""
    from bot.app import embedded_bot

    unlimited = settings.model_copy(update={"telegram_rate_limit": 1_000_000.0})  # validation bypassed on purpose
    with BotApiEmulator(accept_any_token=True) as emu:
        async with embedded_bot(unlimited, base_url=emu.base_url, base_file_url=emu.base_file_url):
            await emu.wait_quiet(0.2)
            await _burst(emu, texts[-WARM_UP:], "Warm")
            seconds = await _burst(emu, texts[:-WARM_UP])
    return (len(texts) - WARM_UP) / seconds


async def throughput_ratio(settings: Settings, count: int) -> dict[str, float]:
    """Both bots get the same ``count`` distinct sample questions (and the same warm-up) on the same emulator
    code, one after the other in this run: no answer can be reused from an earlier message."""
    questions = sample_questions()
    texts = [questions[i % len(questions)] for i in range(count + WARM_UP)]
    ours = await bot_throughput(settings, texts)
    echo = await echo_throughput(texts)
    return {"ours_per_s": round(ours, 1), "echo_per_s": round(echo, 1), "ratio": round(ours / echo, 2)}


async def crisis_in_burst(settings: Settings, count: int) -> dict[str, float]:
    """``count`` residents send distinct questions at once with a crisis message in the middle, production
    rate limiter on: seconds until the crisis reply, and how many ordinary replies went out before it."""
    from bot.app import embedded_bot

    questions = sample_questions()
    with BotApiEmulator(accept_any_token=True) as emu:
        async with embedded_bot(settings, base_url=emu.base_url, base_file_url=emu.base_file_url):
            await emu.wait_quiet(0.2)
            users = [emu.add_user(f"Vraag{i}", "nl") for i in range(count)]
            person = emu.add_user("Crisis", "nl")
            seen = len(emu.calls())
            with _Watcher(emu) as watcher:
                for i, user in enumerate(users[: count // 2]):
                    emu.send_text(user, questions[i % len(questions)])
                reply = watcher.expect(person.id)
                emu.send_text(person, CRISIS)
                for i, user in enumerate(users[count // 2 :], start=count // 2):
                    emu.send_text(user, questions[i % len(questions)])
                crisis_ms = await asyncio.wait_for(reply, 120)
            chats = [_chat_of(c) for c in emu.calls_since(seen) if c.method == "sendMessage"]
            await emu.wait_for(lambda: len({_chat_of(c) for c in emu.calls_since(seen)}) > count, timeout=300)
    return {"crisis_reply_s": round(crisis_ms / 1000, 2), "ordinary_replies_before": chats.index(person.id)}


def _settings(data_dir: Path) -> Settings:
    return Settings(_env_file=None, veiligbot_data_dir=data_dir, log_level="WARNING")  # type: ignore[call-arg]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.dev.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--throughput", type=int, default=0, help="also measure the throughput ratio (M messages)")
    parser.add_argument("--burst", type=int, default=1000, help="ordinary questions around one crisis message")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run_load(_settings(Path(tmp) / "load"), args.residents))
        figures["load"] = {k: v for k, v in asdict(result).items() if k != "latencies_ms"}
        figures["crisis_in_burst"] = asyncio.run(crisis_in_burst(_settings(Path(tmp) / "burst"), args.burst))
        if args.throughput:
            figures["throughput"] = asyncio.run(throughput_ratio(_settings(Path(tmp) / "tp"), args.throughput))
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    ok = result.answered == result.steps and result.errors == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
