"""What the bot may do in a staff group, checked when a group is linked (``/koppel`` and
``veiligbot municipality link``), and what it lacks, in words for the person linking it.

Pitfalls:
- A check that fails (network, no such chat) is reported as a lack, never raised: linking goes on, because the
  operator may add the bot or its rights afterwards and the outbox waits for a healthy chat anyway.
- The texts are msgids (``N_``): ``/koppel`` answers in the staff language, the command line prints them as
  they are (English).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Bot, Chat
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.i18n.catalogs import N_

NOT_MEMBER = N_("the bot is not a member of this group (add it first)")
NOT_ADMIN = N_("the bot is not an administrator (it cannot pin or manage topics)")
NO_TOPICS = N_("the bot may not manage topics, so reports come as cards, not topics")
UNCHECKED = N_("the bot could not check its rights in this group")


@dataclass(frozen=True)
class Rights:
    """``topics``: one forum topic per report is possible; ``lacks``: msgids of what is missing."""

    topics: bool
    lacks: list[str] = field(default_factory=list)


async def check_rights(bot: Bot, chat_id: int, chat: Chat | None = None) -> Rights:
    """The bot's rights in ``chat_id`` (``chat`` when the caller has it already, else it is fetched)."""
    try:
        is_forum = bool(chat.is_forum) if chat is not None else bool((await bot.get_chat(chat_id)).is_forum)
        member = await bot.get_chat_member(chat_id, bot.id)
    except Forbidden:
        return Rights(False, [NOT_MEMBER])
    except BadRequest as exc:  # Telegram says "chat not found" for a group the bot is not in
        return Rights(False, [NOT_MEMBER if "chat not found" in exc.message.lower() else UNCHECKED])
    except TelegramError:
        return Rights(False, [UNCHECKED])
    if member.status in ("left", "kicked"):
        return Rights(False, [NOT_MEMBER])
    lacks: list[str] = []
    is_admin = member.status in ("administrator", "creator")
    can_topics = member.status == "creator" or bool(getattr(member, "can_manage_topics", False))
    if not is_admin:
        lacks.append(NOT_ADMIN)
    if is_forum and not can_topics:
        lacks.append(NO_TOPICS)
    return Rights(is_forum and is_admin and can_topics, lacks)


async def check_rights_with_token(token: str, base_url: str, chat_id: int) -> Rights:
    """For the command line: the same check with a short-lived Bot (its own connection, closed after)."""
    try:
        async with Bot(token, base_url=base_url) as bot:
            return await check_rights(bot, chat_id)
    except TelegramError:  # e.g. an invalid token: getMe fails when the Bot starts
        return Rights(False, [UNCHECKED])
