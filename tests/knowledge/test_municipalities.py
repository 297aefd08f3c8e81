"""The municipality registry: verified facts only, and the loader's cross-checks."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from knowledge.municipalities import (
    DEFAULT_PATH,
    MUNICIPALITY_IDS,
    MunicipalityRegistry,
    load_municipalities,
)


@pytest.fixture(scope="module")
def registry() -> MunicipalityRegistry:
    return load_municipalities()


def _raw() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Equirectangular is plenty at this scale.
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


def test_six_municipalities(registry: MunicipalityRegistry) -> None:
    assert registry.ids == MUNICIPALITY_IDS
    assert [m.name for m in registry.municipalities] == [
        "Elburg",
        "Epe",
        "Hattem",
        "Heerde",
        "Nunspeet",
        "Oldebroek",
    ]


def test_only_verified_websites(registry: MunicipalityRegistry) -> None:
    sites = {m.id: m.website for m in registry.municipalities}
    assert sites == {
        "elburg": "elburg.nl",
        "epe": None,  # epe.nl is unverified (kb-facts C4)
        "hattem": "hattem.nl",
        "heerde": "heerde.nl",
        "nunspeet": "nunspeet.nl",
        "oldebroek": "oldebroek.nl",
    }
    assert registry.get("hattem").website_url == "https://www.hattem.nl"
    assert registry.get("epe").website_url is None
    assert "epe.nl" not in DEFAULT_PATH.read_text(encoding="utf-8").replace("# epe.nl is UNVERIFIED", "")


def test_get_unknown_id(registry: MunicipalityRegistry) -> None:
    with pytest.raises(KeyError):
        registry.get("zwolle")


def test_kernen_from_kb_facts(registry: MunicipalityRegistry) -> None:
    def names(mid: str) -> set[str]:
        return {p.name for p in registry.get(mid).places if p.kind != "buurtschap"}

    assert names("elburg") == {"Elburg", "Doornspijk", "'t Harde", "Hoge Enk", "Oostendorp"}
    assert names("epe") == {"Epe", "Emst", "Oene", "Vaassen"}
    assert names("hattem") == {"Hattem"}
    assert names("heerde") == {"Heerde", "Wapenveld", "Veessen", "Vorchten"}
    assert names("nunspeet") == {"Nunspeet", "Hulshorst", "Elspeet", "Vierhouten"}
    assert names("oldebroek") == {
        "Oldebroek",
        "Hattemerbroek",
        "'t Loo",
        "Noordeinde",
        "Oosterwolde",
        "Wezep",
    }
    assert len([p for p in registry.get("epe").places if p.kind == "buurtschap"]) == 20


def test_postcodes_match_kb_facts_c1(registry: MunicipalityRegistry) -> None:
    assert registry.get("elburg").pc4s == {8081, 8082, 8084, 8085}
    assert registry.get("epe").pc4s == {8160, 8161, 8162, 8166, 8167, 8170, 8171, 8172}
    assert registry.get("hattem").pc4s == {8051, 8052}
    assert registry.get("heerde").pc4s == {8181, 8191, 8193, 8194}
    assert registry.get("nunspeet").pc4s == {8071, 8072, 8075, 8076, 8077}
    assert registry.get("oldebroek").pc4s == {8079, 8091, 8094, 8095, 8096, 8097}
    woonplaats = {pc.pc4: pc.woonplaats for m in registry.municipalities for pc in m.postcodes}
    assert woonplaats[8084] == "'t Harde"
    assert woonplaats[8094] == "Hattemerbroek"
    assert woonplaats[8160] is None


def test_every_place_lies_near_its_municipality(registry: MunicipalityRegistry) -> None:
    # Catches swapped or mistyped coordinates: every place within 12 km of its municipality's main kern.
    for m in registry.municipalities:
        main = next(p for p in m.places if p.name == m.name)
        for p in m.places:
            dist = _km(main.location.lat, main.location.lon, p.location.lat, p.location.lon)
            assert dist < 12, f"{p.name} is {dist:.1f} km from {m.name}"


def test_outside_anchors_are_not_on_top_of_region_places(registry: MunicipalityRegistry) -> None:
    region = [p.location for m in registry.municipalities for p in m.places]
    for o in registry.outside:
        if o.location is None:
            continue
        nearest = min(_km(o.location.lat, o.location.lon, r.lat, r.lon) for r in region)
        assert nearest > 1.5, o.name


def test_every_entry_is_sourced_and_reviewed(registry: MunicipalityRegistry) -> None:
    for m in registry.municipalities:
        assert m.sources
        for p in m.places:
            assert p.source.startswith("http")
            assert p.reviewed.isoformat() == "2026-11-26"
            assert p.location.source in registry.citations
    for o in registry.outside:
        assert o.source
    for a in registry.ambiguous:
        assert a.source.startswith("http")
        assert a.note


def test_load_from_explicit_path(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_municipalities(path).ids == MUNICIPALITY_IDS


def test_rejects_duplicate_postcode() -> None:
    data = _raw()
    data["municipalities"][1]["postcodes"].append({"pc4": 8081, "woonplaats": None, "source": "csc-postal"})
    with pytest.raises(ValidationError, match="8081"):
        MunicipalityRegistry.model_validate(data)


def test_rejects_outside_postcode_in_region() -> None:
    data = _raw()
    data["outside"][0]["postcodes"].append(8051)
    with pytest.raises(ValidationError, match="8051"):
        MunicipalityRegistry.model_validate(data)


def test_rejects_unknown_citation() -> None:
    data = _raw()
    data["municipalities"][0]["places"][0]["location"]["source"] = "memory"
    with pytest.raises(ValidationError, match="memory"):
        MunicipalityRegistry.model_validate(data)


def test_rejects_ambiguous_name_that_is_not_a_place_of_the_candidate() -> None:
    data = _raw()
    data["ambiguous"][0]["candidates"] = ["epe"]  # Oosterwolde is in Oldebroek
    with pytest.raises(ValidationError, match="Oosterwolde"):
        MunicipalityRegistry.model_validate(data)


def test_rejects_missing_municipality() -> None:
    data = _raw()
    data["municipalities"] = data["municipalities"][:5]
    with pytest.raises(ValidationError, match="six"):
        MunicipalityRegistry.model_validate(data)


def test_rejects_unknown_fields() -> None:
    data = _raw()
    data["municipalities"][0]["phone"] = "14 0525"
    with pytest.raises(ValidationError):
        MunicipalityRegistry.model_validate(data)
