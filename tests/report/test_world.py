"""The map's country outlines: packaged, keyed by ISO code, wound the way Vega reads them."""

from newsflow.report.world import world_features


def _signed_area(ring):
    return sum((x2 - x1) * (y2 + y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))


def test_outlines_of_the_world_keyed_by_alpha2():
    features = world_features()
    codes = [feature["id"] for feature in features]
    assert len(codes) > 150 and len(set(codes)) == len(codes)
    assert all(len(code) == 2 and code.isupper() for code in codes)
    assert {"KP", "KR", "RU", "UA", "US", "BR"} <= set(codes) and "AQ" not in codes


def test_outer_rings_are_clockwise_and_holes_are_not():
    # A counter-clockwise outer ring would paint the whole globe but the country.
    for feature in world_features():
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            assert _signed_area(polygon[0]) > 0, feature["id"]
            assert all(_signed_area(hole) < 0 for hole in polygon[1:]), feature["id"]
