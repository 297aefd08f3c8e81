"""Signals for content editors: anonymous 👍/👎 per topic, and questions the bot could not answer.

Pitfall: missed questions are resident text; they are stored without any user or chat id and purged
after :data:`MISSED_RETENTION` (also on every ``kb missed`` run), and never logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.storage.db import Database
from bot.storage.models import MissedQuestion, TopicFeedback, utcnow

MISSED_RETENTION = dt.timedelta(days=30)


async def count_feedback(db: Database, topic_id: str, *, helpful: bool) -> None:
    async with db.session() as session:
        row = await session.get(TopicFeedback, topic_id, with_for_update=True)
        if row is None:
            row = TopicFeedback(topic_id=topic_id, helpful=0, not_helpful=0)
            session.add(row)
        if helpful:
            row.helpful += 1
        else:
            row.not_helpful += 1


async def record_missed(db: Database, text: str, language: str, action: str) -> None:
    async with db.session() as session:
        session.add(MissedQuestion(text=text[:1000], language=language, action=action))


async def purge_missed(db: Database, now: dt.datetime | None = None) -> int:
    cutoff = (now or utcnow()) - MISSED_RETENTION
    async with db.session() as session:
        result = await session.execute(delete(MissedQuestion).where(MissedQuestion.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class EditorReport:
    missed: list[MissedQuestion]
    feedback: list[TopicFeedback]


async def editor_report(db: Database, limit: int = 50) -> EditorReport:
    """Recent missed questions (newest first) and topics with the most 👎."""
    await purge_missed(db)
    async with db.session() as session:
        missed = list(
            await session.scalars(select(MissedQuestion).order_by(MissedQuestion.created_at.desc()).limit(limit))
        )
        feedback = list(
            await session.scalars(
                select(TopicFeedback)
                .where(TopicFeedback.not_helpful > 0)
                .order_by(TopicFeedback.not_helpful.desc())
                .limit(limit)
            )
        )
    return EditorReport(missed=missed, feedback=feedback)
