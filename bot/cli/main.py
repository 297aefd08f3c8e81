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
    from bot.stats.export import Row
    from bot.stats.figures import Figures, Villages
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
    configure_logging(settings.log_level, [s for s in (settings.token, settings.smtp_secret) if s])
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
        # No token either: the sandbox talks to its local emulator only. Nor Telegram's 20 messages a minute per
        # group, which would hold every staff card of a demo for 3 s (model_copy skips the field's bound on purpose).
        settings = production.model_copy(
            update={
                "database_url": sandbox_database(production, fresh_dir=fresh_dir, database=args.database),
                "telegram_bot_token": None,
                "telegram_group_rate_limit": 60 * production.telegram_rate_limit,
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

    settings = _settings()

    async def go() -> list[str] | None:
        rights = None
        if settings.token:  # the bot's rights in the chat, as /koppel checks them (handlers.staff.rights)
            from handlers.staff.rights import check_rights_with_token

            rights = await check_rights_with_token(settings.token, settings.telegram_api_base_url, args.chat_id)
        db = Database(settings.database)
        await db.open()
        await link_municipality(db, args.municipality, args.chat_id, topics=rights is not None and rights.topics)
        await db.close()
        if rights is None:
            return None
        mode = "Each report gets its own topic." if rights.topics else "Each report comes as a card."
        return [mode] + ([f"What the bot lacks: {'; '.join(rights.lacks)}."] if rights.lacks else [])

    notes = asyncio.run(go())
    print(f"Reports for {args.municipality} now go to chat {args.chat_id}.")
    if notes is None:
        print(
            "Without TELEGRAM_BOT_TOKEN the bot's rights in the chat were not checked (reports come as cards); "
            "'/koppel' in the group checks them.",
            file=sys.stderr,
        )
    for note in notes or []:
        print(note)
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


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.i18n.catalogs import Catalogs
    from bot.reports.retention import purge_expired
    from bot.routing.router import Router
    from knowledge.municipalities import load_municipalities

    settings = _settings()
    router = Router.from_registry(load_municipalities())
    staff_t = Catalogs(timezone=settings.timezone).get("nl")
    run = _with_db(lambda db: purge_expired(db, router, staff_t, retention_days=settings.retention_days))
    print(
        f"Personal data removed from {run.reports} report(s) closed before {run.cutoff:%Y-%m-%d %H:%MZ} "
        f"(RETENTION_DAYS={settings.retention_days}). The running bot removes its copies in the staff chats."
    )
    return 0


def cmd_municipality_link_code(args: argparse.Namespace) -> int:
    from bot.staff.registry import LINK_CODE_VALIDITY, new_link_code

    if not _check_municipality(args.municipality):
        return EXIT_USAGE
    code = _with_db(lambda db: new_link_code(db, args.municipality))
    hours = int(LINK_CODE_VALIDITY.total_seconds() // 3600)
    print(f"Send '/koppel {code}' in the staff group of {args.municipality} (valid for {hours} hours, once).")
    return 0


def cmd_municipality_email(args: argparse.Namespace) -> int:
    from bot.outbox.email import remove_municipality_email, set_municipality_email
    from bot.reports.drafts import parse_email

    if not _check_municipality(args.municipality):
        return EXIT_USAGE
    if args.off:
        if args.address or args.only:
            print("veiligbot: --off takes no ADDRESS and no --only", file=sys.stderr)
            return EXIT_USAGE
        if not _with_db(lambda db: remove_municipality_email(db, args.municipality)):
            print(f"Reports for {args.municipality} were not sent by e-mail; nothing changed.")
            return 0
        print(f"Reports for {args.municipality} no longer go by e-mail; unsent ones go to its staff chat.")
        return 0
    if not args.address:
        print("veiligbot: give ADDRESS, or --off", file=sys.stderr)
        return EXIT_USAGE
    address = parse_email(args.address)
    if address is None:
        print(f"veiligbot: {args.address!r} is not a valid e-mail address", file=sys.stderr)
        return EXIT_USAGE
    due = _with_db(lambda db: set_municipality_email(db, args.municipality, address, only=args.only))
    how = "only by e-mail (no staff chat)" if args.only else "by e-mail too"
    print(f"Reports for {args.municipality} now go {how} to {address}; {due} waiting report(s) included.")
    if not _settings().smtp_host:
        print("veiligbot: SMTP_HOST is not set: e-mails wait until it is (see README, Configuration).", file=sys.stderr)
    return 0


def cmd_municipality_digest(args: argparse.Namespace) -> int:
    from bot.staff.digest import set_digest

    if not _check_municipality(args.municipality):
        return EXIT_USAGE
    enabled = args.state == "on"
    _with_db(lambda db: set_digest(db, args.municipality, enabled))
    what = "gets the morning digest" if enabled else "gets no morning digest"
    print(f"The staff chat of {args.municipality} {what}.")
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


def _open_read_only(url: str) -> Coroutine[None, None, Database]:
    from bot.storage.db import Database

    async def go() -> Database:
        db = Database(url)
        await db.open(upgrade=False)
        return db

    return go()


def _villages() -> tuple[Villages, dict[str, str]]:
    from bot.routing.router import Router
    from bot.stats.figures import Villages
    from knowledge.municipalities import load_municipalities

    registry = load_municipalities()
    return Villages(Router.from_registry(registry), registry), {m.id: m.name for m in registry.municipalities}


def cmd_stats(args: argparse.Namespace) -> int:
    """The figures of ``/stats`` for one municipality, in Dutch; ``--png`` also writes the chart."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from bot.i18n.catalogs import Catalogs
    from bot.stats.chart import draw_chart
    from bot.stats.figures import figures
    from bot.stats.period import PeriodError, parse_period
    from bot.stats.render import render
    from bot.workflow.deadlines import DeadlinePolicy

    if not _check_municipality(args.municipality):
        return EXIT_USAGE
    settings = _settings()
    tz = ZoneInfo(settings.timezone)
    try:
        period = parse_period(args.since, dt.datetime.now(tz).date())
    except PeriodError as exc:
        print(f"veiligbot: --since: {exc}", file=sys.stderr)
        return EXIT_USAGE
    villages, names = _villages()

    async def go() -> Figures:
        db = await _open_read_only(settings.database)
        try:
            return await figures(db, [args.municipality], period, tz, villages, DeadlinePolicy.from_settings(settings))
        finally:
            await db.close()

    result = _read_only(go())
    t = Catalogs(timezone=settings.timezone).get("nl")
    print(render(result, names[args.municipality], t, html=False))
    if args.png:
        Path(args.png).write_bytes(draw_chart(result, names[args.municipality], t))
        print(f"Chart written to {args.png}.", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Reports for the uitvoeringsplan on standard output (bot.stats.export)."""
    import datetime as dt
    import getpass
    from zoneinfo import ZoneInfo

    from bot.stats.export import export_rows, to_csv, to_json
    from bot.stats.period import Period, PeriodError, parse_date

    if not _check_municipality(args.municipality):
        return EXIT_USAGE
    settings = _settings()
    tz = ZoneInfo(settings.timezone)
    try:
        since = parse_date(args.since)
        until = parse_date(args.until) if args.until else dt.datetime.now(tz).date()
    except PeriodError as exc:
        print(f"veiligbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if since > until:
        print("veiligbot: --since is after --until", file=sys.stderr)
        return EXIT_USAGE
    villages, _names = _villages()
    try:
        who: str | None = getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        who = None

    async def go() -> list[Row]:
        db = await _open_read_only(settings.database)
        try:
            return await export_rows(
                db, args.municipality, Period(since, until), tz, villages, with_contact=args.with_contact, who=who
            )
        finally:
            await db.close()

    rows = _read_only(go())
    data = to_json(rows) if args.format == "json" else to_csv(rows, with_contact=args.with_contact)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    if args.with_contact:
        print(f"Recorded the export of contact details on {len(rows)} report(s).", file=sys.stderr)
    return 0


def cmd_demo_reports(args: argparse.Namespace) -> int:
    """Demo reports in the sandbox's database (bot.dev.demo); never the bot's own unless --database says so."""
    from bot.dev.demo import generate_demo_reports
    from bot.dev.sandbox import SANDBOX_STAFF
    from bot.i18n.catalogs import Catalogs
    from bot.staff.auth import Actor
    from bot.storage.db import Database
    from knowledge.municipalities import load_municipalities

    if not _check_municipality(args.municipality):
        return EXIT_USAGE
    settings = _settings()
    url = sandbox_database(settings, database=args.database)
    if args.database is None:
        (settings.veiligbot_data_dir / "sandbox").mkdir(parents=True, exist_ok=True)
    registry = load_municipalities()
    names: dict[str, str] = {m.id: m.name for m in registry.municipalities}
    places = [p.name for m in registry.municipalities if m.id == args.municipality for p in m.places]
    staff_id, staff_name = next(
        ((uid, name) for name, (uid, mun) in SANDBOX_STAFF.items() if mun == args.municipality), (1, None)
    )

    async def go() -> int:
        db = Database(url)
        await db.open()
        try:
            ids = await generate_demo_reports(
                db,
                Catalogs(timezone=settings.timezone),
                names,
                args.municipality,
                places,
                Actor(staff_id, "staff", staff_name),
                count=args.count,
                seed=args.seed,
            )
            return len(ids)
        finally:
            await db.close()

    made = asyncio.run(go())
    print(f"Filed {made} demo reports for {args.municipality} in {url}")
    command = f"veiligbot stats --municipality {args.municipality} --since 84d --png chart.png"
    print(f"Statistics: DATABASE_URL='{url}' {command}")
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
    from bot.triage.tuning import LevelScore, Message, assess, best_levels, cross_validate, measure
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
    assessed = assess(answerer.triage, messages)
    levels = best_levels(assessed)

    def described(score: LevelScore) -> str:
        return (
            f"urgent recall {score.recall:.1%}, urgent or concern {score.urgent_or_concern:.1%}, "
            f"false urgent {score.false_urgent:.1%}, concern on ordinary {score.concern:.1%}"
        )

    print("Crisis levels")
    print(f"held-out (5-fold): {described(cross_validate(assessed))}")
    print(f"best: {levels}: {described(measure(assessed, levels))}")
    print(f"current: {answerer.triage.levels}: {described(measure(assessed, answerer.triage.levels))}")
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
        "list",
        help="each municipality's staff chat and e-mail address, their delivery health and undelivered reports",
    ).set_defaults(func=cmd_municipality_list)
    email = mun.add_parser(
        "email",
        help="also (or, with --only, instead) deliver a municipality's reports by e-mail; --off removes it",
        description="Reports filed from now on, and waiting reports that reached nobody yet, go to ADDRESS. "
        "Running it again (same or new address) makes e-mails the server refused due again.",
    )
    email.add_argument("municipality")
    email.add_argument("address", nargs="?")
    email.add_argument("--only", action="store_true", help="e-mail instead of the staff chat")
    email.add_argument("--off", action="store_true", help="stop e-mail delivery (unsent e-mails become cards)")
    email.set_defaults(func=cmd_municipality_email)
    code = mun.add_parser("link-code", help="a one-time code (24 h) that staff send as /koppel CODE in their group")
    code.add_argument("municipality")
    code.set_defaults(func=cmd_municipality_link_code)
    digest = mun.add_parser("digest", help="switch the morning digest in the staff chat on or off")
    digest.add_argument("municipality")
    digest.add_argument("state", choices=["on", "off"])
    digest.set_defaults(func=cmd_municipality_digest)

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

    stats = sub.add_parser("stats", help="the figures of /stats for one municipality (in Dutch)")
    stats.add_argument("--municipality", required=True, metavar="ID")
    stats.add_argument(
        "--since", metavar="PERIOD", help="YYYY-MM-DD (up to today), 30d, 2026 or 2026-11; default: the last 30 days"
    )
    stats.add_argument("--png", metavar="FILE", help="also draw the chart (reports per week per theme) to FILE")
    stats.set_defaults(func=cmd_stats)

    export = sub.add_parser(
        "export", help="reports for the uitvoeringsplan on standard output (no personal data unless --with-contact)"
    )
    export.add_argument("--municipality", required=True, metavar="ID")
    export.add_argument("--since", required=True, metavar="YYYY-MM-DD", help="filed on or after this day")
    export.add_argument("--until", metavar="YYYY-MM-DD", help="filed on or before this day (default: today)")
    export.add_argument("--format", choices=["csv", "json"], default="csv", help="csv (Excel, ;) or json")
    export.add_argument(
        "--with-contact",
        action="store_true",
        help="add the description and the contact details residents left; recorded as an event on each report",
    )
    export.set_defaults(func=cmd_export)

    demo = sub.add_parser("demo", help="development helpers").add_subparsers(dest="demo_command", required=True)
    demo_reports = demo.add_parser(
        "reports", help="file demo reports with a history in the sandbox's database (never the bot's own)"
    )
    demo_reports.add_argument("municipality")
    demo_reports.add_argument("--count", type=int, default=40)
    demo_reports.add_argument("--seed", type=int, default=1)
    demo_reports.add_argument("--database", metavar="URL", help="this database instead of the sandbox's")
    demo_reports.set_defaults(func=cmd_demo_reports)
    sub.add_parser("purge", help="remove personal data past the retention period now").set_defaults(func=cmd_purge)

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
