"""Reports as plain data, and reading them from files (.txt, .md, .html, .jsonl).

A report file may start with a header of ``Key: value`` lines (``Title``, ``Source``,
``Published``, ``URL``, ``Language``), usually followed by a blank line; without one, the
publication date is looked for in the first lines ("Published: 2022-02-10",
"February 10, 2022") and otherwise left unknown (relative dates are then marked
unresolved).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from geo_app import settings
from geo_app._errors import InputError, LimitExceededError

#: File types a report may come in.
REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm")
_HEADER_LINE = re.compile(r"^(title|source|published|date|url|language|id)\s*:\s*(.*)$", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# Tags never span a "<": so every search stops at the next one and the scans stay linear
# (with "[^>]*" an unclosed "<" would be rescanned to the end of the page, once per "<").
_TAG = re.compile(r"<[^<>]*>")
_SCRIPT_STYLE_OPEN = re.compile(r"<(script|style)\b[^<>]*>", re.IGNORECASE)
_SCRIPT_STYLE_CLOSE = {"script": re.compile(r"</script\s*>", re.IGNORECASE),
                       "style": re.compile(r"</style\s*>", re.IGNORECASE)}
_BLOCK_TAGS = re.compile(r"</?(p|div|br|h[1-6]|li|tr|section|article|header|footer)\b[^<>]*>", re.IGNORECASE)
#: Longest header value handed to dateparser (a publication date is a few words).
_MAX_PUBLISHED_CHARS = 100
#: Control characters that :func:`clean_text` replaces by a space: the C0 and C1 controls less
#: tab, line feed, vertical tab, form feed and carriage return (the line structure text carries).
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: Surrogate code points: in a ``str`` they are always unpaired (JSON "\\udcff", undecodable
#: bytes read with ``surrogateescape``), and no UTF-8 file, SQLite column or model accepts them.
_SURROGATES = re.compile("[\ud800-\udfff]")
#: Bytes counted by :func:`control_byte_share` (the byte form of ``_CONTROL_CHARS``' C0 part).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
#: What each kind of cleaning replaces, and with what (one character for one: offsets keep).
_CLEANINGS = (
    ("control_characters", _CONTROL_CHARS, " ", "control character", "a space"),
    ("lone_surrogates", _SURROGATES, "\ufffd", "unpaired surrogate", "U+FFFD"),
)


@dataclass(frozen=True)
class Report:
    """One news report: its text and metadata."""

    text: str
    source: str = ""
    published: dt.date | None = None
    title: str = ""
    url: str = ""
    language: str = "en"
    report_id: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the normalised text: the same report twice has the same hash."""
        return content_hash(self.text)

    def __post_init__(self) -> None:
        if not self.report_id:
            object.__setattr__(self, "report_id", self.content_hash[:16])

    def to_dict(self) -> dict:
        out = asdict(self)
        out["published"] = self.published.isoformat() if self.published else None
        out["content_hash"] = self.content_hash
        return out


@dataclass(frozen=True)
class Cleaning:
    """One kind of character :func:`clean_text` replaced: how many, with what, and where.

    Attributes
    ----------
    kind : str
        ``"control_characters"`` (replaced by a space) or ``"lone_surrogates"`` (replaced by U+FFFD).
    count : int
        How many characters were replaced (exact).
    replacement : str
        The character each was replaced by.
    offsets : tuple of int
        Character offsets of the first ``settings.CLEANING_MAX_OFFSETS`` of them in the text.
    codepoints : tuple of str
        The distinct code points replaced ("U+0000"), in order of first appearance, at most five.
    """

    kind: str
    count: int
    replacement: str
    offsets: tuple[int, ...]
    codepoints: tuple[str, ...]

    @property
    def message(self) -> str:
        """One readable line: what was replaced, by what, and where."""
        what, by = next((w, b) for k, _, _, w, b in _CLEANINGS if k == self.kind)
        plural = "s" if self.count != 1 else ""
        where = ", ".join(map(str, self.offsets)) + (", ..." if self.count > len(self.offsets) else "")
        codes = ", ".join(self.codepoints) + (", ..." if len(self.codepoints) == 5 else "")
        return (f"replaced {self.count:,} {what}{plural} ({codes}) by {by} at character{plural} {where}; "
                "offsets still point into the text as sent")

    def to_dict(self) -> dict:
        """The ``warnings`` item of the batch contract (schema/parse_output.schema.json)."""
        return {"kind": self.kind, "count": self.count, "replacement": self.replacement,
                "offsets": list(self.offsets), "message": self.message}


