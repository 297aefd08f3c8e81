"""Callback data: every button the handlers build fits Telegram's 64 bytes; pack refuses anything longer."""

from __future__ import annotations

import pytest

from bot.i18n.catalogs import SUPPORTED_LANGUAGES
from bot.reports.drafts import CATEGORIES
from handlers.callbacks import MAX_BYTES, pack, unpack
from handlers.resident.menus import THEME_LABELS
from knowledge.base import load_knowledge_base
from knowledge.municipalities import load_municipalities


def longest(values: list[str]) -> str:
    return max(values, key=lambda v: len(v.encode()))


def all_callback_data() -> list[str]:
    """Each format of handlers/callbacks.py (and the report flow), filled with the longest real ids."""
    kb = load_knowledge_base()
    topic = longest(list(kb.topics))
    category = longest(list(CATEGORIES))
    municipality = longest([m.id for m in load_municipalities().municipalities])
    theme = longest(list(THEME_LABELS))
    report_presets = [t.report for t in kb.topics.values() if t.report]
    return [
        *(pack("lang", lang) for lang in SUPPORTED_LANGUAGES),
        pack("theme", theme),
        pack("topic", topic),
        pack("fb", topic, "1"),
        pack("fb", topic, "0"),
        pack("rep", longest(report_presets)),
        pack("rep", "-"),
        pack("r", "cat", category),
        pack("r", "mun", municipality),
        pack("r", "mun", "all"),
        pack("r", "place", "other"),
        pack("r", "edit", "description"),
        pack("r", "photos", "done"),
        pack("r", "upd", "chat"),
        pack("r", "contact", "skip"),
        pack("r", "consent", "yes"),
        pack("r", "sum", "cancel"),
        pack("del", "yes"),
        "menu",
        "none",
    ]


def test_every_callback_data_fits_in_64_bytes() -> None:
    for data in all_callback_data():
        assert len(data.encode()) <= MAX_BYTES, data


def test_ids_are_safe_in_callback_data() -> None:
    """Ids are ASCII and contain no ":" (the separator), so unpack gives back what was packed."""
    kb = load_knowledge_base()
    ids = [*kb.topics, *CATEGORIES, *(m.id for m in load_municipalities().municipalities), *THEME_LABELS]
    for value in ids:
        assert value.isascii(), value
        assert ":" not in value, value
        assert unpack(pack("topic", value)) == ["topic", value]


def test_report_presets_of_topics_are_real_categories() -> None:
    # topic_keyboard packs ``rep:<topic.report>``; the report flow only knows CATEGORIES.
    kb = load_knowledge_base()
    for topic in kb.topics.values():
        assert topic.report is None or topic.report in CATEGORIES, topic.id


def test_pack_accepts_exactly_64_bytes_and_refuses_more() -> None:
    assert len(pack("topic", "x" * 58)) == 64
    with pytest.raises(ValueError, match="64 bytes"):
        pack("topic", "x" * 59)


def test_pack_counts_bytes_not_characters() -> None:
    assert pack("x" * 62 + "é") == "x" * 62 + "é"  # 63 characters, 64 bytes
    with pytest.raises(ValueError, match="64 bytes"):
        pack("x" * 63 + "é")  # 64 characters, 65 bytes


def test_unpack() -> None:
    assert unpack("fb:phishing:1") == ["fb", "phishing", "1"]
    assert unpack("menu") == ["menu"]
    assert unpack(None) == [""]
