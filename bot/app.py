"""The composition root: builds the python-telegram-bot ``Application`` and wires every handler.

Everything long-lived is created here, not at import time: content and indexes in
:func:`build_application`, the database engine in ``post_init`` (closed in ``post_shutdown``).

Pitfalls:
- ``post_init``/``post_shutdown`` run only under PTB's ``run_polling``/``run_webhook``, which we do not use:
  :func:`serve` (`veiligbot run`) and :func:`embedded_bot` (sandbox, end-to-end tests) call them themselves.
- Handler order matters: the report conversation comes before the free-text answerer so that a resident
  in the middle of a report is not answered from the knowledge base.
- Updates are processed one at a time (PTB's default), which the report conversation relies on.
- ``context.bot_data`` is a :class:`handlers.common.BotData`, which PTB creates empty in ``build()``;
  :func:`build_application` fills it, so it is complete before ``post_init`` and any handler run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.answering.batching import BatchedTriage
from bot.i18n.catalogs import N_, SUPPORTED_LANGUAGES
from bot.leader import LeaderLease
from bot.residents.limits import MessageLimiter
from bot.services import Services, build_services
from bot.settings import Settings
from handlers import errors, jobs
from handlers.callbacks import (
    CrisisHelpPress,
    FeedbackPress,
    LanguagePress,
    MenuPress,
    MorePress,
    NoneOfThesePress,
    ResidentPress,
    StaffPress,
    ThemePress,
    TopicPress,
)
from handlers.common import App, BotData, Context, unknown_press
from handlers.flow_control import ChatOrderedUpdateProcessor, PriorityRateLimiter
from handlers.gate import Gate
from handlers.persistence import DraftPersistence
from handlers.resident import answers, my_reports, report_flow, start
from handlers.staff import actions as staff_actions
from handlers.staff import commands as staff_commands
from handlers.staff import resident as staff_resident
from handlers.staff import stats as staff_stats
from handlers.staff import typed as staff_typed

if TYPE_CHECKING:
    from bot.webhook import WebhookServer  # tornado is imported only in webhook mode

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "123456:SANDBOX-NOT-A-REAL-TOKEN"  # noqa: S105 - placeholder for the local emulator

# Command menu, per language; the Dutch list is also the default for every other language.
COMMANDS = [
    ("start", N_("Start: themes and topics")),
    ("melding", N_("Report a non-urgent concern to your municipality")),
    ("mijnmeldingen", N_("My reports and their status")),
    ("taal", N_("Language: Nederlands / English")),
    ("privacy", N_("What is stored and how to delete it")),
    ("help", N_("How this bot works")),
]


def build_application(
    settings: Settings,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    services: Services | None = None,
) -> App:
    """The bot, ready for ``run_polling`` or :func:`embedded_bot`.

    ``base_url`` overrides ``TELEGRAM_API_BASE_URL`` (the sandbox and tests point it at the emulator).
    """
    services = services or build_services(settings)
    token = settings.token or SANDBOX_TOKEN
    builder = (
        ApplicationBuilder()
        .context_types(ContextTypes(bot_data=BotData))
        .job_queue(JobQueue[Context]())  # PTB's default, typed with our context
        .token(token)
        .base_url(base_url or settings.telegram_api_base_url)
        .rate_limiter(
            PriorityRateLimiter(
                overall_rate=settings.telegram_rate_limit,
                group_rate=settings.telegram_group_rate_limit / 60,
                max_retries=3,
            )
        )
        .concurrent_updates(ChatOrderedUpdateProcessor(is_crisis=BatchedTriage(services.answerer).is_crisis))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=ZoneInfo(settings.timezone),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .persistence(DraftPersistence(services.db))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    file_url = base_file_url or settings.telegram_api_base_file_url
    if file_url:
        builder = builder.base_file_url(file_url)
    app: App = builder.build()
    app.bot_data.fill(services)
    _register(app, services)
    return app


def _register(app: App, services: Services) -> None:
    # New messages only: an edit never runs a command or moves the report flow (answers.edited_message).
    new = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE & new
    groups = filters.ChatType.GROUPS & new
    # The gate first: channel posts, unlinked groups, unreadable content, too large photos, the message limit.
    app.add_handler(TypeHandler(Update, Gate(MessageLimiter(services.settings.messages_per_minute))), group=-10)
    # Staff work comes first (group -2): commands, a composition's text, internal notes, a resident's answer to
    # a staff question. Each stops the later groups only when it used the update.
    staff_chats = (filters.ChatType.PRIVATE | filters.ChatType.GROUPS) & new
    app.add_handler(CommandHandler("open", staff_commands.open_command, filters=staff_chats), group=-2)
    app.add_handler(CommandHandler("mijn", staff_commands.mine_command, filters=staff_chats), group=-2)
    app.add_handler(CommandHandler("melding", staff_commands.report_command, filters=staff_chats), group=-2)
    app.add_handler(CommandHandler("koppel", staff_commands.link_command, filters=groups), group=-2)
    app.add_handler(CommandHandler("stats", staff_stats.stats_command, filters=staff_chats), group=-2)
    app.add_handler(CommandHandler(staff_typed.NAMES, staff_typed.staff_command, filters=staff_chats), group=-2)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & staff_chats, staff_actions.staff_text), group=-2)
    app.add_handler(report_flow.conversation(services.settings))
    app.add_handler(CommandHandler("start", start.start, filters=private))
    app.add_handler(CommandHandler(["help", "hulp"], start.help_command, filters=private))
    app.add_handler(CommandHandler(["taal", "language"], start.language_menu, filters=private))
    app.add_handler(CommandHandler("privacy", start.privacy, filters=private))
    app.add_handler(CommandHandler("chatid", start.chat_id, filters=filters.ChatType.GROUPS & new))
    # Inside a report the conversation takes these itself; here there is nothing to cancel.
    app.add_handler(CommandHandler(["cancel", "annuleer", "stop"], start.nothing_to_cancel, filters=private))
    for handler in my_reports.resident_handlers():
        app.add_handler(handler)
    app.add_handler(CallbackQueryHandler(start.language_chosen, pattern=LanguagePress.matches))
    app.add_handler(CallbackQueryHandler(answers.theme_pressed, pattern=ThemePress.matches))
    app.add_handler(CallbackQueryHandler(answers.topic_pressed, pattern=TopicPress.matches))
    app.add_handler(CallbackQueryHandler(answers.feedback_pressed, pattern=FeedbackPress.matches))
    app.add_handler(CallbackQueryHandler(answers.more_pressed, pattern=MorePress.matches))
    app.add_handler(CallbackQueryHandler(answers.crisis_help_pressed, pattern=CrisisHelpPress.matches))
    app.add_handler(CallbackQueryHandler(answers.menu_pressed, pattern=MenuPress.matches))
    app.add_handler(CallbackQueryHandler(answers.none_pressed, pattern=NoneOfThesePress.matches))
    app.add_handler(CallbackQueryHandler(staff_actions.staff_pressed, pattern=StaffPress.matches))
    app.add_handler(CallbackQueryHandler(staff_resident.resident_pressed, pattern=ResidentPress.matches))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & private, answers.free_text))
    app.add_handler(MessageHandler((filters.PHOTO | filters.LOCATION) & private, answers.media_outside_flow))
    edited = filters.UpdateType.EDITED_MESSAGE & filters.ChatType.PRIVATE & (filters.TEXT | filters.CAPTION)
    app.add_handler(MessageHandler(edited, answers.edited_message))
    app.add_handler(CallbackQueryHandler(unknown_press))  # last: every press gets an answer
    app.add_error_handler(errors.error_handler)


async def _post_init(app: App, lease: LeaderLease | None = None) -> None:
    """``lease``: the leader lease of `veiligbot run` (the outboxes claim rows as its holder and check its fence)."""
    services = app.bot_data.services
    await services.db.open()
    for lang in SUPPORTED_LANGUAGES:
        t = services.catalogs.get(lang)
        commands = [BotCommand(name, t.gettext(description)) for name, description in COMMANDS]
        await app.bot.set_my_commands(commands, language_code=lang)
        # The default list is for every other Telegram language (German, Polish ...): DEFAULT_LANGUAGE, Dutch
        # unless configured otherwise, matching the language those residents get answers in.
        if lang == services.settings.default_language:
            await app.bot.set_my_commands(commands)
    jobs.schedule_jobs(app, services, lease=lease)
    staff_stats.schedule_weekly_digest(app, services.settings.timezone)
    log.info("Bot started (%s)", services.settings.describe())


async def _post_shutdown(app: App) -> None:
    services = app.bot_data.services
    await services.db.close()


@asynccontextmanager
async def embedded_bot(
    settings: Settings, *, base_url: str, base_file_url: str, services: Services | None = None
) -> AsyncIterator[App]:
    """Run the real bot inside the caller's event loop (sandbox and end-to-end tests).

    Mirrors ``run_polling``: initialize → post_init → start polling → start; and in reverse on exit.
    """
    app = build_application(settings, base_url=base_url, base_file_url=base_file_url, services=services)
    await app.initialize()
    try:
        await _post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
    finally:
        await app.shutdown()
        await _post_shutdown(app)


SHUTDOWN_GRACE_SECONDS = 20.0  # for the outboxes to finish the row they are sending (systemd waits 90 s)


async def serve(settings: Settings, *, webhook: bool = False) -> int:
    """Production: wait to become the active instance, then poll (or take webhooks) until SIGINT/SIGTERM.

    The order matters. Content and indexes are built first, so a standby takes over at once. PTB's
    ``initialize`` (which loads every resident's report step from the database) runs only after this instance
    holds the leader lease, so a standby resumes residents where the active one left them. On shutdown the
    outboxes stop first (the row being sent finishes, within the grace period), then updates stop, then the
    lease is given up so a standby takes over at its next poll. Returns 1 when the lease was lost (another
    instance took over), so a service manager restarts this one as a standby.
    """
    import secrets
    import signal

    from bot.webhook import WebhookServer, webhook_path

    app = build_application(settings)
    services = app.bot_data.services
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await services.db.open()
    lease = LeaderLease(services.db, ttl=settings.leader_lease_seconds)
    server: WebhookServer | None = None
    secret = ""
    if webhook:
        assert settings.webhook_url is not None
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else secrets.token_urlsafe(32)

        async def on_update(data: dict[str, object]) -> None:
            await app.update_queue.put(Update.de_json(data, app.bot))

        server = WebhookServer(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            path=webhook_path(settings.webhook_url),
            secret=secret,
            on_update=on_update,
        )
        await server.start()  # a standby answers the health check (503) while it waits
    try:
        waiting = asyncio.create_task(lease.wait())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not waiting.done():
            waiting.cancel()
            stopping.cancel()
            log.info("Stopped while on standby")
            return 0
        stopping.cancel()
        return await _active(app, lease, stop, server, settings, secret)
    finally:
        if server is not None:
            await server.stop()
        await services.db.close()


async def _active(
    app: App, lease: LeaderLease, stop: asyncio.Event, server: WebhookServer | None, settings: Settings, secret: str
) -> int:
    keeping = asyncio.create_task(lease.keep())
    lost = False
    await app.initialize()
    try:
        await _post_init(app, lease)
        if server is not None:
            assert settings.webhook_url is not None
            # Active before Telegram knows the URL: its first push may come before set_webhook returns, and an
            # update taken now waits in the queue for app.start() instead of a 503 and a retry later.
            server.state = "active"
            await app.bot.set_webhook(settings.webhook_url, allowed_updates=Update.ALL_TYPES, secret_token=secret)
        else:
            assert app.updater is not None
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        await app.start()
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({keeping, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        lost = keeping.done()
        if server is not None:
            server.state = "stopping"  # new updates get 503: Telegram keeps them for the next active instance
        await _stop_outboxes(app)
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
    finally:
        keeping.cancel()
        await app.shutdown()
        if not lost:
            try:
                await lease.release()
            except Exception as exc:  # the lease then simply runs out
                log.warning("Could not release the leader lease (%s)", type(exc).__name__)
    log.info("Stopped")
    return 1 if lost else 0


async def _stop_outboxes(app: App) -> None:
    """The outboxes first: no new row is started, and the one being sent finishes within the grace period."""
    boxes = [b for b in (app.bot_data.outbox, app.bot_data.messages, app.bot_data.email) if b is not None]
    for box in boxes:
        box.stop()
    try:
        await asyncio.wait_for(asyncio.gather(*(b.wait_idle() for b in boxes)), SHUTDOWN_GRACE_SECONDS)
    except TimeoutError:
        log.warning("The outbox did not finish its current row within %.0f s", SHUTDOWN_GRACE_SECONDS)


def run(settings: Settings, *, webhook: bool = False) -> int:
    """`veiligbot run`: :func:`serve` in its own event loop; the process's exit status."""
    return asyncio.run(serve(settings, webhook=webhook))
