"""The content corrections of issue 12, pinned: numbers, criteria and the order of advice residents see.

Each test names the fact it guards. When a fact changes for a good reason (a new official source), change
the test together with the content and its source, never the test alone.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.base import DATA_DIR, KnowledgeBase, load_knowledge_base
from knowledge.check import check_knowledge_base
from knowledge.municipalities import load_municipalities
from knowledge.render import render_helpline, render_topic
from knowledge.schema import LANGUAGES, Helpline, Language, Localised

WEGWIJZER_MELDEN = "https://www.wegwijzermensenhandel.nl/signaleren-van-mensenhandel/melden-van-mensenhandel"
POLITIE_KINDERPORNO = (
    "https://www.politie.nl/informatie/dit-kunt-u-doen-als-u-kinderporno-tegenkomt-op-het-internet.html"
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def _identity(message: str) -> str:
    return message


def _steps(kb: KnowledgeBase, topic_id: str, lang: Language) -> list[str]:
    return kb.topics[topic_id].lang(lang).steps


def _index(steps: list[str], *needles: str) -> int:
    """The position of the first step that contains all needles (case-insensitive)."""
    for i, step in enumerate(steps):
        if all(n.lower() in step.lower() for n in needles):
            return i
    raise AssertionError(f"no step contains {needles!r}: {steps!r}")


def _resident_text(kb: KnowledgeBase) -> str:
    """Everything a resident can be shown: topics, helplines and links (not the editors' YAML comments)."""
    parts = [t.model_dump_json() for t in kb.topics.values()]
    parts += [h.model_dump_json() for h in kb.helplines.values()]
    return "\n".join(parts)


# --- Hours without a current source are not published -------------------------------------------------


@pytest.mark.parametrize("helpline_id", ["kindertelefoon", "alles-oke-supportlijn", "comensha"])
def test_hours_only_with_a_recent_dated_source(kb: KnowledgeBase, helpline_id: str) -> None:
    """Kindertelefoon (2019), Alles Oké? (2021) and CoMensha (conflicting, old pilot page): no hours unless
    re-sourced; hours that come back need an ``as_of`` within 12 months of their review."""
    line = kb.helplines[helpline_id]
    if line.hours is not None:
        assert line.as_of is not None, f"{helpline_id}: hours without the date of their source"
        assert line.reviewed - line.as_of <= dt.timedelta(days=365), f"{helpline_id}: hours from an old source"


@pytest.mark.parametrize(
    ("helpline_id", "old_hours"),
    [("kindertelefoon", "21"), ("alles-oke-supportlijn", "22"), ("comensha", "17")],
)
def test_old_hours_are_gone_from_what_residents_see(kb: KnowledgeBase, helpline_id: str, old_hours: str) -> None:
    for lang in LANGUAGES:
        shown = render_helpline(kb.helplines[helpline_id], lang, _identity)
        assert f"{old_hours}.00" not in shown and f"{old_hours}:00" not in shown, shown


def test_comensha_no_longer_cites_the_old_pilot_page(kb: KnowledgeBase) -> None:
    assert not any("comensha-24-7-bereikbaar" in str(s) for s in kb.helplines["comensha"].sources)
    for topic in kb.topics.values():
        assert not any("comensha-24-7-bereikbaar" in str(s) for s in topic.sources), topic.id


# --- Meldpunt Kinderporno and the police route for chat apps --------------------------------------------


def test_meldpunt_kinderporno_is_its_own_site_and_not_for_chat_apps(kb: KnowledgeBase) -> None:
    line = kb.helplines["meldpunt-kinderporno"]
    assert line.website == "meldpunt-kinderporno.nl"
    assert any("meldpunt-kinderporno.nl/wat-melden" in str(s) for s in line.sources)
    assert "Niet voor beelden in een chatapp" in line.purpose.nl
    assert "link (URL)" in line.purpose.nl
    assert "Not for images in a chat app" in line.purpose.en
    assert "link (URL)" in line.purpose.en


def test_police_route_for_images_in_chat_apps(kb: KnowledgeBase) -> None:
    line = kb.helplines["politie-kinderporno-chatapp"]
    assert POLITIE_KINDERPORNO in [str(s) for s in line.sources]
    assert line.website == "politie.nl/informatie/dit-kunt-u-doen-als-u-kinderporno-tegenkomt-op-het-internet.html"
    assert line.phone == "06-42834635"
    topic = kb.topics["nude-image-shared"]
    assert "meldpunt-kinderporno" in topic.helplines
    assert "politie-kinderporno-chatapp" in topic.helplines


def test_nude_image_topic_sends_chat_apps_to_the_police(kb: KnowledgeBase) -> None:
    nl = _steps(kb, "nude-image-shared", "nl")[_index(_steps(kb, "nude-image-shared", "nl"), "Meldpunt Kinderporno")]
    assert "chatapp" in nl and "behandelt het Meldpunt niet" in nl and "politie" in nl
    en = _steps(kb, "nude-image-shared", "en")[_index(_steps(kb, "nude-image-shared", "en"), "Meldpunt Kinderporno")]
    assert "chat app" in en and "does not handle" in en and "police" in en


def test_nude_image_topic_reports_before_deleting(kb: KnowledgeBase) -> None:
    assert _index(_steps(kb, "nude-image-shared", "nl"), "Verwijder ze pas als je melding is bevestigd") >= 0
    assert _index(_steps(kb, "nude-image-shared", "en"), "Only delete them once your report is confirmed") >= 0
    old_advice: dict[Language, str] = {
        "nl": "Stuur hem niet door en verwijder hem.",
        "en": "Do not forward it and delete it.",
    }
    for lang, wrong in old_advice.items():
        assert not any(wrong in s for s in _steps(kb, "nude-image-shared", lang))


# --- StopNCII: the age in the image ---------------------------------------------------------------------


def test_stopncii_criterion_is_the_age_in_the_image(kb: KnowledgeBase) -> None:
    nl = _steps(kb, "nude-image-shared", "nl")[_index(_steps(kb, "nude-image-shared", "nl"), "StopNCII")]
    assert "op de beelden 18 jaar of ouder" in nl
    assert "ook als je nu volwassen bent" in nl
    assert "Ben je 18 of ouder" not in nl
    en = _steps(kb, "nude-image-shared", "en")[_index(_steps(kb, "nude-image-shared", "en"), "StopNCII")]
    assert "18 or older in the images" in en
    assert "even if you are an adult now" in en
    assert "Are you 18 or older" not in en
    line = kb.helplines["stopncii"]
    assert "ook als je nu volwassen bent" in line.purpose.nl
    assert "even if you are an adult now" in line.purpose.en


# --- Belastingdienst: no e-mail address -----------------------------------------------------------------


def test_no_belastingdienst_email_address_is_published(kb: KnowledgeBase) -> None:
    assert "valse-email@" not in _resident_text(kb)
    line = kb.helplines["belastingdienst-valse-email"]
    assert line.email is None
    assert line.website == "belastingdienst.nl"
    assert not any("accountancyvanmorgen" in str(s) for s in line.sources)


# --- Advice order and content ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "evidence", "report", "delete"),
    [
        ("nl", ("screenshot", "afzender", "link"), ("Fraudehelpdesk",), ("Verwijder het bericht pas",)),
        ("en", ("screenshot", "sender", "link"), ("Fraud Help Desk",), ("Delete the message only after",)),
    ],
)
def test_phishing_keeps_evidence_and_reports_before_deleting(
    kb: KnowledgeBase, lang: Language, evidence: tuple[str, ...], report: tuple[str, ...], delete: tuple[str, ...]
) -> None:
    steps = _steps(kb, "phishing", lang)
    assert _index(steps, *evidence) < _index(steps, *report) < _index(steps, *delete)
    assert "politie" in steps[_index(steps, *evidence)] or "police" in steps[_index(steps, *evidence)]


