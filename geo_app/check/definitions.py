"""Definitions of groups whose extent depends on who defines them ("Eastern Europe", "the Far East").

``data/composites.yaml`` marks such a group ``definitional: true`` and lists the other
definitions in use (``other_definitions``: a name and its members). A place outside
geo_app's own list of members is then not "contradicted": the verdict names the
definitions that include it and the ones that do not (see
:func:`geo_app.check.relations.membership`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from geo_app import settings

__all__ = ["Definition", "GroupDefinitions", "definitions_of"]


@dataclass(frozen=True)
class Definition:
    """One definition of a group: its name (who uses it) and its members (ISO alpha-2 codes)."""

    name: str
    members_iso2: frozenset[str]


@dataclass(frozen=True)
class GroupDefinitions:
    """Whether a group is definitional, and the definitions other than geo_app's."""

    definitional: bool
    others: tuple[Definition, ...] = ()

    def including(self, codes: set[str]) -> list[str]:
        """Names of the other definitions that count any of ``codes`` (ISO alpha-2) as a member."""
        return [d.name for d in self.others if codes & d.members_iso2]

    def excluding(self, codes: set[str]) -> list[str]:
        """Names of the other definitions that count none of ``codes`` as a member."""
        return [d.name for d in self.others if not codes & d.members_iso2]


@lru_cache(maxsize=1)
def _all() -> dict[str, GroupDefinitions]:
    raw = yaml.safe_load(settings.COMPOSITES_FILE.read_text(encoding="utf-8"))
    out: dict[str, GroupDefinitions] = {}
    for entry in raw["composites"]:
        others = tuple(Definition(str(d["name"]), frozenset(str(c) for c in d.get("members_iso2", ())))
                       for d in entry.get("other_definitions", ()) or ())
        out[str(entry["id"])] = GroupDefinitions(bool(entry.get("definitional", False)), others)
    return out


def definitions_of(composite_id: str) -> GroupDefinitions:
    """The definitions of a composite (not definitional, with none, when it is unknown)."""
    return _all().get(composite_id, GroupDefinitions(False))
