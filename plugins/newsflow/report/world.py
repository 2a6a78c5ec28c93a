"""Country outlines for the report's map, offline: the GeoJSON that the countryinfo package ships.

countryinfo's outlines come from johan/world.geo.json, itself made from Natural Earth's
small-scale (1:110m) countries, which are in the public domain. One feature per country
that has an outline (about 170: small islands have none), with its ISO 3166-1 alpha-2 code
as ``id`` and coordinates rounded to 0.1 degree, which is finer than the map draws and
keeps the page small.
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
            geometry = feature["geometry"]
            features[code] = {
                "type": "Feature",
                "id": code,
                "properties": {"name": record.get("name") or code},
                "geometry": {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])},
            }
    return tuple(features[code] for code in sorted(features))
