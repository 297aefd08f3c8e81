"""Related reports in the workflow: linking (only to the open report it resembles, one level deep, an event on
both), unlinking, and a main report's message and closing reaching the related report's resident."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.i18n.catalogs import Catalogs
from bot.reports.drafts import Draft
from bot.reports.filing import file_report
from bot.staff.auth import Actor
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, Report, ReportEvent
from bot.workflow.engine import Refused, Workflow
from bot.workflow.transitions import Action, Status
from knowledge.standard_texts import load_standard_texts

EVA = Actor(101, "staff", "Eva")
MAIN_CHAT, RELATED_CHAT = 555, 666


async def two_reports(db: Database, *, related_updates: str = "chat") -> tuple[int, int]:
    """A main report (English resident) and a newer one that resembles it (Dutch resident)."""
    ids = []
    for chat, lang, updates in ((MAIN_CHAT, "en", "chat"), (RELATED_CHAT, "nl", related_updates)):
        d = Draft(
            category="youth-nuisance",
            description="Bottles smashed at the playground every evening.",
            place_text="Epe",
            municipality="epe",
            updates=updates,
            consent=True,
        )
        ids.append((await file_report(db, d, chat_id=chat, language=lang)).id)
    async with db.session() as session:
        await session.execute(update(Report).where(Report.id == ids[1]).values(similar_to_id=ids[0]))
    return ids[0], ids[1]


def workflow(db: Database) -> Workflow:
    return Workflow(db, Catalogs(), {"epe": "Epe"}, load_standard_texts())


async def row(db: Database, report_id: int) -> Report:
    async with db.session() as session:
        found = await session.get(Report, report_id)
    assert found is not None
    return found


async def to_chat(db: Database, chat_id: int) -> list[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "resident", OutboxMessage.chat_id == chat_id)
            .order_by(OutboxMessage.id)
        )
        return [str(r.payload["text"]) for r in rows]


async def actions_of(db: Database, report_id: int) -> list[tuple[str, str | None]]:
    async with db.session() as session:
        rows = await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report_id))
        return [(e.action, e.note) for e in rows]


async def test_link_records_an_event_on_both_and_unlink_undoes_it(db: Database) -> None:
    main, related = await two_reports(db)
    main_ref, related_ref = (await row(db, main)).reference, (await row(db, related)).reference
    wf = workflow(db)
    assert await wf.link(related, expected=Status.NEW, actor=EVA) == main_ref
    assert (await row(db, related)).related_to_id == main
    assert ("link", f"hoofdmelding {main_ref}") in await actions_of(db, related)
    assert ("link", f"gerelateerd {related_ref}") in await actions_of(db, main)
    with pytest.raises(Refused) as again:
        await wf.link(related, expected=Status.NEW, actor=EVA)
    assert again.value.reason == "illegal"
    assert await wf.unlink(related, expected=Status.NEW, actor=EVA) == main_ref
    assert (await row(db, related)).related_to_id is None
    assert ("unlink", f"gerelateerd {related_ref}") in await actions_of(db, main)


async def test_link_is_refused_without_an_open_similar_report_and_for_a_stale_card(db: Database) -> None:
    main, related = await two_reports(db)
    wf = workflow(db)
    with pytest.raises(Refused) as nothing:
        await wf.link(main, expected=Status.NEW, actor=EVA)  # the older one resembles nothing
    assert nothing.value.reason == "bad-target"
    with pytest.raises(Refused) as stale:
        await wf.link(related, expected=Status.IN_PROGRESS, actor=EVA)
    assert stale.value.reason == "stale"
    with pytest.raises(Refused) as role:
        await wf.link(related, expected=Status.NEW, actor=Actor(0, "resident"))
    assert role.value.reason == "role"
    await wf.apply(main, Action.CLOSE, expected=Status.NEW, actor=EVA, resident_text="Klaar.")
    with pytest.raises(Refused) as closed:
        await wf.link(related, expected=Status.NEW, actor=EVA)
    assert closed.value.reason == "bad-target"
    assert (await row(db, related)).related_to_id is None
    refused = [note for action, note in await actions_of(db, related) if action == "refused"]
    assert refused == ["link: stale", "link: role", "link: bad-target"]
    assert ("refused", "link: bad-target") in await actions_of(db, main)


async def test_a_message_on_the_main_report_reaches_the_related_resident_in_their_language(db: Database) -> None:
    main, related = await two_reports(db)
    wf = workflow(db)
    await wf.link(related, expected=Status.NEW, actor=EVA)
    text = next(t for t in load_standard_texts().choices("youth-nuisance", "message") if "{reference}" in t.nl)
    await wf.apply(main, Action.MESSAGE, expected=Status.NEW, actor=EVA, template=text.id)
    main_ref, related_ref = (await row(db, main)).reference, (await row(db, related)).reference
    (to_related,) = await to_chat(db, RELATED_CHAT)
    assert text.nl.format(reference=related_ref, municipality="Epe") in to_related and main_ref not in to_related
    (to_main,) = await to_chat(db, MAIN_CHAT)
    assert text.en.format(reference=main_ref, municipality="Epe") in to_main
    assert ("message", text.nl.format(reference=related_ref, municipality="Epe")) in await actions_of(db, related)
    # After unlinking, the main report's messages stay with its own resident.
    await wf.unlink(related, expected=Status.NEW, actor=EVA)
    await wf.apply(main, Action.MESSAGE, expected=Status.NEW, actor=EVA, resident_text="Nog even geduld.")
    assert len(await to_chat(db, RELATED_CHAT)) == 1 and len(await to_chat(db, MAIN_CHAT)) == 2


async def test_closing_the_main_report_closes_a_related_one_without_updates_with_the_text_as_note(
    db: Database,
) -> None:
    main, related = await two_reports(db, related_updates="none")
    wf = workflow(db)
    await wf.link(related, expected=Status.NEW, actor=EVA)
    await wf.apply(main, Action.TAKE, expected=Status.NEW, actor=EVA)
    await wf.apply(main, Action.CLOSE, expected=Status.IN_PROGRESS, actor=EVA, resident_text="We hebben het opgelost.")
    assert (await row(db, main)).status == "closed"
    related_row = await row(db, related)
    assert related_row.status == "closed" and related_row.closed_at is not None
    assert ("close", "We hebben het opgelost.") in await actions_of(db, related)
    assert await to_chat(db, RELATED_CHAT) == []  # no link to that resident: nobody to tell
