"""Municipality router: every place and postcode of the reference YAML, the dev set, typos, addresses,
ambiguous names, outside places and locations near the borders."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from bot.routing.router import MAX_ANCHOR_KM, Router, RouteResult, normalize
from knowledge.municipalities import MunicipalityRegistry, load_municipalities
from tests.conftest import SHARED, needs_shared

DEV_SET = SHARED / "eval/dev-routes.jsonl"
# Our own set in the same format (places as residents type them, checked by hand against the map).
ROUTE_SET = Path(__file__).parent / "data" / "routes.jsonl"

# Collection-time data: the same YAML the bot ships, so a new village is tested as soon as it is added.
REGISTRY = load_municipalities()
AMBIGUOUS = {normalize(a.name) for a in REGISTRY.ambiguous}

PLACES = [
    (m.id, place.name, name)
    for m in REGISTRY.municipalities
    for place in m.places
    for name in place.names
    if normalize(name) not in AMBIGUOUS
]
AMBIGUOUS_PLACES = [
    (m.id, place.name) for m in REGISTRY.municipalities for place in m.places if normalize(place.name) in AMBIGUOUS
]
REGION_PC4 = [(m.id, pc.pc4) for m in REGISTRY.municipalities for pc in m.postcodes]
OUTSIDE_NAMES = [(o.name, name) for o in REGISTRY.outside for name in o.names]
OUTSIDE_PC4 = [(o.name, code) for o in REGISTRY.outside for code in o.postcodes]


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.from_registry(REGISTRY)


# --------------------------------------------------------------------------- route sets (dev and in-repo)


def _check_route(router: Router, row: dict[str, Any]) -> None:
    result = router.route(row["text"]).to_json()
    assert result["status"] in row["status"]
    assert result["municipality"] == row["municipality"]
    assert result["text"] == row["text"]
    if "candidates" in row:
        assert result["candidates"] == row["candidates"]


@needs_shared("eval/dev-routes.jsonl")
def test_dev_set_is_present() -> None:
    assert len(_rows(DEV_SET)) >= 20


@needs_shared("eval/dev-routes.jsonl")
@pytest.mark.parametrize("row", _rows(DEV_SET) or [{}], ids=lambda row: row.get("text", "absent"))
def test_dev_set(router: Router, row: dict[str, Any]) -> None:
    _check_route(router, row)


def test_route_set_covers_every_municipality_and_status() -> None:
    rows = _rows(ROUTE_SET)
    assert len(rows) >= 30
    assert {row["municipality"] for row in rows} == {*REGISTRY.ids, None}
    assert {status for row in rows for status in row["status"]} == {"ok", "outside", "ambiguous", "unknown"}


@pytest.mark.parametrize("row", _rows(ROUTE_SET), ids=lambda row: row["text"])
def test_route_set(router: Router, row: dict[str, Any]) -> None:
    _check_route(router, row)


# --------------------------------------------------------------------------- every place


@pytest.mark.parametrize(("mid", "place", "name"), PLACES)
def test_every_place_name_routes_to_its_municipality(router: Router, mid: str, place: str, name: str) -> None:
    for variant in (name, name.upper(), name.lower(), f"  {name}  "):
        result = router.route(variant)
        assert (result.status, result.municipality, result.candidates) == ("ok", mid, (mid,)), variant
        assert result.place == place


@pytest.mark.parametrize(("mid", "place", "name"), PLACES)
def test_every_place_found_in_an_address_line(router: Router, mid: str, place: str, name: str) -> None:
    result = router.route(f"Kerkstraat 12, {name}")
    assert (result.status, result.municipality) == ("ok", mid)
    assert result.place == place


@pytest.mark.parametrize(("mid", "place"), AMBIGUOUS_PLACES)
def test_ambiguous_places_ask_even_with_one_candidate(router: Router, mid: str, place: str) -> None:
    result = router.route(place)
    assert result.status == "ambiguous"
    assert result.municipality is None
    assert mid in result.candidates
    # The municipality's name next to it settles the question.
    settled = router.route(f"{place}, {REGISTRY.get(mid).name}")
    assert (settled.status, settled.municipality) == ("ok", mid)


@pytest.mark.parametrize(("mid", "pc4"), REGION_PC4)
def test_every_region_postcode(router: Router, mid: str, pc4: int) -> None:
    for text in (str(pc4), f"{pc4} AB", f"{pc4}AB", f"{pc4} ab", f"Dorpsstraat 3, {pc4} XY"):
        result = router.route(text)
        assert (result.status, result.municipality, result.candidates) == ("ok", mid, (mid,)), text


@pytest.mark.parametrize(("place", "name"), OUTSIDE_NAMES)
def test_every_outside_place_name(router: Router, place: str, name: str) -> None:
    result = router.route(name)
    assert (result.status, result.municipality, result.candidates) == ("outside", None, ())
    assert result.place == place


@pytest.mark.parametrize(("place", "pc4"), OUTSIDE_PC4)
def test_every_outside_postcode(router: Router, place: str, pc4: int) -> None:
    for text in (str(pc4), f"{pc4} AA"):
        result = router.route(text)
        assert (result.status, result.municipality, result.place) == ("outside", None, place), text


@pytest.mark.parametrize(
    ("mid", "name", "lat", "lon"),
    [
        (m.id, p.name, p.location.lat, p.location.lon)
        for m in REGISTRY.municipalities
        for p in m.places
        if not p.partial
    ],
)
def test_every_place_location_routes_home(router: Router, mid: str, name: str, lat: float, lon: float) -> None:
    # ~200 m off the reference point, as a shared location from the village would be.
    result = router.route_location(lat + 0.0015, lon + 0.0015)
    assert (result.status, result.municipality) == ("ok", mid), name


def test_partial_places_are_not_location_anchors(router: Router) -> None:
    partial = [p for m in REGISTRY.municipalities for p in m.places if p.partial]
    assert {p.name for p in partial} >= {"Posthoorn", "Zuideinde", "Jonas"}
    for p in partial:
        assert router.route_location(p.location.lat, p.location.lon).place != p.name


# --------------------------------------------------------------------------- text details


@pytest.mark.parametrize(
    ("text", "mid", "place"),
    [
        ("t harde", "elburg", "'t Harde"),
        ("'t Harde", "elburg", "'t Harde"),
        ("’t Harde", "elburg", "'t Harde"),
        ("T HARDE", "elburg", "'t Harde"),
        ("tharde", "elburg", "'t Harde"),
        ("Hattemerbroek", "oldebroek", "Hattemerbroek"),
        ("8084", "elburg", "'t Harde"),
        ("8094", "oldebroek", "Hattemerbroek"),
        ("Hoge-Enk", "elburg", "Hoge Enk"),
        ("Oosterwolde Gld", "oldebroek", "Oosterwolde"),
        ("Noordeinde (Gld)", "oldebroek", "Noordeinde"),
        ("'t Loo Oldebroek", "oldebroek", "'t Loo"),
        ("gemeente Heerde", "heerde", "Heerde"),
        ("ik woon in Wapenveld", "heerde", "Wapenveld"),
        ("Vaassen (gem. Epe)", "epe", "Vaassen"),
    ],
)
def test_spelling_variants(router: Router, text: str, mid: str, place: str) -> None:
    result = router.route(text)
    assert (result.status, result.municipality, result.place) == ("ok", mid, place)


@pytest.mark.parametrize(
    ("text", "mid", "place"),
    [
        ("wapenvelt", "heerde", "Wapenveld"),
        ("Wapenvelt", "heerde", "Wapenveld"),
        ("hatemerbroek", "oldebroek", "Hattemerbroek"),
        ("hattemerbroeck", "oldebroek", "Hattemerbroek"),
        ("nunspet", "nunspeet", "Nunspeet"),
        ("vaasen", "epe", "Vaassen"),
        ("elspet", "nunspeet", "Elspeet"),
        ("dornspijk", "elburg", "Doornspijk"),
        ("doornspyk", "elburg", "Doornspijk"),
        ("oldenbroek", "oldebroek", "Oldebroek"),
        ("veesen", "heerde", "Veessen"),
        ("Vierhoute", "nunspeet", "Vierhouten"),
        ("Dorpsstraat 1, Wapenvelt", "heerde", "Wapenveld"),
    ],
)
def test_typos(router: Router, text: str, mid: str, place: str) -> None:
    result = router.route(text)
    assert (result.status, result.municipality, result.place) == ("ok", mid, place)


@pytest.mark.parametrize(
    ("text", "mid"),
    [
        ("Dorpsstraat 12, 't Harde", "elburg"),
        ("Stationsstraat 5 8071 AB Nunspeet", "nunspeet"),
        ("Stationsstraat 5, 8071AB", "nunspeet"),
        ("Zwolseweg 3, Wapenveld", "heerde"),  # the street names a town outside: the village decides
        ("Harderwijkerweg 10 Hulshorst", "nunspeet"),
        ("Apeldoornseweg 1, Epe", "epe"),
        ("Hoofdstraat 1, 8161 AB Epe", "epe"),
        ("Dorpsstraat 1234, Elburg", "elburg"),  # a house number is not a postcode
        ("Eperweg 4, 8084", "elburg"),
    ],
)
def test_addresses(router: Router, text: str, mid: str) -> None:
    result = router.route(text)
    assert (result.status, result.municipality) == ("ok", mid)


def test_full_postcode_beats_a_disagreeing_name(router: Router) -> None:
    result = router.route("Markt 1, 8011 AB Hattem")
    assert (result.status, result.municipality) == ("outside", None)


@pytest.mark.parametrize(
    "text",
    [
        "Elburgerweg 3",
        "Heerderweg",
        "Wezeperweg 12",
        "Nunspeterweg",
        "Zuiderzeestraatweg 100",
        "Dorpsstraat 1234",
        "jongeren",  # not "Tongeren"
        "Wezen",
        "Hoort",
        "Kampers",
        "Zwolse",
        "ik weet het niet",
        "hangplek bij het station",
        "",
        "   ",
        "!!!",
        "0123",
        "95.0,5.0",
    ],
)
def test_not_recognised(router: Router, text: str) -> None:
    result = router.route(text)
    assert (result.status, result.municipality, result.candidates) == ("unknown", None, ())


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("Oosterwolde", ("oldebroek",)),
        ("Noordeinde", ("oldebroek",)),
        ("'t Loo", ("oldebroek",)),
        ("Posthoorn", ("oldebroek",)),
        ("Zuideinde", ("oldebroek",)),
        ("Jonas", ("epe",)),
        ("Niersen", ("epe",)),
        ("Hoorn", ("heerde",)),
        ("'t Zand", ("hattem",)),
        ("Heerde of Epe", ("epe", "heerde")),
        ("Elburg, Oldebroek", ("elburg", "oldebroek")),
        ("Oosterwolde of Jonas", ("epe", "oldebroek")),
    ],
)
def test_ambiguous(router: Router, text: str, candidates: tuple[str, ...]) -> None:
    result = router.route(text)
    assert (result.status, result.municipality, result.candidates) == ("ambiguous", None, candidates)


def test_ambiguous_name_next_to_an_outside_place_is_outside(router: Router) -> None:
    result = router.route("Posthoorn, Kamperveen")
    assert (result.status, result.place) == ("outside", "Kamperveen")


def test_plain_epe_is_the_municipality(router: Router) -> None:
    assert router.route("Epe").status == "ok"
    assert router.route("EPE").municipality == "epe"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Zwolle", "Zwolle"),
        ("zwole", "Zwolle"),
        ("Harderwyk", "Harderwijk"),
        ("Kampen", "Kampen"),
        ("Olst-Wijhe", "Olst-Wijhe"),
        ("Kerkstraat 1, Hierden", "Hierden"),
        ("Laag Zuthem", "Laag Zuthem"),
        ("8041 AB", "Zwolle"),
        ("8055", "Laag Zuthem"),
        ("8196 AA", "Welsum"),
        ("8198", "Marle"),
        ("3849 AA", "Hierden"),
        ("3852", "Ermelo"),
        ("1011 AB", None),  # Amsterdam: any Dutch PC4 outside the region
        ("9999", None),
        ("5611 AB", None),
    ],
)
def test_outside(router: Router, text: str, place: str | None) -> None:
    result = router.route(text)
    assert (result.status, result.municipality, result.candidates, result.place) == (
        "outside",
        None,
        (),
        place,
    )


# --------------------------------------------------------------------------- locations


@pytest.mark.parametrize(
    ("text", "status", "mid"),
    [
        ("52.347,5.983", "ok", "epe"),
        ("52.347, 5.983", "ok", "epe"),
        ("52.347 5.983", "ok", "epe"),
        ("  52.4290,6.0736 ", "ok", "heerde"),
        ("52.512,6.094", "outside", None),
        ("48.85,2.35", "unknown", None),
    ],
)
def test_lat_lon_text_is_a_location(router: Router, text: str, status: str, mid: str | None) -> None:
    result = router.route(text)
    assert (result.status, result.municipality, result.text) == (status, mid, text)


@pytest.mark.parametrize(
    ("label", "lat", "lon", "status", "mid"),
    [
        # Hattem / Zwolle across the IJssel
        ("Hattem, north-east edge", 52.481, 6.070, "ok", "hattem"),
        ("Zwolle, south of the centre", 52.505, 6.090, "outside", None),
        # Wezep / Hattemerbroek / Hattem
        ("Wezep centre", 52.462, 6.000, "ok", "oldebroek"),
        ("between Wezep and Hattemerbroek", 52.467, 6.012, "ok", "oldebroek"),
        ("Hattemerbroek, east side", 52.474, 6.030, "ok", "oldebroek"),
        ("Hattem, west side", 52.475, 6.056, "ok", "hattem"),
        # 't Harde / Oldebroek
        ("'t Harde, north side", 52.414, 5.893, "ok", "elburg"),
        ("Oldebroek, south side", 52.440, 5.905, "ok", "oldebroek"),
        # Nunspeet / Harderwijk
        ("Hulshorst, west side", 52.355, 5.715, "ok", "nunspeet"),
        ("Hierden", 52.352, 5.650, "outside", None),
        ("Harderwijk centre", 52.342, 5.622, "outside", None),
        # Vaassen / Apeldoorn
        ("Vaassen, south side", 52.275, 5.965, "ok", "epe"),
        ("Apeldoorn, north", 52.225, 5.970, "outside", None),
        # Heerde / Wijhe across the IJssel
        ("Veessen", 52.366, 6.085, "ok", "heerde"),
        ("Wijhe", 52.387, 6.128, "outside", None),
        # Elburg / Dronten across the Veluwemeer
        ("Elburg harbour", 52.450, 5.835, "ok", "elburg"),
        ("Biddinghuizen", 52.455, 5.690, "outside", None),
        # far away
        ("Groningen (Netherlands, far)", 53.219, 6.566, "outside", None),
        ("Paris", 48.85, 2.35, "unknown", None),
        ("invalid", 123.0, 5.0, "unknown", None),
    ],
)
def test_locations_near_borders(
    router: Router, label: str, lat: float, lon: float, status: str, mid: str | None
) -> None:
    result = router.route_location(lat, lon)
    assert (result.status, result.municipality) == (status, mid), label
    assert result.candidates == ((mid,) if mid else ())


def test_location_far_from_every_anchor_is_not_attributed(router: Router) -> None:
    # Utrecht's own point is an anchor; a point ~15 km east of it is in no anchor's reach.
    result = router.route_location(52.09, 5.35)
    assert (result.status, result.place) == ("outside", None)
    assert MAX_ANCHOR_KM < 15


# --------------------------------------------------------------------------- result contract


def test_to_json_has_exactly_the_cli_keys(router: Router) -> None:
    assert router.route("Wapenveld").to_json() == {
        "text": "Wapenveld",
        "status": "ok",
        "municipality": "heerde",
        "candidates": ["heerde"],
    }
    assert router.route("Oosterwolde").to_json() == {
        "text": "Oosterwolde",
        "status": "ambiguous",
        "municipality": None,
        "candidates": ["oldebroek"],
    }
    assert router.route("zwolle").to_json()["candidates"] == []
    assert json.dumps(router.route("8161 AB").to_json())


def test_route_result_is_frozen() -> None:
    result = RouteResult("x", "unknown")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "ok"  # type: ignore[misc]


def test_route_location_text_is_lat_lon(router: Router) -> None:
    assert router.route_location(52.347, 5.983).text == "52.347,5.983"


def test_router_from_other_registry(tmp_path: Path) -> None:
    # The router uses only what the registry holds: a registry without outside places knows no Zwolle.
    data = REGISTRY.model_dump(mode="json")
    data["outside"] = []
    router = Router.from_registry(MunicipalityRegistry.model_validate(data))
    assert router.route("Zwolle").status == "unknown"
    assert router.route("8041 AB").status == "outside"  # still a Dutch postcode outside the region
    assert router.route("Wezep").municipality == "oldebroek"


@pytest.mark.parametrize(
    "text",
    [
        "\uff18\uff10\uff17\uff11 \uff21\uff22",  # full-width "8071 AB"
        "\u0668\u0660\u0667\u0661 AB",  # Arabic-Indic digits
        "\u06f8\u06f0\u06f7\u06f1",  # extended Arabic-Indic, bare PC4
        "Stationsstraat 5, \u0668\u0660\u0667\u0661AB",
        "80\u200b71 AB",  # zero-width space inside the postcode
    ],
)
def test_postcode_in_other_digits_routes_like_ascii(router: Router, text: str) -> None:
    result = router.route(text)
    assert (result.status, result.municipality) == ("ok", "nunspeet")
    assert result.place == router.route("8071 AB").place


def test_normalize() -> None:
    assert normalize("’t Hárde") == "t harde"
    assert normalize("Harderwijk") == normalize("HARDERWYK")
    assert normalize("Noordeinde (Gld)") == "noordeinde gld"