def test_friend_in_need_has_no_voice_message_check(kb: KnowledgeBase) -> None:
    text = " ".join(_steps(kb, "friend-in-need-fraud", "nl") + _steps(kb, "friend-in-need-fraud", "en")).lower()
    assert "spraakbericht" not in text and "voice message" not in text
    assert _index(_steps(kb, "friend-in-need-fraud", "nl"), "oude nummer", "Betaal dan niet") >= 0
    assert _index(_steps(kb, "friend-in-need-fraud", "en"), "old number", "do not pay") >= 0


def test_block_the_number_is_written_correctly(kb: KnowledgeBase) -> None:
    assert "Blok het nummer" not in _resident_text(kb)


def test_bank_helpdesk_fraud_prevention(kb: KnowledgeBase) -> None:
    assert _index(_steps(kb, "bank-helpdesk-fraud", "nl"), "AnyDesk", "meekijken", "bankapp", "goed") >= 0
    assert _index(_steps(kb, "bank-helpdesk-fraud", "en"), "AnyDesk", "watch your screen", "approve") >= 0


def test_sextortion_bluff_mail_and_the_police_route_for_minors(kb: KnowledgeBase) -> None:
    assert _index(_steps(kb, "sextortion", "nl"), "webcam", "bluf", "Betaal niet") >= 0
    assert _index(_steps(kb, "sextortion", "en"), "webcam", "bluff", "Do not pay") >= 0
    assert _index(_steps(kb, "sextortion", "nl"), "jonger dan 18", "aangifte", "0900-8844") >= 0
    assert _index(_steps(kb, "sextortion", "en"), "Under 18", "police", "0900-8844") >= 0


