"""Train the kind classifier (place / not a place / demonym) on LGL + GeoWebNews gold.

Run: PYTHONPATH=$PWD python scripts/train_kinds.py [--bench ../shared/bench] [--out geo_app/text/kinds_model.json]

Candidates are built exactly as the extractor builds them (:func:`geo_app.text.spans.candidates`
on docs annotated without arbitration); a candidate is a place when its character span is a
gold toponym (the eval's gold: GeoWebNews without Non_Toponym and the expression types), a
demonym when it is gold and a known demonym, else not a place. A multinomial logistic
regression is fitted with document-level cross-validation (GroupKFold) to choose the
regularisation and the acceptance threshold on span-level F1 after arbitration; the script
prints cross-validated figures beside in-sample ones and writes the model as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from spacy.tokens import DocBin

from geo_app import settings
from geo_app.batch.eval import read_gwn, read_lgl
from geo_app.places.gazetteer import get_gazetteer
from geo_app.text import extract as ex
from geo_app.text import spans
from geo_app.text.kinds import CLASSES, stack_from_dict

#: Feature prefixes left to the regression: the stack's trees see the dense features only.
LEXICAL = ("p1=", "p2=", "n1=", "n2=", "suf=", "last=", "first=", "in_last=")

ROOT = Path(__file__).resolve().parents[1]


def annotated(docs: list, cache: Path | None) -> list:
    """The corpus docs through the pipeline without arbitration, from ``cache`` (a spaCy DocBin)
    when it exists: feature work then reruns in seconds. Delete the cache when NER or ruler change."""
    if cache is not None and cache.exists():
        out = list(DocBin().from_disk(cache).get_docs(ex.get_nlp().vocab))
        if len(out) == len(docs):
            return out
    out = list(ex.annotate([d.text for d in docs], arbitrate=False))
    if cache is not None:
        DocBin(store_user_data=True, docs=out).to_disk(cache)
    return out


def build(docs: list, corpus: str, cache: Path | None = None) -> list[dict]:
    """One record per document: candidates with features and labels, and the gold spans."""
    gaz = get_gazetteer()
    out = []
    for doc, sp in zip(docs, annotated(docs, cache)):
        cands = spans.candidates(sp, gaz)
        spans.candidate_features(sp, cands, gaz, ex._COMMON_WORDS, ex._GENERIC_WORDS,
                                 frozenset(settings.NON_PLACE_HEAD_WORDS))
        gold = {(g.start, g.end) for g in doc.toponyms}
        labels = []
        chars = []
        for c in cands:
            span = sp[c.start:c.end]
            key = (span.start_char, span.end_char)
            chars.append(key)
            if key in gold:
                labels.append(2 if gaz.demonym(span.text) else 1)
            else:
                labels.append(0)
        out.append({"id": f"{corpus}:{doc.doc_id}", "corpus": corpus, "cands": cands, "labels": labels,
                    "chars": chars, "gold": gold})
    return out


def span_f1(records: list[dict], probs: list[np.ndarray], threshold: float,
            threshold_unknown: float | None = None) -> dict[str, float]:
    """Strict span P/R/F1 after arbitration (gold the candidates never reach count as misses)."""
    tp = n_pred = n_gold = 0
    for rec, p in zip(records, probs):
        for c, row in zip(rec["cands"], p):
            c.probs = (float(row[0]), float(row[1]), float(row[2]))
        index = {(c.start, c.end): k for k, c in enumerate(rec["cands"])}
        chosen = spans.arbitrate(rec["cands"], threshold, threshold_unknown)
        keys = {rec["chars"][index[(c.start, c.end)]] for c in chosen}
        tp += len(keys & rec["gold"])
        n_pred += len(keys)
        n_gold += len(rec["gold"])
    prec = tp / n_pred if n_pred else 0.0
    rec_ = tp / n_gold if n_gold else 0.0
    f1 = 2 * prec * rec_ / (prec + rec_) if prec + rec_ else 0.0
    return {"precision": round(prec, 4), "recall": round(rec_, 4), "f1": round(f1, 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path, default=ROOT.parent.parent / "shared" / "bench")
    ap.add_argument("--out", type=Path, default=ROOT / "geo_app" / "text" / "kinds_model.json")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--C", type=float, nargs="+", default=[0.3, 1.0], help="regularisation values tried, smallest first")
    ap.add_argument("--stack", type=int, default=0,
                    help="boosting rounds of a tree stack over the regression (0: regression only; kept only when its CV F1 is higher)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder for the annotated corpora (DocBin); reused while it exists")
    args = ap.parse_args(argv)
    if not (args.bench / "LGL").is_dir():
        args.bench = Path("/work/shared/bench")
    t0 = time.perf_counter()
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
    records = build(read_lgl(args.bench / "LGL" / "lgl.xml"), "LGL", args.cache and args.cache / "LGL.spacy")
    records += build(read_gwn(args.bench / "GeoWebNews" / "GWN.xml"), "GeoWebNews",
                     args.cache and args.cache / "GeoWebNews.spacy")
    print(f"candidates built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    rows = [c.feats for r in records for c in r["cands"]]
    y = np.array([lab for r in records for lab in r["labels"]])
    groups = np.array([i for i, r in enumerate(records) for _ in r["cands"]])
    vec = DictVectorizer()
    X = vec.fit_transform(rows).tocsc()
    keep = np.flatnonzero(np.asarray((X != 0).sum(axis=0)).ravel() >= args.min_count)
    X = X[:, keep].tocsr()
    names = [vec.feature_names_[k] for k in keep]
    n_gold = sum(len(r["gold"]) for r in records)
    reach = sum(sum(1 for lab in r["labels"] if lab) for r in records)
    print(f"{len(records)} docs, {len(y)} candidates ({np.bincount(y, minlength=3).tolist()} not/place/demonym), "
          f"{len(names)} features; gold {n_gold}, reached by a candidate {reach} ({reach / n_gold:.3f})")

    def fit(c: float, idx: np.ndarray) -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=2000, class_weight=None).fit(X[idx], y[idx])

    def per_doc(p: np.ndarray) -> list[np.ndarray]:
        return [p[groups == i] for i in range(len(records))]

    folds = list(GroupKFold(n_splits=args.folds).split(X, y, groups))
    thresholds = [float(t) for t in np.round(np.arange(0.2, 0.8, 0.05), 2)]
    best = None
    for c in args.C:
        cv = np.zeros((len(y), 3))
        for train, test in folds:
            cv[test] = fit(c, train).predict_proba(X[test])
        docs_p = per_doc(cv)
        # Known names first, then the stricter or looser bar for names the gazetteer lacks.
        scores = {(t, t): span_f1(records, docs_p, t) for t in thresholds}
        t_known = max(scores, key=lambda k: scores[k]["f1"])[0]
        for u in thresholds:
            scores[(t_known, u)] = span_f1(records, docs_p, t_known, u)
        t_best = max(scores, key=lambda k: scores[k]["f1"])
        print(f"C={c}: CV best thresholds (known, unknown) {t_best}: {scores[t_best]}")
        # The most regularised C within 0.002 F1 of the best: a smaller CV / in-sample gap.
        if best is None or scores[t_best]["f1"] > best[2]["f1"] + 0.002:
            best = (c, t_best, scores[t_best], cv)
    c, (threshold, threshold_unknown), cv_all, cv = best
    model = fit(c, np.arange(len(y)))
    ins = model.predict_proba(X)
    stack = None
    if args.stack > 0:
        dense = [k for k, name in enumerate(names) if not name.startswith(LEXICAL)]
        inputs = [names[k] for k in dense] + [f"__lr{j}" for j in range(3)]
        base = X[:, dense].toarray()

        def stacked_input(lr: np.ndarray) -> np.ndarray:
            return np.hstack([base, np.log(np.clip(lr, 1e-9, 1.0))])

        def compose(keep: np.ndarray, lr: np.ndarray) -> np.ndarray:
            share = lr[:, 1:] / np.clip(lr[:, 1:].sum(axis=1, keepdims=True), 1e-12, None)
            return np.column_stack([1.0 - keep, keep[:, None] * share])

        def fit_trees(idx: np.ndarray) -> HistGradientBoostingClassifier:
            return HistGradientBoostingClassifier(
                max_iter=args.stack, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40,
                l2_regularization=1.0, early_stopping=False, random_state=0).fit(Z[idx], y[idx] > 0)

        # The trees learn from the regression's out-of-fold probabilities, as they meet unseen text.
        Z = stacked_input(cv)
        cv_stack = np.zeros_like(cv)
        for train, test in folds:
            cv_stack[test] = compose(fit_trees(train).predict_proba(Z[test])[:, 1], cv[test])
        docs_p = per_doc(cv_stack)
        scores = {(t, t): span_f1(records, docs_p, t) for t in thresholds}
        t_known = max(scores, key=lambda k: scores[k]["f1"])[0]
        for u in thresholds:
            scores[(t_known, u)] = span_f1(records, docs_p, t_known, u)
        t_best = max(scores, key=lambda k: scores[k]["f1"])
        print(f"stack ({args.stack} rounds): CV best thresholds (known, unknown) {t_best}: {scores[t_best]}")
        if scores[t_best]["f1"] > cv_all["f1"]:
            trees = fit_trees(np.arange(len(y)))
            stack = {"inputs": inputs, "baseline": float(np.ravel(trees._baseline_prediction)[0]), "trees": [],
                     "rounds": args.stack}
            depth = 0
            for per_class in trees._predictors:
                nodes = per_class[0].nodes
                depth = max(depth, int(nodes["depth"].max()))
                stack["trees"].append({
                    "feature": nodes["feature_idx"].astype(int).tolist(),
                    "threshold": [round(float(v), 6) for v in nodes["num_threshold"]],
                    "left": nodes["left"].astype(int).tolist(), "right": nodes["right"].astype(int).tolist(),
                    "leaf": nodes["is_leaf"].astype(int).tolist(),
                    "value": [round(float(v), 6) for v in nodes["value"]],
                })
            stack["depth"] = depth + 1
            # The exported trees must answer as sklearn's do.
            probe = np.arange(min(2000, len(y)))
            mine = stack_from_dict(stack).keep([rows[i] for i in probe], cv[probe])
            theirs = trees.predict_proba(Z[probe])[:, 1]
            if not np.allclose(mine, theirs, atol=1e-4):
                raise SystemExit(f"exported trees disagree with sklearn: max diff {np.abs(mine - theirs).max()}")
            threshold, threshold_unknown = t_best
            cv = cv_stack
            ins = compose(trees.predict_proba(stacked_input(ins))[:, 1], ins)
        else:
            print("stack: no better than the regression alone; not used")
    table = {}
    for corpus in ("LGL", "GeoWebNews"):
        sel = [i for i, r in enumerate(records) if r["corpus"] == corpus]
        recs = [records[i] for i in sel]
        table[corpus] = {
            "cv": span_f1(recs, [per_doc(cv)[i] for i in sel], threshold, threshold_unknown),
            "in_sample": span_f1(recs, [per_doc(ins)[i] for i in sel], threshold, threshold_unknown),
        }
    acc_cv = float((cv.argmax(axis=1) == y).mean())
    acc_in = float((ins.argmax(axis=1) == y).mean())
    print(f"chosen C={c}, thresholds: known names {threshold}, unknown names {threshold_unknown}")
    print("| corpus | span F1 CV | span F1 in-sample | P CV | R CV |")
    print("|---|---|---|---|---|")
    for corpus, t in table.items():
        print(f"| {corpus} | {t['cv']['f1']:.3f} | {t['in_sample']['f1']:.3f} | {t['cv']['precision']:.3f} | "
              f"{t['cv']['recall']:.3f} |")
    print(f"candidate accuracy (3 classes): CV {acc_cv:.3f}, in-sample {acc_in:.3f}")
    coef = np.zeros((3, len(names)))
    intercept = np.zeros(3)
    for k, cls in enumerate(model.classes_):
        coef[cls] = model.coef_[k]
        intercept[cls] = model.intercept_[k]
    data = {
        "classes": list(CLASSES),
        "features": names,
        "coef": np.round(coef, 5).tolist(),
        "intercept": np.round(intercept, 5).tolist(),
        "threshold": threshold,
        "threshold_unknown": threshold_unknown,
        "stack": stack,
        "meta": {"C": c, "stack_rounds": args.stack if stack else 0, "folds": args.folds, "trained_on": "LGL + GeoWebNews gold (../shared/bench)",
                 "span_f1": table, "candidate_accuracy": {"cv": round(acc_cv, 4), "in_sample": round(acc_in, 4)},
                 "counts": np.bincount(y, minlength=3).tolist()},
    }
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
