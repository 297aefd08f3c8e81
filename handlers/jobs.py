"""Background jobs: delivering reports to staff chats and by e-mail (the outboxes), expiring idle drafts,
housekeeping, question deadlines, lapsed claims and the morning digest (08:30 on working days, refreshed through
the day).

Pitfall: PTB does not persist jobs; they are scheduled again in ``post_init`` on every start, and all their
state lives in the database (outbox rows, draft timestamps), so a restart loses nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from telegram import InputMediaPhoto, ReplyKeyboardRemove, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.i18n.catalogs import as_lang
from bot.leader import LeaderLease
from bot.outbox.claims import Claims
from bot.outbox.delivery import Outbox, RetryLater, TargetGone, TargetMoved, TopicsUnavailable
from bot.outbox.email import EmailOutbox, SmtpConfig, SmtpTransport, village_of
from bot.outbox.messages import MessageOutbox
from bot.outbox.views import Buttons
from bot.reports.drafts import Drafts
from bot.services import Services
from bot.staff.card import StaffCards
from bot.staff.digest import DIGEST_TIME, Digests
from bot.workflow.deadlines import DeadlinePolicy
from handlers.common import App, Context, services
from handlers.staff.keyboard import markup

log = logging.getLogger(__name__)


@contextmanager
def _as_outbox_errors() -> Iterator[None]:
    """Telegram's failures as the outbox's domain errors (``telegram`` stays out of bot/).

    ChatMigrated (the group became a supergroup) → :class:`TargetMoved`; Forbidden (the bot was removed or
    blocked) and "chat not found" → :class:`TargetGone`; every other Telegram failure (429 with its
    retry_after, other 4xx, 5xx, network) → :class:`RetryLater`. Anything else passes through unchanged.
    """
    try:
        yield
    except RetryAfter as exc:
        retry_after = exc.retry_after
        seconds = retry_after.total_seconds() if isinstance(retry_after, dt.timedelta) else float(retry_after)
        raise RetryLater("429 Too Many Requests", seconds) from exc
    except ChatMigrated as exc:
        raise TargetMoved(int(exc.new_chat_id)) from exc
    except Forbidden as exc:
        raise TargetGone(_describe(exc), type(exc).__name__) from exc
    except BadRequest as exc:
        if exc.message.lower() == "chat not found":  # a wrong or deleted chat id: only relinking helps
            raise TargetGone(_describe(exc), type(exc).__name__) from exc
        raise RetryLater(f"{type(exc).__name__}: {exc.message}") from exc
    except NetworkError as exc:
        # No answer (timed out, connection dropped: PTB wraps httpx's errors): Telegram may have taken the
        # message all the same. A 5xx is a NetworkError too, but an answer: the message was not taken.
        unanswered = isinstance(exc, TimedOut) or exc.message.startswith("httpx.")
        raise RetryLater(f"{type(exc).__name__}: {exc.message}", unanswered=unanswered) from exc
    except TelegramError as exc:
        raise RetryLater(f"{type(exc).__name__}: {exc.message}") from exc


def _describe(exc: TelegramError) -> str:
    """For the operator, e.g. ``Forbidden: bot was kicked from the group chat``, ``BadRequest: Chat not found``."""
    name = type(exc).__name__
    return exc.message if exc.message.startswith(name) else f"{name}: {exc.message}"


class TelegramSender:
    """Sends staff cards and their photos with the bot (the :class:`bot.outbox.delivery.Sender` for Telegram)."""

    def __init__(self, app: App) -> None:
        self._bot = app.bot

    async def send_card(
        self, chat_id: int, text: str, buttons: Buttons | None = None, *, thread_id: int | None = None
    ) -> int:
        with _as_outbox_errors():
            message = await self._bot.send_message(
                chat_id, text, reply_markup=markup(buttons or []), message_thread_id=thread_id
            )
        return int(message.message_id)

    async def create_topic(self, chat_id: int, name: str) -> int:
        try:
            with _as_outbox_errors():
                topic = await self._bot.create_forum_topic(chat_id, name)
        except RetryLater as exc:
            reason = str(exc).lower()
            if "not enough rights" in reason or "not a forum" in reason:
                raise TopicsUnavailable(str(exc)) from exc
            raise
        return int(topic.message_thread_id)

    async def send_photos(self, chat_id: int, file_ids: list[str], reply_to: int) -> None:
        """Pitfall: an album (sendMediaGroup) needs 2-10 items; Telegram refuses one, so one goes alone."""
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True)
        with _as_outbox_errors():
            if len(file_ids) == 1:
                await self._bot.send_photo(chat_id, file_ids[0], reply_parameters=reply)
            else:
                media = [InputMediaPhoto(file_id) for file_id in file_ids]
                await self._bot.send_media_group(chat_id, media, reply_parameters=reply)


class TelegramMessageSender:
    """Resident messages, card edits, thread posts and topic changes (bot.outbox.messages.MessageSender)."""

    def __init__(self, app: App) -> None:
        self._bot = app.bot

    async def send_message(
        self, chat_id: int, text: str, buttons: Buttons, *, reply_to: int | None = None, thread_id: int | None = None
    ) -> int:
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to is not None else None
        with _as_outbox_errors():
            message = await self._bot.send_message(
                chat_id, text, reply_markup=markup(buttons), reply_parameters=reply, message_thread_id=thread_id
            )
        return int(message.message_id)

    async def edit_message(self, chat_id: int, message_id: int, text: str, buttons: Buttons) -> None:
        try:
            with _as_outbox_errors():
                await self._bot.edit_message_text(text, chat_id, message_id, reply_markup=markup(buttons))
        except RetryLater as exc:
            if "message is not modified" in str(exc).lower():
                return  # the card already shows this
            raise

    async def topic(self, chat_id: int, thread_id: int, op: str) -> None:
        try:
            with _as_outbox_errors():
                if op == "close":
                    await self._bot.close_forum_topic(chat_id, thread_id)
                elif op == "reopen":
                    await self._bot.reopen_forum_topic(chat_id, thread_id)
                elif op == "delete":
                    await self._bot.delete_forum_topic(chat_id, thread_id)
        except RetryLater as exc:
            reason = str(exc).lower()
            # Retention: without the right to delete, the card was redrawn without personal data already; a
            # topic that is gone needs nothing.
            if op == "delete" and ("not enough rights" in reason or "topic_id_invalid" in reason):
                log.warning("Could not delete a report's forum topic (%s)", exc)
                return
            raise

    async def delete_message(self, chat_id: int, message_id: int) -> bool:
        try:
            with _as_outbox_errors():
                await self._bot.delete_message(chat_id, message_id)
        except RetryLater as exc:
            reason = str(exc).lower()
            if "can't be deleted" in reason or "not found" in reason:
                return False  # older than 48 hours, no right, or gone: the caller edits instead
            raise
        return True


class TelegramDigestSender:
    """Posts, pins and edits the morning digest (bot.staff.digest.DigestSender)."""

    def __init__(self, app: App) -> None:
        self._bot = app.bot

    async def post(self, chat_id: int, text: str) -> int:
        with _as_outbox_errors():
            message = await self._bot.send_message(chat_id, text)
        return int(message.message_id)

    async def pin(self, chat_id: int, message_id: int) -> None:
        try:
            await self._bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except TelegramError as exc:  # not an administrator: the digest is there, unpinned
            log.warning("Could not pin the digest (%s)", type(exc).__name__)

    async def unpin(self, chat_id: int, message_id: int) -> None:
        try:
            await self._bot.unpin_chat_message(chat_id, message_id)
        except TelegramError as exc:
            log.info("Could not unpin yesterday's digest (%s)", type(exc).__name__)

    async def edit(self, chat_id: int, message_id: int, text: str) -> None:
        try:
            with _as_outbox_errors():
                await self._bot.edit_message_text(text, chat_id, message_id)
        except RetryLater as exc:
            if "message is not modified" in str(exc).lower():
                return
            raise


def deliver_now(context: Context) -> None:
    """Run the outbox right away (after a report is filed) instead of waiting for the next interval."""
    if context.job_queue is not None and context.bot_data.outbox is not None:
        # No misfire limit: on a busy machine the job may start late (APScheduler drops a job over 1 s late).
        context.job_queue.run_once(_deliver_job, 0, name="deliver-now", job_kwargs={"misfire_grace_time": None})


async def _deliver_job(context: Context) -> None:
    outbox = context.bot_data.outbox
    if outbox is not None:
        await outbox.run_once()
    messages = context.bot_data.messages
    if messages is not None:
        await messages.run_once()
    email = context.bot_data.email
    if email is not None:
        await email.run_once()


async def _expire_drafts_job(context: Context) -> None:
    svc = services(context)
    timeout = dt.timedelta(minutes=svc.settings.draft_timeout_minutes)
    for expired in await Drafts(svc.db).expire(timeout):
        chat_id = expired.chat_id
        t = svc.catalogs.get(as_lang(expired.language) or as_lang(svc.settings.default_language) or "nl")
        try:
            await context.bot.send_message(
                chat_id,
                t.gettext(
                    "Your unfinished report was not used for {minutes} minutes and has been removed. "
                    "Start again with /melding."
                ).format(minutes=svc.settings.draft_timeout_minutes),
                reply_markup=ReplyKeyboardRemove(),
            )
        except TelegramError:
            log.warning("Could not tell a resident that their draft expired")


async def _question_deadlines_job(context: Context) -> None:
    """Reminders on working day 3 of an open question, back to the queue on day 5 (bot.workflow.engine)."""
    from zoneinfo import ZoneInfo

    from bot.workflow.engine import Workflow, question_deadlines

    svc = services(context)
    names: dict[str, str] = {m.id: m.name for m in svc.municipalities.municipalities}
    workflow = Workflow(svc.db, svc.catalogs, names)
    if await question_deadlines(workflow, svc.db, ZoneInfo(svc.settings.timezone)):
        deliver_now(context)


async def _claim_lapses_job(context: Context) -> None:
    """Remind assignees of reports with no action for CLAIM_LAPSE_WORKING_HOURS (bot.workflow.claims)."""
    from bot.staff.registry import staff_names
    from bot.workflow.claims import remind_lapsed_claims

    svc = services(context)
    policy = DeadlinePolicy.from_settings(svc.settings)
    if await remind_lapsed_claims(svc.db, policy, svc.catalogs.get("nl"), await staff_names(svc.db)):
        deliver_now(context)


async def _digest_job(context: Context) -> None:
    """08:30 on Monday to Friday: post (or update) each group's digest; skipped on public holidays."""
    job = context.job
    if job is not None and isinstance(job.data, Digests) and (await job.data.run(post=True)).redrawn:
        deliver_now(context)  # the cards' time left