@pytest.mark.parametrize(
    ("lang", "needles"),
    [
        ("nl", ("25 meter", "100 meter", "wind in je rug", "rook niet", "112")),
        ("en", ("25 metres", "100 metres", "wind at your back", "do not smoke", "112")),
    ],
)
def test_drug_waste_distances(kb: KnowledgeBase, lang: Language, needles: tuple[str, ...]) -> None:
    assert _index(_steps(kb, "drug-lab-signals", lang), *needles) >= 0


def test_drug_lab_never_confront_or_go_inside(kb: KnowledgeBase) -> None:
    assert _index(_steps(kb, "drug-lab-signals", "nl"), "nergens naar binnen", "spreek nooit iemand aan") >= 0
    assert _index(_steps(kb, "drug-lab-signals", "en"), "never go inside", "never confront anyone") >= 0


def test_arbeidsinspectie_line_with_its_source(kb: KnowledgeBase) -> None:
    line = kb.helplines["arbeidsinspectie"]
    assert line.phone == "0800-5151"
    assert WEGWIJZER_MELDEN in [str(s) for s in line.sources]
    assert "arbeidsinspectie" in kb.topics["human-trafficking"].helplines
    assert _index(_steps(kb, "human-trafficking", "nl"), "Arbeidsinspectie", "0800-5151") >= 0
    assert _index(_steps(kb, "human-trafficking", "en"), "Arbeidsinspectie", "0800-5151") >= 0


@pytest.mark.parametrize(("lang", "honest"), [("nl", "eerlijk"), ("en", "honestly")])
def test_money_mule_legal_advice_before_talking_to_the_police(kb: KnowledgeBase, lang: Language, honest: str) -> None:
    steps = _steps(kb, "money-mule", lang)
    step = steps[_index(steps, "Juridisch Loket", honest)]
    assert step.index("Juridisch Loket") < step.index(honest)


def test_criminal_exploitation_do_not_confront_recruiters(kb: KnowledgeBase) -> None:
    assert _index(_steps(kb, "criminal-exploitation", "nl"), "ronselaars niet zelf aan") >= 0
    assert _index(_steps(kb, "criminal-exploitation", "en"), "Do not confront the recruiters") >= 0


# --- Epe: no website, and no visible hole -----------------------------------------------------------------


def test_epe_website_stays_unpublished_without_a_hole(kb: KnowledgeBase) -> None:
    assert load_municipalities().get("epe").website is None
    text = _resident_text(kb)
    assert "zoek op 'gemeente Epe'" not in text
    assert "search for 'gemeente Epe'" not in text
    assert "epe.nl" not in text
    topic = kb.topics["municipality-contact"]
    for lang in LANGUAGES:
        assert _index(topic.lang(lang).steps, "Epe", "overheid.nl") >= 0
        assert _index(topic.lang(lang).steps, "0900-8844") >= 0


# --- Presentation: no doubt next to a number; the doubt goes to editors -----------------------------------


def _dated_helpline() -> Helpline:
    return Helpline(
        id="test-line",
        name=Localised(nl="Testlijn", en="Test line"),
        purpose=Localised(nl="Een test.", en="A test."),
        phone="0800-0000",
        hours=Localised(nl="Elke dag van 09.00 tot 17.00 uur", en="Every day from 09:00 to 17:00"),
        as_of=dt.date(2019, 1, 1),
        sources=["https://example.org/"],  # type: ignore[list-item]  # pydantic converts str to HttpUrl
        reviewed=dt.date(2026, 12, 5),
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rendered_hours_carry_no_doubt(lang: Language) -> None:
    shown = render_helpline(_dated_helpline(), lang, _identity)
    assert "check before you call" not in shown
    assert "2019" not in shown
    assert "0800-0000" in shown and ("09.00" in shown or "09:00" in shown)


def test_no_answer_shows_a_doubt(kb: KnowledgeBase) -> None:
    for topic in kb.topics.values():
        for lang in LANGUAGES:
            shown = render_topic(topic, kb, lang, _identity)
            assert "check before you call" not in shown and "(as of" not in shown, topic.id


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _set_as_of(data: Path, helpline_id: str, as_of: dt.date) -> None:
    path = data / "helplines.yaml"
    raw = yaml.safe_load(path.read_text())
    for line in raw["helplines"]:
        if line["id"] == helpline_id:
            line["as_of"] = as_of
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))


def test_kb_check_warns_on_an_old_as_of(data: Path) -> None:
    today = dt.date(2026, 12, 5)
    _set_as_of(data, "veilig-thuis", dt.date(2025, 12, 1))
    _, warnings = check_knowledge_base(data, today=today)
    assert any("veilig-thuis.as_of" in w and "more than 12 months" in w for w in warnings), warnings


def test_kb_check_is_quiet_on_a_recent_as_of(data: Path) -> None:
    today = dt.date(2026, 12, 5)
    _set_as_of(data, "veilig-thuis", dt.date(2026, 6, 1))
    _, warnings = check_knowledge_base(data, today=today)
    assert not any("veilig-thuis.as_of" in w for w in warnings), warnings
