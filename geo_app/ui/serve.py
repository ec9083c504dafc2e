"""Start the Streamlit server with the analysis stack warming up beside it.

``python -m geo_app.ui.serve run APP_FILE --flag value ...`` is ``streamlit run ...`` plus one
daemon thread, started before the server, that imports what the page imports and loads the
spaCy model and the gazetteer. Streamlit runs the page in the same process, so the first
visitor finds them loaded instead of waiting for them (profiled on the samples: importing the
page's modules ~4.8 s, the NER model ~2.8 s, against ~0.1 s to analyse the three samples).
A visit that comes during the warm-up waits for what is left of it (:data:`WARM_LOCK`), so
nothing is imported or loaded twice and no two threads import the same modules at once.
"""

from __future__ import annotations

import sys
import threading

#: Held while the warm-up imports the page's modules and loads the models; the page module
#: takes it on import, so a visit during the warm-up waits for it instead of racing it.
WARM_LOCK = threading.RLock()


def warm_up() -> None:
    """Import the page's modules and load the NER model and the gazetteer (errors are left to the page)."""
    try:
        with WARM_LOCK:
            import geo_app.ui.app  # noqa: F401 - the page's imports
            from geo_app.places.gazetteer import get_gazetteer
            from geo_app.text.extract import get_nlp

            get_gazetteer().lookup("Kyiv")
            get_nlp()
    except Exception:  # noqa: BLE001 - the page reports any real error itself, with context
        pass


def main(argv: list[str] | None = None) -> int:
    """Run ``streamlit`` with ``argv`` (e.g. ``["run", APP_FILE, "--server.port", "8501"]``) after starting the warm-up."""
    args = list(sys.argv[1:] if argv is None else argv)
    threading.Thread(target=warm_up, name="geo_app-warm-up", daemon=True).start()
    from streamlit.web import cli as stcli

    sys.argv = ["streamlit", *args]
    return int(stcli.main(standalone_mode=False) or 0)


if __name__ == "__main__":
    # Run as ``-m``, this file is ``__main__``; the page imports ``geo_app.ui.serve``: one lock for both.
    from geo_app.ui import serve

    sys.exit(serve.main())
