"""The server's warm-up: what the page needs, loaded in a thread before the first visit.

:mod:`geo_app.ui.serve` starts :func:`warm_up` beside the Streamlit server. Streamlit runs the
page in the same process, so the first visitor finds the modules imported and the spaCy model
and gazetteer loaded instead of waiting for them (profiled on the samples: importing the page's
modules ~4.8 s, the NER model ~2.8 s, against ~0.1 s to analyse the three samples). The page
takes :data:`WARM_LOCK` when it starts, so a visit during the warm-up waits for what is left of
it: nothing is imported or loaded twice and no two threads import the same modules at once.
"""

from __future__ import annotations

import importlib
import threading

#: Held while the warm-up runs; the page takes it on import (re-entrant, so an import of the
#: page from the warm-up itself would pass).
WARM_LOCK = threading.RLock()

#: The heavy modules the page imports (geopandas, spaCy, folium, matplotlib come with them). Not
#: streamlit_folium: a component must be declared by the page itself, inside a script run.
WARM_MODULES = ("geo_app.pipeline", "geo_app.io.export", "geo_app.render.maps", "geo_app.render.plot",
                "geo_app.render.brief", "geo_app.check.cross_report")


def warm_up() -> None:
    """Import :data:`WARM_MODULES`, load the NER model and open the gazetteer (errors are left to the page)."""
    with WARM_LOCK:
        try:
            for name in WARM_MODULES:
                importlib.import_module(name)
            from geo_app.places.gazetteer import get_gazetteer
            from geo_app.text.extract import get_nlp

            get_gazetteer().lookup("Kyiv")
            get_nlp()
        except Exception:  # noqa: BLE001 - the page reports any real error itself, with context
            pass


def start() -> threading.Thread:
    """Start :func:`warm_up` in a daemon thread; returns the thread."""
    thread = threading.Thread(target=warm_up, name="geo_app-warm-up", daemon=True)
    thread.start()
    return thread
