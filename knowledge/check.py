"""``veiligbot kb check``: the cross-file rules the content must meet before it is published.

Errors: schema problems; topic ids not exactly those of ``spec/topics.yaml`` (bundled copy
``data/spec-topics.yaml``); theme or report category differing from the spec; nl/en incomplete; unknown
helpline or related ids; missing sources; a rendered answer longer than one Telegram message; a sample
question under two topics; crisis-triage rules (``data/triage``) that do not load (an unknown fragment, a regex
that does not compile, a wrong class or weight, an id used twice) or whose examples do not do what they say;
standard texts (``data/standard-texts.yaml``) without a text for every report category and action, without
both languages, with invalid Telegram HTML, unknown fill-in fields or phone numbers that are not helplines', or
a resident message that would not fit one Telegram message.
Warnings: facts reviewed more than 12 months ago, too few sample questions, an unused triage fragment, and
helplines whose ``as_of`` (the date of the source for their hours or cost) is more than 12 months old.

Pitfall: residents never see ``as_of`` (no doubt next to a number, see :mod:`knowledge.render`); this warning
is the only place an old source shows up, so re-check the fact, then update ``as_of`` or drop the hours.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

from knowledge.base import DATA_DIR, ContentError, load_knowledge_base
from knowledge.normalize import Vocabulary, words
from knowledge.render import FIRST_SCREEN, render_answer, render_topic, visible_length
from knowledge.schema import LANGUAGES, Language
from knowledge.standard_texts import Wrap, check_standard_texts
from knowledge.triage import load_triage_rules

TELEGRAM_MAX_MESSAGE = 4096
# The bot adds a "did this help?" line under an answer; keep room for it.
ANSWER_BUDGET = TELEGRAM_MAX_MESSAGE - 200
STALE_AFTER = dt.timedelta(days=365)
MIN_QUESTIONS = {"nl": 10, "en": 5}


def _plain_length(html: str) -> int:
    """Length as Telegram counts it: after tags are parsed and entities decoded."""
    import html as html_lib
    import re

    return len(html_lib.unescape(re.sub(r"<[^>]+>", "", html)))


def load_spec(data_dir: Path = DATA_DIR) -> dict[str, dict[str, str | None]]:
    with (data_dir / "spec-topics.yaml").open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return {t["id"]: {"theme": t["theme"], "report": t["report"]} for t in raw["topics"]}


def check_knowledge_base(data_dir: Path = DATA_DIR, today: dt.date | None = None) -> tuple[list[str], list[str]]:
    """(errors, warnings), each a sentence naming the file and field."""
    today = today or dt.date.today()
    try:
        kb = load_knowledge_base(data_dir)
    except ContentError as exc:
        return str(exc).splitlines(), []
    errors: list[str] = []
    warnings: list[str] = []
    spec = load_spec(data_dir)
    topics_dir = data_dir / "topics"

    for missing in sorted(set(spec) - set(kb.topics)):
        errors.append(f"{topics_dir}/{missing}.yaml: missing (required by spec/topics.yaml)")
    for extra in sorted(set(kb.topics) - set(spec)):
        errors.append(f"{topics_dir}/{extra}.yaml: id '{extra}' is not in spec/topics.yaml")

    seen_questions: dict[str, str] = {}
    for topic in kb.topics.values():
        where = f"{topics_dir}/{topic.id}.yaml"
        expected = spec.get(topic.id)
        if expected:
            if topic.theme != expected["theme"]:
                errors.append(f"{where}: theme: '{topic.theme}', spec says '{expected['theme']}'")
            if topic.report != expected["report"]:
                errors.append(f"{where}: report: '{topic.report}', spec says '{expected['report']}'")
        for helpline in topic.helplines:
            if helpline not in kb.helplines:
                errors.append(f"{where}: helplines: unknown helpline '{helpline}'")
        for related in topic.related:
            if related not in kb.topics or related == topic.id:
                errors.append(f"{where}: related: unknown topic '{related}'")
        _stale(warnings, where, "reviewed", topic.reviewed, today)
        for i, link in enumerate(topic.links):
            _stale(warnings, where, f"links.{i}.reviewed", link.reviewed, today)
        if (topic.nl.first is None) != (topic.en.first is None):
            errors.append(f"{where}: first: given in one language only; give it in nl and en, or in neither")
        for lang in LANGUAGES:
            content = topic.lang(lang)
            if len(content.questions) < MIN_QUESTIONS[lang]:
                errors.append(
                    f"{where}: {lang}.questions: {len(content.questions)} sample questions, at least "
                    f"{MIN_QUESTIONS[lang]} needed"
                )
            length = _plain_length(render_topic(topic, kb, lang, lambda s: s))
            if length > ANSWER_BUDGET:
                errors.append(f"{where}: {lang}: rendered answer is {length} characters, more than {ANSWER_BUDGET}")
            _check_first_screen(errors, where, lang, render_answer(topic, kb, lang, lambda s: s).first)
            for question in content.questions:
                key = " ".join(words(question))
                other = seen_questions.setdefault(key, topic.id)
                if other != topic.id:
                    errors.append(f"{where}: {lang}.questions: '{question}' also appears under '{other}'")
    for text, topic_id in kb.training:
        if topic_id is not None and topic_id not in kb.topics:
            errors.append(f"{data_dir}/training: '{text[:40]}': unknown topic '{topic_id}'")
    for line in kb.helplines.values():
        _stale(warnings, f"{data_dir}/helplines.yaml", f"{line.id}.reviewed", line.reviewed, today)
        if line.as_of is not None and today - line.as_of > STALE_AFTER:
            warnings.append(
                f"{data_dir}/helplines.yaml: {line.id}.as_of: the source of the hours/cost is from {line.as_of}, "
                "more than 12 months ago; re-check it on a current official page (residents do not see this date)"
            )
        if not (line.phone or line.website or line.email or line.chat):
            errors.append(f"{data_dir}/helplines.yaml: {line.id}: no phone, website, e-mail or chat")
    _check_municipalities(errors)
    _check_deadlines(errors, data_dir / "deadlines.yaml")
    try:
        Vocabulary.load(data_dir / "synonyms.yaml")
    except (ContentError, ValueError, KeyError) as exc:
        errors.append(f"{data_dir}/synonyms.yaml: {exc}")
    _check_triage(errors, warnings, data_dir / "triage")
    errors += check_texts(data_dir, [line.phone for line in kb.helplines.values() if line.phone])
    return errors, warnings


def report_categories(data_dir: Path = DATA_DIR) -> list[str]:
    with (data_dir / "spec-topics.yaml").open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return [c["id"] for c in raw["report_categories"]]


def check_texts(data_dir: Path, phones: list[str]) -> list[str]:
    """The standard texts, measured as the whole message a resident receives (the bot's own heading and footer,
    in each language), filled with the longest reference and municipality name."""
    # The message is the bot's (bot.workflow.engine.resident_message); this is its only use here.
    from bot.i18n.catalogs import Catalogs
    from bot.workflow.engine import TEXT_ACTION, resident_message
    from bot.workflow.transitions import Action
    from knowledge.municipalities import load_municipalities

    catalogs = Catalogs()
    longest = max((m.name for m in load_municipalities().municipalities), key=len)

    def wrap(lang: Language, action: Action) -> Wrap:
        def composed(body: str, reference: str, municipality: str) -> str:
            t = catalogs.get(lang)
            return resident_message(t, action, municipality=municipality, reference=reference, body=body, report_id=1)[
                0
            ]

        return composed

    compose = {lang: {name: wrap(lang, action) for action, name in TEXT_ACTION.items()} for lang in LANGUAGES}
    return check_standard_texts(
        data_dir, report_categories(data_dir), phones, compose, reference="HEE-WWWW", municipality=longest
    )


def _check_triage(errors: list[str], warnings: list[str], directory: Path) -> None:
    # The examples are tried on the real matcher, which lives with the bot (this is its only use here).
    from bot.triage.rules import Triage, example_problems

    try:
        rules = load_triage_rules(directory)
    except ContentError as exc:
        errors.extend(str(exc).splitlines())
        return
    warnings.extend(rules.warnings)
    errors.extend(example_problems(Triage(rules)))
    _check_triage_examples(errors, directory)


def _check_triage_examples(errors: list[str], directory: Path) -> None:
    """The crisis model's training lines (``examples-*.jsonl``): read at start-up, so a bad line stops the bot.

    A text in two files (or twice in one) is an error too: it would count double, and with two labels it
    teaches the model nothing. Compared case- and space-insensitively.
    """
    from bot.triage.learned import LABELS

    seen: dict[str, str] = {}
    for path in sorted(directory.glob("examples-*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not JSON ({exc.msg})")
                continue
            if not isinstance(row, dict) or set(row) != {"text", "label", "lang"}:
                errors.append(f"{where}: expected exactly the fields text, label and lang")
                continue
            if row["label"] not in LABELS:
                errors.append(f"{where}: label '{row['label']}' is not one of {', '.join(LABELS)}")
            if row["lang"] not in LANGUAGES:
                errors.append(f"{where}: lang '{row['lang']}' is not one of {', '.join(LANGUAGES)}")
            if not isinstance(row["text"], str) or not row["text"].strip():
                errors.append(f"{where}: empty text")
                continue
            key = " ".join(row["text"].lower().split())
            first = seen.setdefault(key, where)
            if first != where:
                errors.append(f"{where}: the same text as {first}")


def _stale(warnings: list[str], where: str, field: str, reviewed: dt.date, today: dt.date) -> None:
    if today - reviewed > STALE_AFTER:
        warnings.append(f"{where}: {field}: last reviewed {reviewed}, more than 12 months ago")


def _check_municipalities(errors: list[str]) -> None:
    from knowledge.municipalities import load_municipalities

    try:
        load_municipalities()
    except Exception as exc:  # pydantic and YAML errors alike: report, don't crash the check
        errors.append(f"{DATA_DIR}/municipalities.yaml: {exc}")


def _check_deadlines(errors: list[str], path: Path) -> None:
    # Loaded by the bot (bot.workflow.deadlines); checked here too so that editors hear of a mistake first.
    from bot.workflow.deadlines import DeadlinesError, load_default_terms

    try:
        load_default_terms(path)
    except DeadlinesError as exc:
        errors.append(" ".join(str(exc).split())[:400])  # pydantic's report spans lines


def _check_first_screen(errors: list[str], where: str, lang: str, first_screen: str) -> None:
    """The bot shows an answer's first screen (title, ``first``, summary, the steps that fit, crisis helplines)
    and the rest behind "More"; what must be on it may not exceed one phone screen."""
    length = visible_length(first_screen)
    if length > FIRST_SCREEN:
        errors.append(
            f"{where}: {lang}: the first screen (title, first, summary, step 1, crisis helplines) is {length} "
            f"characters, more than {FIRST_SCREEN}; shorten the summary or the first step"
        )
