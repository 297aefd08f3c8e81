"""Background jobs: delivering reports to staff chats (the outbox), expiring idle drafts, housekeeping.

Pitfall: PTB does not persist jobs; they are scheduled again in ``post_init`` on every start, and all their
state lives in the database (outbox rows, draft timestamps), so a restart loses nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from telegram import InputMediaPhoto, ReplyKeyboardRemove, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.i18n.catalogs import as_lang
from bot.leader import LeaderLease
from bot.outbox.claims import Claims
from bot.outbox.delivery import Outbox, RetryLater, TargetGone, TargetMoved, TopicsUnavailable
from bot.outbox.messages import MessageOutbox
from bot.outbox.views import Buttons
from bot.reports.drafts import Drafts
from bot.services import Services
from bot.staff.card import StaffCards
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
        with _as_outbox_errors():
            if op == "close":
                await self._bot.close_forum_topic(chat_id, thread_id)
            elif op == "reopen":
                await self._bot.reopen_forum_topic(chat_id, thread_id)


def deliver_now(context: Context) -> None:
    """Run the outbox right away (after a report is filed) instead of waiting for the next interval."""
    if context.job_queue is not None and context.bot_data.outbox is not None:
        context.job_queue.run_once(_deliver_job, 0, name="deliver-now")


async def _deliver_job(context: Context) -> None:
    outbox = context.bot_data.outbox
    if outbox is not None:
        await outbox.run_once()
    messages = context.bot_data.messages
    if messages is not None:
        await messages.run_once()


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


async def _housekeeping_job(context: Context) -> None:
    from bot.answering.feedback import purge_missed

    await purge_missed(services(context).db)


def schedule_jobs(
    app: App, services: Services, *, delivery_interval: float = 10.0, lease: LeaderLease | None = None
) -> None:
    """``lease``: the active instance's leader lease; the outboxes claim rows as its holder and send only while
    it is held. Without it (sandbox, tests) they claim as this process."""
    staff_t = services.catalogs.get("nl")
    cards = StaffCards(services.db, staff_t, {m.id: m.name for m in services.municipalities.municipalities})
    claims = Claims(services.db, lease.holder) if lease is not None else None
    active = lease.held if lease is not None else None
    app.bot_data.outbox = Outbox(services.db, TelegramSender(app), staff_t, cards, claims=claims, active=active)
    app.bot_data.messages = MessageOutbox(services.db, TelegramMessageSender(app), cards, claims=claims, active=active)
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    app.job_queue.run_repeating(_deliver_job, interval=delivery_interval, first=1, name="deliver")
    app.job_queue.run_repeating(_expire_drafts_job, interval=60, first=30, name="expire-drafts")
    app.job_queue.run_repeating(_housekeeping_job, interval=3600, first=60, name="housekeeping")
    app.job_queue.run_repeating(_question_deadlines_job, interval=3600, first=120, name="question-deadlines")