async def _digest_refresh_job(context: Context) -> None:
    """Through the day: edit today's digests in place when the picture changed (never posts)."""
    job = context.job
    if job is not None and isinstance(job.data, Digests):
        await job.data.run(post=False)


async def _housekeeping_job(context: Context) -> None:
    from bot.answering.feedback import purge_missed
    from bot.residents.limits import purge_quota
    from bot.residents.topics import purge_topics

    await purge_missed(services(context).db)
    await purge_quota(services(context).db)
    await purge_topics(services(context).db)


async def _retention_job(context: Context) -> None:
    """Daily: personal data of reports closed more than RETENTION_DAYS ago (bot.reports.retention)."""
    from bot.reports.retention import purge_expired

    svc = services(context)
    run = await purge_expired(svc.db, svc.router, svc.catalogs.get("nl"), retention_days=svc.settings.retention_days)
    if run.reports:
        log.info("Retention: personal data removed from %s closed reports", run.reports)
        deliver_now(context)  # the staff-chat clean-up


def email_outbox(
    services: Services, claims: Claims | None = None, active: Callable[[], bool] | None = None
) -> EmailOutbox | None:
    """The e-mail outbox when ``SMTP_HOST`` is set (then ``SMTP_FROM`` is too: the settings check it)."""
    settings = services.settings
    if not settings.smtp_host or not settings.smtp_from:
        return None
    config = SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_secret,
        starttls=settings.smtp_starttls,
    )
    router = services.router
    return EmailOutbox(
        services.db,
        SmtpTransport(config),
        services.catalogs.get("nl"),
        sender=settings.smtp_from,
        municipality_names={m.id: m.name for m in services.municipalities.municipalities},
        village=lambda report: village_of(router, report),
        claims=claims,
        active=active,
    )


