"""The six municipalities, their places and postcodes, and reference places around them.

Data lives in ``knowledge/data/municipalities.yaml`` (see its header for sources and the coordinate method);
:func:`load_municipalities` reads and validates it. The bot uses :meth:`MunicipalityRegistry.get` for "your
municipality's website"; ``bot.routing.router.Router`` builds its indexes from the whole registry.

Pitfalls:
- ``website`` is ``None`` for Epe: epe.nl is *unverified* (kb-facts C4) and must never be shown. Callers must
  handle ``None`` (say "contact the municipality" without a link).
- Place names are not unique keys: hamlets such as "Hoorn" or "'t Zand" share their name with places
  elsewhere, and ``partial`` places lie only partly in the municipality. Routing decides ambiguity from the
  ``ambiguous`` section, not from this module.
- ``approx`` coordinates are estimates (1-2 km off for hamlets); never show them to residents as facts.
- Nothing is read at import time; load once at start-up and pass the registry around.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

MunicipalityId = Literal["elburg", "epe", "hattem", "heerde", "nunspeet", "oldebroek"]
MUNICIPALITY_IDS: tuple[MunicipalityId, ...] = ("elburg", "epe", "hattem", "heerde", "nunspeet", "oldebroek")
PlaceKind = Literal["stad", "dorp", "buurtschap"]

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "municipalities.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Strict):
    """A WGS84 point; ``source`` is a key of :attr:`MunicipalityRegistry.citations`."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    source: str

    @property
    def approximate(self) -> bool:
        return self.source == "approx"


class Postcode(_Strict):
    """One PC4 of a municipality; ``woonplaats`` is the postal place name where the source gives it."""

    pc4: int = Field(ge=1000, le=9999)
    woonplaats: str | None = None
    source: str  # key of MunicipalityRegistry.citations


class Place(_Strict):
    """A kern (stad/dorp) or buurtschap of one municipality."""

    name: str = Field(min_length=2)
    kind: PlaceKind
    aliases: tuple[str, ...] = ()  # other spellings residents or the post use ("Oosterwolde Gld")
    part_of: str | None = None  # the kern it falls under, where the source says so
    partial: bool = False  # only partly in this municipality: not a location anchor
    location: Location
    source: str  # address of the page that puts the place in this municipality
    reviewed: dt.date

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class Municipality(_Strict):
    """One of the six municipalities."""

    id: MunicipalityId
    name: str
    website: str | None  # host as residents type it ("elburg.nl"); None when not verified
    website_source: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)
    reviewed: dt.date
    postcodes: tuple[Postcode, ...] = Field(min_length=1)
    places: tuple[Place, ...] = Field(min_length=1)

    @property
    def website_url(self) -> str | None:
        """``https://www.<host>``: the sources saw the pages on the www host."""
        return f"https://www.{self.website}" if self.website else None

    @property
    def pc4s(self) -> frozenset[int]:
        return frozenset(p.pc4 for p in self.postcodes)


class OutsidePlace(_Strict):
    """A reference place near (or known far outside) the region: named or located there -> "outside"."""

    name: str = Field(min_length=2)
    municipality: str | None = None  # only where the source names it
    aliases: tuple[str, ...] = ()
    location: Location | None = None
    postcodes: tuple[int, ...] = ()
    postcode_source: str | None = None
    source: str
    reviewed: dt.date

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @model_validator(mode="after")
    def _postcodes_have_source(self) -> Self:
        if self.postcodes and self.postcode_source is None:
            raise ValueError(f"{self.name}: postcodes need a postcode_source")
        if any(not 1000 <= pc <= 9999 for pc in self.postcodes):
            raise ValueError(f"{self.name}: PC4 out of range")
        return self


class AmbiguousName(_Strict):
    """A name the router must not resolve on its own: the resident is asked to choose or give a postcode."""

    name: str = Field(min_length=2)
    candidates: tuple[MunicipalityId, ...] = Field(min_length=1)
    note: str
    source: str
    reviewed: dt.date


def _fold(name: str) -> str:
    # Loose comparison for cross-checks only; routing has its own, stricter normaliser.
    return " ".join(name.casefold().replace("’", "'").split())


class MunicipalityRegistry(_Strict):
    """All municipality data, cross-checked on load."""

    citations: dict[str, str]
    municipalities: tuple[Municipality, ...]
    outside: tuple[OutsidePlace, ...] = ()
    ambiguous: tuple[AmbiguousName, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Self:
        ids = [m.id for m in self.municipalities]
        if sorted(ids) != sorted(MUNICIPALITY_IDS):
            raise ValueError(f"expected exactly the six municipalities, got {ids}")
        seen_pc: dict[int, str] = {}
        for m in self.municipalities:
            for pc in m.postcodes:
                self._cite(pc.source, f"{m.id} {pc.pc4}")
                if pc.pc4 in seen_pc:
                    raise ValueError(f"PC4 {pc.pc4} in both {seen_pc[pc.pc4]} and {m.id}")
                seen_pc[pc.pc4] = m.id
            for place in m.places:
                self._cite(place.location.source, place.name)
        for o in self.outside:
            if o.location is not None:
                self._cite(o.location.source, o.name)
            if o.postcode_source is not None:
                self._cite(o.postcode_source, o.name)
            for code in o.postcodes:
                if code in seen_pc:
                    raise ValueError(f"PC4 {code} of outside place {o.name} belongs to {seen_pc[code]}")
        by_id = {m.id: m for m in self.municipalities}
        for a in self.ambiguous:
            for cid in a.candidates:
                names = {_fold(n) for p in by_id[cid].places for n in p.names}
                if _fold(a.name) not in names:
                    raise ValueError(f"ambiguous name {a.name!r} is not a place of candidate {cid}")
        return self

    def _cite(self, key: str, what: str) -> None:
        if key not in self.citations:
            raise ValueError(f"{what}: unknown citation key {key!r}")

    def get(self, municipality_id: str) -> Municipality:
        """The municipality with this id; ``KeyError`` for anything else (ids come from routing)."""
        for m in self.municipalities:
            if m.id == municipality_id:
                return m
        raise KeyError(municipality_id)

    @property
    def ids(self) -> tuple[MunicipalityId, ...]:
        return tuple(m.id for m in self.municipalities)


def load_municipalities(path: Path | None = None) -> MunicipalityRegistry:
    """Read and validate ``municipalities.yaml`` (default: the packaged file).

    Raises ``pydantic.ValidationError`` on bad content and ``OSError`` when the file is missing; call it once
    at start-up, not per message.
    """
    with (path or DEFAULT_PATH).open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return MunicipalityRegistry.model_validate(raw)
