"""SQLAlchemy table definitions: the one home of the schema (Alembic migrations are written from these).

Pitfall: under asyncio, lazy loading raises ``MissingGreenlet``; relationships are not mapped here on
purpose -- queries select what they need explicitly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


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
    """A resident's interface language: the only thing kept about someone who merely asks questions."""

    __tablename__ = "residents"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(2))
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
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_reports_idempotency_key"),)

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
    """Outbox: one row per (report, target); the sender marks it sent exactly once."""

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
