"""What the outbox tests share: the staff translator, a report draft, a report's delivery row, a later clock."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.i18n.catalogs import Catalogs, Translator
from bot.reports.drafts import Draft
from bot.storage.db import Database
from bot.storage.models import Delivery

RESIDENT = 987654321


@pytest.fixture
def en() -> Translator:
    return Catalogs().get("en")


def draft(**changes: object) -> Draft:
    value = Draft(
        category="youth-nuisance",
        description="Youngsters smash bottles at the playground every evening.",
        place_text="Wapenveld",
        municipality="heerde",
        updates="chat",
        consent=True,
    )
    for key, item in changes.items():
        setattr(value, key, item)
    return value


async def delivery(db: Database, report_id: int) -> Delivery:
    """The report's (first) delivery row as stored now."""
    async with db.session() as session:
        row = await session.scalar(select(Delivery).where(Delivery.report_id == report_id).order_by(Delivery.id))
    assert row is not None
    return row


def later(seconds: float = 3600) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
