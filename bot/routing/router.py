"""Which of the six municipalities a resident's place description belongs to.

Pure domain code (no Telegram): ``veiligbot route`` and the report flow both call :meth:`Router.route` /
:meth:`Router.route_location`, so they cannot disagree. Build one :class:`Router` at start-up with
``Router.from_registry(load_municipalities())``; it precomputes its indexes once and is then read-only and
thread-safe.

Decision order for text (first that applies wins):

1. ``lat,lon`` in decimal degrees (``52.347,5.983``, as a Telegram location gives) -> :meth:`route_location`.
2. A full postcode ``1234 AB`` anywhere in the text: it is more precise than a place name, so it wins even
   when a name in the same text disagrees. Region PC4 -> ``ok``; any other Dutch PC4 (1000-9999) ->
   ``outside``.
3. Place names (villages, hamlets, postal spellings, outside reference places, ambiguous names), exact first,
   then fuzzy (rapidfuzz) for typos.
4. A bare 4-digit number: the whole text, or a number in a longer text that does not follow a street word
   (``Dorpsstraat 1234`` is a house number).

Ambiguity policy (documented decision): a name listed under ``ambiguous`` in the YAML is *always* answered
with ``ambiguous`` -- also when only one region municipality has such a place (then ``candidates`` has that
one id) -- because the resident may mean the namesake elsewhere (Oosterwolde in Friesland, Hoorn in
Noord-Holland) or the part of a split hamlet outside the region; the bot then asks for a postcode or street.
A definite place in the same text settles it ("Oosterwolde, Oldebroek" -> ``ok``), and an outside place next
to an ambiguous one means ``outside`` ("Posthoorn, Kamperveen"). Plain "Epe" is the municipality Epe (``ok``),
not Epe in Gronau (Germany).

Pitfalls:
- Fuzzy matching is deliberately conservative: only word groups of at least 5 letters, never words with digits
  or street-like words (``...straat``, ``...weg``), the first letter must match (typos rarely hit it, and
  "jongeren" must not become "Tongeren"), and a high score cut-off, so "Elburgerweg" or "Wezen" does not
  become a village. Short names (Epe, Emst, Oene, Olst) match only exactly. Adjectives such as "Elburgse"
  do match their place, on purpose.
- Location routing picks the nearest reference point (village, hamlet or outside place) within
  :data:`MAX_ANCHOR_KM`; it approximates borders by the midline between places, so a point in empty forest or
  right on a border can land in the neighbour. Many hamlet points are approximate (see the YAML header).
  Farther away: ``outside`` inside a rough Netherlands bounding box, else ``unknown``.
- ``RouteResult.text`` repeats the resident's input: never log it (it may contain an address).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from knowledge.municipalities import MUNICIPALITY_IDS, MunicipalityRegistry
from knowledge.normalize import fold

Status = Literal["ok", "outside", "ambiguous", "unknown"]

MAX_ANCHOR_KM = 6.0
"""A location farther than this from every reference point is not attributed to the nearest one."""

# Rough bounding box of the Netherlands (land and IJsselmeer); far-away points inside it are "outside".
_NL_LAT = (50.74, 53.56)
_NL_LON = (3.30, 7.23)

_MIN_FUZZY_LEN = 5
_EARTH_RADIUS_KM = 6371.0

_COORDS_RE = re.compile(r"^\s*(?:geo:)?\s*([-+]?\d{1,2}\.\d+)\s*[,;\s]\s*([-+]?\d{1,3}\.\d+)\s*$")
_FULL_POSTCODE_RE = re.compile(r"(?<![0-9a-z])([1-9][0-9]{3})\s?([a-z]{2})(?![0-9a-z])")
_BARE_PC4_RE = re.compile(r"(?<![0-9.,])([1-9][0-9]{3})(?![0-9.,])")
_STREET_SUFFIXES = (
    "straat",
    "weg",
    "laan",
    "dijk",
    "plein",
    "pad",
    "steeg",
    "singel",
    "kade",
    "gracht",
    "dreef",
    "markt",
    "allee",
    "pleintje",
    "straatje",
)


def normalize(text: str) -> str:
    """The shared :func:`~knowledge.normalize.fold`, then apostrophes and punctuation off: "'t Hárde" -> "t harde".

    Dutch "ij" is folded to "y" so "Harderwyk" and "Harderwijk" compare equal. Used for both the index and the
    input, so the two always agree. Thanks to the fold, full-width and Arabic-Indic digits are postcodes too.
    """
    folded = fold(text).replace("'", "").replace("ij", "y")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


@dataclass(frozen=True, slots=True)
class RouteResult:
    """The router's answer; :meth:`to_json` is the ``veiligbot route`` contract (spec/cli.md).

    ``place`` is the display name of what was recognised ("Wapenveld", "Zwolle", the postal woonplaats of a
    postcode), or None. ``candidates`` holds region ids only: ``(id,)`` for ``ok``, the ids to choose from for
    ``ambiguous``, empty otherwise.
    """

    text: str
    status: Status
    municipality: str | None = None
    candidates: tuple[str, ...] = ()
    place: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "status": self.status,
            "municipality": self.municipality,
            "candidates": list(self.candidates),
        }


@dataclass(frozen=True, slots=True)
class _Target:
    """What one normalised name means."""

    status: Status
    candidates: tuple[str, ...]
    place: str


@dataclass(frozen=True, slots=True)
class _Anchor:
    lat: float
    lon: float
    status: Status
    municipality: str | None
    place: str


@dataclass(slots=True)
class _Match:
    start: int
    target: _Target


@dataclass(slots=True)
class _NameIndexBuilder:
    region: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key -> [(id, display)]
    outside: dict[str, str] = field(default_factory=dict)  # key -> display
    ambiguous: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)

    @staticmethod
    def keys(name: str) -> list[str]:
        key = normalize(name)
        compact = key.replace(" ", "")
        return [key] if compact == key or len(compact) < _MIN_FUZZY_LEN else [key, compact]

    def build(self) -> dict[str, _Target]:
        out: dict[str, _Target] = {}
        for key in {*self.region, *self.outside, *self.ambiguous}:
            hits = self.region.get(key, [])
            ids = tuple(dict.fromkeys(mid for mid, _ in hits))
            display = hits[0][1] if hits else self.outside.get(key, "")
            if key in self.ambiguous:
                cands, amb_display = self.ambiguous[key]
                merged = tuple(dict.fromkeys((*cands, *ids)))
                out[key] = _Target("ambiguous", merged, amb_display)
            elif len(ids) == 1 and key not in self.outside:
                out[key] = _Target("ok", ids, display)
            elif ids:  # several region municipalities, or a region place with a namesake outside
                out[key] = _Target("ambiguous", ids, display)
            else:
                out[key] = _Target("outside", (), display)
        return out


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _is_street_word(token: str) -> bool:
    return len(token) > 4 and token.endswith(_STREET_SUFFIXES)


def _fuzzy_cutoff(length: int) -> float:
    # One typo in a 5-7 letter name scores ~83-92, in a longer name ~88+: keep short names strict.
    return 90.0 if length < 8 else 85.0


class Router:
    """Routes place descriptions and locations to a municipality id. Build with :meth:`from_registry`."""

    def __init__(
        self,
        names: dict[str, _Target],
        region_pc4: dict[int, tuple[str, str]],
        outside_pc4: dict[int, str],
        anchors: tuple[_Anchor, ...],
    ) -> None:
        self._names = names
        self._max_words = max(len(k.split()) for k in names)
        self._fuzzy_keys: dict[str, list[str]] = {}
        for key in names:
            if len(key) >= _MIN_FUZZY_LEN:
                self._fuzzy_keys.setdefault(key[0], []).append(key)
        self._region_pc4 = region_pc4
        self._outside_pc4 = outside_pc4
        self._anchors = anchors

    @classmethod
    def from_registry(cls, registry: MunicipalityRegistry) -> Router:
        """Precompute the name, postcode and location indexes from a loaded registry."""
        builder = _NameIndexBuilder()
        region_pc4: dict[int, tuple[str, str]] = {}
        anchors: list[_Anchor] = []
        for m in registry.municipalities:
            for key in builder.keys(m.name):
                builder.region.setdefault(key, []).append((m.id, m.name))
            for pc in m.postcodes:
                region_pc4[pc.pc4] = (m.id, pc.woonplaats or m.name)
            for place in m.places:
                for name in place.names:
                    for key in builder.keys(name):
                        builder.region.setdefault(key, []).append((m.id, place.name))
                if not place.partial:
                    loc = place.location
                    anchors.append(_Anchor(loc.lat, loc.lon, "ok", m.id, place.name))
        outside_pc4: dict[int, str] = {}
        for o in registry.outside:
            for name in o.names:
                for key in builder.keys(name):
                    builder.outside.setdefault(key, o.name)
            for code in o.postcodes:
                outside_pc4[code] = o.name
            if o.location is not None:
                anchors.append(_Anchor(o.location.lat, o.location.lon, "outside", None, o.name))
        for a in registry.ambiguous:
            for key in builder.keys(a.name):
                builder.ambiguous[key] = (a.candidates, a.name)
        return cls(builder.build(), region_pc4, outside_pc4, tuple(anchors))

    # ------------------------------------------------------------------ text

    def route(self, text: str) -> RouteResult:
        """Route one free-text place description (name, postcode, address line or ``lat,lon``)."""
        coords = _COORDS_RE.match(text)
        if coords:
            return self._locate(text, float(coords.group(1)), float(coords.group(2)))
        norm = normalize(text)
        if not norm:
            return RouteResult(text, "unknown")
        full_pc = _FULL_POSTCODE_RE.search(norm)
        if full_pc:
            return self._postcode(text, int(full_pc.group(1)))
        if re.fullmatch(r"[1-9][0-9]{3}", norm):
            return self._postcode(text, int(norm))
        by_name = self._route_names(text, norm.split())
        if by_name is not None:
            return by_name
        tokens = norm.split()
        for i, token in enumerate(tokens):
            if _BARE_PC4_RE.fullmatch(token) and not (i > 0 and _is_street_word(tokens[i - 1])):
                return self._postcode(text, int(token))
        return RouteResult(text, "unknown")

    def _postcode(self, text: str, pc4: int) -> RouteResult:
        if pc4 in self._region_pc4:
            mid, woonplaats = self._region_pc4[pc4]
            return RouteResult(text, "ok", mid, (mid,), woonplaats)
        # Every other 4-digit code 1000-9999 is a Dutch postcode area outside the six municipalities.
        return RouteResult(text, "outside", None, (), self._outside_pc4.get(pc4))

    def _find(self, tokens: list[str]) -> list[_Match]:
        taken = [False] * len(tokens)
        found: list[_Match] = []
        # Exact, longest word groups first so "t loo oldebroek" beats "t loo".
        for n in range(min(self._max_words, len(tokens)), 0, -1):
            for i in range(len(tokens) - n + 1):
                if any(taken[i : i + n]):
                    continue
                group = tokens[i : i + n]
                target = self._names.get(" ".join(group)) or self._names.get("".join(group))
                if target is not None:
                    found.append(_Match(i, target))
                    taken[i : i + n] = [True] * n
        # Fuzzy, for typos; only plain words, never street names or numbers.
        for n in range(min(self._max_words, len(tokens)), 0, -1):
            for i in range(len(tokens) - n + 1):
                group = tokens[i : i + n]
                if any(taken[i : i + n]) or any(not t.isalpha() or _is_street_word(t) for t in group):
                    continue
                phrase = " ".join(group)
                if len(phrase.replace(" ", "")) < _MIN_FUZZY_LEN:
                    continue
                best = process.extractOne(
                    phrase,
                    self._fuzzy_keys.get(phrase[0], []),
                    scorer=fuzz.ratio,
                    score_cutoff=_fuzzy_cutoff(len(phrase)),
                )
                if best is not None:
                    found.append(_Match(i, self._names[best[0]]))
                    taken[i : i + n] = [True] * n
        found.sort(key=lambda m: m.start)
        return found

    def _route_names(self, text: str, tokens: list[str]) -> RouteResult | None:
        matches = self._find(tokens)
        if not matches:
            return None
        ok = [m.target for m in matches if m.target.status == "ok"]
        ok_ids = _unique(t.candidates[0] for t in ok)
        if len(ok_ids) == 1:
            return RouteResult(text, "ok", ok_ids[0], ok_ids, ok[0].place)
        if ok_ids:
            return RouteResult(text, "ambiguous", None, _ordered(ok_ids), None)
        outside = [m.target for m in matches if m.target.status == "outside"]
        if outside:
            return RouteResult(text, "outside", None, (), outside[0].place)
        amb = [m.target for m in matches if m.target.status == "ambiguous"]
        cands = _unique(c for t in amb for c in t.candidates)
        return RouteResult(text, "ambiguous", None, _ordered(cands), amb[0].place)

    # ------------------------------------------------------------------ location

    def route_location(self, lat: float, lon: float) -> RouteResult:
        """Route a shared location (WGS84 decimal degrees); ``text`` of the result is ``"lat,lon"``."""
        return self._locate(f"{lat},{lon}", lat, lon)

    def _locate(self, text: str, lat: float, lon: float) -> RouteResult:
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return RouteResult(text, "unknown")
        nearest = min(self._anchors, key=lambda a: _haversine_km(lat, lon, a.lat, a.lon))
        if _haversine_km(lat, lon, nearest.lat, nearest.lon) <= MAX_ANCHOR_KM:
            if nearest.municipality is not None:
                mid = nearest.municipality
                return RouteResult(text, "ok", mid, (mid,), nearest.place)
            return RouteResult(text, "outside", None, (), nearest.place)
        if _NL_LAT[0] <= lat <= _NL_LAT[1] and _NL_LON[0] <= lon <= _NL_LON[1]:
            return RouteResult(text, "outside")
        return RouteResult(text, "unknown")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


_ORDER: dict[str, int] = {mid: i for i, mid in enumerate(MUNICIPALITY_IDS)}


def _ordered(ids: tuple[str, ...]) -> tuple[str, ...]:
    # Stable, reader-friendly order for the choice buttons: the canonical municipality order.
    return tuple(sorted(ids, key=lambda mid: _ORDER.get(mid, len(_ORDER))))
