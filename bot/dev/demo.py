"""Demo reports for a sandbox municipality (``veiligbot demo reports``): a few dozen reports over the last twelve
weeks with a plausible history (taken on, questions, answers, closing, 👍/👎), so that ``veiligbot stats`` and
``veiligbot export`` have something to show.

Everything goes through the domain code that the bot uses (:func:`bot.reports.filing.file_report`,
:meth:`bot.workflow.engine.Workflow.apply`, :func:`bot.staff.queries.set_feedback`), with the clock set back
(``now=``) so that the events tell a history.

Pitfalls:
- Only the creation time is set afterwards (filing always stamps "now"): ``reports.created_at`` and the
  ``created`` event, in the same transaction. Nothing else is written by hand.
- The residents are made up (chat ids from :data:`DEMO_CHAT_BASE`) and the reports are *not* posted in the
  sandbox's staff groups: their deliveries and queued messages are marked sent at the end, so a later
  ``veiligbot chat`` does not post forty cards. A bot running on the same database meanwhile would try to send
  them: generate while it is stopped. Never run this against the bot's own database (the CLI writes to the
  sandbox's unless ``--database`` says otherwise).
- The ``feedback`` event is stamped with the real time (``set_feedback`` has no clock); the statistics read
  the feedback from the report, not from the event.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from sqlalchemy import update

from bot.i18n.catalogs import Catalogs
from bot.reports.drafts import CATEGORIES, Draft
from bot.reports.filing import file_report
from bot.staff.auth import Actor
from bot.staff.queries import set_feedback
from bot.storage.db import Database
from bot.storage.models import Delivery, OutboxMessage, Report, ReportEvent, utcnow
from bot.workflow.engine import Workflow
from bot.workflow.transitions import Action, Status
from knowledge.standard_texts import load_standard_texts

DEMO_CHAT_BASE = 990_000_000  # made-up resident chat ids: never a real Telegram user in the sandbox
DEMO_WEEKS = 12
DESCRIPTIONS: dict[str, str] = {
    "worried-about-youth": "Demo: een jongen uit de buurt gaat om met oudere jongens en heeft ineens veel geld.",
    "youth-nuisance": "Demo: elke avond een groep jongeren bij de speeltuin, harde muziek en kapotte flessen.",
    "online-scam-signal": "Demo: veel mensen in de wijk krijgen sms'jes van een nepbank met een link.",
    "undermining-signal": "Demo: in een schuur aan de rand van het dorp staat altijd een raam afgeplakt.",
    "other-safety-concern": "Demo: de verlichting op het fietspad is al weken kapot, het voelt onveilig.",
}


async def generate_demo_reports(
    db: Database,
    catalogs: Catalogs,
    names: dict[str, str],
    municipality: str,
    places: Sequence[str],
    staff: Actor,
    *,
    count: int = 40,
    seed: int = 1,
    weeks: int = DEMO_WEEKS,
    now: dt.datetime | None = None,
) -> list[int]:
    """File ``count`` demo reports for ``municipality`` (deterministic for a ``seed``) and return their ids.

    ``places`` are place names residents might type (the municipality's villages); about one report in five
    is "online" (no place). ``staff`` takes, asks and closes. Reports are spread over the last ``weeks`` weeks.
    """
    rng = random.Random(seed)
    now = now or utcnow()
    texts = load_standard_texts()
    workflow = Workflow(db, catalogs, names, texts)
    resident = Actor(0, "resident")
    ids: list[int] = []
    for i in range(count):
        category = rng.choice(list(CATEGORIES))
        created = now - dt.timedelta(days=rng.uniform(0, weeks * 7 - 1), minutes=5)
        chat_id = DEMO_CHAT_BASE + rng.randrange(1_000_000)
        draft = Draft(
            category=category,
            description=DESCRIPTIONS[category],
            place_text=rng.choice(list(places)) if places and rng.random() < 0.8 else None,
            municipality=municipality,
            updates="chat",
            phone=f"+3161234{i:04d}" if rng.random() < 0.3 else None,
            consent=True,
        )
        filed = await file_report(db, draft, chat_id=chat_id, language=rng.choice(["nl", "nl", "nl", "en"]))
        async with db.session() as session:
            await session.execute(update(Report).where(Report.id == filed.id).values(created_at=created))
            await session.execute(
                update(ReportEvent)
                .where(ReportEvent.report_id == filed.id, ReportEvent.action == "created")
                .values(at=created)
            )
        ids.append(filed.id)
        await _history(workflow, db, rng, filed.id, category, chat_id, created, now, staff, resident)
    async with db.session() as session:
        sent = {"state": "sent", "sent_at": now}
        await session.execute(update(Delivery).where(Delivery.report_id.in_(ids)).values(**sent))
        await session.execute(update(OutboxMessage).where(OutboxMessage.report_id.in_(ids)).values(**sent))
    return ids


async def _history(
    workflow: Workflow,
    db: Database,
    rng: random.Random,
    report_id: int,
    category: str,
    chat_id: int,
    created: dt.datetime,
    now: dt.datetime,
    staff: Actor,
    resident: Actor,
) -> None:
    """A random but legal path through the workflow, each step some hours after the last, never past ``now``."""
    clock = created

    def later(low_hours: float, high_hours: float) -> dt.datetime | None:
        nonlocal clock
        clock += dt.timedelta(hours=rng.uniform(low_hours, high_hours))
        return clock if clock < now else None

    if rng.random() < 0.15 or (at := later(0.5, 80)) is None:
        return  # still new
    await workflow.apply(report_id, Action.TAKE, expected=Status.NEW, actor=staff, now=at)
    status = Status.IN_PROGRESS
    if rng.random() < 0.3 and (at := later(1, 24)) is not None:
        await workflow.apply(
            report_id, Action.ASK, expected=status, actor=staff, resident_text="Wanneer ziet u dit meestal?", now=at
        )
        status = Status.REACTION_REQUESTED
        if rng.random() < 0.7 and (at := later(1, 48)) is not None:
            await workflow.apply(
                report_id, Action.ANSWER, expected=status, actor=resident, note="Meestal na tienen.", now=at
            )
            status = Status.REACTION_RECEIVED
    if rng.random() < 0.25 or (at := later(2, 200)) is None:
        return  # still being handled
    template = load_standard_texts().choices(category, "close")[0].id
    await workflow.apply(report_id, Action.CLOSE, expected=status, actor=staff, template=template, now=at)
    verdict = rng.random()
    if verdict < 0.5:
        await set_feedback(db, report_id, chat_id, "up")
    elif verdict < 0.7:
        await set_feedback(db, report_id, chat_id, "down")
