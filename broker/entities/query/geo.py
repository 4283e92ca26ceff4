"""Geo-queries (clause 4.10): parsing, the indexed bounding-box pre-filter, exact predicates.

The database narrows candidates by the bounding box of `location` (indexed columns); the exact
predicate is then evaluated with shapely. Distances are in metres: geometries are projected onto
a local equirectangular plane around the query geometry, which is accurate to well under 1% at
city and prefecture scale.
"""

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from broker.core.errors import BadRequestData
from broker.entities.attributes import GEOMETRY_TYPES, check_attribute_name, check_geometry

EARTH_RADIUS_M = 6_371_008.8
_METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
_NEAR = re.compile(r"^near;(maxDistance|minDistance)==(\d+(\.\d+)?)$")
_RELATIONS = frozenset({"within", "contains", "intersects", "equals", "disjoint", "overlaps"})


@dataclass(frozen=True)
class GeoQuery:
    georel: str
    geometry: BaseGeometry
    bbox: tuple[float, float, float, float]
    geoproperty: str = "location"
    max_distance: float | None = None
    min_distance: float | None = None

    def prefilter_box(self) -> tuple[str, tuple[float, float, float, float]] | None:
        """How entity bounding boxes must relate to a box: ("overlaps"|"contains"), or None.

        An entity's box covers every instance of its GeoProperty and one matching instance is
        enough, so `within` can only ask the box to overlap (other instances may lie outside).
        """
        west, south, east, north = self.bbox
        if self.georel == "near":
            if self.max_distance is None:
                return None
            d_lat = self.max_distance / _METRES_PER_DEGREE
            cos = max(math.cos(math.radians(max(abs(south), abs(north)))), 1e-6)
            d_lon = self.max_distance / (_METRES_PER_DEGREE * cos)
            return "overlaps", (west - d_lon, south - d_lat, east + d_lon, north + d_lat)
        if self.georel == "contains":
            return "contains", self.bbox
        if self.georel in ("within", "intersects", "overlaps", "equals"):
            return "overlaps", self.bbox
        return None

    def matches(self, instances: Any) -> bool:
        """Whether any instance of the entity's GeoProperty satisfies the relation."""
        if not isinstance(instances, list):
            return False
        for instance in instances:
            if not isinstance(instance, dict) or instance.get("type") != "GeoProperty":
                continue
            if self._relates(shape(instance["value"])):
                return True
        return False

    def _relates(self, candidate: BaseGeometry) -> bool:
        if self.georel == "near":
            distance = self.distance_m(candidate)
            if self.max_distance is not None:
                return distance <= self.max_distance
            return distance >= (self.min_distance or 0.0)
        return bool(getattr(candidate, self.georel)(self.geometry))

    def distance_m(self, candidate: BaseGeometry) -> float:
        centroid = self.geometry.centroid
        lon0, lat0 = centroid.x, centroid.y
        scale = math.cos(math.radians(lat0))

        def project(coords: np.ndarray) -> np.ndarray:
            x = (coords[:, 0] - lon0) * scale * _METRES_PER_DEGREE
            y = (coords[:, 1] - lat0) * _METRES_PER_DEGREE
            return np.column_stack([x, y])

        return float(
            shapely.transform(candidate, project).distance(
                shapely.transform(self.geometry, project)
            )
        )


def parse_geo_query(
    georel: str | None,
    geometry: str | None,
    coordinates: Any,
    geoproperty: str | None,
) -> GeoQuery | None:
    """A GeoQuery from its four parameters (all absent = no geo-query)."""
    if georel is None and geometry is None and coordinates is None:
        return None
    if georel is None or geometry is None or coordinates is None:
        raise BadRequestData("a geo-query needs georel, geometry and coordinates together")
    max_distance = min_distance = None
    near = _NEAR.match(georel)
    if near:
        relation = "near"
        distance = float(near.group(2))
        if near.group(1) == "maxDistance":
            if distance == 0:
                raise BadRequestData("near;maxDistance must be more than 0 metres")
            max_distance = distance
        else:
            min_distance = distance
    elif georel in _RELATIONS:
        relation = georel
    else:
        raise BadRequestData(
            f"invalid georel {georel!r}: near;maxDistance==<m>, near;minDistance==<m>, "
            f"or one of {sorted(_RELATIONS)}"
        )
    if geometry not in GEOMETRY_TYPES:
        raise BadRequestData(f"geometry must be one of {sorted(GEOMETRY_TYPES)}")
    if isinstance(coordinates, str):
        try:
            coordinates = orjson.loads(coordinates)
        except orjson.JSONDecodeError as exc:
            raise BadRequestData("coordinates must be a JSON array, e.g. [139.6,35.4]") from exc
    geojson = {"type": geometry, "coordinates": coordinates}
    bbox = check_geometry(geojson)
    return GeoQuery(
        georel=relation,
        geometry=shape(geojson),
        bbox=bbox,
        geoproperty=check_attribute_name(geoproperty or "location"),
        max_distance=max_distance,
        min_distance=min_distance,
    )
