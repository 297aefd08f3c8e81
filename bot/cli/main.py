"""The ``veiligbot`` command (README, "Command-line contract"): the bot, the sandbox, the JSON decision tools and
the operations commands.

Pitfall: ``ask`` and ``route`` print JSON that tests and evaluations read; they must call exactly the
code the handlers call (:class:`bot.answering.decision.Answerer`, :class:`bot.routing.router.Router`) and print nothing
else on standard output. They never open the database. Read-only commands (``reports list``, ``kb missed``) open
it without migrating (``upgrade=False``); only ``run`` and ``db upgrade`` (and ``municipality link``, which
writes) bring the schema up to date.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from bot.settings import Settings, SettingsError, configure_logging, load_settings

if TYPE_CHECKING:
    from bot.dev.sandbox import StaffGroup
    from bot.storage.db import Database

EXIT_FAILURE, EXIT_USAGE = 1, 2
T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"veiligbot: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _lines(stream: TextIO) -> Iterable[str]:
    for line in stream:
        text = line.rstrip("\r\n")
        if text.strip():
            yield text


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.services import build_answerer
    from knowledge.base import load_knowledge_base

    answerer = build_answerer(load_knowledge_base())
    texts = _lines(sys.stdin) if args.jsonl else [" ".join(args.text)]
    for text in texts:
        _print_json(answerer.decide(text).to_json())
    return 0


def cmd_route(args: argparse.Namespace) -> int:
    from bot.routing.router import Router
    from knowledge.municipalities import load_municipalities

    router = Router.from_registry(load_municipalities())
    texts = _lines(sys.stdin) if args.jsonl else [" ".join(args.text)]
    for text in texts:
        _print_json(router.route(text).to_json())
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    configure_logging(settings.log_level, [settings.token] if settings.token else None)
    if not settings.token:
        print(
            "veiligbot: TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and put it in the "
            "environment or .env, or try the offline sandbox: veiligbot chat",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.webhook and not settings.webhook_url:
        print("veiligbot: --webhook needs WEBHOOK_URL (the public https:// address of this bot)", file=sys.stderr)
        return EXIT_USAGE
    from bot.app import run

    return run(settings, webhook=args.webhook)


def sandbox_database(settings: Settings, *, fresh_dir: Path | None = None, database: str | None = None) -> str:
    """The sandbox's own database URL: ``--database``, else a file in ``fresh_dir`` (``--fresh``), else
    ``VEILIGBOT_DATA_DIR/sandbox/``.

    Pitfall: never ``settings.database`` (DATABASE_URL or the bot's embedded database): the sandbox links fake
    staff groups and files test reports, which would reach real staff once a municipality is linked there.
    """
    if database:
        return database
    directory = fresh_dir if fresh_dir is not None else settings.veiligbot_data_dir / "sandbox"
    return f"sqlite+aiosqlite:///{(directory / 'veiligbot.sqlite3').resolve()}"


async def _sandbox_staff_groups(settings: Settings) -> list[StaffGroup]:
    """One staff group per municipality for the sandbox (Heerde's a forum), linked where the municipality has no
    chat yet.

    Pitfall: ``settings`` must be the sandbox's (see :func:`sandbox_database`); a municipality already linked
    in the sandbox database (``--database``) keeps its chat.
    """
    from bot.dev.sandbox import SANDBOX_STAFF, sandbox_staff_groups
    from bot.outbox.delivery import link_municipality, staff_chats
    from bot.staff.registry import add_staff
    from bot.storage.db import Database
    from knowledge.municipalities import load_municipalities

    db = Database(settings.database)
    await db.open()
    try:
        linked = await staff_chats(db)
        municipalities = [(m.id, m.name) for m in load_municipalities().municipalities]
        groups = sandbox_staff_groups(municipalities, linked)
        for group in groups:
            if group.municipality not in linked:
                # The sandbox's forum gives the bot every right, so its reports get topics.
                await link_municipality(db, group.municipality, group.chat_id, topics=group.forum)
        # The sandbox's staff members may act on their municipality's reports (in this database only).
        for name, (user_id, municipality) in SANDBOX_STAFF.items():
            await add_staff(db, user_id, municipality, "staff", name)
        return groups
    finally:
        await db.close()


def cmd_chat(args: argparse.Namespace) -> int:
    configure_logging("WARNING")
    with contextlib.ExitStack() as stack:
        fresh_dir = (
            Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="veiligbot-sandbox-"))) if args.fresh else None
        )
        production = _settings()
        # No token either: the sandbox talks to its local emulator only.
        settings = production.model_copy(
            update={
                "database_url": sandbox_database(production, fresh_dir=fresh_dir, database=args.database),
                "telegram_bot_token": None,
            }
        )
        from bot.dev.sandbox import run_interactive, run_script

        groups = asyncio.run(_sandbox_staff_groups(settings))
        if args.script is None:
            return run_interactive(settings, staff_groups=groups)
        if args.script == "-":
            lines = list(sys.stdin)
        else:
            with open(args.script, encoding="utf-8") as fh:
                lines = list(fh)
        return asyncio.run(run_script(lines, settings, sys.stdout, staff_groups=groups))


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.storage.db import Database

    async def go() -> None:
        db = Database(_settings().database)
        await db.open(upgrade=True)
        await db.close()

    asyncio.run(go())
    print("Database schema is up to date.")
    return 0


def cmd_municipality_link(args: argparse.Namespace) -> int:
    from bot.outbox.delivery import link_municipality
    from bot.storage.db import Database
    from knowledge.municipalities import MUNICIPALITY_IDS

    if args.municipality not in MUNICIPALITY_IDS:
        print(
            f"veiligbot: unknown municipality {args.municipality!r}; one of {', '.join(MUNICIPALITY_IDS)}",
            file=sys.stderr,
        )
        return EXIT_USAGE

    async def go() -> None:
        db = Database(_settings().database)
        await db.open()
        await link_municipality(db, args.municipality, args.chat_id)
        await db.close()

    asyncio.run(go())
    print(f"Reports for {args.municipality} now go to chat {args.chat_id}.")
    return 0


def _check_municipality(municipality: str) -> bool:
    from knowledge.municipalities import MUNICIPALITY_IDS

    if municipality in MUNICIPALITY_IDS:
        return True
    print(f"veiligbot: unknown municipality {municipality!r}; one of {', '.join(MUNICIPALITY_IDS)}", file=sys.stderr)
    return False


def _with_db(work: Callable[[Database], Coroutine[None, None, T]]) -> T:
    """Run ``work`` on the bot's database (migrated first: these commands write)."""
    from bot.storage.db import Database

    async def go() -> T:
        db = Database(_settings().database)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(go())


def cmd_municipality_link_code(args: argparse.Namespace) -> int:
    from bot.staff.registry import LINK_CODE_VALIDITY, new_link_code

    if not _check_municipality(args.municipality):
        return EXIT_USAGE
    code = _with_db(lambda db: new_link_code(db, args.municipality))
    hours = int(LINK_CODE_VALIDITY.total_seconds() // 3600)
    print(f"Send '/koppel {code}' in the staff group of {args.municipality} (valid for {hours} hours, once).")
    return 0


def cmd_staff_add(args: argparse.Namespace) -> int:
    from bot.staff.registry import add_staff

    if not _check_municipality(args.municipality):
        return EXIT_USAGE
    new = _with_db(lambda db: add_staff(db, args.user_id, args.municipality, args.role, args.name))
    what = "Added" if new else "Updated"
    print(f"{what} {args.user_id} as {args.role} for {args.municipality}.")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from bot.staff.registry import list_staff

    if args.municipality and not _check_municipality(args.municipality):
        return EXIT_USAGE
    rows = _with_db(lambda db: list_staff(db, args.municipality))
    if not rows:
        print("No staff registered.")
    for staff in rows:
        print(f"{staff.user_id}\t{staff.municipality}\t{staff.role}\t{staff.name or '-'}")
    return 0


def cmd_staff_remove(args: argparse.Namespace) -> int:
    from bot.staff.registry import remove_staff

    if args.municipality and not _check_municipality(args.municipality):
        return EXIT_USAGE
    removed = _with_db(lambda db: remove_staff(db, args.user_id, args.municipality))
    if not removed:
        print(
            f"veiligbot: {args.user_id} is not registered{' for ' + args.municipality if args.municipality else ''}.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(f"Removed {removed} registration(s) of {args.user_id}.")
    return 0


def cmd_municipality_list(args: argparse.Namespace) -> int:
    from bot.cli.operations import list_municipalities
    from knowledge.municipalities import MUNICIPALITY_IDS

    for line in asyncio.run(list_municipalities(_settings().database, MUNICIPALITY_IDS)):
        print(line)
    return 0


def _read_only(view: Coroutine[None, None, T]) -> T:
    """Run a read-only view; a missing or outdated database ends the command with one clear sentence."""
    from bot.storage.db import SchemaNotCurrent

    try:
        return asyncio.run(view)
    except SchemaNotCurrent as exc:
        print(f"veiligbot: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_FAILURE) from None


def cmd_reports_list(args: argparse.Namespace) -> int:
    from bot.cli.operations import list_reports

    rows = _read_only(list_reports(_settings().database, municipality=args.municipality, status=args.status))
    if not rows:
        print("No reports.")
    for row in rows:
        print(row)
    return 0


def cmd_kb_check(args: argparse.Namespace) -> int:
    from knowledge.check import check_knowledge_base

    problems, warnings = check_knowledge_base()
    for warning in warnings:
        print(f"warning: {warning}")
    for problem in problems:
        print(f"error: {problem}")
    if problems:
        print(f"Knowledge base check failed: {len(problems)} error(s).")
        return 1
    print(f"Knowledge base OK ({len(warnings)} warning(s)).")
    return 0


def cmd_kb_eval(args: argparse.Namespace) -> int:
    from bot.dev.evaluation import default_answerer, evaluate_files, evaluate_set, format_report

    if not args.set and not args.questions and not args.urgent:
        print("kb eval: give --set DIR, or --questions FILE and/or --urgent FILE", file=sys.stderr)
        return 2
    answerer = default_answerer()
    for directory in args.set or []:
        print(f"== {directory}")
        print(format_report(evaluate_set(Path(directory), answerer), verbose=args.verbose))
    if args.questions or args.urgent:
        questions = Path(args.questions) if args.questions else None
        report = evaluate_files(questions, Path(args.urgent) if args.urgent else None, answerer)
        print(format_report(report, verbose=args.verbose))
    return 0


def cmd_kb_tune(args: argparse.Namespace) -> int:
    from bot.dev.evaluation import CRISIS_TOPICS, SET_FILES, default_answerer, read_jsonl
    from bot.triage.tuning import Message, choose_levels
    from knowledge.tuning import report_tuning

    answerer = default_answerer()
    question_files = [Path(p) for p in args.questions or []]
    messages: list[Message] = []
    for directory in map(Path, args.set or []):
        question_files += [directory / n for n in SET_FILES[:2] if (directory / n).exists()]
        for name in SET_FILES[2:]:
            if (directory / name).exists():
                messages += [
                    Message(r["text"], r.get("expect_urgency") is not None) for r in read_jsonl(directory / name)
                ]
    for path in question_files:
        # Questions about a crisis topic may rightly get crisis guidance (see bot.dev.evaluation).
        messages += [
            Message(r["text"], False)
            for r in read_jsonl(path)
            if not {r.get("expect"), *r.get("accept", [])} & CRISIS_TOPICS
        ]
    print("Topic decision")
    print(report_tuning(answerer.matcher, question_files))
    levels, score = choose_levels(answerer.triage, messages)
    print("Crisis levels")
    print(
        f"best: {levels}: urgent recall {score.recall:.1%}, urgent or concern {score.urgent_or_concern:.1%}, "
        f"false urgent {score.false_urgent:.1%}, concern on ordinary {score.concern:.1%}"
    )
    return 0


def cmd_kb_missed(args: argparse.Namespace) -> int:
    from bot.cli.operations import missed_report

    print(_read_only(missed_report(_settings().database, limit=args.limit)))
    return 0


def cmd_kb_links(args: argparse.Namespace) -> int:
    from knowledge.base import load_knowledge_base

    for topic in load_knowledge_base().topics.values():
        print(f"https://t.me/{args.bot}?start={topic.id}\t{topic.nl.title}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="veiligbot", description="Veilig Noord-Veluwe Telegram bot")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (long polling; active/standby with other instances)")
    run.add_argument(
        "--webhook", action="store_true", help="take updates on a webhook (WEBHOOK_URL ...) instead of polling"
    )
    run.set_defaults(func=cmd_run)

    chat = sub.add_parser(
        "chat",
        help="offline sandbox: chat with the bot in the terminal",
        description="Offline sandbox with its own database (VEILIGBOT_DATA_DIR/sandbox/ by default); it never "
        "uses the bot's database, not even when DATABASE_URL is set.",
    )
    chat.add_argument("--script", metavar="FILE", help="run inputs from FILE ('-' for standard input)")
    where = chat.add_mutually_exclusive_group()
    where.add_argument("--fresh", action="store_true", help="start from an empty database, deleted on exit")
    where.add_argument("--database", metavar="URL", help="use this SQLAlchemy async URL as the sandbox database")
    chat.set_defaults(func=cmd_chat)

    ask = sub.add_parser("ask", help="what the bot would do with a message (JSON)")
    ask.add_argument("--lang", choices=["nl", "en"], default="nl")
    ask.add_argument("--jsonl", action="store_true", help="one message per line on standard input")
    ask.add_argument("text", nargs="*")
    ask.set_defaults(func=cmd_ask)

    route = sub.add_parser("route", help="which municipality a place belongs to (JSON)")
    route.add_argument("--jsonl", action="store_true", help="one place per line on standard input")
    route.add_argument("text", nargs="*")
    route.set_defaults(func=cmd_route)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="bring the schema up to date").set_defaults(func=cmd_db_upgrade)

    mun = sub.add_parser("municipality", help="municipality settings").add_subparsers(dest="mun_command", required=True)
    link = mun.add_parser(
        "link", help="set the staff chat that receives a municipality's reports (also clears a blocked chat)"
    )
    link.add_argument("municipality")
    link.add_argument("chat_id", type=int)
    link.set_defaults(func=cmd_municipality_link)
    mun.add_parser(
        "list", help="each municipality's staff chat, its delivery health and its undelivered reports"
    ).set_defaults(func=cmd_municipality_list)
    code = mun.add_parser("link-code", help="a one-time code (24 h) that staff send as /koppel CODE in their group")
    code.add_argument("municipality")
    code.set_defaults(func=cmd_municipality_link_code)

    staff = sub.add_parser("staff", help="who may act on reports").add_subparsers(dest="staff_command", required=True)
    add = staff.add_parser("add", help="register a Telegram user id as staff of a municipality")
    add.add_argument("user_id", type=int)
    add.add_argument("municipality")
    add.add_argument("--role", choices=["staff", "coordinator"], default="staff", help="coordinators act for all six")
    add.add_argument("--name", help="how colleagues see this person (residents never do)")
    add.set_defaults(func=cmd_staff_add)
    ls = staff.add_parser("list", help="registered staff")
    ls.add_argument("--municipality")
    ls.set_defaults(func=cmd_staff_list)
    rm = staff.add_parser("remove", help="unregister (from one municipality, or from all)")
    rm.add_argument("user_id", type=int)
    rm.add_argument("municipality", nargs="?")
    rm.set_defaults(func=cmd_staff_remove)

    rep = sub.add_parser("reports", help="reports").add_subparsers(dest="rep_command", required=True)
    lst = rep.add_parser("list", help="reports with their delivery state")
    lst.add_argument("--municipality")
    lst.add_argument("--status")
    lst.set_defaults(func=cmd_reports_list)

    kb = sub.add_parser("kb", help="knowledge-base tools").add_subparsers(dest="kb_command", required=True)
    kb.add_parser("check", help="validate the content").set_defaults(func=cmd_kb_check)
    ev = kb.add_parser("eval", help="answer quality on evaluation sets")
    ev.add_argument("--set", action="append", metavar="DIR", help="a set directory (repeatable; see README)")
    ev.add_argument("--questions", help="a questions file")
    ev.add_argument("--urgent", help="a crisis file (null class = crisis-like, must not be urgent)")
    ev.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    ev.set_defaults(func=cmd_kb_eval)
    tune = kb.add_parser("tune", help="choose the answer thresholds and crisis levels by cross-validation")
    tune.add_argument("--set", action="append", metavar="DIR", help="a tuning set directory (repeatable)")
    tune.add_argument("--questions", action="append", help="a questions file (repeatable)")
    tune.set_defaults(func=cmd_kb_tune)
    missed = kb.add_parser("missed", help="questions the bot could not answer, and topics with most 👎")
    missed.add_argument("--limit", type=int, default=50)
    missed.set_defaults(func=cmd_kb_missed)
    links = kb.add_parser("links", help="deep links per topic (for posters and QR codes)")
    links.add_argument("--bot", default="VeiligNoordVeluweBot", help="the bot's username")
    links.set_defaults(func=cmd_kb_links)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in ("ask", "route") and not args.jsonl and not args.text:
        parser().error(f"{args.command}: give TEXT or --jsonl")
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