def clean_text(text: str) -> tuple[str, list[Cleaning]]:
    """``text`` with control characters and unpaired surrogates replaced, and what was replaced.

    Text pulled from PDFs and feeds carries stray NULs and other control characters, and JSON
    may hold lone surrogate escapes ("\\udcff"); both are noise in otherwise good text. Each is
    replaced by one character (a space; U+FFFD), so the cleaned text has the same length and
    every offset into it is an offset into ``text``. Tab, line feed, vertical tab, form feed and
    carriage return are kept.

    Parameters
    ----------
    text : str
        The text as received.

    Returns
    -------
    tuple of (str, list of Cleaning)
        The cleaned text (``text`` itself when nothing was replaced) and one :class:`Cleaning`
        per kind of character replaced (empty when none).
    """
    cleanings: list[Cleaning] = []
    for kind, pattern, replacement, _, _ in _CLEANINGS:
        if pattern.search(text) is None:
            continue
        offsets: list[int] = []
        codepoints: list[str] = []
        count = 0
        for m in pattern.finditer(text):
            count += 1
            if len(offsets) < settings.CLEANING_MAX_OFFSETS:
                offsets.append(m.start())
            code = f"U+{ord(m.group()):04X}"
            if len(codepoints) < 5 and code not in codepoints:
                codepoints.append(code)
        text = pattern.sub(replacement, text)
        cleanings.append(Cleaning(kind, count, replacement, tuple(offsets), tuple(codepoints)))
    return text, cleanings


def headline(text: str) -> str:
    """A report's headline: its first line when it is short (``settings.BRIEF_HEADLINE_MAX_CHARS``),
    has no closing full stop or comma and stands alone (a blank line or the end after it); else "".

    Examples
    --------
    >>> headline("Rebels seize Sake\\n\\nGOMA, June 9 - M23 rebels seized the town...")
    'Rebels seize Sake'
    >>> headline("GOMA, June 9 - M23 rebels seized the town.")
    ''
    """
    lines = text.strip().splitlines()
    first = lines[0].strip() if lines else ""
    standalone = len(lines) == 1 or not lines[1].strip()
    if first and standalone and len(first) <= int(settings.BRIEF_HEADLINE_MAX_CHARS) and not first.endswith((".", ",")):
        return first
    return ""


