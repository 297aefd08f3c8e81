"""The gate, before every other handler (group -10): what the bot does not handle at all, and the per-resident
message limit.

- Channel posts: ignored (no reply, nothing stored).
- Groups that are not a municipality's linked staff chat: ignored, except ``/chatid`` and ``/koppel``, the two
  commands that link a group in the first place.
- Private chats: content the bot cannot read (stickers, voice, video, video notes, audio, documents, GIFs,
  contacts, polls, dice, games) gets "I can only read text, locations and photos"; a photo above
  ``MAX_PHOTO_BYTES`` is refused politely; more than ``MESSAGES_PER_MINUTE`` messages get one friendly reply
  and are then dropped until the minute is over.

Pitfall: crisis first, also here. A message over the limit whose text is a crisis is let through (the normal
handlers send the crisis guidance); a caption on refused content is triaged, and a crisis gets the guidance.
"""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.residents.limits import MessageLimiter
from bot.staff.queries import municipalities_of_chat
from handlers.common import Context, reply, services, translator
from handlers.resident.answers import send_crisis_if_urgent

# Attributes of a Message that carry content the bot cannot read. (A venue carries a location: supported.)
UNSUPPORTED = (
    "sticker",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
)
_LINK_COMMANDS = re.compile(r"^/(?:chatid|koppel)(?:@\w+)?(?:\s|$)", re.IGNORECASE)


def unsupported_kind(message: Message) -> str | None:
    return next((kind for kind in UNSUPPORTED if getattr(message, kind, None)), None)


class Gate:
    """One per application (bot/app.py); holds the in-memory message limiter."""

    def __init__(self, limiter: MessageLimiter) -> None:
        self._limiter = limiter

    async def __call__(self, update: Update, context: Context) -> None:
        if update.channel_post is not None or update.edited_channel_post is not None:
            raise ApplicationHandlerStop
        chat = update.effective_chat
        if chat is None:
            return
        if chat.type == ChatType.CHANNEL:
            raise ApplicationHandlerStop
        message = update.message  # new messages only: presses and edits have their own checks
        if message is None:
            return
        if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
            if message.text and _LINK_COMMANDS.match(message.text):
                return
            if not await municipalities_of_chat(services(context).db, chat.id):
                raise ApplicationHandlerStop
            return
        if chat.type != ChatType.PRIVATE or update.effective_user is None:
            return
        await self._private(update, context, message, update.effective_user.id)

    async def _private(self, update: Update, context: Context, message: Message, user_id: int) -> None:
        svc = services(context)
        words = message.text or message.caption
        verdict = self._limiter.check(user_id)
        if not verdict.allowed:
            if words and svc.answerer.triage.classify(words) is not None:
                return  # never hold back a crisis: the handlers answer it with the crisis guidance
            if verdict.tell:
                t = await translator(update, context)
                await reply(
                    update,
                    t.gettext(
                        "You are sending a lot of messages in a short time. Please wait a minute and then send "
                        "your message again.\n<b>In danger? Call 112.</b>"
                    ),
                )
            raise ApplicationHandlerStop
        if unsupported_kind(message) is not None:
            if not await send_crisis_if_urgent(update, context, message.caption):
                t = await translator(update, context)
                await reply(
                    update,
                    t.gettext(
                        "I can only read text, locations and photos. Please type your question or message in "
                        "words.\n<b>In danger? Call 112.</b>"
                    ),
                )
            raise ApplicationHandlerStop
        if message.photo and (message.photo[-1].file_size or 0) > svc.settings.max_photo_bytes:
            if not await send_crisis_if_urgent(update, context, message.caption):
                t = await translator(update, context)
                megabytes = f"{svc.settings.max_photo_bytes / (1024 * 1024):.1f}".removesuffix(".0")
                await reply(
                    update,
                    t.gettext(
                        "Sorry, this photo is too large (more than {megabytes} MB). Please send a smaller "
                        "photo, or describe what you saw in words."
                    ).format(megabytes=megabytes),
                )
            raise ApplicationHandlerStop
