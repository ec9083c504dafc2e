"""Reading report text: place mentions, distances, dates, and report files."""
