"""Staff registry: Telegram user ids with a role per municipality (``veiligbot staff add|list|remove``), and
one-time link codes for ``/koppel``.

Pitfalls:
- A coordinator is registered under one municipality but acts for all six; administrators are not in the
  table at all (``ADMIN_USER_IDS`` in the settings).
- Names are for colleagues only (cards, /mijn); residents never see them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, select

from bot.storage.db import Database
from bot.storage.models import LinkCode, StaffMember, utcnow

StaffRole = Literal["staff", "coordinator"]
ROLES: tuple[StaffRole, ...] = ("staff", "coordinator")
LINK_CODE_VALIDITY = dt.timedelta(hours=24)
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Staff:
    user_id: int
    municipality: str
    role: StaffRole
    name: str | None

    @property
    def label(self) -> str:
        """How colleagues see this person (never shown to residents)."""
        return self.name or f"#{self.user_id}"


def _staff(row: StaffMember) -> Staff:
    role: StaffRole = "coordinator" if row.role == "coordinator" else "staff"
    return Staff(row.user_id, row.municipality, role, row.name)


async def add_staff(db: Database, user_id: int, municipality: str, role: StaffRole, name: str | None) -> bool:
    """Register (or update) a staff member; True when new."""
    async with db.session() as session:
        row = await session.get(StaffMember, (user_id, municipality))
        if row is None:
            session.add(StaffMember(user_id=user_id, municipality=municipality, role=role, name=name))
            return True
        row.role = role
        if name is not None:
            row.name = name
        return False


async def remove_staff(db: Database, user_id: int, municipality: str | None = None) -> int:
    """Unregister from one municipality, or from all; the number of registrations removed."""
    async with db.session() as session:
        query = delete(StaffMember).where(StaffMember.user_id == user_id)
        if municipality is not None:
            query = query.where(StaffMember.municipality == municipality)
        result = await session.execute(query)
        return int(getattr(result, "rowcount", 0) or 0)


async def list_staff(db: Database, municipality: str | None = None) -> list[Staff]:
    async with db.session() as session:
        query = select(StaffMember).order_by(StaffMember.municipality, StaffMember.user_id)
        if municipality is not None:
            query = query.where(StaffMember.municipality == municipality)
        return [_staff(r) for r in await session.scalars(query)]


async def registrations(db: Database, user_id: int) -> list[Staff]:
    """Every registration of one person (empty for anyone who is not staff)."""
    async with db.session() as session:
        rows = await session.scalars(select(StaffMember).where(StaffMember.user_id == user_id))
        return [_staff(r) for r in rows]


async def staff_names(db: Database) -> dict[int, str]:
    """user id → label, for cards and lists."""
    return {s.user_id: s.label for s in await list_staff(db)}


async def new_link_code(db: Database, municipality: str, now: dt.datetime | None = None) -> str:
    """A one-time code for ``/koppel``, valid for 24 hours."""
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    async with db.session() as session:
        session.add(LinkCode(code=code, municipality=municipality, expires_at=(now or utcnow()) + LINK_CODE_VALIDITY))
    return code


async def redeem_link_code(db: Database, code: str, now: dt.datetime | None = None) -> str | None:
    """The municipality of a valid, unused code, which is used up by this call; None otherwise."""
    now = now or utcnow()
    async with db.session() as session:
        row = await session.get(LinkCode, code.strip().upper())
        if row is None or row.used_at is not None or row.expires_at < now:
            return None
        row.used_at = now
        return row.municipality
