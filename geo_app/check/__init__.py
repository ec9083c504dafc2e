"""Check step: test what a report says about geography against the border polygons.

:func:`claims_for` finds claims sentence by sentence in an extraction and checks
each (:mod:`~geo_app.check.finder`); :func:`check_distance` checks one typed by hand
(``geo-app check``) and :func:`check_many` many origins against one border at once
(:mod:`~geo_app.check.manual`); :func:`cross_report` sets reports on the same event
side by side. Checks against a user's own layer are :mod:`geo_app.layers.check`'s.

Modules: :mod:`~geo_app.check.model` (the claim, its ends, the verdict rule),
:mod:`~geo_app.check.endpoints` (places read as points, areas or borders),
:mod:`~geo_app.check.measure` (geodesic measuring), :mod:`~geo_app.check.distance`
(judging a distance), :mod:`~geo_app.check.relations` (containment, adjacency, coast,
membership), :mod:`~geo_app.check.finder`, :mod:`~geo_app.check.manual`,
:mod:`~geo_app.check.cross_report`.

Claims recognised: ``distance``, ``containment``, ``adjacency``, ``coastal``,
``membership`` and ``region`` (the sentence rules are :mod:`~geo_app.check.finder`'s,
the relations' verdicts :mod:`~geo_app.check.relations`').

Verdicts of a distance
----------------------
``tolerance = BORDER_DATA_RESOLUTION_KM`` (3 km), plus
``ABOUT_RELATIVE_TOLERANCE * N`` for "about N". With ``d`` the measured
geodesic distance and ``N`` the claimed one:

============  ========================  ===================  ====================
bound         consistent when           else                 meaning of "else"
============  ========================  ===================  ====================
at_most       d <= N + tol              understated          it is farther than the stated maximum
at_least      d >= N - tol              overstated           it is nearer than the stated minimum
exact/about   N - tol <= d <= N + tol   over-/understated    claimed more / less than measured
============  ========================  ===================  ====================

A range ("50-60 km") is consistent inside ``[low - tol, high + tol]``.
So "as close as 100 km" with 86.8 km measured is consistent: "the real
distance is shorter than stated". Straight lines are the shortest routes; a
figure larger than the straight line may be a road or rail route, which the
reason says. When an endpoint is only implied ("more than 9000 km away" with no
"from"), anything but consistent is ``unverifiable`` with the straight-line
figure: "unverifiable as stated: the straight-line distance is 6,787 km; the
figure may be a rail or road route". Other cases:

* a place not found, an area with no polygon (a continent), or no second place: ``unverifiable``;
* a negative distance ("-5 km"): ``unverifiable`` (a negative distance);
* more than the longest geodesic on the ellipsoid (half a meridian, 20,004 km,
  "1e9 km") as an exact figure or a minimum: ``contradicted`` (impossible);
* an area that touches the other endpoint ("Russia massed troops 50 km from
  the Ukrainian border"): the report does not say from which point, ``unverifiable``;
* miles and nautical miles are converted (1.609344 and 1.852 km) before checking;
* "N km west of Minsk": the other place must also lie within 67.5° of west of
  Minsk, else ``contradicted`` (it lies elsewhere, whatever the figure).

A point's distance to an area is to the area's nearest boundary point, also
from inside it ("Minsk is 120 km from the Belarusian border"); two areas are
measured between their nearest boundary points. Boundary indexes are built once
per geometry and kept (``BOUNDARY_INDEX_CACHE_SIZE``), so a report's claims are
checked in milliseconds once its borders have been seen
(:func:`geo_app.geo.geodesy.boundary_index`).

An endpoint resolved with confidence below ``AMBIGUOUS_CONFIDENCE`` says which
reading was measured and measures the others (``alternatives``).
"""

from geo_app.check.cross_report import cross_report
from geo_app.check.finder import claims_for
from geo_app.check.manual import BatchCheck, check_distance, check_many
from geo_app.check.model import CLAIM_TYPES, VERDICTS, Claim, max_surface_km

__all__ = [
    "BatchCheck",
    "CLAIM_TYPES",
    "Claim",
    "VERDICTS",
    "check_distance",
    "check_many",
    "claims_for",
    "cross_report",
    "max_surface_km",
]
