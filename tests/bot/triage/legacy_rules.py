"""FROZEN COPY of the Python rules before they moved to knowledge/data/triage (for the equivalence test only).

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
- Many crises name no crisis word, so each class also has cues for *indirect* signs, grouped by family:
  an intruder heard or trying a door, being followed, stones through a window; no breath, chest pain with
  an alarm sign, a grey or blue face, someone who will not wake up; a last message or a goodbye to everyone,
  affairs arranged "for after my death", "ik hoef niet meer", "i can't do this anymore", a friend who "won't
  be there tomorrow", method questions, a rope or pills ready, cutting deeper; touching "on places I don't
  want", "our secret", a hand on the throat, being locked up, hiding behind a door from a raging person,
  throwing things at a parent. Each has its look-alikes switched off ("mijn telefoon wordt niet meer
  wakker", "ik kan niet meer wachten", "laatste bericht in de groepsapp", "touw voor het kamp").
- A method question ("hoeveel pillen zijn dodelijk") counts even in question form: it outweighs the
  informational framing on purpose.
- Speed: patterns shared by several cues are searched once per text, ``unless`` only when a cue would fire,
  and a ``\\b`` that opens an alternative is compiled as a space (see :func:`_space_for_leading_boundary`).
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
    "appartement", "house", "home", "garden", "shed", "bedroom", "room", "apartment", "basement", "gang", "hal",
    "keuken", "woonkamer", "achtertuin", "voortuin", "trappenhuis", "portiek", "hallway", "hall", "kitchen",
    "living room", "backyard", "yard", "front yard", "porch", "attic", "stairwell",
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
# Older relatives and a parent's partner: the usual perpetrators in sexual abuse of a child at home.
ADULT_RELATIVE = (
    r"(?:stiefvader|stiefbroer|vader|papa|oom|opa|broer|neef|moeders vriend|vriend van (?:mijn )?moeder|"
    r"stepdad|stepfather|stepbrother|uncle|grandpa|grandad|grandfather|brother|cousin|father|dad|"
    r"(?:moms|mums|mothers) boyfriend)"
)
SUBJECT_EN = rf"(?:he|she|they|{_BARE_FAMILY}|{POSS} {_W}?{REL_EN})"
OBJECT_NL = rf"(?:me|mij|ons|haar|hem|hen|ze|{_BARE_FAMILY}|{POSS} {_W}?{REL_NL})"
OBJECT_EN = rf"(?:me|us|her|him|them|{_BARE_FAMILY}|{POSS} {_W}?{REL_EN})"
NOT_A_PERSON = (
    r"\b(?:gegevens|naam|account|identiteit|foto|fotos|vertrouwen|creditcard|pas|bankpas|rekening|"
    r"bankrekening|adres|data|details|identity|card|password|wachtwoord|nummer|telefoonnummer)\b"
)
BY_ACCIDENT = (
    r"\b(?:by a (?:car|ball|bike|bus)|door een (?:auto|bal|fiets|bus)|per ongeluk|by accident|"
    r"slaat (?:zijn|haar) slag|slaat (?:\w+ )?alarm|slaat nergens op|slaat op hol|"
    # "beats me at chess": losing a game, not a beating.
    r"(?:at|in|bij|met) (?:\w+ )?(?:chess|schaken|dammen|cards|kaarten|tennis|games?|spelletjes?|potje|fifa|"
    r"race|running|hardlopen))\b"
)
# Things thrown in play: "gooit de bal naar me" is no attack.
THROWN_IN_PLAY = (
    r"\b(?:bal|ballen|ball|balls|sneeuwbal\w*|snowball\w*|kussen\w*|pillow\w*|speelgoed|toys?|knuffel\w*|"
    r"frisbee|ballon\w*|balloons?|confetti|kus|kusjes|kisses|waterballon\w*|steentjes|pebbles|"
    r"vijver|pond|sloot|water|zee|sea|lake)\b"
)

# Sentences (as patterns) describing abuse acts; reused by the "happening now" escalation.
ABUSE_ACTS: tuple[str, ...] = (
    # "zit aan me", "komt 's nachts aan me": sexual touching; not "komt aan me vragen" (to ask me).
    r"\b(?:zit|zat|zitten|zaten|komt|kwam|komen|kwamen|grijpt|graait|friemelt) (?:\w+ ){0,3}aan (?:me|mij|"
    r"haar|hem|mijn lichaam|haar lichaam|mijn borsten|mijn kruis|mijn billen)\b"
    r"(?! (?:te|vragen|vertellen|zeggen|uitleggen|geven|brengen|laten|voorbij|vast)\b)",
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
    # The subject is further back: "he takes my money and hits me when I complain".
    r"\b(?:and|en|then|dan|en dan|and then) (?:(?:also|ook|soms|sometimes|even|zelfs|weer|again|he|she|hij|"
    r"zij|ze) )?(?:slaat|schopt|trapt|mishandelt|wurgt|betast|hits|beats|kicks|slaps|punches|chokes|hurts|"
    r"touches|gropes|molests) (?:me|mij|us|ons)\b",
    # An attempt: "tried to strangle me", "probeerde me te wurgen".
    r"\b(?:tried|tries|trying|attempted) to (?:strangle|choke|suffocate|smother|drown|kill|hurt) "
    r"(?:me|her|him|us)\b|\b(?:probeerde|probeert) (?:\w+ )?(?:me|mij|haar|hem|ons) (?:\w+ )?te (?:wurgen|"
    r"verstikken|smoren|verdrinken|vermoorden)\b",
    # Strangling: the throat or neck squeezed or held.
    r"\b(?:kneep|knijpt|knijpen|knepen|greep|grijpt|pakte|pakt|drukte|drukt|drukken|hield|houdt) (?:\w+ ){0,3}"
    r"(?:mijn|me|mij|haar|hem|zijn) (?:\w+ )?(?:keel|nek|hals|strot)\b|"
    r"\bhand(?:en)? (?:\w+ )?(?:om|rond|op) (?:mijn|haar|zijn) (?:keel|nek|hals)\b|"
    r"\b(?:mijn|haar|zijn) keel (?:\w+ ){0,2}dicht\b|"
    r"\b(?:grabbed|grabs|grabbing|squeezed|squeezes|squeezing|held|holds|holding|pinned|pressed|pressing) "
    r"(?:\w+ ){0,3}(?:by |around |on )?(?:my|her|his|the) (?:throat|neck)\b|"
    r"\bhands? (?:around|round|on) (?:my|her|his) (?:throat|neck)\b",
)
ABUSE_ACT = "(?:" + "|".join(ABUSE_ACTS) + ")"
# Throwing things at a person ("gooit met borden naar mijn moeder", "throwing glasses at my mom"); kept apart
# from ABUSE_ACTS because it needs its own exclusion of play (THROWN_IN_PLAY).
HURLED = _alt(
    "borden", "bord", "glazen", "glas", "stoelen", "stoel", "spullen", "dingen", "flessen", "fles", "stenen",
    "steen", "schoenen", "schoen", "asbak", "mes", "messen", "pannen", "pan", "meubels", "plates", "plate",
    "glasses", "glass", "things", "stuff", "chairs", "chair", "bottles", "bottle", "stones", "rocks", "knife",
    "knives", "shoes", "shoe", "pans", "pan", "furniture", "objects",
)  # fmt: skip
THROWING_AT_PERSON = (
    rf"\b(?:gooit|gooide|gooien|smijt|smeet|smijten|throws|threw|throwing|hurls|hurling) (?:met )?"
    rf"{_W}{{0,2}}{HURLED} {_W}{{0,2}}(?:naar|at|tegen|op) (?:{OBJECT_NL}|{OBJECT_EN}|(?:mijn|my|haar|her|"
    rf"zijn|his) (?:hoofd|head|gezicht|face))\b"
)
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

CHEST_PAIN = (
    r"\b(?:pijn op (?:de|zijn|haar|mijn) borst|pijn in (?:de|zijn|haar|mijn) borst|drukkende pijn|"
    r"chest pains?|pain in (?:his|her|my|the) chest|tight chest|beklemmend)\b"
)
DRUG = _alt(
    "ghb", "g", "xtc", "mdma", "coke", "cocaine", "drugs", "ketamine", "heroine", "heroin", "speed", "lsd",
    "pillen", "pills", "paddos", "lachgas",
)  # fmt: skip
# "Mijn moeder vermoordt me als ze mijn rapport ziet": a figure of speech, not a threat.
FIGURE_OF_SPEECH_THREAT = (
    r"\b(?:when|if|als|wanneer|once) (?:she|he|they|ze|hij|zij|mom|mum|dad|mama|papa) (?:\w+ ){0,2}(?:sees|"
    r"finds out|hears|ziet|hoort|merkt|erachter komt|ontdekt|weet)\b|\bif (?:this|that|the) \w+ (?:\w+ )?"
    r"(?:again|one more time)\b|\bfor (?:telling|saying|doing|losing|breaking|forgetting|showing)\b|"
    r"\bomdat ik (?:\w+ ){0,3}(?:vertel|verteld|vergeten|vergeet|kwijt)\b"
)

# A goodbye that is no farewell to life: holidays, moving, a group chat, leaving a job.
FAREWELL_NOT_DEATH = (
    r"\b(?:vakantie|holiday|holidays|vacation|zomer|summer|verhuiz\w*|moving|emigr\w*|groepsapp|group ?chat|"
    r"forum|account|pensioen|retire\w*|werk|job|school|afscheidsfeest|feest|party|tot ziens|see you|"
    r"tot (?:morgen|straks|volgende|later)|weekend|vergadering|meeting|trip|reis)\b"
)

# Parents setting rules: "mijn moeder pakt mijn telefoon af als ik te lang game" is no coercive control.
CONTROL_AS_PARENTING = (
    r"\b(?:huisarrest|grounded|straf|punish\w*|cijfers|grades|huiswerk|homework|school|bedtijd|bedtime|"
    r"te lang|too long|gamen|game|gaming|te laat|too late|uur|oclock|feest|party|concert)\b"
)

# Framing that makes a message a general question rather than a crisis.
HYPOTHETICAL = (
    r"\b(?:als iemand|als er iemand|wat als|stel dat|wat moet je doen|wat doe je|wat te doen|"
    r"wanneer iemand|if someone|if somebody|if a friend|what if|what to do|what should you do|suppose|"
    r"how do i know if|how can i tell if|hoe weet ik of|hoe kan ik zien of|hoe merk ik of|"
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
    r"is het normaal|is dat normaal|is it normal|is that normal|"
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
            # "schreeuwt dat hij ons vermoordt": the present tense announces it too.
            r"\b(?:hij|ze|zij) (?:\w+ )?(?:me|mij|ons|haar|hem|jullie) (?:\w+ )?(?:vermoordt|vermoord|doodmaakt|"
            r"afmaakt|doodsteekt|neersteekt|neerschiet)\b|"
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
        rf"\b(?:mezelf|mijzelf|zichzelf|myself|himself|herself)\b|{FIGURE_OF_SPEECH_THREAT}|{IDIOM}",
    ),
    _Cue(
        "threat to kill anyone",
        E,
        MEDIUM,
        (
            r"\b(?:gaat|ga|gaan|wil|zal|komt|dreigt|dreigen|roept dat hij|schreeuwt dat hij|zegt dat hij) "
            r"(?:\w+ ){0,3}(?:iemand|iedereen|ons allemaal|jullie|mensen|de buren) (?:\w+ ){0,2}(?:te )?"
            r"(?:vermoorden|vermoord|doden|dood (?:te )?maken|doodmaken|dood maakt|doodmaakt|af (?:te )?maken|"
            r"afmaken|neersteken|neerschieten|neer te steken)\b|"
            r"\b(?:going to|gonna|will|wants to|threatening to|threatens to|swears to) (?:kill|murder|stab|shoot) "
            r"(?:someone|somebody|everyone|everybody|people|us all|you all|them all|the neighbou?rs?)\b",
        ),
        rf"{IDIOM}|{FIGURE_OF_SPEECH_THREAT}",
    ),
    _Cue(
        "rampage now",
        E,
        WEAK,
        (
            r"\b(?:slaat|slaan|trapt|trappen|smashing|smashes|smashed up|smashing up|breaking|wrecking|trashing|"
            r"sloopt|slopen|vernielt|vernielen) (?:\w+ ){0,4}(?:alles|ruiten|ramen|kapot|in|everything|windows|"
            r"the place|car windows|up|his flat|her flat|the house|het huis|portiek)\b|"
            r"\b(?:sloopt|slopen|vernielt|vernielen|wrecking|trashing|smashing up)\b",
        ),
        rf"{PAST}|{NOT_VIOLENCE}",
    ),
    _Cue("threat with violence", E, MEDIUM, (r"\b(?:dreigt|dreigen|dreigde) met (?:geweld|een \w+|wapens?)\b",)),
    _Cue("threat only online", E, -1.5, (ONLINE,), PHYSICAL),
    _Cue(
        "followed now",
        E,
        MEDIUM,
        (
            r"\b(?:ik word|word|we worden|i am being|we are being|i am) (?:\w+ ){0,2}(?:achtervolgd|gevolgd|"
            r"followed|chased|stalked)\b|\b(?:achtervolgt|volgt|volgen) (?:\w+ ){0,2}(?:me|mij|ons)\b|"
            r"\b(?:following|chasing|running after|coming after) (?:me|us)\b|"
            # "er rijdt een auto me al de hele weg achterna", "iemand zit achter me aan".
            r"\b(?:loopt|lopen|rijdt|rijden|fietst|fietsen|rent|rennen|zit|zitten|komt|komen|volgt|volgen) "
            r"(?:\w+ ){0,5}(?:me|mij|ons) (?:\w+ ){0,5}achterna\b|"
            r"\b(?:loopt|lopen|rijdt|rijden|fietst|fietsen|rent|rennen|zit|zitten|komt|komen) (?:\w+ ){0,4}"
            r"achter (?:me|mij|ons) aan\b|"
            r"\b(?:rijdt|rijden|loopt|lopen|fietst|fietsen) (?:\w+ ){0,2}(?:al|steeds|de hele|sinds|constant) "
            r"(?:\w+ ){0,5}achter (?:me|mij|ons)\b",
        ),
        # A pet or a toddler that follows you around, or a follower online.
        rf"\b(?:instagram|tiktok|snapchat|twitter|online|social media|account|overal|everywhere|de hele dag|"
        rf"all day|around the house|door het huis|met vragen|with questions|groot licht|grootlicht|bumper\w*|"
        rf"toeter\w*|high beams?|tailgat\w*)\b|\b{ANIMAL}\b",
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
            r"twee mannen|een onbekende man|een paar mannen|mannen|jongens|een vent|"
            r"someone|somebody|a man|a stranger|strangers|people|two men|a person|a guy|some guy|two guys|"
            r"some guys|men) (?:\w+ ){0,2}"
            rf"(?:in|inside|binnen in|in de|in het) (?:mijn|ons|onze|het|de|my|our|the) (?:\w+ )?{PLACE}\b|"
            r"\b(?:someone|somebody|a man|a stranger|an intruder|a burglar|people) (?:is|are) (?:\w+ ){0,2}"
            rf"(?:in|inside) (?:my|our|the) (?:\w+ )?{PLACE}\b",
        ),
        # A visitor or tradesman in the kitchen is expected.
        r"\b(?:account|computer|laptop|telefoon|phone|systeem|netwerk|network|wifi|monteur|loodgieter|"
        r"meteropnemer|schilder|klusjesman|schoonmaker|schoonmaakster|bezorger|oppas|babysitter|plumber|"
        r"electrician|cleaner|painter|kookt|cooking|bezoek|visite|visitors?|guests|gasten)\b",
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
            r"\b(?:probeert|proberen|probeerde|probeerden|wil|willen|is bezig|zijn bezig) (?:\w+ ){0,4}"
            r"(?:binnen te komen|in te breken|in te trappen|open te breken|open te wrikken|te forceren|"
            r"in te slaan|binnen te dringen|naar binnen te komen|naar binnen te klimmen|in te klimmen)\b|"
            r"\b(?:probeert|proberen) (?:\w+ ){0,4}(?:deur|voordeur|achterdeur|raam|ramen|slot) (?:\w+ ){0,3}open "
            r"te (?:duwen|krijgen|maken|trekken|wrikken)\b|"
            r"\b(?:frunniken|frunnikt|prutsen|prutst|peuteren|peutert) aan (?:de|onze|mijn|het) "
            r"(?:\w+ )?(?:deur|deuren|raam|ramen|slot|deurklink)\b|"
            # A window or door just smashed, and someone coming in.
            r"\b(?:smashed|smashing|broke|breaking|kicked in|ingeslagen|ingegooid|ingetrapt|slaat|slaan|gooit|"
            r"gooien|trapt|trappen) (?:\w+ ){0,3}(?:window|door|raam|ruit|deur) (?:\w+ ){0,5}(?:coming in|"
            r"getting in|komt binnen|komen binnen|naar binnen|is in|is inside|binnen)\b|"
            r"\b(?:trapt|beukt|bonkt|bonst|ramt) (?:\w+ ){0,2}(?:de|mijn|onze|op de|op mijn|tegen de|"
            r"tegen mijn)"
            r" (?:deur|voordeur|achterdeur|raam|ramen)\b|"
            r"\b(?:trying|tries|attempting) to (?:get|break|come|climb|force (?:his|her|their|a) way) "
            r"(?:in|into|inside)\b|"
            r"\b(?:trying|tries|attempting) to (?:force|kick|break|pry|prise) (?:open |in |down )?(?:the|my|our) "
            r"(?:\w+ )?(?:door|window|lock|gate)\b|"
            r"\b(?:kicking|banging|pounding|smashing) (?:on|in|at|down)? ?(?:the|my|our) (?:front )?(?:door|"
            r"window)\b|"
            # Trying the handle, climbing in through a window.
            r"\b(?:rammel\w*|morrel\w*) (?:\w+ ){0,3}(?:aan )?(?:de|onze|mijn|het) (?:\w+ )?(?:deur|deurklink|"
            r"klink|slot|raam)\b|\baan (?:de|onze|mijn|het) (?:\w+ )?(?:deur|deurklink|klink|slot|raam) "
            r"(?:\w+ )?(?:te )?(?:rammelen|morrelen)\b|"
            r"\b(?:trying|tries|rattling|rattles|trying to open) (?:at )?(?:the|our|my) (?:\w+ ){0,2}(?:handle|"
            r"door handle|lock|doors|door|windows)\b|"
            r"\b(?:klimt|klimmen|kruipt|kruipen|stapt|stappen) (?:\w+ ){0,5}naar binnen\b|"
            r"\b(?:climbing|climbs|crawling|getting) (?:in|into|inside) (?:\w+ )?(?:through|via|by) (?:the|a|our|"
            r"my) (?:\w+ )?(?:window|door|balcony|roof)\b",
        ),
        # An account or the locksmith is not a burglar; prevention questions are not break-ins.
        r"\b(?:account|inloggen|wachtwoord|password|instagram|email|mail|telefoon|phone|computer|slotenmaker|"
        r"locksmith|sleutels? kwijt|voorkom\w*|prevent\w*|tips|hoe kan ik|how do i|how can i)\b",
    ),
    _Cue(
        "someone heard or seen inside",
        E,
        MEDIUM,
        (
            r"\b(?:ik hoor|hoor ik|ik zie|zie ik|we horen|i hear|i can hear|i heard|hearing|i see|i can see) "
            r"(?:\w+ ){0,2}(?:iemand|mensen|voetstappen|een man|een vreemde|stemmen|geluiden|someone|somebody|"
            r"people|footsteps|a man|a stranger|voices|noises) (?:\w+ ){0,4}(?:beneden|boven|op zolder|"
            r"in de gang|in de kelder|in huis|in ons huis|in mijn huis|in de keuken|in de woonkamer|"
            r"in de schuur|in de tuin|bij de achterdeur|downstairs|upstairs|in the house|in my house|"
            r"in our house|in the attic|in the hallway|in the kitchen|in the basement|in the garden|"
            r"at the back door|inside)\b",
        ),
        # Neighbours and the television are heard through walls every day.
        r"\b(?:buren|buurman|buurvrouw|bovenburen|benedenburen|neighbo\w*|tv|televisie|television|radio|"
        r"muziek|music|kinderen|kids|vast|waarschijnlijk|probably|must be|zal wel)\b",
    ),
    _Cue(
        "glass breaking heard",
        E,
        MEDIUM,
        (
            r"\b(?:hoor|hoorde|horen|hear|heard|hearing) (?:\w+ ){0,2}(?:glas|ruit|raam|een ruit|een raam|glass|"
            r"a window|window) (?:\w+ )?(?:breken|brak|rinkelen|sneuvelen|kapot|breaking|break|smash\w*|"
            r"shatter\w*)\b",
        ),
        r"\b(?:buren|neighbo\w*|tv|film|movie|keuken|kitchen|vaatwasser|dishwasher|glasbak|bottle bank|"
        r"recycling)\b",
    ),
    _Cue(
        "alone and someone there",
        E,
        WEAK,
        (
            r"\b(?:alleen thuis|alleen in huis|home alone|alone at home|alone in the house|i live alone|"
            r"ik woon alleen|niemand thuis|nobody (?:else )?(?:is )?home|er hoort niemand)\b",
            r"\b(?:iemand|someone|somebody|een man|a man|voetstappen|footsteps|deur|door|raam|window)\b",
        ),
    ),
    _Cue(
        "attack on the house",
        E,
        MEDIUM,
        (
            r"\b(?:gooien|gooit|smijten|smijt|werpen|bekogel\w*|throwing|throw|throws|chucking|hurling|pelting) "
            r"(?:\w+ ){0,3}(?:stenen|steen|bakstenen|tegels|flessen|stones|rocks|bricks|a brick|bottles)\b",
            r"\b(?:raam|ramen|ruit|ruiten|deur|voordeur|huis|window|windows|door|house|auto|car|ons|me|us)\b",
        ),
        THROWN_IN_PLAY,
    ),
    _Cue(
        "wants to get in",
        E,
        WEAK,
        (
            r"\b(?:willen|wil|proberen|probeert|want to|wants to|trying to) (?:\w+ ){0,2}(?:naar binnen|"
            r"binnen(?:komen| te komen)|get in|come in|get inside)\b|\b(?:schreeuwen|roepen|zeggen) dat ze "
            r"(?:\w+ )?(?:binnenkomen|naar binnen komen)\b",
        ),
        rf"\b{ANIMAL}\b",
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
    # Medical emergencies in plain words: no breath, chest pain with alarm signs, a colour change, someone who
    # cannot be woken or collapses. Questions ("wat betekent", "wat te doen als") subtract as everywhere.
    _Cue(
        "cannot breathe",
        E,
        STRONG,
        (
            r"\b(?:krijgt|krijg|krijgen) (?:\w+ ){0,2}geen (?:lucht|adem)\b|"
            r"\b(?:kan|kunnen) (?:\w+ ){0,2}niet (?:meer )?(?:ademen|ademhalen)\b|"
            r"\bademt (?:\w+ )?(?:nauwelijks|heel moeilijk|moeilijk|heel raar|raar|heel snel)\b|"
            r"\bhapt (?:\w+ )?naar (?:lucht|adem)\b|\bstikt\b|\bis (?:\w+ )?aan het stikken\b|"
            r"\b(?:cannot|can not) (?:\w+ )?(?:breathe|get (?:any )?air)\b|"
            r"\b(?:struggling|fighting|gasping) (?:to breathe|for (?:air|breath))\b|\bstopped breathing\b|"
            r"\bbarely breathing\b|\b(?:is|are) choking\b",
        ),
        r"\b(?:neus|nose|verkouden|cold|verkoudheid|stress|werk|work|hitte|heat|mondkapje|mask|lachen|"
        r"laughing|lol|haha|boete|fine|regels|rules|te veel werk|deadline)\b",
    ),
    _Cue("chest pain", E, WEAK, (CHEST_PAIN,)),
    _Cue(
        "chest pain with an alarm sign",
        E,
        WEAK,
        (
            CHEST_PAIN,
            r"\b(?:ineens|opeens|plotseling|hevige|heftige|erge|zweet|zweten|misselijk|uitstraalt|uitstralend|"
            r"arm|kaak|valt om|suddenly|severe|crushing|really bad|sweating|sweaty|left arm|jaw|help|112|"
            r"ambulance)\b",
        ),
    ),
    _Cue(
        "collapse, seizure, stroke",
        E,
        MEDIUM,
        (
            r"\b(?:in elkaar gezakt|zakte in elkaar|zakt in elkaar|valt steeds weg|beweegt niet meer|"
            r"grijpt naar (?:zijn|haar) borst|hartstilstand|beroerte|herseninfarct|"
            r"mond hangt scheef|epileptische aanval|ligt te schokken|ligt te stuiptrekken|stuiptrekkingen|"
            r"collapsed|passed out|not moving|is not responding|not responding|clutching (?:his|her|my) chest|"
            r"having a (?:fit|seizure|stroke)|has had a stroke|cardiac arrest|face is drooping|"
            r"will not stop shaking|convulsing)\b|"
            r"\bligt (?:\w+ ){0,3}(?:op de grond|op straat|op de vloer|in het water|in de sloot) (?:\w+ ){0,2}"
            r"(?:en )?(?:beweegt|reageert|ademt) niet\b|\bflauwgevallen en (?:\w+ ){0,2}(?:komt niet|"
            r"reageert niet|wordt niet)\b",
        ),
        r"\b(?:app|website|site|computer|laptop|scherm|screen|printer|server|traffic|verkeer|file|auto|car|"
        r"game|spel|browser|programma|program|telefoon|phone|on the couch|op de bank|queue|rij|line|bus|"
        r"train|trein)\b",
    ),
    _Cue(
        "person lying on the ground",
        E,
        MEDIUM,
        (
            rf"\b(?:{PERSON}|{_BARE_FAMILY}|iemand|someone|somebody|een man|een vrouw|a man|a woman|opa|oma|"
            r"grandpa|grandma) (?:\w+ ){0,5}(?:ligt|is lying|lies|is lying) (?:\w+ ){0,2}(?:op de grond|"
            r"op de vloer|op straat|op het fietspad|in de sloot|on the ground|on the floor|in the street)\b",
        ),
        r"\b(?:slaapt|sleeping|asleep|speelt|playing|yoga|lachen|laughing|haha|lol|puzzel\w*|puzzle|huilen|"
        r"huilt|crying|driftbui\w*|tantrum\w*|boos|angry)\b",
    ),
    _Cue(
        "first-aid question",
        E,
        -MEDIUM,
        (r"\b(?:hoe herken|herken je|symptomen|symptoms|eerste hulp|ehbo|first aid|reanimatie|reanimeren|cpr)\b",),
    ),
    _Cue("feeling unwell", E, WEAK, (r"\b(?:onwel|niet goed geworden|unwell|doodsbleek|flauw\w*|fainted)\b",)),
    _Cue(
        "colour of the face",
        E,
        MEDIUM,
        (
            r"\b(?:wordt|worden|werd|ziet|zag|loopt|kleurt|is) (?:er )?(?:\w+ )?(?:helemaal |heel |zo |erg |"
            r"ineens |opeens )?(?:grauw|asgrauw|lijkbleek|blauw aan|paars aan)\b|"
            r"\b(?:lippen|lip|gezicht) (?:\w+ ){0,2}(?:blauw|grauw|paars)\b|\bblauwe lippen\b|"
            r"\b(?:turning|turned|going|gone|went) (?:\w+ )?(?:blue|grey|gray|purple)\b|"
            r"\b(?:lips|face) (?:\w+ ){0,2}(?:blue|grey|gray|purple)\b",
        ),
        r"\b(?:haar|hair|haren|lucht|sky|weer|weather|hemel|muur|wall|verf|paint|scherm|screen|foto|photo|"
        r"beard|baard|wolken|clouds|blad\w*|leaves|banaan|banana|licht|light|lamp|led|brood|bread|kaas|"
        r"cheese|kou|koud|cold|freezing|ijsje|lipstick|lippenstift|bessen|berries|blueberr\w*|slush|"
        r"haha|lol)\b",
    ),
    _Cue(
        "will not wake up",
        E,
        MEDIUM,
        (
            r"\bwordt (?:\w+ )?niet (?:meer )?wakker\b|\bniet (?:meer )?wakker te krijgen\b|"
            r"\b(?:krijg|krijgen|kreeg) (?:\w+ ){0,2}(?:hem|haar|ze|hen) (?:\w+ )?niet (?:meer )?wakker\b|"
            r"\b(?:will not|would not|does not|is not) wak(?:e|ing) up\b|"
            r"\b(?:cannot|can not|could not) wake (?:him|her|them|my \w+|\w+) (?:\w+ )?up\b|"
            r"\b(?:cannot|can not) wake (?:him|her|them|my \w+)\b",
        ),
        # A sleeping phone or a teenager before school is no emergency.
        r"\b(?:telefoon|mobiel|laptop|computer|pc|tablet|ipad|scherm|slaapstand|phone|screen|sleep mode|"
        r"standby|tv|wekker|alarm|school|ochtend|ochtends|morning|mornings|op tijd|on time|weekend|uitslapen|"
        r"vakantie|elke dag|every day|altijd|always|nooit|never|ik wil|i want|i hope|ik hoop|wish)\b",
    ),
    _Cue(
        "took something",
        E,
        WEAK,
        (
            r"\b(?:heeft|hebben|heb|had|took|has taken|had taken|taken|swallowed|ate|drank) (?:\w+ ){0,3}"
            r"(?:iets|something|drugs|xtc|ghb|coke|cocaine|mdma|ketamine|lsd|paddo\w*|speed|pillen|pills|"
            r"te veel|too much|a lot of)\b|\biets in (?:zijn|haar|mijn) (?:drankje|drinken|glas)\b|"
            r"\b(?:spiked|something in (?:his|her|my) drink)\b",
        ),
    ),
    _Cue(
        "too much of a drug",
        E,
        MEDIUM,
        (
            rf"\b(?:te veel|too much) (?:\w+ )?{DRUG} (?:\w+ )?(?:genomen|gebruikt|op|geslikt|taken|used)\b|"
            rf"\b(?:took|taken|used|has had) (?:way )?(?:te veel|too much) (?:\w+ )?{DRUG}\b",
        ),
        r"\b(?:vaak|altijd|elke|often|always|every|hoe|how|wat|what)\b",
    ),
    _Cue(
        "drowning",
        E,
        MEDIUM,
        (
            r"\b(?:verdrinkt|is aan het verdrinken|drowning|is in het water gevallen|in het water gevallen|"
            r"fell in the water|fell into the (?:water|canal|lake)|ligt in het water|komt niet meer boven)\b",
        ),
        r"\b(?:werk|work|huiswerk|homework|mails|emails|papierwerk|paperwork|schulden|debt|taken|tasks)\b",
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
    _Cue("throwing at a person now", E, STRONG, (THROWING_AT_PERSON, NOW), THROWN_IN_PLAY),
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
    # ---------------------------------------------------------------- suicide: indirect signs
    # Farewell messages: a last message or a goodbye to everyone, often with love or an apology.
    _Cue(
        "last message",
        S,
        STRONG,
        (
            r"\b(?:dit is|dit wordt|this is|here is|hier is) (?:\w+ )?(?:mijn|my) (?:laatste|allerlaatste|last|"
            r"final|very last) (?:bericht\w*|appje|post|message|note|text|woorden|words|tweet|video|story|brief|"
            r"letter|groet|goodbye|afscheid)\b|\b(?:mijn|my) (?:laatste|final|last) (?:woorden|words|goodbye)\b|"
            r"\bvaarwel (?:wereld|allemaal|iedereen|lieve)\b|\bgoodbye (?:cruel )?world\b|\bfinal goodbye\b|"
            r"\b(?:mijn|my) (?:laatste|last|final) (?:bericht\w*|message|post|words|woorden) (?:aan|to|for|voor) "
            r"(?:de wereld|iedereen|jullie|the world|everyone|you all|all of you)\b",
        ),
        FAREWELL_NOT_DEATH,
    ),
    _Cue(
        "goodbye to everyone",
        S,
        WEAK,
        (
            r"\b(?:vaarwel|goodbye|bye|dag|doei|farewell) (?:\w+ )?(?:iedereen|allemaal|everyone|everybody|all)\b|"
            r"\b(?:als laatste|voor de laatste keer|for the last time|one last time)\b",
        ),
        FAREWELL_NOT_DEATH,
    ),
    _Cue("farewell word", S, WEAK, (r"\b(?:vaarwel|goodbye|farewell)\b",), FAREWELL_NOT_DEATH),
    # "Het is mooi geweest": the Dutch way of saying a life is complete.
    _Cue(
        "it has been enough",
        S,
        MEDIUM,
        (
            r"\bhet is (?:\w+ )?(?:mooi|genoeg|lang genoeg) geweest\b|\bdit is het einde\b|"
            r"\bthis is the end\b|\bi am ready to (?:die|leave this world)\b",
        ),
        rf"\b(?:met|with|van de|of the|vakantie|holiday|examen|exam|toets|test|wedstrijd|match|feest|party|"
        rf"concert|serie|series|film|movie|boek|book)\b|{FAREWELL_NOT_DEATH}",
    ),
    _Cue(
        "ready to go",
        S,
        WEAK,
        (r"\bhet was mooi(?: $| (?:ik|en|maar|sorry|vaarwel|bedankt)\b)|\bik ben er klaar voor\b|\bi am ready\b",),
        rf"\b(?:examen|exam|toets|test|wedstrijd|match|feest|party|concert|weer|weather)\b|{FAREWELL_NOT_DEATH}",
    ),
    _Cue(
        "unreachable after a goodbye",
        S,
        WEAK,
        (
            r"\b(?:turned off|switched off) (?:his|her|my) phone\b|\b(?:telefoon|mobiel) (?:\w+ )?uit(?:gezet)?\b|"
            r"\bniet (?:meer )?bereikbaar\b|\bneemt (?:zijn|haar) telefoon niet (?:meer )?op\b",
        ),
    ),
    _Cue(
        "love and apology at parting",
        S,
        WEAK,
        (
            r"\b(?:ik hou van jullie|ik houd van jullie|i love you all|love you all|love you guys|i love you|"
            r"sorry voor alles|sorry for everything|vergeef me|vergeef mij|forgive me|het spijt me|i am sorry|"
            r"zorg goed voor|take care of (?:mom|mum|dad|my|the)|het is beter zo|it is better this way|"
            r"(?:tell|zeg tegen|zeg) (?:\w+ ){0,2}(?:i love|that i love|dat ik van))\b",
        ),
        FAREWELL_NOT_DEATH,
    ),
    # Affairs put in order for after one's death, belongings given away.
    _Cue(
        "arrangements for after death",
        S,
        STRONG,
        (
            r"\b(?:geregeld|geordend|op orde|klaar|arranged|sorted|in order|ready|taken care of)\b",
            r"\b(?:na mijn dood|voor als ik er niet meer ben|als ik er niet meer ben|als ik dood ben|"
            r"after my death|after i (?:am gone|die|am dead)|when i am (?:gone|dead|not here)|for when i (?:am gone|"
            r"die))\b",
        ),
        r"\b(?:testament|notaris|uitvaartverzekering|nalatenschap|digitale|digital|accounts?|wachtwoord\w*|"
        r"password\w*|insurance|verzekering|executor|erfenis|inheritance|hoe|how|wat moet|what should|"
        r"wat gebeurt|what happens)\b",
    ),
    _Cue(
        "everything arranged",
        S,
        WEAK,
        (r"\b(?:alles is geregeld|alles geregeld|everything is (?:arranged|sorted|taken care of))\b",),
        FAREWELL_NOT_DEATH,
    ),
    _Cue(
        "belongings given away",
        S,
        WEAK,
        (
            r"\b(?:spullen|dingen|bezittingen|stuff|things|belongings) (?:\w+ )?(?:weggegeven|weg gegeven|"
            r"weggeven|given away|giving away|give away)\b|\b(?:weggegeven|given away|giving away|geef|gaf) "
            r"(?:\w+ ){0,2}(?:mijn|my) (?:\w+ )?(?:spullen|dingen|stuff|things|belongings)\b",
        ),
        r"\b(?:verhuiz\w*|moving|kringloop|marktplaats|vinted|opruim\w*|declutter\w*|goed doel|charity)\b",
    ),
    _Cue(
        "will not need it any more",
        S,
        WEAK,
        (
            r"\b(?:heb ik|ik heb|heb) (?:het |ze |die |dat )?(?:toch |echt )?niet meer nodig\b|"
            r"\b(?:will not|do not|would not) need (?:it|them|any of it|this) (?:anymore|any more|where)\b",
        ),
    ),
    # "Ik hoef niet meer": the older person's way of saying life may stop; not "ik hoef niet meer te werken".
    _Cue(
        "does not need to live any more",
        S,
        1.5,
        (
            r"\bik hoef (?:gewoon |echt |eigenlijk |het |allemaal |zo )?(?:niet meer|het leven niet meer|"
            r"niet meer zo nodig)(?: $| (?:ik|en|het|alles|echt|hoor|zo|sinds|nu|want|na|zonder|sorry|meer|"
            r"dood|leven)\b)|"
            r"\b(?:het leven|leven) hoeft (?:\w+ ){0,2}niet meer\b|"
            r"\bhoeft (?:het )?(?:voor mij|van mij|allemaal) (?:\w+ )?niet meer\b",
        ),
        r"\b(?:dank|bedankt|thanks|taart|eten|koffie|thee|toetje|vol|full)\b",
    ),
    # "I can't do this anymore" alone is flagged for safety; waiting ("ik kan niet meer wachten") is not.
    _Cue(
        "cannot do this anymore",
        S,
        MEDIUM,
        (
            r"\b(?:i|he|she|they) (?:\w+ )?(?:cannot|can not) (?:do|take|handle|bear|stand|keep) (?:this|it|"
            r"this life|any of "
            r"this|life|doing this)(?: \w+)? ?(?:anymore|any more|no more|much longer)\b|"
            r"^ (?:ik kan|kan) (?:het |dit )?(?:echt |gewoon )?niet meer(?: $| (?:ik|en|echt|hoor|alles|sorry|"
            r"help)\b)|\bik kan (?:dit|het) (?:echt |gewoon |allemaal )?niet meer(?: $| (?:ik|en|echt|hoor|"
            r"alles|sorry|help)\b)|\bik kan niet meer(?: $| (?:ik|sorry|help|alles)\b)",
        ),
        r"\b(?:phone|telefoon|computer|laptop|app|website|printer|wifi|internet|crash\w*|traffic|file|wachten|"
        r"waiting)\b",
    ),
    _Cue(
        "cannot bear this life",
        S,
        STRONG,
        (
            r"\b(?:trek|hou|houd|kan|wil) (?:\w+ )?(?:dit|het|mijn) leven (?:\w+ )?niet meer\b|"
            r"\b(?:cannot|can not|do not want) (?:\w+ )?(?:this|my) life (?:anymore|any more)\b|"
            r"\b(?:sleep|slapen) (?:\w+ )?(?:forever|for ever|voor altijd|eeuwig)\b|"
            r"\b(?:voor altijd|eeuwig) (?:\w+ )?slapen\b|\bniet meer wakker (?:wil|wilt|willen|wou) worden\b",
        ),
        # "Sleep forever after my exams" is a student's wish for rest.
        r"\b(?:weekend|exams?|examens?|vakantie|holiday|tentamen\w*|day off|uitslapen|lazy|lui)\b",
    ),
    _Cue(
        "no way out",
        S,
        MEDIUM,
        (r"\b(?:geen uitweg|no way out|enige uitweg|only way out|geen andere uitweg|no other way out)\b",),
        # "Geen uitweg uit mijn schulden" names a concrete problem the knowledge base can help with.
        r"\b(?:escape ?room|game|spel|puzzel\w*|puzzle)\b|\b(?:uitweg|way out) (?:\w+ )?(?:uit|from|of) "
        r"(?:mijn|de|het|deze|dit|my|the|this)\b",
    ),
    _Cue(
        "stop living",
        S,
        STRONG,
        (
            r"\b(?:stoppen|stop|ophouden|op te houden|te stoppen) met (?:leven|bestaan)\b|"
            r"\b(?:stop|to stop|quit) (?:living|existing)\b|\bwil (?:\w+ )?(?:voorgoed|voor altijd) verdwijnen\b|"
            r"\b(?:disappear|vanish) (?:forever|for good|permanently)\b|\bniet meer (?:wil |willen )?bestaan\b",
        ),
    ),
    # After a bereavement: the wish to be with the dead partner.
    _Cue(
        "bereaved",
        S,
        WEAK,
        (
            r"\b(?:mijn|my) (?:\w+ )?(?:vrouw|man|partner|echtgenoot|echtgenote|wife|husband|zoon|dochter|son|"
            r"daughter|kind|child|vrienden|friends) (?:\w+ ){0,3}(?:dood|overleden|gestorven|er niet meer is|"
            r"died|passed away|is gone|is dead|are dead|are gone)\b",
        ),
    ),
    _Cue(
        "wish to join the dead",
        S,
        WEAK,
        (
            r"\b(?:wil|wou|wilde) (?:\w+ ){0,3}(?:naar (?:haar|hem) toe|bij (?:haar|hem) zijn|(?:haar|hem) achterna)\b|"
            r"\b(?:want|wish) (?:\w+ ){0,2}to (?:be with|join|see) (?:her|him) again\b|\bjoin (?:her|him)\b",
        ),
    ),
    # A specific person hints they will be gone: "hij is er morgen niet meer", "you won't see me again".
    _Cue(
        "will not be there any more",
        S,
        1.5,
        (
            r"\b(?:hij|zij|ze|ik) (?:\w+ ){0,2}er (?:\w+ ){0,2}(?:morgen|straks|vanavond|binnenkort|na vandaag|"
            r"na vanavond|volgende week|dan|niet lang) (?:\w+ )?niet meer\b|"
            r"\b(?:zien|ziet|horen|hoort) (?:\w+ )?(?:me|mij|hem|haar) (?:\w+ )?(?:nooit|niet) meer\b|"
            r"\b(?:me|mij|hem|haar) (?:\w+ ){0,2}(?:nooit|niet) meer (?:\w+ )?(?:zien|zult zien|zullen zien|"
            r"horen)\b|"
            r"\b(?:will not|would not|might not) be (?:here|around|alive|there) (?:\w+ )?(?:tomorrow|much longer|"
            r"for long|anymore|next week|after tonight)\b|"
            r"\b(?:will not|never) (?:\w+ )?(?:see|hear from) (?:me|him|her) (?:again|anymore|tomorrow)\b|"
            r"\blast time (?:you|we|they|anyone) (?:\w+ ){0,2}(?:hear|see) (?:from )?(?:me|him|her)\b|"
            r"\blaatste keer dat (?:je|jullie|we|ze) (?:\w+ ){0,2}(?:van )?(?:me|mij|hem|haar)\b",
        ),
        r"\b(?:vakantie|holiday|vacation|verhuis\w*|moving|ziek|sick|vrij|day off|werk|work|school|les|class|"
        r"meeting|vergadering|afspraak|winkel|zaak|shop|store|failliet|bankrupt|website|app|account|groep|"
        r"group|club|vereniging|team|betalen|betaal|pay|oplicht\w*|scam|fraude|fraud|geld|money)\b",
    ),
    # "Going to end it tonight", "maakt er vanavond een einde aan"; a break-up is "end it with him".
    _Cue(
        "ending it soon",
        S,
        STRONG,
        (
            r"\b(?:going to|gonna|will|wants to|want to|plans to|planning to|ready to|about to) end it(?: all)? "
            r"(?:tonight|today|now|soon|this (?:week|weekend|time)|for good|tomorrow)\b|"
            r"\b(?:maak|maakt|maakte|maken) (?:\w+ ){0,3}er (?:\w+ ){0,2}(?:een )?(?:eind|einde) aan\b|"
            r"\ber (?:\w+ )?(?:een )?(?:eind|einde) aan (?:maak|maakt)\b",
        ),
        r"\b(?:with|met|relationship|relatie|contract|subscription|abonnement|lease|match|meeting|season|"
        r"series|serie|story|verhaal|overlast|situatie|ruzie|pesten)\b",
    ),
    # Method questions count even in question form: "hoeveel pillen zijn dodelijk".
    _Cue(
        "method question",
        S,
        2.5,
        (
            r"\b(?:hoeveel|welke|wat voor|how many|how much|which|what) (?:\w+ ){0,3}(?:pillen|pil|tabletten|"
            r"medicijnen|paracetamol|slaappillen|oxazepam|insuline|antidepressiva|pills|tablets|meds|medicine|"
            r"sleeping pills|ibuprofen|tylenol|insulin|antidepressants) (?:\w+ ){0,8}(?:dodelijk\w*|dood (?:te )?"
            r"gaan|doodgaan|sterven|te sterven|overlijden|niet meer wakker|nooit meer wakker|lethal|fatal|"
            r"to die|kill (?:you|me|a person|someone|yourself|myself)|not wake up|never wake up|overdose)\b|"
            r"\b(?:dodelijke|letale|fatale) (?:dosis|hoeveelheid)\b|\blethal (?:dose|amount)\b|"
            r"\b(?:pijnloos|pijnloze manier|snelste manier|beste manier|makkelijkste manier|painless|"
            r"quickest way|fastest way|best way|easiest way) (?:\w+ ){0,3}(?:dood|sterven|zelfmoord|to die|"
            r"suicide|death|kill myself|te sterven|dood te gaan)\b|"
            r"\bhoe (?:hoog|diep) (?:\w+ ){0,4}(?:springen|spring|dood|to die)\b|"
            r"\bhow (?:high|tall) (?:\w+ ){0,4}(?:to jump|to die|to not survive)\b|"
            r"\bhoe (?:hang|knoop) (?:je|ik) (?:je|me|mezelf|een strop)\b|"
            r"\bhow (?:to|do you|do i) (?:tie a noose|hang (?:myself|yourself))\b",
        ),
        rf"\b{ANIMAL}\b|\b(?:ghb|xtc|mdma|coke|cocaine|alcohol|drugs|lachgas|ketamine)\b",
    ),
    # The means are ready: a rope or noose tied, pills collected.
    _Cue(
        "rope or noose ready",
        S,
        STRONG,
        (
            r"\b(?:touw|strop|rope|noose|koord)\b",
            r"\b(?:klaar|ready|geknoopt|tied|vastgemaakt|opgehangen|hangt|hanging|balk|beam|zolder|plafond|"
            r"ceiling|attic|know where|weet waar)\b",
        ),
        r"\b(?:kamp\w*|camping|klim\w*|climb\w*|zeil\w*|sail\w*|boot|boat|tent|touwtrek\w*|tug|verhuiz\w*|"
        r"moving|schommel|swing|was|waslijn|washing|clothesline|halloween|decoratie|decoration|springtouw|"
        r"skipping|jump rope|kerst\w*|christmas|lampjes|lights|knutsel\w*|craft\w*|boomhut|treehouse|hangmat|"
        r"hammock|slepen|tow\w*|hek|fence|stropdas|tie|wat een|what a|gym|sport|tuin|garden)\b|"
        rf"\b{ANIMAL}\b",
    ),
    _Cue("noose", S, MEDIUM, (r"\bnoose\b",), r"\b(?:halloween|decoratie|decoration|film|movie|western)\b"),
    _Cue(
        "means ready",
        S,
        STRONG,
        (
            r"\b(?:pillen|pills|tabletten|tablets|mesjes|blades|scheermesje\w*|razors?|touw|rope) (?:\w+ ){0,3}"
            r"(?:liggen|ligt|staan|staat|is|are|zijn|heb ik) (?:\w+ ){0,2}(?:klaar|ready|verzameld|opgespaard|"
            r"lined up|set out)\b|"
            r"\b(?:heb|have|got) (?:\w+ ){0,3}(?:pillen|pills|tabletten|tablets|touw|rope|mesjes|blades|razors?) "
            r"(?:\w+ ){0,2}(?:klaarliggen|klaar liggen|klaar|ready|verzameld|gespaard|opgespaard|saved up|"
            r"stockpiled|collected)\b|"
            r"\b(?:saved up|saving up|stockpiled|stockpiling|collected|collecting|verzameld|opgespaard|gespaard|"
            r"spaar|sparen) (?:\w+ ){0,3}(?:pills|pillen|tabletten|tablets|medicijnen|meds|slaappillen|"
            r"sleeping pills)\b",
        ),
        r"\b(?:vakantie|holiday|trip|reis|apotheek|pharmacy|weekdoos|pill box|pillbox|bbq|barbecue|kamp\w*|"
        r"camping)\b",
    ),
    # Cutting deeper or into the wrists, and wanting it all to end.
    _Cue(
        "cutting to end it",
        S,
        1.5,
        (
            r"\b(?:snij|snijd|snijdt|kras|kerf|cut|cutting|cuts) (?:\w+ ){0,2}(?:dieper|deeper|harder|again|weer|"
            r"opnieuw)\b|\b(?:polsen|pols|wrists|wrist|aders|veins) (?:\w+ ){0,2}(?:doorsnijden|doorgesneden|"
            r"snijden|gesneden|slit|slitting|cut|cutting)\b|\b(?:doorsnijden|doorgesneden|snijden|gesneden|"
            r"slit|slitting|cut|cutting|snijd|snij) (?:\w+ ){0,2}(?:in )?(?:mijn|zijn|haar|my|his|her) "
            r"(?:polsen|pols|wrists|wrist|aders|veins)\b",
        ),
        r"\b(?:per ongeluk|by accident|accidentally|keuken|kitchen|koken|cooking|glas|glass|papier|paper|gras|"
        r"grass|haar|hair|taart|cake|brood|bread|uien|onions?|knutsel\w*|kapper|hairdresser|nagels|nails|"
        r"budget|kosten|costs|prijs|price)\b",
    ),
    _Cue(
        "wants it all to end",
        S,
        WEAK,
        (
            r"\b(?:i want|i just want|i need|i wish) (?:it|this|everything|it all|all of it|the pain) (?:all )?"
            r"to (?:end|stop)\b|\b(?:ik wil|wil) (?:gewoon )?dat (?:het|alles|de pijn) (?:gewoon |echt |allemaal "
            r"|nu )?(?:ophoudt|stopt|voorbij is|niet meer stopt|eindigt)\b|\b(?:ik wil|wil) (?:dat )?(?:het|"
            r"alles) (?:\w+ )?(?:niet meer stopt|voorbij is)\b",
        ),
    ),
    _Cue(
        "everything must end",
        S,
        MEDIUM,
        (
            r"\b(?:i want|i just want|i need|i wish) (?:it all|everything|all of it|all this) to (?:end|stop)\b|"
            r"\bwil (?:gewoon )?dat alles (?:\w+ )?(?:ophoudt|stopt|voorbij is|eindigt)\b",
        ),
    ),
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
        # A bad school report is a worry, not danger at home.
        r"\b(?:rapport|cijfers|cijferlijst|report card|grades|onvoldoende)\b",
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
    # ---------------------------------------------------------------- abuse: indirect signs
    # Sexual abuse is rarely named: touching "on places I don't want", a relative in one's bed at night,
    # being made to undress or do "things", "our secret".
    _Cue(
        "unwanted touching",
        A,
        STRONG,
        (
            r"\b(?:raakt|raakte|raken|voelt|betast) (?:me|mij|haar|hem) (?:\w+ ){0,4}aan\b|\baan(?:ge)?raken\b|"
            r"\baangeraakt\b|\btouch(?:es|ed|ing)? (?:me|her|him)\b",
            r"\b(?:plekken|plaatsen|onder (?:mijn|haar|zijn) (?:kleren|rok|shirt|broek|pyjama)|niet wil|"
            r"nachts|als ik slaap|prive|intiem|geslachtsdeel|piemel|kruis|borsten|billen|private|privates|"
            r"at night|when i (?:sleep|am asleep)|in (?:my|her|his) bed|under (?:my|her|his) clothes|"
            r"do not want|do not like|niet fijn)\b",
        ),
        r"\b(?:fysio\w*|physio\w*|dokter|doctor|arts|huisarts|massage|tandarts|dentist|kapper|hairdresser)\b",
    ),
    _Cue(
        "forced sexual acts",
        A,
        STRONG,
        (
            r"\b(?:dwingt|dwong|dwingen|verplicht|verplichtte|forces|forced|makes|made|pressures|pressured|"
            r"pushes) (?:me|mij|haar|hem|us|ons|mijn \w+|my \w+) (?:\w+ ){0,5}(?:seks\w*|sex\w*|uit te kleden|"
            r"uitkleden|naakt\w*|aan te raken|aanraken|pijpen|te pijpen|touch (?:him|her|his|it|them)|naked|"
            r"undress\w*|blow ?jobs?|to touch)\b",
        ),
    ),
    _Cue(
        "made to do unwanted things",
        A,
        MEDIUM,
        (
            r"\b(?:dwingt|dwong|forces|forced|makes|made) (?:me|mij|haar|him|her) (?:\w+ ){0,3}(?:dingen|things)"
            r" (?:te )?(?:\w+ )?(?:die|wat|that) (?:ik|i|ze|she|hij|he) (?:\w+ )?(?:niet wil|niet wilde|"
            r"not want|do not want|did not want|hate)\b",
        ),
        r"\b(?:like|zoals|bijvoorbeeld|chores|klusjes|huiswerk|homework|opruim\w*|cleaning|afwas|dishes|school|"
        r"sport|piano|eten|food|vegetables|groente)\b",
    ),
    _Cue(
        "a secret with an adult",
        A,
        MEDIUM,
        (
            r"\b(?:ons|onze) (?:\w+ )?geheim\w*\b|\bour (?:little )?secret\b|\b(?:mag|mocht) (?:het )?(?:aan )?"
            r"niemand (?:vertellen|zeggen)\b|\bnot (?:allowed )?to tell (?:anyone|anybody|mom|mum|my mom)\b|"
            r"\b(?:told|tells|says) me not to tell\b|\b(?:niet|nooit) over (?:mag|mocht|mogen) (?:praten|vertellen)\b|"
            r"\bmag er (?:\w+ )?niet over (?:praten|vertellen)\b|\bnot allowed to (?:talk|tell)\b",
            r"\b(?:doet|doen|deed|aan me|aan mij|met me doet|met mij doet|dingen|things|touch\w*|do|does|did|"
            r"makes me|dwingt|praten)\b",
        ),
        r"\b(?:verrassing\w*|surprise|cadeau\w*|present|gift|feest\w*|party|verjaardag|birthday|recept|recipe)\b",
    ),
    _Cue(
        "relative does things with me",
        A,
        MEDIUM,
        (r"\b(?:doet|deed|doen|does|did) (?:\w+ ){0,2}(?:dingen|things|stuff) (?:met|bij|aan|with|to) (?:me|mij)\b",),
        r"\b(?:leuke|fun|nice|gezellig\w*|samen|together|uitje\w*|spelletjes?|games?)\b",
    ),
    _Cue(
        "nude pictures asked by a relative",
        A,
        STRONG,
        (
            rf"\b{ADULT_RELATIVE} (?:\w+ ){{0,4}}(?:wil|vraagt|vroeg|eist|dwingt|wants|asks|asked|makes|forces) "
            r"(?:\w+ ){0,4}(?:naakt\w*|nudes?|naked|sexy|bloot) (?:\w+ )?(?:foto\w*|pics|pictures|photos|"
            r"beelden|filmpje\w*|videos?)?\b",
        ),
    ),
    _Cue(
        "relative in my bed at night",
        A,
        MEDIUM,
        (
            rf"\b(?:{ADULT_RELATIVE}|hij|he) (?:\w+ ){{0,4}}"
            r"(?:komt|kwam|kruipt|kroop|stapt|comes|came|gets|got|climbs) (?:\w+ ){0,3}(?:in|bij|into) "
            r"(?:mijn|my) (?:bed|kamer|room)\b",
            r"\b(?:nachts|s nachts|at night|night|als ik slaap|when i sleep|steeds|elke|always|every)\b",
        ),
        r"\b(?:bang|onweer|nachtmerrie\w*|scared|nightmares?|storm|ziek|sick|welterusten|goodnight)\b",
    ),
    # Control and confinement: locked in, not allowed out, money or phone taken.
    _Cue(
        "locked up",
        A,
        MEDIUM,
        (
            r"(?<!ik )\b(?:sluit|sloot|sluiten|sloten) (?:me|mij|ons|haar|hem|de kinderen|mijn \w+) (?:\w+ ){0,2}"
            r"op\b(?! de hoogte)|\b(?:houdt|hield|houden) (?:me|mij|ons|haar) (?:\w+ )?(?:opgesloten|gevangen|"
            r"binnen)\b|\b(?:ik word|ik werd|we worden|word) (?:\w+ ){0,3}opgesloten\b|"
            r"\b(?:locks|locked|locking|keeps) (?:me|us|her|him|my \w+) (?:\w+ )?(?:in|up|inside|locked)\b|"
            r"\b(?:i am|we are|i get|i got) (?:\w+ )?locked (?:in|up)\b|\b(?:keeps|kept) me (?:a )?prisoner\b|"
            r"\bgevangen (?:\w+ )?gehouden\b",
        ),
        rf"\b(?:account|app|game|out of|escape ?room)\b|{IDIOM}",
    ),
    _Cue(
        "not allowed out",
        A,
        WEAK,
        (
            r"\b(?:laat|liet|laten) (?:me|mij|ons|haar) (?:\w+ ){0,3}(?:niet|nooit) (?:meer )?(?:naar buiten|"
            r"de deur uit|uit|weg|weggaan|vertrekken|alleen|mijn vrienden zien|werken)\b|"
            r"\b(?:laat|liet|laten) (?:me|mij|ons|haar) (?:\w+ ){0,2}nergens (?:heen|naartoe|naar toe)\b|"
            r"\b(?:will not|does not|did not|would not|never) let (?:me|us|her) (?:\w+ )?(?:leave|go out|out|"
            r"see (?:my|her) friends|work|go anywhere)\b",
        ),
        CONTROL_AS_PARENTING,
    ),
    _Cue(
        "money or phone taken",
        A,
        WEAK,
        (
            r"\b(?:pakt|pakte|neemt|nam|houdt|takes|took|keeps|controls|controleert) (?:\w+ ){0,2}(?:mijn|haar|"
            r"my|her) (?:\w+ )?(?:geld|telefoon|mobiel|pinpas|bankpas|paspoort|sleutels|money|phone|passport|"
            r"bank card|keys)\b",
        ),
        CONTROL_AS_PARENTING,
    ),
    # Hiding from a raging person: "ik zit achter de deur en hij slaat ertegen".
    _Cue(
        "hiding from someone",
        A,
        STRONG,
        (
            r"\b(?:ik zit|ik sta|ik lig|ik heb me|zit|verstop|verstopt|i am hiding|hiding|i locked myself|"
            r"locked myself|i am locked|i am) (?:\w+ ){0,4}(?:achter de deur|achter (?:een|de) (?:\w+ )?deur|"
            r"in de badkamer|op de wc|op het toilet|in mijn kamer|in de kast|onder (?:het|mijn) bed|"
            r"opgesloten|verstopt|in the bathroom|in the toilet|in my room|in the closet|in the wardrobe|"
            r"under (?:the|my) bed|behind (?:the|a) door)\b|\bdeur waar ik achter (?:zit|sta)\b|"
            r"\bverstop (?:me|mij|ons)\b|\bhiding (?:from|in|behind)\b",
            r"\b(?:schreeuwt|schreeuwen|te schreeuwen|tiert|raast|woedend|razend|dronken|agressief|slaat|bonkt|"
            r"bonst|beukt|trapt|schopt|ramt|gooit|dreigt|screaming|yelling|shouting|raging|furious|drunk|angry|"
            r"banging|pounding|kicking|punching|hitting|smashing|throwing|threatening)\b",
            r"\b(?:hij|zij|ze|he|she|they|vader|moeder|papa|mama|stiefvader|man|vriend|partner|ex|dad|mum|mom|"
            r"stepdad|husband|boyfriend|father|mother)\b",
        ),
        r"\b(?:verstoppertje|hide and seek|spelletje|game|wc moet|plassen|toilet too|haast)\b",
    ),
    # Throwing things at a person, or throwing things around at home.
    _Cue("throwing at a person", A, STRONG, (THROWING_AT_PERSON,), THROWN_IN_PLAY),
    _Cue(
        "throwing things at home",
        A,
        MEDIUM,
        (
            rf"\b(?:{_BARE_FAMILY}|{POSS} (?:\w+ )?{REL}|hij|zij|he|she) (?:\w+ ){{0,6}}(?:gooit|smijt|gooien|"
            r"smijten|throws|throwing|smashes|smashing|breaks|breaking) (?:met )?(?:\w+ )?(?:borden|glazen|"
            r"stoelen|spullen|meubels|dingen|flessen|plates|glasses|chairs|things|stuff|furniture|bottles)\b",
        ),
        rf"{THROWN_IN_PLAY}|\b(?:peuter|kleuter|baby|zoontje|dochtertje|toddler|puber|teenager)\b",
    ),
    _Cue(
        "drunk and raging at home",
        A,
        WEAK,
        (
            r"\b(?:dronken|drunk|bezopen|zat|gedronken)\b",
            r"\b(?:schreeuwt|tiert|gooit|smijt|slaat|agressief|screaming|yelling|throwing|violent|aggressive)\b",
        ),
    ),
    _Cue(
        "afraid to go home because of violence",
        A,
        MEDIUM,
        (
            r"\b(?:durf|durft|durven|durfde) (?:\w+ ){0,2}niet (?:meer )?(?:naar huis|thuis te komen|terug naar "
            r"huis)\b|\bbang (?:om|to) (?:\w+ )?(?:naar huis|thuis te komen|terug)\b|\b(?:afraid|scared|do not "
            r"want|terrified) to go (?:back )?home\b",
            r"\b(?:slaan|slaat|pijn doen|schoppen|mishandelen|hurt|hurts|beat|beats|hit|hits|kill|boos|angry)\b",
        ),
    ),
    # ---------------------------------------------------------------- framing shared by all classes
    _Cue("hypothetical or generic person", None, -1.5, (HYPOTHETICAL,)),
    _Cue("informational question", None, -MEDIUM, (INFORMATIONAL,)),
)


@dataclass(frozen=True, slots=True)
class _CompiledCue:
    """A cue with its patterns as indices into :attr:`Triage._patterns` (shared fragments are searched once)."""

    cue: _Cue
    patterns: tuple[int, ...]
    unless: int | None


@dataclass(frozen=True, slots=True)
class Assessment:
    """Why a message was (not) flagged: scores per class and the names of the cues that fired."""

    urgency: Urgency | None
    scores: dict[Urgency, float]
    cues: tuple[str, ...]


def _space_for_leading_boundary(source: str) -> str:
    """Replace a ``\\b`` that opens an alternative (nothing matched before it) by a literal space.

    Equivalent on :func:`normalise` output (single spaces, padded on both sides: every word starts after a
    space) and several times faster: Python's regex engine can only skip ahead to a literal first character,
    and a leading ``\\b`` hides it. Pitfalls: never after a lookaround (its position would shift) and never
    inside a repeated group (each repetition would need a space of its own).
    """
    out: list[str] = []
    # Per open group: does it start where nothing has been matched yet, and where were spaces put in it?
    groups: list[tuple[bool, list[int]]] = [(True, [])]
    in_class = False
    at_start = True
    i = 0
    while i < len(source):
        char = source[i]
        i += 1
        if char == "\\":
            pair = char + source[i : i + 1]
            boundary = pair == "\\b" and (source[i + 1 : i + 2] == "(" or source[i + 1 : i + 2].isalnum())
            if at_start and not in_class and boundary:
                groups[-1][1].append(len(out))
                out.append(" ")
            else:
                out.append(pair)
            at_start = False
            i += 1
        elif in_class:
            out.append(char)
            in_class = char != "]"
        elif char == "[":
            out.append(char)
            in_class = True
            at_start = False
        elif char == "(":
            plain = not source.startswith("?", i) or source.startswith("?:", i)
            at_start = at_start and plain
            groups.append((at_start, []))
            out.append("(?:" if source.startswith("?:", i) else char)
            i += 2 if source.startswith("?:", i) else 0
        elif char == ")":
            out.append(char)
            _, spaces = groups.pop()
            if source[i : i + 1] in ("*", "+", "{"):
                for position in spaces:
                    out[position] = "\\b"
            else:
                groups[-1][1].extend(spaces)
            at_start = False
        elif char == "|":
            out.append(char)
            at_start = groups[-1][0]
        else:
            out.append(char)
            at_start = False
    return "".join(out)


class Triage:
    """Rule-based crisis classifier; build once and reuse (compiling the patterns takes milliseconds).

    Pure and thread-safe after construction; it never logs or stores the text it is given.
    """

    def __init__(self, cues: Sequence[_Cue] = _CUES, threshold: float = THRESHOLD) -> None:
        self._threshold = threshold
        # One Pattern object per distinct string, so a fragment shared by several cues (ABUSE_ACT, NOW, ...)
        # is searched once per text (see _CompiledCue.matches).
        index: dict[str, int] = {}

        def pattern(source: str) -> int:
            return index.setdefault(source, len(index))

        self._cues = tuple(
            _CompiledCue(cue, tuple(pattern(p) for p in cue.patterns), pattern(cue.unless) if cue.unless else None)
            for cue in cues
        )
        self._patterns = tuple(re.compile(_space_for_leading_boundary(source)) for source in index)

    def assess(self, text: str) -> Assessment:
        """Score ``text``; the decision plus the evidence, for tests and ``kb`` tooling."""
        norm = normalise(text)
        scores = dict.fromkeys(_PRIORITY, 0.0)
        fired: list[str] = []
        patterns = self._patterns
        # Per text: pattern index -> matched. Keyed by index because hashing a Pattern hashes its whole code.
        hits: list[bool | None] = [None] * len(patterns)

        def hit(index: int) -> bool:
            known = hits[index]
            if known is None:
                known = hits[index] = patterns[index].search(norm) is not None
            return known

        for compiled in self._cues:
            # The (often long) unless pattern is only tried once the cue would fire; most cues never do.
            if not all(hit(i) for i in compiled.patterns) or (compiled.unless is not None and hit(compiled.unless)):
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
