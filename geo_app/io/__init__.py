"""Reading and writing: GeoJSON, GeoPackage, CSV, and the report store."""
