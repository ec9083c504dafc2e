"""``streamlit run`` with the page's modules and models warming up beside the server.

``python -m geo_app.ui.serve run APP_FILE --flag value ...`` starts :func:`geo_app.ui.warm.start`
(a daemon thread: imports, NER model, gazetteer) and then Streamlit's own command line in the
same process; see :mod:`geo_app.ui.warm` for why and how the page waits for it.
"""

from __future__ import annotations

import sys

from geo_app.ui import warm
from geo_app.ui._streamlit_fixes import keep_upload_answers


def main(argv: list[str] | None = None) -> int:
    """Run ``streamlit`` with ``argv`` (e.g. ``["run", APP_FILE, "--server.port", "8501"]``) after starting the warm-up."""
    args = list(sys.argv[1:] if argv is None else argv)
    warm.start()
    keep_upload_answers()
    from streamlit.web import cli as stcli

    sys.argv = ["streamlit", *args]
    return int(stcli.main(standalone_mode=False) or 0)


if __name__ == "__main__":
    sys.exit(main())
