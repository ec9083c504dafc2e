"""Drawing: map style, the interactive folium map, and the static PNG (siblings that never import each other)."""
