"""Packages and package data of the geo_app wheel (everything else is in pyproject.toml).

The checkout keeps border polygons in ``boundaries/`` and the gazetteer extras and sample
reports in ``data/``, beside ``geo_app/``. An installed geo_app needs them too, so the wheel
carries them inside the package, as ``geo_app/boundaries`` and ``geo_app/data``
(:mod:`geo_app.settings` looks there first, then beside the package). pyproject.toml cannot
combine package discovery with such a mapping, hence this file.

Not in the wheel: ``boundaries/build.py`` (rebuilds the GeoParquet from pinned sources),
tests, benchmarks, scripts. The gazetteer index is not shipped either: it is built into the
user cache on first use.
"""

from __future__ import annotations

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

#: Top-level data folders shipped inside the package: package name -> folder in the checkout.
DATA_PACKAGES: dict[str, str] = {"geo_app.boundaries": "boundaries", "geo_app.data": "data",
                                 "geo_app.data.samples": "data/samples"}


class BuildPy(build_py):
    """``build_py`` that takes only data, no modules, from :data:`DATA_PACKAGES`."""

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        """Python modules of ``package``: none for the data folders (``boundaries/build.py``)."""
        if package in DATA_PACKAGES:
            return []
        return super().find_package_modules(package, package_dir)


setup(
    # Folders count as (namespace) packages, so geo_app/ui/static/vendor is listed as well.
    packages=find_namespace_packages(include=["geo_app", "geo_app.*"], exclude=["*.__pycache__"])
    + list(DATA_PACKAGES),
    package_dir=dict(DATA_PACKAGES),
    package_data={
        "geo_app": ["ui/static/**/*", "text/*.json", "resolve/*.json"],
        "geo_app.boundaries": ["*.parquet", "*.json", "README.md"],
        "geo_app.data": ["*.yaml", "*.tsv"],
        "geo_app.data.samples": ["*.txt", "README.md"],
    },
    exclude_package_data={name: ["*.py"] for name in DATA_PACKAGES},
    cmdclass={"build_py": BuildPy},
)