def control_byte_share(data: bytes) -> float:
    """Share of ``data`` that is control bytes (0x00-0x08, 0x0E-0x1F, 0x7F); 0.0 for no data."""
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def content_hash(text: str) -> str:
    """SHA-256 hex digest of NFC-normalised text with normalised line ends and trailing space."""
    norm = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def decode_bytes(data: bytes, name: str = "input") -> str:
    """Text from uploaded bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM; else InputError.

    Binary data is refused by the share of control bytes it holds (over
    ``settings.BINARY_CONTROL_SHARE``), not by one NUL: a stray control byte in a text
    report is cleaned later (:func:`clean_text`).
    """
    if len(data) > settings.MAX_REPORT_CHARS * 4:
        raise LimitExceededError(
            f"{name} is {len(data):,} bytes, over the limit for one report "
            f"(raise geo_app.settings.MAX_REPORT_CHARS, now {settings.MAX_REPORT_CHARS:,} characters)"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: invalid UTF-16 text") from exc
    share = control_byte_share(data)
    if share > settings.BINARY_CONTROL_SHARE:
        raise InputError(
            f"{name} looks binary, not a text report: {share:.0%} of its bytes are control bytes such as NUL "
            f"(the limit is geo_app.settings.BINARY_CONTROL_SHARE = {settings.BINARY_CONTROL_SHARE:.0%})"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc


def _drop_scripts(markup: str) -> str:
    """Markup without its ``<script>`` and ``<style>`` elements, in time linear in its length.

    Why not ``<script>.*?</script>`` in one regex: every unclosed opening tag would rescan
    the rest of the page (minutes for a hostile 1 MB page). An element left unclosed stays,
    as before; its tags are dropped with the others.
    """
    out: list[str] = []
    pos = 0
    unclosed: set[str] = set()  # no closing tag after this point: never search again
    for m in _SCRIPT_STYLE_OPEN.finditer(markup):
        if m.start() < pos:
            continue
        tag = m.group(1).lower()
        close = None if tag in unclosed else _SCRIPT_STYLE_CLOSE[tag].search(markup, m.end())
        if close is None:
            unclosed.add(tag)
            continue
        out.append(markup[pos:m.start()])
        out.append(" ")
        pos = close.end()
    out.append(markup[pos:])
    return "".join(out)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page (scripts and styles dropped; entities decoded)."""
    body = _drop_scripts(markup)
    body = _BLOCK_TAGS.sub("\n", body)
    body = _TAG.sub("", body)
    body = html.unescape(body)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in body.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_published(value: str) -> dt.date | None:
    """A publication date from header text: ISO first, then dateparser (English only)."""
    value = value.strip()
    if not value:
        return None
    m = _ISO_DATE.search(value)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if len(value) > _MAX_PUBLISHED_CHARS:  # not a date; and dateparser's time grows with the text
        return None
    import dateparser

    parsed = dateparser.parse(value, languages=["en"], settings={"STRICT_PARSING": True})
    return parsed.date() if parsed else None


#: A wire dateline opening a story: "KHARTOUM, June 12, 2024 (Reuters) -", "KYIV, Ukraine, 3 March 2025 —".
#: Only a date with its year counts ("ISMAIL, Nov 28 -" leaves the year unknown).
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][\w.'’ -]{1,30})?,\s*"
    r"(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4})"
    r"\s*(?:\([^)]{1,40}\))?\s*[-—–]")


def detect_published(text: str) -> dt.date | None:
    """A publication date stated near the top of a report ("Published 10 February 2022", or a wire
    dateline "KHARTOUM, June 12, 2024 (Reuters) -"), or None."""
    lines = text[:4000].splitlines()[:6]  # the top of the report only, however long it is
    for line in lines:
        m = re.search(r"(?i)\b(?:published|posted|updated|date)\b\s*:?\s*(.{6,40})", line)
        if m:
            found = parse_published(m.group(1))
            if found:
                return found
    for line in lines:
        m = _DATELINE.match(line)
        if m:
            return parse_published(m.group("date"))
    return None


def parse_report(raw: str, *, name: str = "", source: str = "", published: object = None,
                 html_input: bool = False) -> Report:
    """A :class:`Report` from raw text with an optional ``Key: value`` header.

    Control characters and unpaired surrogates are replaced one for one (:func:`clean_text`);
    what was replaced is listed in ``meta["warnings"]`` (offsets into ``raw``).
    """
    raw, cleanings = clean_text(raw)
    text = html_to_text(raw) if html_input else raw
    meta: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines) and (m := _HEADER_LINE.match(lines[i].strip())):
        meta[m.group(1).lower()] = m.group(2).strip()
        i += 1
    if meta:  # the blank line after the header is optional: the keys are known words
        text = "\n".join(lines[i + 1:] if i < len(lines) and not lines[i].strip() else lines[i:])
    if not text.strip():
        raise InputError(f"{name or 'the report'} is empty: there is no text to analyse")
    if len(text) > settings.MAX_REPORT_CHARS:
        raise LimitExceededError(
            f"{name or 'the report'} has {len(text):,} characters, over the limit of "
            f"{settings.MAX_REPORT_CHARS:,} (raise geo_app.settings.MAX_REPORT_CHARS)"
        )
    pub = published if isinstance(published, dt.date) else parse_published(str(published)) if published else None
    pub = pub or parse_published(meta.get("published", meta.get("date", ""))) or detect_published(text)
    return Report(
        text=text, source=source or meta.get("source", ""), published=pub, title=meta.get("title", ""),
        url=meta.get("url", ""), language=meta.get("language", "en") or "en", report_id=meta.get("id", ""),
        meta={**({"file": name} if name else {}), **({"warnings": [c.to_dict() for c in cleanings]} if cleanings else {})},
    )


def read_report_file(path: Path | str, *, source: str = "", published: object = None) -> Report:
    """Read one report file (.txt, .md, .html); the file name is kept, never used as a path again."""
    path = Path(path)
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise InputError(f"{path.name}: unsupported file type {path.suffix!r} (use {', '.join(REPORT_SUFFIXES)})")
    raw = decode_bytes(path.read_bytes(), path.name)
    return parse_report(raw, name=path.name, source=source, published=published,
                        html_input=path.suffix.lower() in (".html", ".htm"))


def iter_jsonl_reports(path: Path | str) -> Iterator[Report | InputError]:
    """Reports from a JSONL file (``{"id", "text", "source"?, "published"?, "url"?}`` per line).

    Yields an :class:`InputError` (not raised) for each bad line, so a batch goes on.
    """
    path = Path(path)
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(decode_bytes(raw, f"{path.name} line {lineno}"), strict=False)
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    raise InputError("each line must be a JSON object with a 'text' string")
                parsed = parse_report(record["text"], name=f"{path.name}:{lineno}")
                yield Report(
                    text=parsed.text,
                    source=str(record.get("source", "")), published=parse_published(str(record.get("published") or "")),
                    title=str(record.get("title", "")), url=str(record.get("url", "")),
                    report_id="" if record.get("id") is None else str(record.get("id")),
                    meta={**parsed.meta, "file": path.name, "line": lineno},
                )
            except (InputError, ValueError) as exc:
                yield InputError(f"{path.name} line {lineno}: {exc}")
            except RecursionError:  # json.loads on "[[[[..." thousands deep
                yield InputError(f"{path.name} line {lineno}: JSON nested too deeply to be a report")


def sample_reports() -> list[Report]:
    """The sample reports shipped in ``data/samples`` (written for the project)."""
    return [read_report_file(p) for p in sorted(settings.SAMPLES_DIR.glob("*.txt"))]
