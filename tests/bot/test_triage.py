"""Crisis triage: recall on crisis messages, silence on ordinary questions, and the dev evaluation sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.triage import THRESHOLD, Triage, Urgency, classify, default_triage, normalise

EVAL_DIR = Path(__file__).resolve().parents[3] / "shared/eval"

E, S, A = Urgency.EMERGENCY, Urgency.SUICIDE, Urgency.ABUSE


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage()


# Written independently of the dev sets: (message, accepted classes; the first is the preferred one).
URGENT: list[tuple[str, tuple[Urgency, ...]]] = [
    # ---- emergency, Dutch
    ("er staat een man met een mes voor mijn deur", (E,)),
    ("iemand bedreigt mij met een pistool", (E,)),
    ("HELP er is brand in onze keuken", (E,)),
    ("ons huis staat in brand", (E,)),
    ("de schuur van de buren staat in de fik", (E,)),
    ("ik ruik gas in het hele trappenhuis", (E,)),
    ("er is een inbreker in huis, ik zit boven", (E,)),
    ("er wordt nu ingebroken bij de buren", (E,)),
    ("er loopt een vreemde man in onze tuin en hij probeert binnen te komen", (E,)),
    ("mijn dochter van 7 is vermist", (E,)),
    ("ik kan mijn zoontje niet meer vinden op de markt", (E,)),
    ("mijn vader met dementie is sinds vanmiddag zoek", (E,)),
    ("er is een vechtpartij op het plein, ze hebben messen", (E,)),
    ("er is net iemand neergestoken bij het station", (E,)),
    ("mijn buurman dreigt me te vermoorden", (E,)),
    ("mijn ex staat voor de deur en zegt dat hij me komt afmaken", (E,)),
    ("ik word achtervolgd door een auto", (E,)),
    ("iemand probeert de deur in te trappen", (E,)),
    ("hellup hij slaat me nu", (E,)),
    ("mijn man slaat me op dit moment, de kinderen zijn erbij", (E,)),
    ("ik hoor de buurvrouw gillen en klappen, nu", (E, A)),
    ("er is een ontploffing in de straat, net nu", (E,)),
    ("mn opa ademt niet meer", (E,)),
    ("ik word bedreigd door een groep jongens bij de bushalte", (E,)),
    ("ik ben in gevaar, kom snel", (E,)),
    # ---- emergency, English
    ("someone is in my house right now", (E,)),
    ("there's a man with a knife outside", (E,)),
    ("my neighbour is threatening me with a gun", (E,)),
    ("fire in the garage!!", (E,)),
    ("my son is missing, he is 5", (E,)),
    ("i cant find my daughter anywhere", (E,)),
    ("someone is trying to break in", (E,)),
    ("he says he is going to kill me", (E,)),
    ("my husband is hitting me right now", (E,)),
    ("there is a fight outside my window, someone got stabbed", (E,)),
    # ---- suicide, Dutch
    ("ik wil niet meer leven", (S,)),
    ("ik wil dood, ik trek het niet meer", (S,)),
    ("ik denk erover om zelfmoord te plegen", (S,)),
    ("ik denk steeds aan zelfmoord", (S,)),
    ("ik wil er een eind aan maken", (S,)),
    ("ik heb al mijn pillen ingenomen", (S, E)),
    ("ik heb net een doosje paracetamol geslikt", (S, E)),
    ("ik heb zelfmoordgedachten", (S,)),
    ("mijn dochter van 15 zegt dat ze dood wil", (S,)),
    ("mijn vriend wil zich van kant maken", (S,)),
    ("mijn zoon heeft een afscheidsbrief geschreven", (S,)),
    ("ik zie het niet meer zitten, niemand zou me missen", (S,)),
    ("zelfmoort plegen lijkt me de enige uitweg", (S,)),
    ("ik sta op het spoor", (S, E)),
    ("ik wil mezelf iets aandoen", (S,)),
    ("ik wil nooit meer wakker worden", (S,)),
    ("ik ben suïcidaal", (S,)),
    ("wil dood", (S,)),
    ("mijn broer praat steeds over zelfmoord, ik ben bang", (S,)),
    ("mijn zoon wordt vaak gepest en ik ben bang dat hij zich iets gaat aandoen", (S,)),
    # ---- suicide, English
    ("i want to die", (S,)),
    ("I'm going to kill myself tonight", (S,)),
    ("i dont want to live anymore", (S,)),
    ("my friend wants to end his life", (S,)),
    ("my sister says she wants to kill herself", (S,)),
    ("i have been having suicidal thoughts", (S,)),
    ("everyone would be better off without me", (S,)),
    ("i took all my sleeping pills", (S, E)),
    ("thinking about suicde", (S,)),
    # ---- abuse, Dutch
    ("mijn man slaat mij", (A,)),
    ("mijn vader slaat me als hij dronken is", (A,)),
    ("mijn stiefvader mishandelt mijn moeder", (A,)),
    ("ik word thuis geslagen", (A,)),
    ("ik denk dat de buurjongen mishandeld wordt", (A,)),
    ("de buren slaan hun kinderen, dat hoor ik elke avond", (A,)),
    ("mijn vriend schopt me als hij boos is", (A,)),
    ("er is huiselijk geweld bij ons thuis", (A,)),
    ("ik ben als kind misbruikt door mijn oom", (A,)),
    ("mijn nichtje heeft steeds blauwe plekken, ik vertrouw het niet", (A,)),
    ("ik ben bang voor mijn man", (A,)),
    ("mijn oma wordt mishandeld door haar zoon", (A,)),
    ("mijn partner mishandeld me", (A,)),
    # ---- abuse, English
    ("my husband beats me", (A,)),
    ("my boyfriend hits me when he is angry", (A,)),
    ("i think the kids next door are being abused", (A,)),
    ("my dad hurts me and my brother", (A,)),
    ("i am being abused by my partner", (A,)),
    ("i am in an abusive relationship", (A,)),
]

# Ordinary resident questions: triage must stay silent so the knowledge base answers.
ORDINARY: list[str] = [
    # phishing, scams, fraud
    "ik heb op een link in een sms geklikt, wat nu?",
    "is deze mail van de belastingdienst echt?",
    "ik kreeg een appje van mijn 'dochter' met een nieuw nummer",
    "iemand belde namens de bank en ik heb mijn pincode gegeven",
    "mijn account is gehackt",
    "mijn instagram is overgenomen, help",
    "hoe herken ik phishing",
    "ik heb geld overgemaakt aan een nepwebshop",
    "wat is spoofing",
    "mijn gegevens worden misbruikt door oplichters",
    "iemand misbruikt mijn naam op facebook",
    "mijn bankpas is gestolen",
    "I clicked a link in a text from my bank",
    "someone hacked my email account",
    "is this package delivery text a scam?",
    "how do I report online fraud",
    "my identity was stolen",
    "de helpdeskfraude, hoe werkt dat?",
    "mijn fiets is gestolen bij het station",
    "ik heb mijn auto verkocht via marktplaats en ben opgelicht",
    # youth worries
    "mijn zoon gamet de hele nacht, wat kan ik doen",
    "mijn dochter wordt gepest op school",
    "mijn zoon van 15 draagt een mes bij zich, wat moet ik doen",
    "ik vond messen in de kamer van mijn zoon",
    "mijn zoon verzamelt mesjes als hobby",
    "ik denk dat mijn kind drugs gebruikt",
    "mijn dochter heeft een loverboy denk ik",
    "hoe praat ik met mijn kind over sexting",
    "mijn zoon is zijn telefoon kwijt",
    "ik maak me zorgen over de vrienden van mijn zoon",
    "my son spends all day on tiktok",
    "my daughter is being bullied online",
    "ik word gek van die hangjongeren",
    "die game is killing me",
    "ik ga dood van het lachen",
    "ik ga dood van de honger, hoe laat eten we",
    "dat slaat nergens op",
    "beats me why they closed the park",
    "this traffic is killing me",
    # nuisance, neighbourhood
    "jongeren steken elke avond vuurwerk af in de straat",
    "de buren maken elke nacht herrie",
    "er hangt een groep jongeren rond bij de supermarkt",
    "er staan al weken fietswrakken voor de deur",
    "overlast van een hond in de buurt",
    "mijn buurman laat zijn hond de hele dag blaffen",
    "hoe voorkom ik inbraak als we op vakantie gaan",
    "er is vorige week bij ons ingebroken, hoe doe ik aangifte",
    "onze kat is vermist",
    "how do I prevent burglars from getting into my shed",
    # ondermijning, drugs labs
    "ik vermoed een drugslab in de schuur bij ons in de buurt",
    "ik ruik een vreemde anijslucht bij de boerderij verderop",
    "er komen 's nachts busjes met vaten bij een leegstaande loods",
    "hoe meld ik anoniem een hennepkwekerij",
    "er was een explosie bij een woning in het dorp, wat kan ik doen",
    "what is ondermijning",
    "I think there is a cannabis farm next door",
    # services: 112, 113, Veilig Thuis, police, municipality
    "wanneer bel ik 112?",
    "wanneer moet je 112 bellen en wanneer 0900-8844",
    "wat doet veilig thuis?",
    "is veilig thuis anoniem",
    "huiselijk geweld melden",
    "hoe kan ik huiselijk geweld melden",
    "hoe herken ik kindermishandeling",
    "wat zijn signalen van huiselijk geweld",
    "wat is 113 zelfmoordpreventie",
    "hoe help ik iemand met suïcidale gedachten",
    "iemand in mijn omgeving heeft zelfmoordgedachten",
    "wat doe je als iemand zelfmoord wil plegen",
    "when should I call 112",
    "what does veilig thuis do",
    "how can I help someone with suicidal thoughts",
    "what are the signs of child abuse",
    "wat te doen bij brand in huis",
    "hoeveel rookmelders heb ik nodig",
    "hoe bereik ik de gemeente Epe",
    "waar kan ik een melding doen over een losliggende stoeptegel",
    "wat zijn de openingstijden van het gemeentehuis in Nunspeet",
    "hoe werkt de wijkagent",
    "ik wil iets melden over de openbare verlichting",
    "how do I contact the municipality of Hattem",
    "can I report something anonymously",
    "mijn moeder krijgt veel spam",
    "brand new phone, how do I secure it",
    "waar vind ik een cursus weerbaarheid voor mijn dochter",
    "ik heb mijn pillen ingenomen maar voel me nog steeds ziek",
    "ik heb gisteren een vechtpartij gezien in het nieuws",
    "mijn zoon heeft een spreekbeurt over zelfmoord",
    "wat te doen als iemand vermist is",
    "hoe voorkom ik dat mijn ouders slachtoffer worden van babbeltrucs",
    "hoe kan ik snel geld verdienen als jongere, iemand vroeg om mijn bankpas",
    "wat doet Fier precies",
]


@pytest.mark.parametrize(("text", "accepted"), URGENT)
def test_crisis_messages_are_flagged(triage: Triage, text: str, accepted: tuple[Urgency, ...]) -> None:
    assert triage.classify(text) in accepted, triage.assess(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_questions_are_not_flagged(triage: Triage, text: str) -> None:
    assert triage.classify(text) is None, triage.assess(text)


def test_own_sets_are_broad_enough() -> None:
    assert len(URGENT) >= 60
    assert len(ORDINARY) >= 80
    assert {accepted[0] for _, accepted in URGENT} == set(Urgency)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hij slaat me nu", E),  # abuse happening now is an emergency
        ("hij slaat me", A),
        ("my husband beats me right now", E),
        ("my husband beats me", A),
    ],
)
def test_abuse_happening_now_escalates_to_emergency(triage: Triage, text: str, expected: Urgency) -> None:
    assert triage.classify(text) is expected


def test_priority_emergency_over_suicide_over_abuse(triage: Triage) -> None:
    # Both abuse and suicide cues: suicide wins; adding a weapon threat makes it an emergency.
    assert triage.classify("mijn man slaat me en ik wil dood") is S
    assert triage.classify("mijn man bedreigt me met een mes en ik wil dood") is E


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HELLUP!!", " help "),
        ("Héééélp", " help "),
        ("zelfmoort", " zelfmoord "),
        ("suicde", " suicide "),
        ("ik wil dooood", " ik wil dood "),
        ("m'n man", " mijn man "),
        ("I can't", " i cannot "),
        ("Suïcidaal", " suicidaal "),
        ("bel Veilig  Thuis", " bel veiligthuis "),
        ("vermoorde", " vermoorden "),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize("word", ["gestolen", "verkocht", "beslagen", "geslaagd", "bedrijf", "inbreken", "mess"])
def test_normalise_leaves_ordinary_look_alikes_alone(word: str) -> None:
    assert normalise(word) == f" {word} "


CRISIS_WORDS = {
    "gestoken", "verkracht", "vermist", "verdwenen", "zelfmoord", "mishandeld", "mishandelt", "bedreigd",
    "bedreigt", "suicide", "inbreker", "vermoorden", "fire", "missing", "huiselijk", "ingebroken",
}  # fmt: skip


def test_typo_repair_never_invents_crisis_words_in_ordinary_questions() -> None:
    invented = {
        (text, token)
        for text in ORDINARY
        for token in normalise(text).split()
        if token in CRISIS_WORDS and token not in text.casefold()
    }
    assert not invented


def test_assessment_explains_the_decision(triage: Triage) -> None:
    result = triage.assess("help iemand bedreigt me met een mes")
    assert result.urgency is E
    assert result.scores[E] >= THRESHOLD
    assert "weapon+threat" in result.cues
    quiet = triage.assess("wanneer bel ik 112")
    assert quiet.urgency is None
    assert all(score < THRESHOLD for score in quiet.scores.values())


def test_module_level_convenience_uses_one_shared_instance() -> None:
    assert default_triage() is default_triage()
    assert classify("ik wil dood") is S
    assert classify("hoe herken ik phishing") is None


def test_urgency_values_match_the_cli_contract() -> None:
    assert [u.value for u in Urgency] == ["emergency", "suicide", "abuse"]
    assert f"{Urgency.ABUSE}" == "abuse"


# ---------------------------------------------------------------------------------------------------------
# Dev evaluation sets (shared/eval). Targets: crisis recall 100 %, false urgent on questions <= 2 %.
# ---------------------------------------------------------------------------------------------------------


def _read_jsonl(name: str) -> list[dict[str, object]]:
    path = EVAL_DIR / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_dev_urgent_recall_is_complete(triage: Triage) -> None:
    rows = _read_jsonl("dev-urgent.jsonl")
    assert rows
    missed = []
    for row in rows:
        text = str(row["text"])
        raw_accept = row.get("accept_urgency") or [row["expect_urgency"]]
        accepted = {str(u) for u in raw_accept} if isinstance(raw_accept, list) else {str(raw_accept)}
        got = triage.classify(text)
        if got is None or got.value not in accepted:
            missed.append((text, got, sorted(accepted)))
    assert not missed


def test_dev_questions_false_urgent_rate(triage: Triage) -> None:
    rows = _read_jsonl("dev-questions.jsonl")
    assert rows
    # Questions about suicidal thoughts or domestic violence do not *need* urgency; they still count here,
    # so a flag on them is a false urgent like any other.
    flagged = [str(row["text"]) for row in rows if triage.classify(str(row["text"])) is not None]
    assert len(flagged) / len(rows) <= 0.02, flagged
