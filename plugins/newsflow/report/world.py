"""Country outlines for the report's map, offline: the GeoJSON that the countryinfo package ships.

countryinfo's outlines come from johan/world.geo.json, itself made from Natural Earth's
small-scale (1:110m) countries, which are in the public domain. One feature per country
that has an outline (about 170: small islands have none), with its ISO 3166-1 alpha-2 code
as ``id``, coordinates rounded to 0.1 degree (finer than the map draws; keeps the page
small) and rings wound the way Vega's spherical geometry reads them.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

DECIMALS = 1
LEFT_OUT = {"AQ"}  # Antarctica: a fifth of the map's height for no news


def _rounded(coordinates: Any) -> Any:
    if isinstance(coordinates[0], (int, float)):
        return [round(coordinates[0], DECIMALS), round(coordinates[1], DECIMALS)]
    return [_rounded(part) for part in coordinates]


def _clockwise(ring: list[list[float]]) -> bool:
    return sum((x2 - x1) * (y2 + y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) > 0


def _polygon(rings: list[list[list[float]]]) -> list[list[list[float]]]:
    """Rings wound as Vega's spherical geometry needs: the outer one clockwise, holes not.

    Some outlines of world.geo.json run the other way, and a counter-clockwise outer ring is
    read as everything but the country: the whole map painted over.
    """
    return [ring if _clockwise(ring) == (i == 0) else ring[::-1] for i, ring in enumerate(rings)]


def _wound(geometry: dict[str, Any]) -> dict[str, Any]:
    coordinates = _rounded(geometry["coordinates"])
    if geometry["type"] == "Polygon":
        coordinates = _polygon(coordinates)
    elif geometry["type"] == "MultiPolygon":
        coordinates = [_polygon(polygon) for polygon in coordinates]
    return {"type": geometry["type"], "coordinates": coordinates}


@cache
def world_features() -> tuple[dict[str, Any], ...]:
    """GeoJSON features of the world's countries: ``id`` the alpha-2 code, ``properties.name`` the name."""
    from countryinfo import CountryInfo

    features = {}
    for record in CountryInfo.all().values():
        code = (record.get("ISO") or {}).get("alpha2")
        outline = record.get("geoJSON")
        if not code or not outline or code in LEFT_OUT or code in features:
            continue
        collection = json.loads(outline) if isinstance(outline, str) else outline
        for feature in collection.get("features", []):
            features[code] = {
                "type": "Feature",
                "id": code,
                "properties": {"name": record.get("name") or code},
                "geometry": _wound(feature["geometry"]),
            }
    return tuple(features[code] for code in sorted(features))
