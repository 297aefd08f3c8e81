"""Reports: categories, the draft a resident builds step by step, validation, filing and lookup.

A draft lives in ``report_drafts`` (one per resident) and is the source of truth for where the resident is
in the report conversation, so it survives restarts. Filing writes the report, its first event and its
outbox delivery and deletes the draft, all in one transaction (:mod:`bot.reports.filing`).

Pitfalls:
- Privacy: the resident's chat id is stored on the report only when they want updates via the chat;
  with ``updates == "none"`` the report keeps no link to them at all (not even in the event log).
- References are short and random (``EPE-7K3Q``); they are not secrets, so lookups check ownership.
- Every draft carries a random idempotency ``key`` from its creation; the summary's Send button carries it
  too, so a repeated Send (double press, retry after an error, a button from before a restart) finds the
  report already filed instead of filing a second one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select, update

from bot.i18n.catalogs import N_
from bot.storage.db import Database
from bot.storage.models import ReportDraft, utcnow

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
MAX_PHOTOS = 3
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud over the phone
REFERENCE_PREFIX = {
    "elburg": "ELB",
    "epe": "EPE",
    "hattem": "HAT",
    "heerde": "HEE",
    "nunspeet": "NUN",
    "oldebroek": "OLD",
}

Updates = Literal["chat", "none"]


@dataclass(frozen=True)
class Category:
    id: str
    theme: str
    label: str  # msgid
    explanation: str  # msgid


# The five report categories of spec/topics.yaml, in the order residents see them.
CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category(
            "worried-about-youth",
            "youth",
            N_("Worried about a young person"),
            N_("Changed behaviour, wrong friends, dropping out, debts, drugs, being recruited."),
        ),
        Category(
            "youth-nuisance",
            "youth",
            N_("Nuisance by young people"),
            N_("Groups causing noise, intimidation or damage in your neighbourhood."),
        ),
        Category(
            "online-scam-signal",
            "digital",
            N_("Scam or online fraud signal"),
            N_(
                "A wave of fake messages or calls, fraud attempts in your area. "
                "This is not an aangifte (police report)."
            ),
        ),
        Category(
            "undermining-signal",
            "undermining",
            N_("Signs of organised crime (ondermijning)"),
            N_("Drug labs or cannabis farms, drug waste, exploitation, criminals renting sheds or premises."),
        ),
        Category(
            "other-safety-concern",
            "general",
            N_("Other safety concern"),
            N_("Something else that is not urgent but worries you."),
        ),
    )
}


def new_idempotency_key() -> str:
    """16 URL-safe characters (96 random bits), without ``:`` so that it fits in callback data."""
    return secrets.token_urlsafe(12)


@dataclass
class Draft:
    """What the resident has entered so far (stored as JSON)."""

    category: str | None = None
    description: str | None = None
    place_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    municipality: str | None = None
    photos: list[str] = field(default_factory=list)
    updates: Updates | None = None
    phone: str | None = None
    email: str | None = None
    consent: bool = False
    editing: bool = False  # came from the summary's "change": return there after this step
    language: str | None = None  # the resident's language, for messages sent outside an update (expiry)
    # Not part of equality: two drafts with the same answers are the same draft. A draft stored by an older
    # version has no key and gets a fresh one on load, which the next save keeps.
    key: str = field(default_factory=new_idempotency_key, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def complete(self) -> bool:
        return bool(self.category and self.description and self.municipality and self.updates and self.consent)


# --- validation -------------------------------------------------------------------------------------


def check_description(text: str) -> str | None:
    """None when acceptable, else the msgid of the problem."""
    length = len(text.strip())
    if length < DESCRIPTION_MIN:
        return N_("Please describe it in a bit more detail (at least 10 characters).")
    if length > DESCRIPTION_MAX:
        return N_("That is too long; please keep it under 2000 characters.")
    return None


def parse_phone(text: str) -> str | None:
    """A valid Dutch (or international) number in E.164, else None."""
    try:
        number = phonenumbers.parse(text.strip(), "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_email(text: str) -> str | None:
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def new_reference(municipality: str) -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
    return f"{REFERENCE_PREFIX[municipality]}-{code}"


def normalise_reference(text: str) -> str:
    return text.strip().upper().replace(" ", "").replace("_", "-")


# --- drafts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiredDraft:
    chat_id: int
    user_id: int
    language: str | None


class Drafts:
    """Per-resident drafts; every write also records the conversation step."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self, user_id: int) -> tuple[str, Draft] | None:
        async with self._db.session() as session:
            row = await session.get(ReportDraft, user_id)
            return (row.step, Draft.from_json(row.data)) if row else None

    async def save(self, user_id: int, chat_id: int, step: str, draft: Draft) -> None:
        async with self._db.session() as session:
            row = await session.get(ReportDraft, user_id)
            if row is None:
                session.add(ReportDraft(user_id=user_id, chat_id=chat_id, step=step, data=draft.to_json()))
            else:
                row.step, row.data, row.chat_id, row.updated_at = step, draft.to_json(), chat_id, utcnow()

    async def set_step(self, user_id: int, step: str) -> None:
        async with self._db.session() as session:
            await session.execute(update(ReportDraft).where(ReportDraft.user_id == user_id).values(step=step))

    async def discard(self, user_id: int) -> None:
        async with self._db.session() as session:
            await session.execute(delete(ReportDraft).where(ReportDraft.user_id == user_id))

    async def steps(self) -> dict[tuple[int, int], str]:
        """(chat id, user id) → step for every open draft (the conversation's persisted state)."""
        async with self._db.session() as session:
            rows = await session.execute(select(ReportDraft.chat_id, ReportDraft.user_id, ReportDraft.step))
            return {(chat_id, user_id): step for chat_id, user_id, step in rows}

    async def expire(self, older_than: dt.timedelta, now: dt.datetime | None = None) -> list[ExpiredDraft]:
        """Delete drafts idle for longer than ``older_than``; returns who to tell, in which language."""
        cutoff = (now or utcnow()) - older_than
        async with self._db.session() as session:
            rows = list(await session.scalars(select(ReportDraft).where(ReportDraft.updated_at < cutoff)))
            await session.execute(delete(ReportDraft).where(ReportDraft.updated_at < cutoff))
        return [ExpiredDraft(r.chat_id, r.user_id, Draft.from_json(r.data).language) for r in rows]
