"""Geometry on the WGS84 ellipsoid: geodesic distances, nearest boundary points, equal-area projections."""