def schedule_jobs(
    app: App, services: Services, *, delivery_interval: float = 10.0, lease: LeaderLease | None = None
) -> None:
    """``lease``: the active instance's leader lease; the outboxes claim rows as its holder and send only while
    it is held. Without it (sandbox, tests) they claim as this process."""
    staff_t = services.catalogs.get("nl")
    names: dict[str, str] = {m.id: m.name for m in services.municipalities.municipalities}
    policy = DeadlinePolicy.from_settings(services.settings)
    cards = StaffCards(services.db, staff_t, names, policy)
    claims = Claims(services.db, lease.holder) if lease is not None else None
    active = lease.held if lease is not None else None
    app.bot_data.outbox = Outbox(services.db, TelegramSender(app), staff_t, cards, claims=claims, active=active)
    app.bot_data.messages = MessageOutbox(services.db, TelegramMessageSender(app), cards, claims=claims, active=active)
    app.bot_data.email = email_outbox(services, claims, active)
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    app.job_queue.run_repeating(_deliver_job, interval=delivery_interval, first=1, name="deliver")
    app.job_queue.run_repeating(_expire_drafts_job, interval=60, first=30, name="expire-drafts")
    app.job_queue.run_repeating(_housekeeping_job, interval=3600, first=60, name="housekeeping")
    app.job_queue.run_repeating(_question_deadlines_job, interval=3600, first=120, name="question-deadlines")
    app.job_queue.run_repeating(_claim_lapses_job, interval=900, first=180, name="claim-lapses")
    digests = Digests(services.db, TelegramDigestSender(app), policy, staff_t, names)
    at = DIGEST_TIME.replace(tzinfo=policy.calendar.tz)
    # PTB counts days from Sunday = 0: Monday to Friday; holidays are skipped inside the job.
    app.job_queue.run_daily(_digest_job, at, days=(1, 2, 3, 4, 5), name="digest", data=digests)
    app.job_queue.run_repeating(_digest_refresh_job, interval=600, first=600, name="digest-refresh", data=digests)
    # At night, local time (Defaults.tzinfo); a missed night is caught up the next one (the cut-off is a date).
    app.job_queue.run_daily(_retention_job, time=dt.time(3, 30), name="retention")
