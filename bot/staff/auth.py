"""Authorization: may this person act on this report, here? One function, used by every press and command.

The rule: a registered staff member of the report's municipality, or a coordinator (any municipality), or an
administrator (``ADMIN_USER_IDS``); and only in that municipality's linked staff chat or in a private chat
with the bot. Anything else is refused with a reason that is recorded as an event.

Pitfall: the chat matters as much as the person: a staff member of Epe who is also in Hattem's group must not
see or move an Epe report from there (everyone in that group would read the card).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.staff.registry import Staff, registrations
from bot.storage.db import Database
from bot.workflow.transitions import Role

Refusal = Literal["not-staff", "other-municipality", "wrong-chat"]


@dataclass(frozen=True)
class Actor:
    """Someone allowed to act: their user id and the role they act in."""

    user_id: int
    role: Role
    name: str | None = None

    @property
    def event_actor(self) -> str:
        """How events name them (user id, never a resident identity)."""
        return f"{self.role}:{self.user_id}" if self.role in ("staff", "coordinator", "admin") else self.role

    @property
    def label(self) -> str:
        return self.name or f"#{self.user_id}"


@dataclass(frozen=True)
class Decision:
    actor: Actor | None
    refusal: Refusal | None = None

    @property
    def allowed(self) -> bool:
        return self.actor is not None


def staff_role(user_id: int, staff: list[Staff], municipality: str, admins: frozenset[int]) -> Actor | None:
    """The role this person has for ``municipality``, or None."""
    name = next((s.name for s in staff if s.name), None)
    if user_id in admins:
        return Actor(user_id, "admin", name)
    if any(s.role == "coordinator" for s in staff):
        return Actor(user_id, "coordinator", name)
    if any(s.municipality == municipality for s in staff):
        return Actor(user_id, "staff", name)
    return None


async def authorize(
    db: Database,
    admins: frozenset[int],
    *,
    user_id: int,
    chat_id: int,
    municipality: str,
    linked_chat_id: int | None,
) -> Decision:
    """Whether ``user_id`` may act on a report of ``municipality`` in ``chat_id``.

    ``linked_chat_id`` is the municipality's staff chat (None when not linked). A private chat with the bot has
    ``chat_id == user_id``.
    """
    staff = await registrations(db, user_id)
    if not staff and user_id not in admins:
        return Decision(None, "not-staff")
    actor = staff_role(user_id, staff, municipality, admins)
    if actor is None:
        return Decision(None, "other-municipality")
    if chat_id != user_id and chat_id != linked_chat_id:
        return Decision(None, "wrong-chat")
    return Decision(actor)


async def is_staff(db: Database, admins: frozenset[int], user_id: int) -> bool:
    return user_id in admins or bool(await registrations(db, user_id))
