"""Shared fixtures: the real gazetteer, borders and model (no mocks), and the seeds when present."""

from __future__ import annotations

import datetime as dt

import pytest

from geo_app import settings

SEEDS_DIR = settings.PROJECT_DIR.parent / "shared" / "seeds"


def seed_texts() -> dict[str, str]:
    """The two real seed reports, by file name (empty when ../shared is absent)."""
    if not SEEDS_DIR.is_dir():
        return {}
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    texts = seed_texts()
    if len(texts) < 2:
        pytest.skip("../shared/seeds is not present")
    return texts


@pytest.fixture(scope="session")
def seed_analyses(seeds: dict[str, str]):
    from geo_app.pipeline import analyze

    return {name: analyze(text, dt.date(2022, 2, 10), report_id=name) for name, text in seeds.items()}


@pytest.fixture(scope="session")
def gazetteer():
    from geo_app.places.gazetteer import get_gazetteer

    return get_gazetteer()
