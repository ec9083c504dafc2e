"""Claims a report makes (distances, containment, adjacency, coasts, membership), measured and judged."""
