"""The reference world: border polygons, composite groups, the offline gazetteer, the geocoder, direction-qualified regions."""
