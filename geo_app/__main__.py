"""``python -m geo_app``: the command line (:mod:`geo_app.ui.cli`)."""

from geo_app.ui.cli import app

app(prog_name="geo-app")
