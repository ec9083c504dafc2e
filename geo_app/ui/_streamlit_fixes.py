"""A guarded fix for one Streamlit behaviour that loses a user's upload.

When a file is chosen, the browser asks the server for upload URLs (``file_urls_request``) and
waits for the answer (``file_urls_response``) before sending the file. The answer waits in the
session's outgoing queue until the server's next flush. If a new run of the page starts before
that flush (a click right after choosing the files, or the map reporting its view), Streamlit
clears the queue, keeping only its lifecycle messages: the answer is dropped, the upload never
starts and the file is silently missing (Streamlit 1.67; seen in ``tests/test_browser.py``).

:func:`keep_upload_answers` makes the queue keep those answers when it is cleared for a new run.
It touches one method of one class and checks the shape it relies on first; when Streamlit
changes that shape, it does nothing and says so in the log, and the page works as before.
"""

from __future__ import annotations

import logging
from typing import Any

_LOG = logging.getLogger(__name__)
#: The message types that must reach the browser even when a new run starts before they are sent.
KEPT_TYPES = frozenset({"file_urls_response"})


def keep_upload_answers() -> bool:
    """Make Streamlit's outgoing queue keep upload-URL answers across a run restart; True if applied.

    Idempotent: a second call does nothing.
    """
    try:
        from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
    except ImportError:  # pragma: no cover - Streamlit moved the module
        _LOG.warning("geo_app: Streamlit's ForwardMsgQueue not found; upload fix not applied")
        return False
    clear = ForwardMsgQueue.clear
    if getattr(clear, "_geo_app_keeps", False):
        return True
    if not hasattr(ForwardMsgQueue(), "_queue"):  # pragma: no cover - a different queue
        _LOG.warning("geo_app: Streamlit's ForwardMsgQueue has changed; upload fix not applied")
        return False

    def clear_keeping_upload_answers(self: Any, retain_lifecycle_msgs: bool = False, *args: Any, **kwargs: Any) -> None:
        # Only the clear at the start of a run retains lifecycle messages; a flush (which sends
        # everything) does not, and must not keep anything back.
        kept = [m for m in self._queue if m.WhichOneof("type") in KEPT_TYPES] if retain_lifecycle_msgs else []
        clear(self, retain_lifecycle_msgs, *args, **kwargs)
        self._queue.extend(kept)

    clear_keeping_upload_answers._geo_app_keeps = True  # type: ignore[attr-defined]
    ForwardMsgQueue.clear = clear_keeping_upload_answers  # type: ignore[method-assign]
    return True
