"""Crisis triage: decide whether a free-text resident message signals a crisis, before any search.

Three classes (see ``spec/cli.md``):

- ``emergency``: danger *now* — violence, a weapon, a threat, fire, an intruder, someone missing, and also
  domestic violence that is happening right now ("hij slaat me nu"). Guidance: 112.
- ``suicide``: a wish to die, plans or means, or worry about a *specific* person who wants to die.
  Guidance: 113 / 0800-0113 (112 when life is in acute danger).
- ``abuse``: domestic violence or child abuse that is not (said to be) happening now. Guidance: Veilig Thuis.

Method
------
1. :func:`normalise` lower-cases, strips accents and punctuation, expands a few contractions
   ("m'n", "can't", "i'm"), squeezes letter repeats ("heeeelp") and repairs common misspellings
   ("hellup", "zelfmoort", "suicde") with an explicit table plus a cautious edit-distance match against a
   small list of long, distinctive crisis words.
2. Weighted cues (regular expressions over the normalised text) add to a score per class. A cue may need
   several patterns at once (a weapon *and* a threat verb) and may be switched off by an ``unless`` pattern
   (an animal as the victim). Strong, concrete statements weigh 2.0; weak hints 0.5 and only count together.
3. Informational and hypothetical framing ("wat is", "hoe herken ik", "als iemand ...", "iemand in mijn
   omgeving") and idioms ("dood van het lachen") subtract. A class fires at a score of 1.0; when several
   fire, emergency beats suicide beats abuse.

Pitfalls (why the rules look the way they do)
---------------------------------------------
- Topic words alone never trigger: "huiselijk geweld melden", "wanneer bel ik 112", "wat doet Veilig Thuis",
  "hoe herken ik kindermishandeling" must reach the knowledge base. Crisis cues need a first-person victim,
  a specific person ("mijn vriend", "de buren", "hij"), or present tense.
- A hypothetical or generic framing costs 1.5, so one strong cue (2.0) with a general question around it
  ("wat doe je als iemand zelfmoord wil plegen") drops below the threshold, while a concrete message with a
  stray "wat is" ("ik wil dood, wat is 113?") still fires.
- Verbs are ambiguous: "slaat" ("dat slaat nergens op", "de klok slaat"), "misbruikt" ("mijn gegevens worden
  misbruikt" is identity fraud), "beats me" ("beats me why"), "kwijt" ("mijn zoon is zijn telefoon kwijt").
  So abuse verbs need a person as object or subject, and animals switch the abuse cues off.
- "mes" must be a whole word ("mesjes verzamelen" is a hobby) and a weapon alone is not a crisis ("mijn zoon
  draagt een mes", a youth worry): it needs a threat verb or a place/time cue.
- Past events ("gisteren", "vorige week") are reports, not emergencies, except when someone is *still*
  missing ("sinds gisteren").
- Edit-distance repair only touches long words and never protected look-alikes ("gestolen" is not
  "gestoken", "verkocht" is not "verkracht"): a wrong repair would be a false alarm.
- Online threats ("bedreigd via instagram") weigh less than physical ones: they are usually a report
  (police 0900-8844), unless a physical cue is present as well.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz.distance import OSA

__all__ = ["THRESHOLD", "Assessment", "Triage", "Urgency", "classify", "default_triage", "normalise"]


class Urgency(StrEnum):
    """Crisis classes, values as in ``spec/cli.md``."""

    EMERGENCY = "emergency"
    SUICIDE = "suicide"
    ABUSE = "abuse"


#: A class fires when its summed cue weights reach this value.
THRESHOLD = 1.0

# Priority when several classes fire: danger now first.
_PRIORITY: tuple[Urgency, ...] = (Urgency.EMERGENCY, Urgency.SUICIDE, Urgency.ABUSE)

STRONG = 2.0
MEDIUM = 1.0
WEAK = 0.5

# --------------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------------

# Misspellings seen in practice; looked up on the raw and on the squeezed (doubles removed) token.
_MISSPELLINGS: dict[str, str] = {
    "hellup": "help",
    "helup": "help",
    "hlp": "help",
    "hepl": "help",
    "halp": "help",
    "hulpp": "hulp",
    "zelfmoort": "zelfmoord",
    "zelfmort": "zelfmoord",
    "selfmoord": "zelfmoord",
    "zelfmord": "zelfmoord",
    "zelmoord": "zelfmoord",
    "zelfmoor": "zelfmoord",
    "suicde": "suicide",
    "sucide": "suicide",
    "suiside": "suicide",
    "suicid": "suicide",
    "suicidael": "suicidaal",
    "suisidaal": "suicidaal",
    "doot": "dood",
    "dod": "dood",
    "kil": "kill",
    "lfe": "life",
    "lif": "life",
    "suicidle": "suicidal",
    "suicidel": "suicidal",
    "sucidal": "suicidal",
    "hep": "heb",
    "myslef": "myself",
    "mysefl": "myself",
    "mysef": "myself",
    "myselve": "myself",
    "mezelv": "mezelf",
    "mesjelf": "mezelf",
    "brant": "brand",
    "vermoort": "vermoord",
    "vermoorde": "vermoorden",
    "slaad": "slaat",
    "slaatt": "slaat",
    "inbreeker": "inbreker",
    "bedreid": "bedreigd",
    "bedrijgt": "bedreigt",
    "nuu": "nu",
    "plz": "please",
    "pls": "please",
}

# Contractions and chat spelling, applied to whole tokens after punctuation is gone.
_TOKEN_EXPANSIONS: dict[str, str] = {
    "mn": "mijn",
    "zn": "zijn",
    "dr": "haar",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "im": "i am",
    "ive": "i have",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "cannot",
    "wont": "will not",
    "hasnt": "has not",
    "havent": "have not",
    "isnt": "is not",
    "theres": "there is",
    "hes": "he is",
    "shes": "she is",
    "ff": "even",
    "egt": "echt",
    "gwn": "gewoon",
    "nie": "niet",
    "wilt": "wil",
    "wl": "wil",
}

# Long, distinctive crisis words that typos are repaired towards. Short words are left out on purpose:
# at edit distance 1 they collide with ordinary words.
_FUZZY_KEYWORDS: tuple[str, ...] = (
    "zelfmoord",
    "zelfmoordgedachten",
    "zelfdoding",
    "suicide",
    "suicidaal",
    "suicidale",
    "suicidal",
    "levensmoe",
    "afscheidsbrief",
    "ophangen",
    "mishandelt",
    "mishandeld",
    "mishandeling",
    "kindermishandeling",
    "huiselijk",
    "huiselijke",
    "verkracht",
    "vermoorden",
    "vermoord",
    "bedreigt",
    "bedreigd",
    "inbreker",
    "inbrekers",
    "ingebroken",
    "steekpartij",
    "schietpartij",
    "vechtpartij",
    "neergestoken",
    "neergeschoten",
    "achtervolgd",
    "bewusteloos",
    "vermist",
    "verdwenen",
    "weggelopen",
    "missing",
    "himself",
    "herself",
    "myself",
    "threatening",
    "threatened",
)

# Ordinary words one edit away from a crisis word: never "repaired".
_PROTECTED: frozenset[str] = frozenset(
    {
        "gestolen",
        "verdienen",
        "verdiend",
        "verdient",
        "verdwijnen",
        "fier",
        "verkocht",
        "beslagen",
        "geslaagd",
        "vermits",
        "bedrijf",
        "bedrijft",
        "vermisten",
        "ingebrokene",
        "suicides",
        "threatens",
        "mishandelde",
        "inbreken",
        "huiselijkheid",
        "ophalen",
        "opvangen",
    }
)

# Plain pattern strings: the re module caches their compiled form on first use, not at import.
_RUNS = r"([a-z])\1{2,}"
_DOUBLES = r"([a-z])\1"
_NON_ALNUM = r"[^a-z0-9]+"
_APOSTROPHES = r"[\u2018\u2019\u201b\u0060\u00b4]"


def _squeeze(token: str) -> str:
    return re.sub(_DOUBLES, r"\1", token)


@functools.cache
def _squeezed_keywords() -> dict[str, str]:
    words = set(_FUZZY_KEYWORDS) | {
        "help", "dood", "brand", "nu", "now", "plegen", "leven", "slaat", "mezelf", "maken", "sterven",
        "vermoorden", "slaan", "schopt", "pillen", "zelfmoord", "kill", "die", "life", "knife",
    }  # fmt: skip
    return {_squeeze(w): w for w in words}


def _fix_token(token: str) -> str:
    """Repair one token; pitfall: only distinctive words, never protected look-alikes."""
    if token.isdigit() or token in _PROTECTED:
        return token
    token = re.sub(_RUNS, r"\1\1", token)
    if token in _MISSPELLINGS:
        return _MISSPELLINGS[token]
    if token in _FUZZY_KEYWORDS:
        return token
    squeezed = _squeeze(token)
    if squeezed != token:
        if squeezed in _MISSPELLINGS:
            return _MISSPELLINGS[squeezed]
        hit = _squeezed_keywords().get(squeezed)
        if hit is not None:
            return hit
    if len(token) < 6:
        return token
    best: str | None = None
    best_distance = 99
    for keyword in _FUZZY_KEYWORDS:
        if len(keyword) < 7 and not keyword.endswith("self"):
            continue
        allowed = 2 if len(keyword) >= 11 else 1
        if abs(len(keyword) - len(token)) > allowed:
            continue
        distance = OSA.distance(token, keyword, score_cutoff=allowed)
        if distance <= allowed and distance < best_distance:
            best, best_distance = keyword, distance
    return best if best is not None else token


def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces, contractions expanded, typos repaired.

    "Veilig Thuis" becomes the single token ``veiligthuis`` so that its "thuis" never reads as "at home".
    The result is padded with one space on each side, so patterns can rely on word boundaries.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(_APOSTROPHES, "'", plain)
    # Contractions that lose meaning once the apostrophe is gone.
    plain = re.sub(r"\bcan't\b", "cannot", plain)
    plain = re.sub(r"\bwon't\b", "will not", plain)
    plain = re.sub(r"n't\b", " not", plain)
    plain = re.sub(r"'m\b", " am", plain)
    plain = re.sub(r"'re\b", " are", plain)
    plain = re.sub(r"'ve\b", " have", plain)
    plain = re.sub(r"'ll\b", " will", plain)
    plain = re.sub(r"\b(it|there|he|she|someone|somebody|that|what|who|here)'s\b", r"\1 is", plain)
    plain = re.sub(r"'t\b", "het", plain)
    plain = plain.replace("'", "")
    tokens = re.sub(_NON_ALNUM, " ", plain).split()
    fixed: list[str] = []
    for token in tokens:
        token = _fix_token(token)
        fixed.append(_TOKEN_EXPANSIONS.get(token, token))
    joined = " ".join(fixed)
    joined = re.sub(r"\bveilig thuis\b", "veiligthuis", joined)
    joined = re.sub(r"\bzelfmoord gedachte", "zelfmoordgedachte", joined)
    return f" {joined} "


# --------------------------------------------------------------------------------------------------
# Vocabulary (regex fragments, plain strings; compiled once per Triage instance)
# --------------------------------------------------------------------------------------------------


def _alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


_W = r"(?:\w+ )"  # one word plus its trailing space

REL_NL = _alt(
    "man", "vrouw", "vriend", "vriendje", "vriendin", "vriendinnetje", "partner", "ex", "exman", "exvriend",
    "vader", "moeder", "papa", "mama", "pa", "ma", "stiefvader", "stiefmoeder", "broer", "broertje", "zus",
    "zusje", "zoon", "zoontje", "dochter", "dochtertje", "kind", "kindje", "kinderen", "kids", "opa", "oma",
    "oom", "tante", "neef", "neefje", "nicht", "nichtje", "buurman", "buurvrouw", "buren", "buurjongen",
    "buurmeisje", "buurkind", "buurkinderen", "collega", "klasgenoot", "klasgenote", "leerling", "baas",
    "echtgenoot", "echtgenote", "huisgenoot", "schoonvader", "schoonmoeder", "zwager", "schoonzus",
    "kleinkind", "kleinzoon", "kleindochter", "pleegkind", "pleegvader", "pleegmoeder", "jongen", "meisje",
    "peuter", "kleuter", "baby", "tiener", "puber", "ouders", "vriendinnen", "vrienden", "moeder",
)  # fmt: skip
REL_EN = _alt(
    "husband", "wife", "boyfriend", "girlfriend", "partner", "ex", "father", "mother", "dad", "daddy", "mum",
    "mom", "mummy", "mommy", "stepfather", "stepdad", "stepmother", "stepmom", "brother", "sister", "son",
    "daughter", "child", "kid", "kids", "children", "baby", "toddler", "teenager", "grandma", "grandpa",
    "grandmother", "grandfather", "grandson", "granddaughter", "uncle", "aunt", "cousin", "nephew", "niece",
    "neighbour", "neighbor", "neighbours", "neighbors", "friend", "roommate", "flatmate", "housemate",
    "colleague", "classmate", "student", "boss", "parents", "boy", "girl", "mate",
)  # fmt: skip
REL = _alt(REL_NL, REL_EN)
POSS = _alt(
    "mijn", "onze", "ons", "zijn", "haar", "hun", "de", "het", "die", "dat", "deze",
    "my", "our", "his", "her", "their", "the", "this", "that",
)  # fmt: skip
# A specific person: "mijn (beste) vriend", "de buren", "my little brother", or a personal pronoun.
PERSON = rf"(?:{POSS} {_W}?{REL}|hij|zij|ze|he|she|they)"
ANIMAL = _alt(
    "hond", "honden", "hondje", "kat", "katten", "poes", "poezen", "konijn", "konijnen", "paard", "paarden",
    "pony", "dier", "dieren", "huisdier", "huisdieren", "kippen", "geit", "dog", "dogs", "puppy", "cat",
    "cats", "kitten", "animal", "animals", "horse", "horses", "pet", "pets", "rabbit",
)  # fmt: skip

PRESENT = _alt(
    "nu", "nou", "nu meteen", "op dit moment", "momenteel", "net", "zojuist", "er is", "er zijn", "er wordt",
    "er worden", "er staat", "er staan", "er loopt", "er lopen", "is bezig", "zijn bezig", "aan het \\w+",
    "hier", "nog", "snel", "help", "now", "right now", "currently", "at the moment", "there is", "there are",
    "happening", "outside", "here", "just now", "still", "is being", "are being", "quick", "hurry", "asap",
    "please", "buiten", "voor de deur", "voor mijn deur", "aan de deur", "in de straat", "op straat",
)  # fmt: skip
# Stricter "happening now": escalates an abuse statement to an emergency.
NOW = (
    r"(?:\b(?:nu|nou|nu meteen|op dit moment|op het moment|momenteel|net|zojuist|is bezig|zijn bezig|"
    r"aan het (?:slaan|schoppen|trappen|wurgen)|nu hier|hier binnen|hellup|now|right now|currently|"
    r"at the moment|just|as we speak|happening now|is happening)\b|^ help\b|\bhelp (?:me|mij|ons|us)\b|"
    r"\bhelp $)"
)
PAST = (
    r"\b(?:gisteren|eergisteren|vorige (?:week|maand|keer|nacht)|vorig (?:jaar|weekend)|vannacht|"
    r"afgelopen (?:nacht|week|weekend|maand|jaar)|laatst|geweest|gehad|plaatsgevonden|happened|jaren geleden|"
    r"weken geleden|dagen geleden|"
    r"maanden geleden|yesterday|last (?:night|week|month|year|weekend)|ago|was er|er was|there was)\b"
)
ONLINE = (
    r"\b(?:online|internet|instagram|insta|snapchat|snap|tiktok|whatsapp|app|appje|appjes|berichtje|"
    r"berichtjes|berichten|bericht|mail|email|facebook|telegram|discord|chat|sms|dm|dms|twitter|"
    r"social media|sociale media|game|gamen|fortnite|roblox|messages|texts|texting)\b"
)
PHYSICAL = (
    r"\b(?:voor de deur|voor mijn deur|aan de deur|bij mijn huis|bij ons huis|in huis|op straat|buiten|"
    r"komt (?:me|mij|ons|hierheen|naar)|staat (?:hier|voor)|outside|at my door|at the door|coming (?:to|for))"
    r"\b"
)

WEAPON = _alt(
    "mes", "messen", "keukenmes", "steekwapen", "pistool", "vuurwapen", "wapen", "wapens", "geweer", "bijl",
    "machete", "knuppel", "honkbalknuppel", "knife", "knives", "gun", "guns", "pistol", "rifle", "weapon",
    "axe", "machete",
)  # fmt: skip
THREAT_VERB = (
    r"\b(?:bedreig\w*|dreig\w*|zwaai\w*|steek\w*|stak|richt\w*|aanval\w*|valt \w+ aan|vallen \w+ aan|"
    r"achter (?:me|mij|ons|hem|haar) aan|threat\w*|waving|waves|pointing|points|pointed|attack\w*|"
    r"chas\w*|stab\w*|shoot\w*|schiet\w*)\b"
)
WEAPON_CARRY = (
    r"\b(?:op zak|bij zich|in zijn tas|in haar tas|in zijn kamer|in haar kamer|draagt|dragen|carries|"
    r"carry|meenemen|neemt \w+ mee|take to school|takes to school|bring to school|"
    r"carrying|in his bag|in her bag|in his room|gevonden|found|gekocht|bought|verzamel\w*|collect\w*|"
    r"hobby|slijpen|sharpen\w*|wapenbezit|wapenverbod|messenverbod|vergunning|licence|license|jacht\w*|"
    r"hunting|schietvereniging|keuken|kitchen|koken|cooking)\b"
)
FIGHT = _alt(
    "vechtpartij", "vechten", "vecht", "gevecht", "knokpartij", "knokken", "steekpartij", "schietpartij",
    "schieten", "schiet", "schoten", "geschoten", "geschiet", "gestoken", "neergestoken", "neergeschoten",
    "in elkaar geslagen", "in elkaar getrapt", "in elkaar slaan", "in elkaar trappen", "rellen", "fight",
    "fighting", "brawl", "stabbing", "stabbed", "shooting", "shots", "gunshots", "shot", "being attacked",
    "attacking", "attacked", "aangevallen", "beaten up", "beating up", "riot", "overval", "overvallen",
    "beroofd", "robbery", "being robbed", "mugged",
)  # fmt: skip
# Shooting and fighting that is play, sport or fireworks.
NOT_VIOLENCE = (
    r"\b(?:vuurwerk\w*|fireworks?|knallers?|cobra\w*|carbid\w*|paintball|airsoft|lasergame|film|serie|game|"
    r"games|gamen|voetbal\w*|bal|ball|football|soccer|basketbal\w*|basketball|hockey|doel|goal|hoops|video|"
    r"foto|fotos|photo|photos|waterpistool|nerf|kussengevecht|sneeuwbal\w*|snowball\w*)\b"
)
INTRUDER = _alt(
    "inbreker", "inbrekers", "indringer", "indringers", "insluiper", "intruder", "intruders", "burglar",
    "burglars",
)  # fmt: skip
BURGLARY = _alt(
    "ingebroken", "inbraak", "inbreken", "inbreekt", "breaking in", "break in", "broke in", "broken into",
    "breaking into", "break into",
)  # fmt: skip
PLACE = _alt(
    "huis", "woning", "tuin", "schuur", "garage", "kamer", "slaapkamer", "kelder", "zolder", "flat",
    "appartement", "house", "home", "garden", "shed", "bedroom", "room", "apartment", "basement",
)  # fmt: skip
PREVENTION = (
    r"\b(?:voorkom\w*|preventie|inbraakpreventie|beveilig\w*|tips?|prevent\w*|secure|buurtpreventie|"
    r"buurtapp|whatsappgroep|slot|sloten|camera|cameras|verzekering|insurance|aangifte)\b"
)
MISSING_STATE = _alt(
    "vermist", "verdwenen", "weggelopen", "zoek", "kwijt", "weg", "missing", "gone missing", "disappeared",
    "run away", "ran away", "niet thuisgekomen", "niet thuis gekomen", "niet teruggekomen",
    "nergens te vinden", "nowhere to be found", "not come home", "not returned", "not been home",
    "kwijtgeraakt", "kwijt geraakt", "zoekgeraakt", "zoek geraakt", "verdwaald", "lost",
)  # fmt: skip
# Words allowed between "mijn zoon is" and "vermist": never a possessive ("is zijn telefoon kwijt").
_FILLER = r"(?:(?!(?:zijn|haar|hun|mijn|het|de|een|his|her|their|my|the|a|an|s) )\w+ )"
_FILLER_NO_VERB = r"(?:(?!(?:zijn|haar|hun|mijn|het|de|een|his|her|their|my|the|a|an|s|is|wordt|has|have) )\w+ )"
# Things that go missing without anyone being in danger ("de fiets van mijn zoon is weg").
BELONGING = _alt(
    "fiets", "telefoon", "mobiel", "auto", "tas", "portemonnee", "sleutel", "sleutels", "pakket", "pakketje",
    "jas", "scooter", "brommer", "laptop", "bankpas", "paspoort", "phone", "bike", "bag", "wallet", "keys",
    "car", "parcel", "passport",
)  # fmt: skip

SUICIDE_TOPIC = (
    r"\b(?:zelfmoord\w*|zelfdoding|suicide|suicidaal|suicidale|suicidal|levensmoe|doodsgedachten|"
    r"dood willen|dood wil|113|0800 0113)\b"
)

ABUSE_VERB_NL = _alt(
    "slaat", "sloeg", "slaan", "sloegen", "schopt", "schopte", "trapt", "trapte", "mishandelt",
    "mishandelde", "mishandelen", "misbruikt", "misbruikte", "misbruiken", "wurgt", "wurgde", "knijpt",
    "verkracht", "verkrachtte", "randt", "mept", "timmert",
)  # fmt: skip
ABUSE_VERB_EN = _alt(
    "hits", "hit", "beats", "beat", "kicks", "kicked", "slaps", "slapped", "punches", "punched", "chokes",
    "choked", "strangles", "strangled", "abuses", "abused", "rapes", "raped", "molests", "molested",
    "hurts", "hurt", "assaults", "assaulted", "batters", "battered", "hitting", "beating", "kicking",
    "slapping", "punching", "choking", "strangling", "abusing", "hurting", "assaulting", "attacking",
    "touches", "touched", "touching", "gropes", "groped", "fondles", "fondled",
)  # fmt: skip
ABUSE_PARTICIPLE = _alt(
    "geslagen", "mishandeld", "misbruikt", "geschopt", "getrapt", "gewurgd", "verkracht", "aangerand",
    "seksueel misbruikt", "betast", "in elkaar geslagen", "verwaarloosd",
)  # fmt: skip
ABUSE_PARTICIPLE_EN = _alt(
    "beaten", "hit", "abused", "raped", "molested", "assaulted", "kicked", "choked", "strangled", "slapped",
    "punched", "neglected", "hurt", "battered",
)  # fmt: skip
# Bare family names ("papa slaat mama") count as a person too.
_BARE_FAMILY = r"(?:papa|mama|pappa|mamma|pap|mam|daddy|mommy|mummy)"
SUBJECT_EN = rf"(?:he|she|they|{_BARE_FAMILY}|{POSS} {_W}?{REL_EN})"
OBJECT_NL = rf"(?:me|mij|ons|haar|hem|hen|ze|{_BARE_FAMILY}|{POSS} {_W}?{REL_NL})"
OBJECT_EN = rf"(?:me|us|her|him|them|{_BARE_FAMILY}|{POSS} {_W}?{REL_EN})"
NOT_A_PERSON = (
    r"\b(?:gegevens|naam|account|identiteit|foto|fotos|vertrouwen|creditcard|pas|bankpas|rekening|"
    r"bankrekening|adres|data|details|identity|card|password|wachtwoord|nummer|telefoonnummer)\b"
)
BY_ACCIDENT = (
    r"\b(?:by a (?:car|ball|bike|bus)|door een (?:auto|bal|fiets|bus)|per ongeluk|by accident|"
    r"slaat (?:zijn|haar) slag|slaat (?:\w+ )?alarm|slaat nergens op|slaat op hol)\b"
)

# Sentences (as patterns) describing abuse acts; reused by the "happening now" escalation.
ABUSE_ACTS: tuple[str, ...] = (
    r"\b(?:zit|zat|zitten|zaten) (?:\w+ ){0,2}aan (?:me|mij|haar|hem|mijn lichaam)\b(?! te)",
    r"\b(?:is|zijn) (?:me|mij|ons|haar|hem) aan het (?:slaan|schoppen|trappen|wurgen|mishandelen|"
    r"pijn doen)\b",
    rf"\b(?:heeft|hebben|had|hadden) {_W}{{0,2}}?(?:me|mij|ons|haar|hem) {_W}{{0,3}}{ABUSE_PARTICIPLE}\b",
    rf"\b{ABUSE_VERB_NL} {_W}{{0,2}}?(?:me|mij|ons)\b",
    rf"\b{ABUSE_VERB_NL} {_W}{{0,2}}?{OBJECT_NL}\b",
    rf"\b(?:ik|wij|we) (?:word|wordt|werd|ben|worden|werden|zijn) {_W}{{0,3}}{ABUSE_PARTICIPLE}\b",
    rf"\b{PERSON} {_W}{{0,3}}(?:wordt|worden|werd|werden|is|zijn) {_W}{{0,3}}{ABUSE_PARTICIPLE}\b",
    rf"\b{PERSON} {_W}{{0,3}}{ABUSE_PARTICIPLE} (?:wordt|worden|werd|werden|is|zijn)\b",
    rf"\b{SUBJECT_EN} {_W}{{0,4}}{ABUSE_VERB_EN} {OBJECT_EN}\b",
    rf"\b(?:i am|i was|i get|i got|i have been|we are|we were|"
    rf"we get) {_W}{{0,2}}(?:being )?{ABUSE_PARTICIPLE_EN}\b",
    rf"\b{PERSON} {_W}{{0,3}}(?:is|are|was|were|gets|get|got|has been|have been) {_W}{{0,2}}(?:being )?"
    rf"{ABUSE_PARTICIPLE_EN}\b",
)
ABUSE_ACT = "(?:" + "|".join(ABUSE_ACTS) + ")"
ANIMAL_VICTIM = (
    rf"\b(?:{ABUSE_VERB_NL}|{ABUSE_VERB_EN}|verwaarloost|verwaarlozen|neglects) {_W}{{0,2}}{ANIMAL}\b|"
    rf"\b{ANIMAL} {_W}{{0,4}}(?:{ABUSE_PARTICIPLE}|{ABUSE_PARTICIPLE_EN}|mishandelt)\b|"
    r"\b(?:dierenmishandeling|dierenverwaarlozing|animal (?:abuse|cruelty))\b"
)
ABUSE_TOPIC = (
    r"\b(?:huiselijk geweld|huiselijke geweld|kindermishandeling|kindermisbruik|mishandeling|"
    r"seksueel misbruik|partnergeweld|geweld in (?:ons|mijn|het|hun) (?:gezin|huis|huishouden|relatie)|"
    r"geweld thuis|violence (?:at home|in (?:my|our) (?:home|family|house|relationship))|"
    r"ouderenmishandeling|eergerelateerd geweld|geweld in (?:huis|het gezin)|"
    r"domestic violence|domestic abuse|child abuse|sexual abuse|elder abuse|abusive|mishandelt|mishandeld)\b"
)
ABUSE_CONCRETE = (
    r"\b(?:ik heb te maken|ik zit in|ik ben (?:een )?slachtoffer|ik ervaar|ik vermoed|vermoed|ik denk dat|"
    r"ik zie|ik hoor|ik merk|bij ons|bij mij|bij de buren|bij mijn|de buren|mijn buren|naast ons|"
    r"in ons gezin|in mijn gezin|in mijn relatie|thuis|i am in|i am (?:a )?victim|i suspect|i think|"
    rf"next door|my neighbo\w*|at home|in my (?:family|relationship|home|house)|{PERSON})\b"
)

# Framing that makes a message a general question rather than a crisis.
HYPOTHETICAL = (
    r"\b(?:als iemand|als er iemand|wat als|stel dat|wat moet je doen|wat doe je|wat te doen|"
    r"wanneer iemand|if someone|if somebody|if a friend|what if|what to do|what should you do|suppose|"
    r"iemand met (?:\w+ )?(?:suicidale|zelfmoord\w*|depressie\w*|problemen|gedachten|psychische|verslaving|"
    r"schulden|dementie)|someone (?:with|who has) (?:\w+ )?(?:suicidal|depression|problems|thoughts|mental)|"
    r"iemand die (?!me |mij |ons )|someone who (?!is |has a )|iemand in mijn omgeving|"
    r"iemand uit mijn omgeving|"
    r"someone close to me|someone i know|hoe help ik iemand|hoe kan ik iemand|hoe help je|hoe ondersteun|"
    r"how (?:can|do|should) i (?:help|support|talk to) (?:someone|somebody|a friend|a person)|"
    r"how (?:can|do|should) you|hoe praat (?:ik|je) met|hoe bespreek|hoe begin ik|mensen die|people who|"
    r"jongeren die|kinderen die|een kind dat|a child who)\b"
)
INFORMATIONAL = (
    r"\b(?:hoe herken|herken ik|herkennen|signalen|signs of|warning signs|wat is|wat zijn|wat doet|"
    r"wat doen|wat betekent|wanneer bel|wanneer moet|wanneer kan ik|wanneer mag|hoe werkt|hoe vaak|hoeveel|"
    r"what is|what does|what are|when should|when do i|when can i|how does|how do i recognise|"
    r"how do i recognize|how to recognise|how to recognize|informatie|info over|voorlichting|folder|"
    r"brochure|spreekbeurt|werkstuk|presentatie|cursus|training|workshop|lespakket|for school|voor school|"
    r"film|serie|boek|documentaire|nieuws|news|in de krant|statistiek\w*|cijfers|melden|meld ik|report)\b"
)
IDIOM = (
    r"\b(?:dood van (?:het lachen|de honger|de dorst|verveling|de verveling|de zenuwen|de stress|de kou|"
    r"de hitte|schaamte|de schrik|nieuwsgierigheid)|van het lachen|lachen|doodmoe|dood moe|doodziek|"
    r"killing me|kill me now|dying to|dying for|dying of|die of (?:laughter|boredom|embarrassment)|"
    r"could kill for|lol|haha|hahaha|grapje|just kidding|jk|xd|game over)\b"
)


@dataclass(frozen=True, slots=True)
class _Cue:
    """One weighted rule: fires when all ``patterns`` match and ``unless`` (if any) does not.

    ``target`` None means the weight applies to every class (informational framing).
    """

    name: str
    target: Urgency | None
    weight: float
    patterns: tuple[str, ...]
    unless: str | None = None


E, S, A = Urgency.EMERGENCY, Urgency.SUICIDE, Urgency.ABUSE

_CUES: tuple[_Cue, ...] = (
    # ---------------------------------------------------------------- emergency: weapons and threats
    _Cue("weapon+threat", E, STRONG, (rf"\b{WEAPON}\b", THREAT_VERB), r"\b(?:mezelf|mijzelf|myself)\b"),
    _Cue(
        "weapon on the scene",
        E,
        MEDIUM,
        (
            rf"\b{WEAPON}\b",
            rf"{NOW}|{PHYSICAL}|\ber (?:staat|loopt|zit|is|rent) (?:een|iemand)\b|\b(?:there is|there are) "
            rf"(?:a|someone|people)\b|\b(?:loopt|rent|staat|zit|komt|is|walking|running|standing|coming) "
            rf"(?:\w+ ){{0,3}}(?:met|with) (?:een|zijn|haar|a|his|her) (?:\w+ )?{WEAPON}\b",
        ),
        r"\b(?:mezelf|mijzelf|myself|zelfmoord|suicide|wat nu|what now|op zak|bij zich|in zijn tas)\b",
    ),
    _Cue("weapon carried, not used", E, -MEDIUM, (rf"\b{WEAPON}\b", WEAPON_CARRY)),
    _Cue(
        "threatened",
        E,
        STRONG,
        (
            r"\b(?:ik word|ik wordt|we worden|wij worden|worden we|word ik) (?:\w+ ){0,3}bedreigd\b|"
            r"\bbedreig\w* (?:\w+ ){0,2}(?:me|mij|ons)\b|"
            r"\b(?:i am|we are|i have been|we have been) (?:\w+ ){0,2}(?:being )?threatened\b|"
            r"\b(?:threatening|threatens|threatened) (?:me|us)\b",
        ),
    ),
    _Cue(
        "threat to kill or hurt",
        E,
        STRONG,
        (
            r"\b(?:gaat|wil|komt|dreigt|probeert|gaan|willen|komen|dreigen|dreigde) (?:\w+ ){0,3}"
            r"(?:me|mij|ons|haar|hem|mijn \w+) (?:\w+ ){0,2}(?:te )?(?:vermoorden|vermoord|doden|"
            r"dood te maken|"
            r"doodmaken|dood maken|neersteken|neer te steken|neerschieten|neer te schieten|in elkaar slaan|"
            r"in elkaar te slaan|slaan|te slaan|steken|schieten|iets aandoen|iets aan te doen|pijn doen|"
            r"pijn te doen|afmaken|af te maken)\b|"
            r"\b(?:me|mij|ons) (?:\w+ ){0,2}(?:komt|komen|gaat|gaan|wil|willen|zal|zullen) (?:\w+ )?(?:te )?"
            r"(?:vermoorden|doden|afmaken|neersteken|neerschieten|in elkaar slaan|slaan|steken|iets aandoen|"
            r"doodmaken|dood maken|schieten)\b|"
            r"\b(?:going to|will|wants to|want to|threatened to|threatens to|threatening to|trying to|"
            r"tries to)"
            r" (?:kill|hurt|stab|shoot|beat|murder) (?:me|us|her|him|my \w+)\b",
        ),
        r"\b(?:mezelf|mijzelf|zichzelf|myself|himself|herself)\b",
    ),
    _Cue("threat with violence", E, MEDIUM, (r"\b(?:dreigt|dreigen|dreigde) met (?:geweld|een \w+|wapens?)\b",)),
    _Cue("threat only online", E, -1.5, (ONLINE,), PHYSICAL),
    _Cue(
        "followed now",
        E,
        MEDIUM,
        (
            r"\b(?:ik word|we worden|i am being|we are being|i am) (?:\w+ ){0,2}(?:achtervolgd|gevolgd|"
            r"followed|chased|stalked)\b|\b(?:achtervolgt|volgt) (?:me|mij|ons)\b|"
            r"\b(?:following|chasing) (?:me|us)\b",
        ),
        r"\b(?:instagram|tiktok|snapchat|twitter|online|social media|account)\b",
    ),
    # ---------------------------------------------------------------- emergency: violence now
    _Cue(
        "fight now",
        E,
        STRONG,
        (rf"\b{FIGHT}\b", rf"\b{PRESENT}\b"),
        rf"{NOT_VIOLENCE}|\b(?:altijd|vaak|elke|iedere|regelmatig|always|often|every)\b",
    ),
    _Cue(
        "stabbed or shot",
        E,
        STRONG,
        (
            r"\b(?:ik ben|is|zijn|hij is|zij is|i am|i have been|i was|he is|she is|has been|just) "
            r"(?:\w+ ){0,2}(?:neergestoken|gestoken|neergeschoten|beschoten|stabbed|shot)\b",
        ),
        r"\b(?:bij|door) (?:een )?(?:wesp|bij|mug|kwal|bee|wasp)\b|\bwesp\w*\b",
    ),
    _Cue(
        "violence in progress",
        E,
        STRONG,
        (
            r"\b(?:is|are|zijn|is aan het|zijn aan het|staan te|staat te) (?:\w+ )?(?:stabbing|shooting|"
            r"fighting|"
            r"attacking|beating|vechten|knokken|steken|schieten)\b",
        ),
        NOT_VIOLENCE,
    ),
    _Cue(
        "being beaten up",
        E,
        STRONG,
        (
            r"\b(?:wordt|worden|word|is being|are being|getting) (?:\w+ ){0,3}(?:in elkaar (?:ge)?(?:slagen|"
            r"trapt|geslagen|getrapt)|beaten up|attacked|aangevallen|beroofd|robbed|stabbed)\b",
        ),
        rf"{ANIMAL_VICTIM}|{PAST}",
    ),
    # ---------------------------------------------------------------- emergency: intruder, burglary
    _Cue("intruder", E, 1.5, (rf"\b{INTRUDER}\b",)),
    _Cue("intruder present", E, MEDIUM, (rf"\b{INTRUDER}\b", rf"\b{PRESENT}\b")),
    _Cue(
        "someone inside my house",
        E,
        STRONG,
        (
            r"\b(?:er is|er zit|er staat|er loopt|er zijn|er lopen|is|zit|staat|loopt|are|there is|there are)"
            r" (?:nu )?(?:iemand|een man|een vrouw|een vreemde|een vreemde man|een onbekende|mensen|"
            r"twee mannen|"
            r"someone|somebody|a man|a stranger|strangers|people|two men|a person) (?:\w+ ){0,2}"
            rf"(?:in|inside|binnen in|in de|in het) (?:mijn|ons|onze|het|de|my|our|the) (?:\w+ )?{PLACE}\b|"
            r"\b(?:someone|somebody|a man|a stranger|an intruder|a burglar|people) (?:is|are) (?:\w+ ){0,2}"
            rf"(?:in|inside) (?:my|our|the) (?:\w+ )?{PLACE}\b",
        ),
        r"\b(?:account|computer|laptop|telefoon|phone|systeem|netwerk|network|wifi)\b",
    ),
    _Cue(
        "burglary in progress",
        E,
        STRONG,
        (
            rf"\b{BURGLARY}\b",
            r"\b(?:nog|nu|still|now|right now|op dit moment|is bezig|zijn bezig|wordt|worden|is breaking|"
            r"are breaking|trying|probeert|proberen|bezig|er nog|binnen)\b",
        ),
        PREVENTION,
    ),
    _Cue(
        "breaking in now",
        E,
        STRONG,
        (
            r"\b(?:probeert|proberen|wil|willen) (?:\w+ ){0,2}(?:binnen te komen|in te breken|"
            r"de deur in te trappen|de deur open te breken|naar binnen te komen)\b|"
            r"\b(?:trapt|beukt|bonkt|bonst|ramt) (?:\w+ ){0,2}(?:de|mijn|onze|op de|op mijn|tegen de|"
            r"tegen mijn)"
            r" (?:deur|voordeur|raam|ramen)\b|"
            r"\b(?:trying|tries) to (?:get|break|come|force (?:his|her|their|a) way) in\b|"
            r"\b(?:kicking|banging|pounding|smashing) (?:on|in|at|down)? ?(?:the|my|our) (?:front )?(?:door|"
            r"window)\b",
        ),
    ),
    _Cue(
        "he is still here",
        E,
        MEDIUM,
        (r"\b(?:hij|zij|ze|hun) (?:is|zijn|staat|staan|zit|zitten) (?:er|hier) nog\b",),
    ),
    _Cue("burglary prevention question", E, -MEDIUM, (rf"\b{INTRUDER}\b|\b{BURGLARY}\b", PREVENTION)),
    # ---------------------------------------------------------------- emergency: fire, gas, explosion
    _Cue(
        "fire",
        E,
        STRONG,
        (
            r"\b(?:er is|er woedt|er staat|er breekt|het is) (?:\w+ ){0,2}(?:brand|vuur)\b|\bin brand\b|"
            r"\bbrand in (?:de|het|mijn|ons|onze|een)\b|\bbrand bij (?:de buren|ons|mij|mijn)\b|"
            r"\bhet brandt\b|"
            r"\bin de fik\b|\b(?:ik zie|er komen|zie) (?:\w+ )?vlammen\b|\brook (?:komt|uit|in)\b|"
            r"\bruik (?:\w+ )?(?:gas|rook|brand|een gaslucht)\b|\bgaslucht\b|\bgaslek\b|\bgas lek\b|"
            r"\ber (?:brandt|brand) (?:een|de|het|ons|mijn)\b|\bin de brand\b|"
            r"\bthere is (?:a )?(?:big )?fire\b|\bfire in\b|\bon fire\b|\bcaught fire\b|"
            r"\bset (?:\w+ ){0,2}(?:on )?fire\b|\b(?:is|are) burning\b|\bburning down\b|\bflames\b|"
            r"\bsmoke (?:coming|from|in|everywhere)\b|\bsmell (?:of )?(?:gas|smoke|burning)\b|\bgas leak\b",
        ),
        r"\bbrand (?:new|name)\b",
    ),
    _Cue(
        "explosion now",
        E,
        STRONG,
        (r"\b(?:explosie|ontploffing|explosion|ontploft|exploded|blast)\b", rf"\b{PRESENT}\b"),
    ),
    _Cue(
        "fire safety question",
        E,
        -STRONG,
        (
            r"\b(?:brandveilig\w*|rookmelder\w*|brandpreventie|brandblusser\w*|fire safety|smoke (?:alarm|"
            r"detector)s?|fire (?:alarm|extinguisher|drill)s?|bij brand|in geval van brand|"
            r"in case of (?:a )?fire|brandgevaar\w*)\b",
        ),
    ),
    # ---------------------------------------------------------------- emergency: someone missing
    _Cue(
        "person missing",
        E,
        STRONG,
        (
            rf"\b(?:{POSS}|een|ons|onze|a) (?:\w+ )?{REL} {_FILLER_NO_VERB}{{0,4}}"
            rf"(?:is|wordt|zijn|worden|has|have|has been|is still|is nog) {_FILLER}{{0,3}}{MISSING_STATE}\b|"
            rf"\b(?:ik ben|we zijn|i have|we have) (?:\w+ ){{0,2}}(?:mijn|onze|ons|my|our) (?:\w+ )?{REL} "
            r"(?:\w+ ){0,2}(?:kwijt|lost)\b|"
            rf"\b(?:ik kan|we kunnen|ik vind|we vinden) (?:\w+ ){{0,2}}(?:mijn|onze|ons) (?:\w+ )?{REL} "
            r"(?:\w+ ){0,2}niet (?:meer )?(?:vinden|terug)\b|"
            rf"\b(?:cannot|can not|could not|do not) find (?:my|our) (?:\w+ )?{REL}\b|"
            rf"\b(?:mijn|onze|my|our) (?:\w+ )?{REL} (?:\w+ ){{0,3}}(?:is niet thuisgekomen|"
            r"is niet thuis gekomen|niet thuisgekomen|komt niet thuis|is niet teruggekomen|"
            r"did not come home|has not come home|never came home|has not returned|did not return)\b|"
            r"\b(?:iemand|someone|een kind|a child|een meisje|a girl|een jongen|a boy|een oudere|"
            r"een bejaarde|"
            r"an elderly \w+|een dementerende \w+) (?:\w+ ){0,2}(?:is|wordt|has gone|has been|is still) "
            r"(?:\w+ )?(?:vermist|missing|verdwenen|weggelopen)\b",
        ),
        rf"\b{ANIMAL}\b|\b{BELONGING} van (?:mijn|onze|ons|de|het|my|our|the) ",
    ),
    _Cue(
        "often away",
        E,
        -1.5,
        (
            r"\b(?:is|zijn|are) (?:vaak|altijd|soms|regelmatig|often|always|usually|sometimes) (?:\w+ )?"
            r"(?:weg|kwijt|zoek|out|away|gone)\b",
        ),
    ),
    _Cue(
        "missing and vulnerable",
        E,
        WEAK,
        (
            r"\b(?:vermist|missing|kwijt|verdwenen)\b",
            r"\b(?:dementie|dementerend|dementia|autisme|suikerziekte|diabetes|medicijnen|water|bos|woods|"
            r"nacht|donker)\b",
        ),
    ),
    # ---------------------------------------------------------------- emergency: medical, calls for help
    _Cue(
        "life in danger",
        E,
        STRONG,
        (
            r"\b(?:ademt niet|ademt niet meer|bewusteloos|reageert niet|reageert nergens op|not breathing|"
            r"unconscious|unresponsive|hartaanval|heart attack|overdosis|overdose|overdosed|bloedt (?:heel )?"
            r"(?:erg|veel|hevig)|bleeding (?:badly|heavily|a lot)|veel bloed|ernstig gewond|zwaargewond|"
            r"zwaar gewond|seriously (?:injured|hurt)|badly (?:injured|hurt)|levensgevaar|in levensgevaar)\b",
        ),
        # "de verkoper reageert niet meer": a trader who went silent is fraud, not a medical emergency.
        r"\b(?:verkoper|koper|seller|buyer|webshop|winkel|shop|bedrijf|company|klantenservice|marktplaats|"
        r"vinted|bestelling|order|mail|mails|appjes|berichten|messages|telefoon|phone)\b",
    ),
    _Cue(
        "call the police now",
        E,
        WEAK,
        (
            r"\b(?:bel|call|stuur|send) (?:nu |snel |now |please )?(?:112|de politie|politie|the police|"
            r"police|een ambulance|an ambulance|ambulance|de brandweer)\b|\bkom snel\b|\bcome quick\w*\b",
        ),
    ),
    _Cue("cry for help", E, WEAK, (r"^ (?:help|please help|hulp|sos)\b|\bhelp (?:me|mij|ons|us)\b|\bsos\b",)),
    _Cue("in danger", E, STRONG, (r"\b(?:ik ben|we zijn|i am|we are) (?:\w+ ){0,2}(?:in gevaar|in danger)\b",)),
    _Cue(
        "scared for my life",
        E,
        MEDIUM,
        (
            r"\b(?:bang voor mijn leven|vrees voor mijn leven|fear for my life|scared for my life|"
            r"afraid for my life)\b",
        ),
    ),
    # ---------------------------------------------------------------- emergency: abuse happening now
    _Cue("abuse happening now", E, STRONG, (ABUSE_ACT, NOW), rf"{ANIMAL_VICTIM}|{BY_ACCIDENT}"),
    _Cue("abuse with a weapon", E, STRONG, (ABUSE_ACT, rf"\b{WEAPON}\b"), rf"{ANIMAL_VICTIM}|{BY_ACCIDENT}"),
    _Cue("repeated cry for help", E, WEAK, (r"\b(?:help|hulp|sos) (?:\w+ )?(?:help|hulp|sos)\b",)),
    _Cue(
        "hearing violence now",
        E,
        1.5,
        (
            r"\b(?:ik hoor|hoor ik|we horen|i hear|i can hear|hearing) (?:\w+ ){0,5}(?:gillen|gilt|slaan|"
            r"klappen|"
            r"om hulp roepen|help roepen|screaming|hitting|crying for help|screams)\b",
            NOW,
        ),
    ),
    _Cue("past event", E, -1.5, (PAST,), r"\b(?:sinds|since|nog steeds|still|nog|er nog)\b"),
    _Cue(
        "habitual, not now",
        E,
        -MEDIUM,
        (
            r"\b(?:altijd|vaak|elke (?:dag|avond|nacht|week)|iedere (?:dag|avond|nacht)|regelmatig|always|"
            r"often|"
            r"every (?:day|night|evening|week)|wat (?:moet ik )?nu|what now)\b",
        ),
    ),
    # ---------------------------------------------------------------- suicide: own wish, plans, means
    _Cue(
        "wants to die",
        S,
        STRONG,
        (
            r"\bwil (?:(?:gewoon|echt|graag|liever|eigenlijk|het liefst|al|soms|nu|zo|ook|alleen maar|zelf|"
            r"gewoon echt|heel erg|even|zo graag) ){0,3}(?:dood|doodgaan|dood gaan|sterven|dood zijn|"
            r"er niet meer zijn)\b|"
            r"\b(?:dood|sterven|doodgaan|dood gaan) (?:wil|willen|wou|wilde|wilden)\b|"
            r"\b(?:want|wants|wanted|wish|wishes|going|ready|deserve|deserves|rather|prefer) (?:to )?die\b|"
            r"\b(?:want|wants|wish|wishes) to be dead\b",
        ),
        r"\bwil niet (?:\w+ )?(?:dood|sterven)\b|\b(?:hem|haar|jou|je|hen|ze) dood (?:wil|wilde|hebben)\b",
    ),
    _Cue(
        "does not want to live",
        S,
        STRONG,
        (
            r"\b(?:wil|willen|wou|wilde) (?:\w+ ){0,2}niet meer (?:leven|verder|wakker worden|bestaan|zijn|"
            r"hier zijn)\b|"
            r"\bniet meer (?:wil|willen|wilde) (?:leven|verder|bestaan|wakker worden|zijn)\b|"
            r"\bnooit meer wakker (?:worden|te worden)\b|"
            r"\b(?:do|does|did) not want to (?:live|be alive|exist|be here|wake up|go on)\b|"
            r"\bnever wake up\b|\bwish (?:i|he|she) (?:was|were) dead\b|\bwish i was never born\b",
        ),
    ),
    _Cue(
        "no reason to live",
        S,
        STRONG,
        (
            r"\b(?:geen zin (?:meer )?(?:om (?:verder )?te leven|in (?:het |mijn )?leven)|het leven zat|"
            r"moe van het leven|tired of (?:living|life|being alive)|sick of (?:living|life)|done with life|"
            r"point (?:in|of) (?:living|life|going on|being alive)|"
            r"(?:mijn|zijn|haar|hun) (?:eigen )?leven (?:te )?(?:beeindigen|beindigen|nemen|afsluiten)|"
            r"geen zin meer in (?:het|mijn) leven|het leven (?:heeft )?geen zin|leven heeft geen zin|"
            r"niks meer om voor te leven|niets meer om voor te leven|no (?:reason|point) (?:to live|"
            r"in living)|"
            r"nothing to live for|life is not worth living|not worth living|niemand (?:zal|zou) me missen|"
            r"iedereen is beter af zonder mij|beter af zonder mij|beter af zonder me|nobody would miss me|"
            r"no one would miss me|better off without me|better off dead|beter dood)\b",
        ),
    ),
    _Cue(
        "end of my life",
        S,
        STRONG,
        (
            r"\b(?:eind|einde) (?:maken )?aan (?:mijn|zijn|haar|hun|je) (?:eigen )?leven\b|"
            r"\b(?:ik|wil|ga|gaat|wilt|gaan) (?:\w+ ){0,2}er (?:\w+ )?(?:een )?(?:eind|einde) aan (?:maken|"
            r"te maken)\b|"
            r"\bend (?:my|his|her|their|your) (?:own )?life\b|\bending (?:my|his|her|their) (?:own )?life\b|"
            r"\bend(?:ing)? it all\b|\btake (?:my|his|her|their) (?:own )?life\b|\btook (?:his|her|"
            r"their) (?:own )?life\b",
        ),
    ),
    _Cue(
        "ending it",
        S,
        1.5,
        (r"\ber (?:\w+ )?(?:een )?(?:eind|einde) aan (?:\w+ )?(?:maken|te maken)\b",),
        r"\b(?:overlast|situatie|ruzie|pesten|relatie|contract|abonnement)\b",
    ),
    _Cue(
        "does not want any more",
        S,
        1.5,
        (r"\bik wil (?:gewoon |echt |eigenlijk )?niet meer(?: $| (?:ik|en|het|alles|echt|hoor|zo)\b)",),
    ),
    _Cue(
        "a single crisis word",
        S,
        MEDIUM,
        (r"^ (?:help )?(?:zelfmoord|suicide|suicidaal|suicidal|zelfdoding)(?: help)? $",),
    ),
    _Cue(
        "commit suicide",
        S,
        STRONG,
        (
            r"\bzelfmoord (?:\w+ ){0,2}(?:plegen|doen|pleeg|pleegt|te plegen)\b|\b(?:pleeg|"
            r"pleegt) (?:\w+ )?zelfmoord\b|"
            r"\bzelfmoordpoging\b|\bpoging tot zelfmoord\b|\bcommit(?:ting|ted)? suicide\b|"
            r"\b(?:suicide attempt|attempted suicide|tried to kill)\b",
        ),
    ),
    _Cue(
        "thinking about suicide",
        S,
        STRONG,
        (
            r"\b(?:denk|denkt|dacht|denken|pieker|fantaseer) (?:\w+ ){0,3}(?:aan|over) (?:zelfmoord|"
            r"zelfdoding|"
            r"suicide|dood ?gaan|de dood|er een eind|er een einde|sterven)\b|"
            r"\b(?:thinking|thought|think) (?:about|of) (?:suicide|killing (?:myself|himself|herself)|dying|"
            r"ending)\b|"
            r"\b(?:overweeg|overweegt|overwegen|plan|plannen|van plan|considering|consider|planning) "
            r"(?:\w+ ){0,2}(?:zelfmoord|zelfdoding|suicide|mezelf|myself)\b",
        ),
    ),
    _Cue(
        "has suicidal thoughts",
        S,
        STRONG,
        (
            r"\b(?:ik|wij|i|we) (?:\w+ ){0,2}(?:heb|had|hebben|krijg|have|had|get|am having) (?:\w+ ){0,2}"
            r"(?:zelfmoordgedachte\w*|suicidale gedachte\w*|doodsgedachte\w*|zelfmoordneigingen|"
            r"gedachten aan (?:zelfmoord|"
            r"de dood|"
            r"doodgaan|zelfdoding)|suicidal thoughts|thoughts (?:of|about) suicide)\b|"
            rf"\b{PERSON} (?:\w+ ){{0,2}}(?:heeft|had|krijgt|has|is having) (?:\w+ ){{0,2}}"
            r"(?:zelfmoordgedachte\w*|suicidale gedachte\w*|doodsgedachte\w*|zelfmoordneigingen|"
            r"suicidal thoughts)\b|"
            r"\b(?:ik ben|ik voel me|voel me|ik word|i am|i feel|feeling|i have been) (?:\w+ ){0,2}"
            r"(?:suicidaal|suicidal|levensmoe)\b|"
            rf"\b{PERSON} (?:\w+ ){{0,2}}(?:is|lijkt|voelt zich|seems|feels|has been) (?:\w+ ){{0,2}}"
            r"(?:suicidaal|suicidal|levensmoe)\b",
        ),
    ),
    _Cue(
        "talks about suicide",
        S,
        STRONG,
        (
            rf"\b{PERSON} (?:\w+ ){{0,4}}(?:praat|praten|heeft het|begint|zegt|zei|schrijft|post|appt|dreigt|"
            r"dreigde|talks|talking|talked|said|says|posted|texted|threatens|threatened|keeps talking) "
            r"(?:\w+ ){0,3}(?:zelfmoord|zelfdoding|suicide|dood (?:te )?gaan|doodgaan|dood te willen|"
            r"killing (?:himself|herself|themselves)|dying|wanting to die)\b",
        ),
    ),
    _Cue(
        "kill or harm oneself",
        S,
        STRONG,
        (
            r"\b(?:mezelf|mijzelf|zichzelf|zich|mijn eigen) (?:\w+ ){0,3}(?:van kant|ophangen|op te hangen|"
            r"om het leven|het leven (?:te )?(?:benemen|nemen)|iets (?:\w+ )?aan ?(?:te )?doen|"
            r"iets (?:\w+ )?aandoen|"
            r"iets aandoet|"
            r"iets aandoe|doden|te doden|vermoorden|te vermoorden|dood maken|doodmaken|dood te maken|"
            r"verdrinken|vergiftigen)\b|\bvan kant (?:te )?maken\b|"
            r"\bkill(?:ing|ed)? (?:myself|himself|herself|themselves|themself)\b|"
            r"\b(?:want|wants|going|urge|tempted|plan|planning) to (?:hurt|harm|cut) (?:myself|himself|"
            r"herself)\b",
        ),
    ),
    _Cue(
        "self harm",
        S,
        1.5,
        (
            r"\b(?:snij|snijd|kras) (?:mezelf|mijzelf|me)\b|\b(?:mezelf|mijzelf) (?:\w+ )?(?:snijden|snijd|"
            r"gesneden|krassen|kras)\b|\b(?:snijdt|snijden|krast|kerft) (?:zichzelf|zich)\b|"
            r"\bzichzelf (?:\w+ )?(?:snijden|krassen|snijdt)\b|\bcuts (?:himself|herself|themselves)\b|"
            r"\bcut(?:ting)? myself\b|\bself ?harm\w*\b|\bharm(?:ing)? myself\b",
        ),
        r"\b(?:per ongeluk|by accident|accidentally|keuken|kitchen|koken|cooking)\b",
    ),
    _Cue(
        "jump",
        S,
        STRONG,
        (
            r"\b(?:voor|onder) (?:de|een) (?:trein|metro|auto|vrachtwagen|train|"
            r"bus) (?:\w+ ){0,2}(?:springen|spring|"
            r"gaan liggen|te springen|lopen|jump|jumping|liggen)\b|"
            r"\b(?:springen|spring|jump|jumping|te springen) (?:\w+ ){0,2}(?:van|vanaf|off|from|in front of) "
            r"(?:het|een|de|the|a) (?:dak|flat|brug|gebouw|balkon|roof|bridge|building|balcony|train)\b|"
            r"\b(?:op|van) (?:het|een|de) (?:dak|flat|brug) (?:\w+ ){0,2}(?:springen|te springen|"
            r"af springen)\b|"
            r"\b(?:sta|staat|zit) (?:\w+ ){0,2}(?:op|bij) (?:het spoor|de rails|het dak|de brug)\b",
        ),
    ),
    _Cue(
        "pills taken",
        S,
        MEDIUM,
        (
            r"\b(?:pillen|medicijnen|slaappillen|tabletten|paracetamol|oxazepam|pills|tablets|sleeping pills|"
            r"meds) (?:\w+ ){0,2}(?:ingenomen|geslikt|genomen|ingeslikt|opgespaard|gespaard|taken|"
            r"swallowed)\b|"
            r"\b(?:ingenomen|geslikt|innemen|slikken|took|taken|swallowed|take) (?:\w+ ){0,3}"
            r"(?:pillen|slaappillen|tabletten|paracetamol|pills|tablets|sleeping pills)\b",
        ),
        r"(?<!\bal )\b(?:mijn|my) (?:pillen|medicijnen|pills|meds|medication)\b|\b(?:vergeten|forgot|"
        r"vergeet)\b",
    ),
    _Cue(
        "many pills",
        S,
        MEDIUM,
        (
            r"\b(?:alle|al mijn|al zijn|al haar|veel|te veel|een hoop|een handvol|een hele|heel veel|"
            r"een doos|een doosje|een strip|all|too many|a lot of|a bunch of|a handful of|a bottle of|"
            r"all my|all his|all her) (?:\w+ )?(?:pillen|medicijnen|slaappillen|tabletten|paracetamol|pills|"
            r"tablets|sleeping pills|meds)\b",
            r"\b(?:ingenomen|geslikt|genomen|innemen|slikken|ingeslikt|took|taken|swallowed|take|gespaard|"
            r"opgespaard|sparen)\b",
        ),
    ),
    _Cue(
        "farewell letter",
        S,
        STRONG,
        (
            r"\b(?:afscheidsbrief\w*|afscheidsbericht\w*|suicide note|goodbye (?:letter|note)|"
            r"afscheid genomen van iedereen)\b",
        ),
        r"\b(?:collega|pensioen|werk|baan|job|retire\w*)\b",
    ),
    _Cue(
        "cannot go on",
        S,
        1.5,
        (
            r"\bik zie het (?:\w+ )?niet meer zitten\b|\bzie het leven niet meer zitten\b|"
            r"\bi can ?not go on\b|\bkan niet meer verder\b",
        ),
    ),
    _Cue(
        "exhausted",
        S,
        WEAK,
        (
            r"\b(?:ik kan niet meer|ik hou het niet meer vol|ik trek het niet meer|i cannot take it anymore|"
            r"i cannot do this anymore|ik wil niet meer|i give up|ik geef het op|het heeft geen zin meer|"
            r"alles is zinloos|everything is pointless)\b",
        ),
    ),
    _Cue(
        "suicide topic + specific person",
        S,
        MEDIUM,
        (SUICIDE_TOPIC, rf"\b(?:mijn|my|onze|our) (?:\w+ )?{REL}\b"),
    ),
    _Cue("suicide topic + first person", S, WEAK, (SUICIDE_TOPIC, r"\b(?:ik|me|mij|mezelf|i|myself)\b")),
    _Cue("idiom", S, -3.0, (IDIOM,)),
    # ---------------------------------------------------------------- abuse
    _Cue("abuse act", A, STRONG, (ABUSE_ACT,), rf"{BY_ACCIDENT}|{NOT_A_PERSON}"),
    # Bullying peers who threaten a beating are not domestic abuse (the cyberbullying topic answers that);
    # a real home situation still scores through the other abuse cues.
    _Cue(
        "peer bullying, not home",
        A,
        -1.5,
        (r"\b(?:gepest|pesten|pesters|pestkoppen|bullied|bullying|bullies|groepsapp|group chat|groepschat)\b",),
        r"\b(?:thuis|at home|vader|moeder|stiefvader|stiefmoeder|father|mother|dad|mum|mom|stepdad|partner)\b",
    ),
    _Cue("animal victim", A, -3.0, (ANIMAL_VICTIM,)),
    _Cue("animal victim (emergency)", E, -1.5, (ANIMAL_VICTIM,)),
    _Cue("abuse topic in a concrete situation", A, 1.5, (ABUSE_TOPIC, ABUSE_CONCRETE)),
    _Cue(
        "suspected abuse",
        A,
        1.5,
        (
            r"\b(?:ik vermoed|vermoed|ik denk|ik heb het idee|ik heb het vermoeden|ik ben bang dat|ik zie|"
            r"ik merk|i suspect|i think|i am afraid that|i fear|i believe)\b",
            rf"\b(?:{ABUSE_PARTICIPLE}|{ABUSE_PARTICIPLE_EN})\b",
        ),
        rf"{NOT_A_PERSON}|{ANIMAL_VICTIM}|{BY_ACCIDENT}",
    ),
    _Cue(
        "afraid of a family member",
        A,
        MEDIUM,
        (
            rf"\b(?:bang voor|doodsbang voor|afraid of|scared of|terrified of) (?:mijn|onze|my|"
            rf"our) (?:\w+ )?{REL}\b|"
            r"\b(?:durf|durft|durven|durfde) (?:\w+ ){0,2}niet (?:meer )?(?:naar )?(?:huis|thuis)\b|"
            r"\b(?:afraid|scared) to go home\b",
        ),
    ),
    _Cue(
        "signs of abuse on a child",
        A,
        MEDIUM,
        (
            r"\b(?:blauwe plekken|bruises|brandwonden|striemen|krijgt geen eten|geen eten krijgt|not fed|"
            r"opgesloten|locked up|locked in)\b",
            rf"\b{PERSON}\b",
        ),
    ),
    _Cue(
        "hearing violence",
        A,
        MEDIUM,
        (
            r"\b(?:ik hoor|hoor ik|we horen|i hear|i can hear|hearing) (?:\w+ ){0,5}(?:gillen|gilt|slaan|"
            r"klappen|"
            r"om hulp roepen|help roepen|screaming|hitting|crying for help|screams|schreeuwen|huilen|crying|"
            r"yelling|shouting)\b",
            r"\b(?:buren|buurman|buurvrouw|naast|kind|kinderen|baby|neighbo\w*|next door|child|kids)\b",
        ),
        r"\b(?:muziek|music|feest|party|overlast|lawaai|herrie|geluidsoverlast)\b",
    ),
    _Cue(
        "rape",
        A,
        STRONG,
        (
            r"\b(?:verkracht|aangerand|raped|sexually assaulted|sexueel misbruikt)\b",
            r"\b(?:ik|mij|me|i|my|mijn|ze|zij|she|hij|he)\b",
        ),
    ),
    # ---------------------------------------------------------------- framing shared by all classes
    _Cue("hypothetical or generic person", None, -1.5, (HYPOTHETICAL,)),
    _Cue("informational question", None, -MEDIUM, (INFORMATIONAL,)),
)


@dataclass(frozen=True, slots=True)
class _CompiledCue:
    cue: _Cue
    patterns: tuple[re.Pattern[str], ...]
    unless: re.Pattern[str] | None

    def matches(self, text: str) -> bool:
        if self.unless is not None and self.unless.search(text):
            return False
        return all(p.search(text) for p in self.patterns)


@dataclass(frozen=True, slots=True)
class Assessment:
    """Why a message was (not) flagged: scores per class and the names of the cues that fired."""

    urgency: Urgency | None
    scores: dict[Urgency, float]
    cues: tuple[str, ...]


class Triage:
    """Rule-based crisis classifier; build once and reuse (compiling the patterns takes milliseconds).

    Pure and thread-safe after construction; it never logs or stores the text it is given.
    """

    def __init__(self, cues: Sequence[_Cue] = _CUES, threshold: float = THRESHOLD) -> None:
        self._threshold = threshold
        self._cues = tuple(
            _CompiledCue(
                cue,
                tuple(re.compile(p) for p in cue.patterns),
                re.compile(cue.unless) if cue.unless else None,
            )
            for cue in cues
        )

    def assess(self, text: str) -> Assessment:
        """Score ``text``; the decision plus the evidence, for tests and ``kb`` tooling."""
        norm = normalise(text)
        scores = dict.fromkeys(_PRIORITY, 0.0)
        fired: list[str] = []
        for compiled in self._cues:
            if not compiled.matches(norm):
                continue
            cue = compiled.cue
            fired.append(cue.name)
            for target in (cue.target,) if cue.target is not None else _PRIORITY:
                scores[target] += cue.weight
        urgency = next((u for u in _PRIORITY if scores[u] >= self._threshold), None)
        return Assessment(urgency, scores, tuple(fired))

    def classify(self, text: str) -> Urgency | None:
        """The crisis class of a resident message, or None when the knowledge base should answer."""
        return self.assess(text).urgency


@functools.cache
def default_triage() -> Triage:
    """A shared instance, built on first use (never at import)."""
    return Triage()


def classify(text: str) -> Urgency | None:
    """Convenience for :meth:`Triage.classify` on the shared instance."""
    return default_triage().classify(text)
