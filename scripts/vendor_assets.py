"""Vendor the Leaflet assets the maps use, from npm, at pinned versions.

Run once by a developer (the output is committed); the app and the exported HTML never
fetch anything. Each package is fetched with ``npm pack NAME@VERSION`` (the ordinary npm
client, so the registry's integrity hash is checked), its tarball's sha512 is compared with
the pinned one below, and only the files the maps load are copied into
``geo_app/ui/static/vendor/NAME-VERSION/`` with the package's licence. Stylesheets are
checked for remote ``url(...)`` and ``@import`` (fonts from a CDN): those are cut out, so
the copies never reach the network. ``manifest.json`` and ``README.md`` record what was
vendored.

Usage::

    python scripts/vendor_assets.py          # fetch, verify and copy
    python scripts/vendor_assets.py --check  # verify the committed copies against the manifest
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "geo_app" / "ui" / "static" / "vendor"


@dataclass(frozen=True)
class Package:
    """One npm package: what to copy out of its tarball (``package/`` prefix implied)."""

    name: str
    version: str
    license: str
    integrity: str  # npm's sha512 of the tarball, pinned
    files: tuple[str, ...]
    license_file: str
    used_for: str

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


PACKAGES: tuple[Package, ...] = (
    Package(
        "leaflet", "1.9.4", "BSD-2-Clause",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        ("dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png", "dist/images/layers-2x.png",
         "dist/images/marker-icon.png", "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png"),
        "LICENSE", "the map itself (folium's default_js/default_css)",
    ),
    Package(
        "leaflet.markercluster", "1.5.3", "MIT",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        ("dist/leaflet.markercluster.js", "dist/MarkerCluster.css", "dist/MarkerCluster.Default.css"),
        "MIT-LICENCE.txt", "clustering many place markers (folium.plugins.MarkerCluster)",
    ),
    Package(
        "leaflet.timeline", "1.6.0", "ISC",
        "sha512-FCMkr3P0zxL5IRVJ80wUPmXOlyC7ohq3z2JO45mYq6AKoBgB1yXjfXI6e6V64TAwBl0cmyYIrJCN8boyXdVDSQ==",
        ("dist/leaflet.timeline.js",),
        "LICENSE", "the time control of the exported HTML (folium.plugins.Timeline, TimelineSlider)",
    ),
    Package(
        "moment", "2.30.1", "MIT",
        "sha512-uEmtNhbDOrWPFS+hdjFCBfy9f2YoyzRpwcl+DqpC6taX21FzsTLQVbMV/W7PzNSX6x/bhC1zA3c2UQ5NzH6how==",
        ("min/moment.min.js",),
        "LICENSE", "date labels of the timeline slider",
    ),
    Package(
        "leaflet.fullscreen", "3.0.2", "MIT",
        "sha512-m27waFVmwdrLGXjZw2L8b7w/W28EY+u7IGzK2x8K99XaPuzKbjI+/H1j0OMawLcRPZyDRh+39XpyLsvDwHUEoA==",
        ("Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg"),
        "LICENSE", "the full-screen button (folium.plugins.Fullscreen)",
    ),
)

_REMOTE_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?(?:https?:)?//[^;]*;", re.IGNORECASE)
_REMOTE_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", re.IGNORECASE)
# A @font-face whose every source is remote is useless offline: drop the whole block.
_FONT_FACE = re.compile(r"@font-face\s*{[^}]*}", re.IGNORECASE)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def patch_css(css: str) -> tuple[str, int]:
    """Remove remote @import, remote-only @font-face and remote url(); return (css, n removed)."""
    removed = 0

    def drop_font_face(m: re.Match[str]) -> str:
        nonlocal removed
        block = m.group(0)
        urls = re.findall(r"url\(([^)]*)\)", block)
        if urls and all(_REMOTE_URL.match(f"url({u})") for u in urls):
            removed += 1
            return "/* @font-face with remote sources removed by geo_app (offline) */"
        return block

    css = _FONT_FACE.sub(drop_font_face, css)
    css, n = _REMOTE_IMPORT.subn("/* remote @import removed by geo_app (offline) */", css)
    removed += n
    css, n = _REMOTE_URL.subn("none", css)
    removed += n
    return css, removed


def npm_pack(pkg: Package, dest: Path) -> Path:
    """Fetch the package tarball with ``npm pack`` and check its pinned integrity."""
    out = subprocess.run(
        ["npm", "pack", f"{pkg.name}@{pkg.version}", "--json", "--pack-destination", str(dest)],
        check=True, capture_output=True, text=True,
    )
    info = json.loads(out.stdout)[0]
    tarball = dest / info["filename"]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != pkg.integrity or info.get("integrity") != pkg.integrity:
        raise SystemExit(f"{pkg.name}@{pkg.version}: integrity {digest} does not match the pinned {pkg.integrity}")
    return tarball


def vendor(pkg: Package, tmp: Path) -> dict:
    tarball = npm_pack(pkg, tmp)
    unpack = tmp / pkg.folder
    with tarfile.open(tarball) as tar:
        tar.extractall(unpack, filter="data")
    target = VENDOR_DIR / pkg.folder
    if target.exists():
        shutil.rmtree(target)
    files = {}
    for rel in (*pkg.files, pkg.license_file):
        src = unpack / "package" / rel
        # Keep paths relative to dist/ so CSS url(images/...) still resolves.
        out_rel = rel.removeprefix("dist/").removeprefix("min/")
        out = target / out_rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix == ".css":
            css, removed = patch_css(src.read_text(encoding="utf-8"))
            if removed:
                print(f"  {pkg.folder}/{out_rel}: removed {removed} remote reference(s)")
            out.write_text(css, encoding="utf-8")
        else:
            shutil.copyfile(src, out)
        files[out_rel] = sha256_file(out)
    return {"name": pkg.name, "version": pkg.version, "license": pkg.license, "integrity": pkg.integrity,
            "folder": pkg.folder, "used_for": pkg.used_for, "license_file": pkg.license_file.split("/")[-1],
            "files": files}


def write_readme(entries: list[dict]) -> None:
    lines = [
        "# Vendored web assets",
        "",
        "Leaflet and the Leaflet plugins the maps load, copied from npm at pinned versions by",
        "`scripts/vendor_assets.py` (run `python scripts/vendor_assets.py --check` to verify them).",
        "Streamlit serves this folder at `/app/static/vendor/` (`enableStaticServing`); the",
        "exported standalone HTML inlines the same files. Nothing is loaded from a CDN.",
        "Stylesheets are checked for remote `url()`/`@import` (CDN fonts) and those are removed.",
        "",
        "| package | version | licence | used for | tarball sha512 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for e in entries:
        lines.append(f"| {e['name']} | {e['version']} | {e['license']} (`{e['folder']}/{e['license_file']}`) "
                     f"| {e['used_for']} | `{e['integrity'][:23]}…` |")
    lines += ["", "Full hashes of the tarballs and of every copied file: `manifest.json`.", ""]
    (VENDOR_DIR / "README.md").write_text("\n".join(lines), encoding="utf-8")


def check() -> int:
    manifest = json.loads((VENDOR_DIR / "manifest.json").read_text(encoding="utf-8"))
    bad = 0
    for entry in manifest["packages"]:
        for rel, digest in entry["files"].items():
            path = VENDOR_DIR / entry["folder"] / rel
            if not path.exists() or sha256_file(path) != digest:
                print(f"changed or missing: {path.relative_to(ROOT)}")
                bad += 1
    print("vendored assets: " + ("OK" if not bad else f"{bad} problem(s)"))
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed copies, fetch nothing")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        for pkg in PACKAGES:
            print(f"{pkg.name}@{pkg.version}")
            entries.append(vendor(pkg, Path(tmp)))
    (VENDOR_DIR / "manifest.json").write_text(
        json.dumps({"packages": entries}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    write_readme(entries)
    return check()


if __name__ == "__main__":
    sys.exit(main())
