"""Preloaded by the forkserver that local Dask workers are forked from (see
:func:`geo_app.batch.distributed.dask_client`).

Importing this module loads everything an analysis uses (spaCy pipeline, gazetteer, borders,
regions) into the forkserver, once. Every worker forked from it starts with all of it already
loaded, its memory pages shared copy-on-write with the other workers, instead of loading its
own copy after it starts; it is frozen out of the garbage collector's generations, so that the
workers' collections do not touch (and so copy) those shared pages. If the warm-up fails here,
each worker warms up itself as before (:class:`geo_app.batch.distributed.ModelLoader`), which
reports the error.
"""

from __future__ import annotations

import gc
import logging

from geo_app._errors import GeoAppError
from geo_app.batch.distributed import warm_up

try:
    warm_up(shared_caches=True)
    # What was loaded lives as long as the workers: out of the collector's sight, a worker's
    # garbage collections neither walk it nor write to its pages (which would copy them).
    gc.freeze()
    LOADED = True
except (GeoAppError, OSError, ValueError):  # the workers' own warm-up reports it
    logging.getLogger(__name__).debug("warm-up in the forkserver failed", exc_info=True)
    LOADED = False
