"""The long-lived objects the handlers use, built once by the composition root.

Pitfall: ``Services`` holds the :class:`~bot.storage.db.Database`, never a session; handlers open a session per
call (``async with services.db.session() as s``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answering.decision import Answerer
from bot.i18n.catalogs import Catalogs
from bot.reports.duplicates import DuplicateFinder
from bot.routing.router import Router
from bot.settings import Settings
from bot.storage.db import Database
from bot.triage.learned import build_triage
from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.municipalities import MunicipalityRegistry, load_municipalities
from knowledge.normalize import Normalizer, Vocabulary
from knowledge.ranker import TopicMatcher, train_topic_model
from knowledge.search import SearchIndex
from knowledge.standard_texts import StandardTexts, load_standard_texts


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    catalogs: Catalogs
    kb: KnowledgeBase
    municipalities: MunicipalityRegistry
    answerer: Answerer
    router: Router
    texts: StandardTexts  # staff's standard texts (knowledge/data/standard-texts.yaml)
    duplicates: DuplicateFinder  # the "possibly related" hint on a new report's card


def build_answerer(kb: KnowledgeBase) -> Answerer:
    """Crisis triage and topic matching, both trained from our own content (1-3 s, cached per content)."""
    normalizer = Normalizer(Vocabulary.load())
    matcher = TopicMatcher(train_topic_model(kb, normalizer), SearchIndex(kb, normalizer))
    return Answerer(build_triage(kb), matcher)


def build_services(settings: Settings) -> Services:
    """Load content and build indexes (no I/O to the database yet: :meth:`Database.open` does that)."""
    kb = load_knowledge_base()
    municipalities = load_municipalities()
    router = Router.from_registry(municipalities)
    return Services(
        settings=settings,
        db=Database(settings.database),
        catalogs=Catalogs(timezone=settings.timezone),
        kb=kb,
        municipalities=municipalities,
        answerer=build_answerer(kb),
        router=router,
        texts=load_standard_texts(),
        duplicates=DuplicateFinder(Normalizer(Vocabulary.load()), router),
    )
