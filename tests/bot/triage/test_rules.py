"""Crisis triage: recall on crisis messages, silence on ordinary questions, and the dev evaluation sets."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from bot.triage.rules import (
    THRESHOLD,
    Triage,
    Urgency,
    _space_for_leading_boundary,
    classify,
    default_rules,
    default_triage,
    normalise,
)
from tests.conftest import SHARED, needs_shared

EVAL_DIR = SHARED / "eval"
IN_REPO_QUESTIONS = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "extra-questions.jsonl"

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
# Dev evaluation sets (../shared/eval, when beside the repository). Targets: crisis recall 100 %, false urgent
# on questions <= 2 %. The in-repo counterparts: tests/bot/triage/test_sets.py (crisis recall, crisis-like
# messages) and the false-urgent rate on tests/knowledge/data/extra-questions.jsonl below.
# ---------------------------------------------------------------------------------------------------------


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@needs_shared("eval/dev-urgent.jsonl")
def test_dev_urgent_recall_is_complete(triage: Triage) -> None:
    rows = _read_jsonl(EVAL_DIR / "dev-urgent.jsonl")
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


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(EVAL_DIR / "dev-questions.jsonl", marks=needs_shared("eval/dev-questions.jsonl"), id="dev"),
        pytest.param(IN_REPO_QUESTIONS, id="in-repo"),
    ],
)
def test_questions_false_urgent_rate(triage: Triage, path: Path) -> None:
    rows = _read_jsonl(path)
    assert len(rows) >= 100
    # Questions about suicidal thoughts or domestic violence do not *need* urgency; they still count here,
    # so a flag on them is a false urgent like any other.
    flagged = [str(row["text"]) for row in rows if triage.classify(str(row["text"])) is not None]
    assert len(flagged) / len(rows) <= 0.02, flagged


# ---------------------------------------------------------------------------------------------------------
# Indirect crisis families: messages that name no crisis topic word. Written for this test, independently of
# tests/bot/data/*.jsonl; each family has a neighbouring set of ordinary messages that must stay silent.
# ---------------------------------------------------------------------------------------------------------

FAMILIES: dict[str, list[tuple[str, tuple[Urgency, ...]]]] = {
    "intruder or breaking in, no weapon": [
        ("er staat een vreemde man in onze gang", (E,)),
        ("ik hoor glas breken beneden en ik ben alleen", (E,)),
        ("iemand probeert het raam van de slaapkamer open te duwen", (E,)),
        ("er zijn twee mannen in onze achtertuin die aan de deur zitten", (E,)),
        ("theres a stranger in our backyard trying the doors", (E,)),
        ("someone just smashed our back window and is coming in", (E,)),
        ("i think someone is in the house, i hear footsteps upstairs", (E,)),
        ("er probeert iemand onze achterdeur open te breken", (E,)),
        ("iemand staat aan onze deurklink te rammelen en ik ben alleen", (E,)),
        ("ik hoor voetstappen op zolder en er hoort niemand thuis te zijn", (E,)),
        ("er klimt een man door het keukenraam naar binnen", (E,)),
        ("ik hoor iemand in de gang beneden wat moet ik doen", (E,)),
        ("somebody is trying to force the back door", (E,)),
        ("i can hear someone downstairs and i live alone", (E,)),
        ("theres someone climbing in through the bedroom window", (E,)),
        ("a man keeps trying the handle of our front door", (E,)),
        ("someone is trying to get into our flat rigth now", (E,)),
    ],
    "followed or chased now": [
        ("help er loopt iemand achter me aan in het donker", (E,)),
        ("a guy on a scooter is following me and i am scared", (E,)),
        ("er rijdt al een half uur een busje achter me", (E,)),
        ("een man loopt me al tien minuten achterna", (E,)),
        ("er fietsen twee jongens achter me aan en ze schreeuwen", (E,)),
        ("een busje volgt me al vanaf het station", (E,)),
        ("word achtervolgt door een man in het park", (E,)),
        ("some guy has been following me since the bus stop", (E,)),
        ("a car keeps following me home", (E,)),
        ("im being chased by a group of boys", (E,)),
        ("there is a man running after me", (E,)),
    ],
    "attack on the house, rampage, threat to kill": [
        ("ze bekogelen ons huis met stenen", (E,)),
        ("mijn buurman slaat met een hamer de ruiten in en schreeuwt dat hij ons vermoordt", (E,)),
        ("ze gooien bakstenen tegen onze ramen en schreeuwen dat ze binnenkomen", (E,)),
        ("er slaat een man alle ruiten in bij de buren en roept dat hij iedereen dood maakt", (E,)),
        ("een dronken vent sloopt het portiek en schreeuwt dat hij iemand gaat vermoorden", (E,)),
        ("people are throwing rocks at our windows and trying to get in", (E,)),
        ("a guy is smashing up the bus stop and yelling he will kill everyone", (E,)),
        ("my neighbour is wrecking his flat and screaming he is going to kill her", (E,)),
    ],
    "medical emergency": [
        ("mijn moeder krijgt ineens geen adem meer", (E,)),
        ("mijn vader is onwel geworden en ligt op de grond", (E,)),
        ("my son is choking on something", (E,)),
        ("mijn vriendin heeft xtc genomen en is bewusteloos", (E,)),
        ("opa reageert niet meer en zijn lippen zijn blauw", (E,)),
        ("my wife fainted and wont wake up", (E,)),
        ("baby ademt heel raar en wordt blauw", (E,)),
        ("iemand op straat is in elkaar gezakt", (E,)),
        ("mijn man kan niet meer ademen", (E,)),
        ("mn dochter krijgt bijna geen lucht en haar lippen worden blauw", (E,)),
        ("mijn vader heeft ineens hevige pijn op de borst en zweet heel erg", (E,)),
        ("mijn vriend heeft iets genomen op het feest en is niet wakker te krijgen", (E, S)),
        ("mijn zoon heeft te veel ghb genomen en ligt te schokken", (E,)),
        ("oma ligt op de grond en beweegt niet meer", (E,)),
        ("my grandad is clutching his chest and turning grey", (E,)),
        ("my baby is turning blue", (E,)),
        ("i cant wake my boyfriend he took a lot of pills", (E, S)),
        ("my sister passed out and isnt moving", (E,)),
        ("he is having a seizure and wont stop shaking", (E,)),
        ("my mum is struggling to breathe", (E,)),
    ],
    "suicide: farewell and arrangements": [
        ("ik stuur dit als laatste, ik hou van jullie allemaal", (S,)),
        ("vaarwel, het was mooi", (S,)),
        ("my last message to the world", (S,)),
        ("tell my mum i love her, goodbye", (S,)),
        ("alles is geregeld, testament, brief, ik ben er klaar voor", (S,)),
        ("my brother said goodbye to everyone and turned off his phone", (S,)),
        ("dit is mijn laatste berichtje aan jullie ik hou van jullie", (S,)),
        ("vaarwel allemaal, het spijt me", (S,)),
        ("dag iedereen sorry voor alles zorg goed voor mama", (S,)),
        ("mijn brief ligt klaar en alles is geregeld voor als ik er niet meer ben", (S,)),
        ("ik heb mijn spullen weggegeven, heb ik toch niet meer nodig", (S,)),
        ("this is my final message, thank you for everything", (S,)),
        ("bye everyone, forgive me", (S,)),
        ("i have sorted everything out for when im gone", (S,)),
        ("ive given away all my stuff, i wont need it where im going", (S,)),
    ],
    "suicide: cannot go on, does not need to live": [
        ("sinds mijn vrouw er niet meer is hoeft het voor mij ook niet meer", (S,)),
        ("het is op, ik kan niet meer", (S,)),
        ("ik trek dit leven niet meer", (S,)),
        ("i want to sleep forever", (S,)),
        ("i just want to disappear forever", (S,)),
        ("there is no way out for me", (S,)),
        ("my girlfriend texted she cant do this anymore and is sorry", (S,)),
        ("ik hoef echt niet meer, alles is zwart", (S,)),
        ("het leven hoeft voor mij niet meer", (S,)),
        ("wil gewoon stoppen met bestaan", (S,)),
        ("ik kan dit niet meer", (S,)),
        ("sinds mijn man overleden is wil ik alleen nog naar hem toe", (S,)),
        ("ik ben 84 en al mijn vrienden zijn dood, ik hoef niet meer", (S,)),
        ("i want to stop living", (S,)),
        ("i just cant take this anymore", (S,)),
        ("i cant do it anymore, sorry", (S,)),
        ("since my wife died i just want to be with her again", (S,)),
    ],
    "suicide: someone hints, means, methods": [
        ("mijn vriend zei ik ben er morgen niet meer bij, zorg goed voor mijn hond", (S,)),
        ("how many sleeping pills would kill me", (S,)),
        ("wat is de snelste manier om dood te gaan", (S,)),
        (
            "ik heb een touw op zolder gehangen",
            (
                S,
                E,
            ),
        ),
        (
            "i have saved up pills for weeks",
            (
                S,
                E,
            ),
        ),
        ("mijn vriendin zegt dat ze vanavond niet meer wakker wil worden", (S,)),
        ("mijn vriendin appte dat we haar morgen niet meer zullen zien", (S,)),
        ("mn broer zegt dat hij er volgende week niet meer is en dat ik zijn spullen mag hebben", (S,)),
        ("mijn vriend zegt dat hij er vanavond een einde aan maakt", (S, E)),
        ("my friend posted that she wont be around tomorrow", (S,)),
        ("my mate says this is the last time we will hear from him", (S,)),
        ("my son said hes going to end it this weekend", (S,)),
        ("welke pillen moet je nemen om nooit meer wakker te worden", (S,)),
        ("hoeveel slaappillen zijn dodelijk", (S,)),
        ("how many pills does it take to not wake up", (S,)),
        ("what is a lethal dose of paracetamol", (S,)),
        ("painless way to die", (S,)),
        ("het touw hangt al aan de balk", (S, E)),
        ("ik heb een strop geknoopt", (S, E)),
        ("ik heb de pillen verzameld en ze liggen klaar", (S, E)),
        ("the noose is tied", (S, E)),
        ("i bought a rope today and i know where", (S, E)),
    ],
    "suicide: self-harm with a wish to end it": [
        (
            "ik snij mezelf elke avond en deze keer dieper",
            (
                S,
                E,
            ),
        ),
        (
            "i cut my wrists",
            (
                S,
                E,
            ),
        ),
        ("ik snijd steeds dieper en wil dat alles ophoudt", (S, E)),
        ("heb vanavond in mijn polsen gesneden", (S, E)),
        ("kras me elke dag en wil dat het stopt", (S,)),
        ("cutting my wrists tonight", (S, E)),
        ("i keep cutting deeper and i want it all to stop", (S, E)),
        ("cut again tonight, i just want everything to end", (S, E)),
    ],
    "abuse: sexual, by family": [
        ("mijn oom doet dingen met me waar ik niet over mag praten", (A,)),
        ("mijn stiefvader wil dat ik naakt foto's stuur", (A,)),
        ("my mom's boyfriend comes into my room at night", (A,)),
        ("my brother forces me to have sex with him", (A,)),
        ("mijn broer komt elke nacht aan mij", (A,)),
        ("my stepdad makes me sit on his lap and touches me", (A,)),
        ("mijn opa raakt me aan op plekken waar ik dat niet wil", (A,)),
        ("mijn stiefbroer komt s nachts in mijn bed", (A,)),
        ("mijn oom zegt dat het ons geheimpje is wat hij met me doet", (A,)),
        ("mijn vader dwingt me om me uit te kleden", (A,)),
        ("mn neef komt steeds aan mn lichaam en ik wil dat niet", (A,)),
        ("my stepbrother makes me touch him", (A,)),
        ("my grandpa says what we do is our little secret", (A,)),
        ("my cousin forces me to do sexual stuff", (A,)),
    ],
    "abuse: strangling": [
        ("mijn vader knijpt mijn keel dicht als ik huil", (A,)),
        ("my husband tried to strangle me", (A,)),
        ("mijn vriend greep me bij mijn keel", (A,)),
        ("hij hield zijn handen om mijn nek tot ik bijna flauwviel", (A,)),
        ("mijn man drukt mijn keel dicht als hij boos is", (A,)),
        ("he grabbed me by the throat", (A,)),
        ("my boyfriend squeezed my neck till i couldnt breathe", (A,)),
        ("she put her hands around my throat last week", (A,)),
    ],
    "abuse: confinement and control": [
        ("mijn vrouw houdt me al dagen binnen en slaat me", (A,)),
        ("he locks me in the shed", (A,)),
        ("mijn vriend pakt al mijn geld af en laat me nergens heen", (A,)),
        ("mijn man sluit me op in de slaapkamer als hij weggaat", (A,)),
        ("mijn vriend laat me het huis niet uit en slaat me als ik iets zeg", (A,)),
        ("hij houdt me binnen en neemt al mijn geld af", (A,)),
        ("my husband locks me in the house when he goes to work", (A,)),
        ("my boyfriend takes my phone and doesnt let me go out and hits me", (A,)),
        ("she wont let me see my friends and locks me in my room", (A,)),
    ],
    "abuse: hiding, throwing, afraid to go home": [
        (
            "mijn vader is dronken en schreeuwt en gooit met stoelen",
            (
                A,
                E,
            ),
        ),
        (
            "my dad threw a plate at my mom",
            (
                A,
                E,
            ),
        ),
        (
            "ik wil niet naar huis, mijn moeder gaat me weer slaan",
            (
                A,
                E,
            ),
        ),
        (
            "ik zit in de kast verstopt want papa is boos en slaat alles kapot",
            (
                A,
                E,
            ),
        ),
        ("ik heb me opgesloten in de badkamer, hij is woedend en schopt tegen de deur", (A, E)),
        ("ik zit verstopt in mijn kamer want mijn vader is dronken en schreeuwt", (A, E)),
        ("i am hiding in the bathroom, he is banging on the door and screaming", (A, E)),
        ("mijn vader is dronken en gooit met borden naar mijn moeder", (A, E)),
        ("mama gooit spullen naar papa en gilt", (A, E)),
        ("my mum is drunk and throwing glasses at my stepdad", (A, E)),
        ("he throws things at me when hes drunk", (A, E)),
        ("ik durf niet naar huis want mijn vader gaat me weer slaan", (A, E)),
        ("i dont want to go home, my mom will beat me again", (A, E)),
        ("i am afraid to go back home, my stepdad hurts me", (A, E)),
    ],
}

# Ordinary messages that sit close to a family above (same words, no danger).
NEAR_MISSES: dict[str, list[str]] = {
    "intruder, followed, attack": [
        "ik hoor iemand beneden de vaatwasser uitruimen, vast mijn zoon",
        "iemand rijdt achter me aan met groot licht, is dat strafbaar",
        "my friend is going to kill me for telling you this",
        "ik hoor glas breken bij de glasbak",
        "er is iemand in de keuken, mijn moeder kookt",
        "mijn broer zit aan de deur te luisteren",
        "hoe voorkom ik dat inbrekers binnen komen via de achterdeur",
        "de slotenmaker probeert de deur open te maken want ik ben mijn sleutels kwijt",
        "iemand probeert in te loggen op mijn account",
        "someone tried to get into my instagram account",
        "how do i stop people getting into my garden shed",
        "ik hoor de buren boven lopen is dat normaal in een flat",
        "mijn hondje loopt me overal achterna",
        "my toddler follows me everywhere",
        "iemand volgt me op tiktok en reageert op alles",
        "kinderen gooien steentjes in de vijver",
        "een jongen gooide gisteren een steen door onze ruit waar doe ik aangifte",
        "my mom is going to kill me when she sees my report card",
        "kids smashed the bus shelter last night how do i report vandalism",
        "onze kat wil steeds naar binnen",
    ],
    "medical": [
        "mijn lippen zijn blauw van de kou haha",
        "mijn zoon ligt op de grond te huilen omdat hij geen snoep krijgt",
        "is het normaal dat mijn baby blauwe lippen heeft na het badje",
        "hoe herken ik een hartaanval",
        "my grandma is not responding to my messages",
        "mijn man kan niet meer werken door zijn rug",
        "mijn telefoon wordt niet meer wakker uit de slaapstand",
        "pijn op de borst na het sporten wat betekent dat",
        "mijn zoon wordt s ochtends nooit wakker van zijn wekker",
        "my laptop wont wake up from sleep",
        "my teenager wont wake up for school",
        "i cant breathe through my nose with this cold",
        "my hair is turning grey",
        "de lucht wordt grauw gaat het onweren",
        "wat te doen als iemand geen lucht krijgt",
        "the app is not responding",
        "ik verdrink in het werk",
        "ik ben gisteren flauwgevallen bij het bloedprikken",
    ],
    "suicide": [
        "i cant do this anymore, my phone keeps crashing",
        "ik kan niet meer inloggen bij digid",
        "thank you for everything, goodbye",
        "het is mooi geweest met die overlast",
        "het was mooi weer vandaag",
        "ik zie geen uitweg meer uit mijn schulden",
        "i want to sleep forever this weekend after exams",
        "hij zegt dat we hem nooit meer zien als we niet betalen, is dat oplichting",
        "ik heb touw gekocht voor de tuin",
        "dit is het einde van de serie",
        "ik heb alles geregeld voor de verhuizing",
        "ik kan niet meer wachten op de zomer",
        "laatste bericht in de groepsapp over het feest",
        "ik hoef niet meer naar school vanaf volgende week",
        "nee dank je ik hoef niet meer",
        "i cant wait anymore for the holidays",
        "goodbye everyone, see you after the summer holidays",
        "ik heb mijn testament bij de notaris geregeld, wat gebeurt er na mijn dood met mijn accounts",
        "hij is er morgen niet want hij is op vakantie",
        "de winkel is er morgen niet meer want hij gaat failliet",
        "how many ibuprofen can i take for a headache",
        "hoeveel paracetamol mag ik per dag",
        "i am going to end it with my boyfriend tonight",
        "ik wil stoppen met roken",
        "we hebben het touw klaar voor het touwtrekken",
        "wat een strop, mijn fiets is weer gestolen",
        "ik heb mijn spullen naar de kringloop gebracht want we verhuizen",
        "i cut my hair again",
        "ik heb me gesneden aan een glas",
        "ik heb mijn vrouw vorig jaar verloren, hoe sluit ik haar bankrekening",
        "dit is mijn laatste bericht voor de vakantie",
        "ik wil dat het pesten stopt",
    ],
    "abuse": [
        "hij gooit de sleutels naar me",
        "ik durf niet naar huis met dit rapport",
        "ik word opgesloten in een escape room lol",
        "mijn opa doet leuke dingen met me",
        "mijn stiefvader wil dat ik foto's stuur van mijn rapport",
        "my son gets up at night and comes into my bed when he is scared",
        "mijn moeder pakt mijn telefoon af als ik te lang game",
        "mijn ouders laten me niet naar buiten na tien uur",
        "my parents won't let me go to the party",
        "my son throws the ball at me in the garden",
        "mijn keel doet pijn en ik heb koorts",
        "mijn oom komt zaterdag aan op schiphol",
        "mijn zoon sluit zich op in zijn kamer en praat niet meer",
        "mijn zusje kruipt s nachts bij mij in bed omdat ze bang is voor onweer",
        "my little brother beats me at chess every time",
        "mijn oom heeft een verrassingsfeest voor me geregeld, het is nog geheim",
        "ik sluit me op in mijn kamer om te studeren",
        "the app locked me out of my account",
    ],
}


@pytest.mark.parametrize(
    ("text", "accepted"), [pytest.param(t, a, id=f"{fam}: {t}") for fam, rows in FAMILIES.items() for t, a in rows]
)
def test_indirect_crisis_families_are_flagged(triage: Triage, text: str, accepted: tuple[Urgency, ...]) -> None:
    assert triage.classify(text) in accepted, triage.assess(text)


@pytest.mark.parametrize("text", [t for rows in NEAR_MISSES.values() for t in rows])
def test_near_misses_of_the_families_stay_silent(triage: Triage, text: str) -> None:
    assert triage.classify(text) is None, triage.assess(text)


def test_families_are_broad_enough() -> None:
    assert all(len(rows) >= 6 for rows in FAMILIES.values())
    assert all(len(rows) >= 10 for rows in NEAR_MISSES.values())
    # Both languages in every family.
    dutch = re.compile(r"\b(?:ik|mijn|mn|hij|er|het|een|de|wil|heb)\b")
    assert all(any(dutch.search(t) for t, _ in rows) for rows in FAMILIES.values())
    assert all(any(not dutch.search(t) for t, _ in rows) for rows in FAMILIES.values())


# ---------------------------------------------------------------------------------------------------------
# Speed: the leading-boundary rewrite must not change what any pattern matches.
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\bfoo\b|\bbar", r" foo\b| bar"),
        (r"(?:\bq|r)x", r"(?: q|r)x"),
        (r"(?<!ik )\bsluit", r"(?<!ik )\bsluit"),  # after a lookbehind the position would shift
        (r"(?:\bab )+x", r"(?:\bab )+x"),  # a repeated group needs its boundary every time
        (r"x\b(?:\bz)", r"x\b(?:\bz)"),  # not at the start of an alternative
        (r"[|]\bz", r"[|]\bz"),  # the bar inside a class is no alternative
    ],
)
def test_space_for_leading_boundary(source: str, expected: str) -> None:
    assert _space_for_leading_boundary(source) == expected


def _all_own_texts() -> list[str]:
    texts = [t for t, _ in URGENT] + ORDINARY
    texts += [t for rows in FAMILIES.values() for t, _ in rows]
    texts += [t for rows in NEAR_MISSES.values() for t in rows]
    return texts


def test_boundary_rewrite_keeps_every_pattern_equivalent() -> None:
    texts = [normalise(t) for t in _all_own_texts()]
    for cue in default_rules().cues:
        for source in (*cue.patterns, *([cue.unless] if cue.unless else [])):
            slow, fast = re.compile(source), re.compile(_space_for_leading_boundary(source))
            assert [bool(slow.search(t)) for t in texts] == [bool(fast.search(t)) for t in texts], cue.id


def test_classify_is_well_under_a_millisecond(triage: Triage) -> None:
    texts = _all_own_texts()
    best = float("inf")
    for _ in range(3):  # best of three: a busy machine must not fail the test
        start = time.perf_counter()
        for text in texts:
            triage.classify(text)
        best = min(best, (time.perf_counter() - start) / len(texts))
    assert best < 0.001


# ---------------------------------------------------------------------------------------------------------
# Disguised text: the shared fold (knowledge.normalize.fold) runs before the triage's own steps.
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ik wil d\u200bood",  # zero-width space inside the word
        "ik wil d\u043e\u043ed",  # Cyrillic o
        "ik wil d\u043eod",
        "ik wil zelf\u00admoord plegen",  # soft hyphen
        "\u202eik wil dood\u202c",  # bidi override
        "ＩＫ ＷＩＬ ＤＯＯＤ",  # full-width
        "\u0456k w\u0456l d\u03bf\u03bfd",  # Cyrillic i, Greek omicron
    ],
)
def test_disguised_suicide_message_is_flagged(triage: Triage, text: str) -> None:
    assert triage.classify(text) is S, triage.assess(text)


def test_disguised_emergency_and_abuse_are_flagged(triage: Triage) -> None:
    assert triage.classify("er is br\u200band in onze keuken") is E
    assert triage.classify("mijn man sl\u0430\u0430t mij") is A  # Cyrillic a


def test_assessment_score_is_the_deciding_class_score(triage: Triage) -> None:
    flagged = triage.assess("ik wil dood")
    assert flagged.score == flagged.scores[S] >= THRESHOLD
    quiet = triage.assess("wanneer bel ik 112")
    assert quiet.score == max(quiet.scores.values()) < THRESHOLD
