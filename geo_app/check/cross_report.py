"""Reports on the same event side by side: :func:`cross_report`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geo_app.check.model import Claim, interval, precheck

__all__ = ["cross_report"]


def _claim_interval(c: Claim) -> tuple[float, float] | None:
    if c.claimed_km is None or c.bound is None or precheck(c.claimed_km, c.bound) is not None:
        return None
    lo, hi, _ = interval(c.claimed_km, c.bound, c.low_km, c.high_km)
    return lo, hi


def _claim_brief(report_id: str, c: Claim) -> dict[str, Any]:
    return {"report_id": report_id, "from_name": c.from_name, "to_name": c.to_name, "quote": c.quote,
            "claimed_km": c.claimed_km, "claimed_text": c.claimed_text,
            "bound": c.bound, "measured_km": None if c.measured_km is None else round(c.measured_km, 3),
            "verdict": c.verdict, "reason": c.reason}


def cross_report(analyses: Sequence[Any]) -> dict[str, Any]:
    """Set reports side by side: places they share, claims that agree or disagree.

    Parameters
    ----------
    analyses : sequence
        Objects with ``report_id``, ``resolutions``, ``claims``, ``extraction``
        and ``source`` (:class:`geo_app.pipeline.Analysis`).

    Returns
    -------
    dict
        ``reports`` (id and source), ``shared_places`` (place key, name and the
        quoting sentence of each report), ``agreements`` and ``disagreements``:
        claims of two reports about the same places (same type, same endpoints
        in either order) whose stated ranges, widened by the tolerance, overlap
        or not, with both quotes. Relations without a figure (adjacency,
        containment, membership, regions) agree when both reports state them.
    """
    reports = [{"report_id": a.report_id, "source": getattr(a, "source", "")} for a in analyses]
    places: dict[str, dict[str, Any]] = {}
    for a in analyses:
        ex = a.extraction
        for r in a.resolutions:
            if r.place is None or r.mention.kind == "demonym":
                continue
            entry = places.setdefault(r.place.key, {"place_key": r.place.key, "name": r.place.name, "mentions": {}})
            entry["mentions"].setdefault(a.report_id, {"report_id": a.report_id, "text": r.mention.text,
                                                       "quote": ex.sentence_text(r.mention.sentence).strip()})
    shared = [{"place_key": e["place_key"], "name": e["name"], "mentions": list(e["mentions"].values())}
              for e in places.values() if len(e["mentions"]) > 1]
    agreements: list[dict[str, Any]] = []
    disagreements: list[dict[str, Any]] = []
    for i, a in enumerate(analyses):
        for b in analyses[i + 1:]:
            for ca in a.claims:
                for cb in b.claims:
                    if ca.claim_type != cb.claim_type:
                        continue
                    ends_a = frozenset(k for k in (ca.from_key, ca.to_key) if k)
                    ends_b = frozenset(k for k in (cb.from_key, cb.to_key) if k)
                    if not ends_a or ends_a != ends_b:
                        continue
                    if ca.claim_type == "region" and ca.from_name != cb.from_name:
                        continue
                    item = {"claim_type": ca.claim_type, "endpoints": sorted(ends_a),
                            "claims": [_claim_brief(a.report_id, ca), _claim_brief(b.report_id, cb)]}
                    ia, ib = _claim_interval(ca), _claim_interval(cb)
                    if ia is None or ib is None:
                        same = ca.verdict == cb.verdict or ca.claim_type == "region"
                        (agreements if same else disagreements).append(item)
                        continue
                    overlap = max(ia[0], ib[0]) <= min(ia[1], ib[1])
                    if not overlap:
                        item["difference_km"] = round(max(ia[0], ib[0]) - min(ia[1], ib[1]), 3)
                    (agreements if overlap else disagreements).append(item)
    return {"reports": reports, "shared_places": shared, "agreements": agreements, "disagreements": disagreements}
