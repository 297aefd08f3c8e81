"""SQLAlchemy table definitions: the one home of the schema (Alembic migrations are written from these).

Pitfall: under asyncio, lazy loading raises ``MissingGreenlet``; relationships are not mapped here on
purpose -- queries select what they need explicitly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

STATUSES = (
    "new",
    "in_progress",
    "reaction_requested",
    "reaction_received",
    "forwarded",
    "closed",
    "cancelled",
    "reopened",
)
STATUS_SQL = ", ".join(f"'{s}'" for s in STATUSES)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out, also on SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class Resident(Base):
    """A resident's interface language (with :class:`ChatTopic`, all that is kept about someone who merely asks
    questions)."""

    __tablename__ = "residents"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(2))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ChatTopic(Base):
    """The topic of the bot's last answer in a chat (bot.residents.topics): a repeat question points to it instead
    of sending it again. Forgotten when anything else is said, on /privacy deletion, and after a day."""

    __tablename__ = "chat_topics"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    topic_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TopicFeedback(Base):
    """Anonymous 👍/👎 counts per topic (no user ids)."""

    __tablename__ = "topic_feedback"

    topic_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    not_helpful: Mapped[int] = mapped_column(Integer, default=0)


class MissedQuestion(Base):
    """A question that ended in fallback or clarify, for editors; no user identifier, purged after 30 days."""

    __tablename__ = "missed_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    action: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ReportDraft(Base):
    """An unfinished report; the row is the source of truth for the report conversation's state."""

    __tablename__ = "report_drafts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_reports_idempotency_key"),
        # The workflow's statuses (bot.workflow.transitions.Status); a typo in code or SQL cannot store another.
        CheckConstraint(f"status IN ({STATUS_SQL})", name="ck_reports_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    # The draft's filing key: a second Send of the same draft finds this report instead of filing another.
    # NULL for reports filed before the key existed (NULLs never collide).
    idempotency_key: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    theme: Mapped[str] = mapped_column(String(16))
    municipality: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text)
    place_text: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # Telegram file ids
    updates: Mapped[str] = mapped_column(String(8))  # "chat" | "none"
    # Only when the resident wants updates; otherwise the report keeps no link to them.
    resident_chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(24), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The staff side (bot.workflow.engine): who holds it, and what staff must see on the card.
    assignee_id: Mapped[int | None] = mapped_column(BigInteger)
    resident_unreachable: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    crisis: Mapped[str | None] = mapped_column(String(16))  # urgency class of a resident's answer, if any
    feedback: Mapped[str | None] = mapped_column(String(8))  # "up" | "down" after closing
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    question_asked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    question_reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reopen_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Possible duplicates (bot.reports.duplicates): the open report this one resembled when it was filed (a hint
    # on the card), and the main report staff linked it to (its messages and closing reach this resident too).
    similar_to_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    related_to_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"), index=True)
    # The assignee was reminded of a lapsed claim (bot.workflow.claims); once per idle period.
    claim_reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the retention period removed the personal data (bot.reports.retention); the statistics stay.
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ReportEvent(Base):
    """Append-only history of a report: who did what, when, and the status change."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)


class Delivery(Base):
    """Outbox: one row per (report, target); the sender marks it sent exactly once.

    ``target`` is ``staff:<municipality>`` (a card in the staff chat, bot.outbox.delivery) or
    ``email:<municipality>`` (an e-mail, bot.outbox.email: ``pending`` → ``sending`` → ``sent``, or ``failed``
    after a permanent refusal).
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("report_id", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)  # pending | sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # the report's forum topic, in topic mode
    # E-mail only: the Message-ID, fixed at the first attempt so that every retry carries the same one.
    email_message_id: Mapped[str | None] = mapped_column(String(255))
    # The instance sending this row now, until when (bot.outbox.claims): two processes never send it both.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MunicipalityLink(Base):
    """The staff chat that receives a municipality's reports (`veiligbot municipality link`), and its health.

    ``health``: ``ok``; ``failing`` (the last attempt failed and is retried with backoff); ``blocked`` (the chat
    refuses the bot for good: nothing is sent until the municipality is linked again).
    """

    __tablename__ = "municipality_links"

    municipality: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff_chat_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    health: Mapped[str] = mapped_column(String(16), default="ok", server_default="ok")
    last_error: Mapped[str | None] = mapped_column(String(300))  # Telegram's words, never report text
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Topic mode: the group is a forum and the bot may manage topics (checked when linking with /koppel).
    topics: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class MunicipalityEmail(Base):
    """A municipality that gets its reports by e-mail (``veiligbot municipality email``), and how that goes.

    ``only``: e-mail instead of the staff chat; otherwise both. ``health``: ``ok``; ``failing`` (the SMTP server
    could not take the last message now: retried with backoff); ``failed`` (the server refused a message for
    good: that report is not retried until the address is set again).
    """

    __tablename__ = "municipality_emails"

    municipality: Mapped[str] = mapped_column(String(16), primary_key=True)
    address: Mapped[str] = mapped_column(String(254))
    only: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    health: Mapped[str] = mapped_column(String(16), default="ok", server_default="ok")
    last_error: Mapped[str | None] = mapped_column(String(300))  # the SMTP server's reply, never report text
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StaffMember(Base):
    """Who may act on a municipality's reports (``veiligbot staff add``); coordinators act for all six."""

    __tablename__ = "staff_members"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    municipality: Mapped[str] = mapped_column(String(16), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # "staff" | "coordinator"
    name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LinkCode(Base):
    """A one-time code (``veiligbot municipality link-code``) that links the group it is sent in (``/koppel``)."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """Everything else the bot sends on its own: resident messages, card edits, posts in a report's thread,
    topic changes. Each row is sent once (``pending`` → ``sent``; ``failed`` when the chat refuses for good).

    ``payload`` holds the rendered text and abstract buttons (bot.outbox.messages); never logged.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # as Delivery.claimed_by
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LeaderLease(Base):
    """Which instance is active (bot.leader): one row per lease name, renewed by its holder's heartbeat."""

    __tablename__ = "leader_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class StaffCompose(Base):
    """A staff member writing a question, message or closing text for a report (one per person and chat)."""

    __tablename__ = "staff_compose"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    expected_status: Mapped[str] = mapped_column(String(24))
    text: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[str | None] = mapped_column(String(32))  # a municipality or partner, for forwarding
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ResidentReply(Base):
    """A resident who pressed "Antwoorden" (or asked to reopen): their next message is for that report."""

    __tablename__ = "resident_replies"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "answer" | "reopen"
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Digest(Base):
    """The morning digest posted (and pinned) in a municipality's staff chat on one local day; later runs that
    day edit this message instead of posting another (bot.staff.digest)."""

    __tablename__ = "digests"

    municipality: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # local date (Europe/Amsterdam)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    text_hash: Mapped[str] = mapped_column(String(64))  # of the text shown: edit only when it changed
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DigestSetting(Base):
    """``veiligbot municipality digest MUNICIPALITY on|off``; no row means on."""

    __tablename__ = "digest_settings"

    municipality: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReportQuota(Base):
    """Reports a resident filed per day (bot.residents.limits), also those without a link to them; rows older
    than two days are removed by the housekeeping job and by ``/verwijder``."""

    __tablename__ = "report_quota"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
