"""Summary statistics of the practitioner evaluation: proportions with Wilson intervals, means
with bootstrap intervals, a reliability table, and the catalog-wide induced-order metrics of a
held-out dataset (through :mod:`..common.metrics`, never re-implemented)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..common.metrics import evaluate_groups

Z95 = 1.959963984540054      # two-sided 95% normal quantile
BOOTSTRAP = 2000             # resamples of a mean's percentile interval (seeded: reproducible)
CONFIDENCE_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@dataclass(frozen=True)
class Estimate:
    """A value with its 95% interval over ``n`` units (NaN everywhere when n == 0)."""
    value: float
    lo: float
    hi: float
    n: int

    def cell(self, digits: int = 2) -> str:
        if self.n == 0 or not np.isfinite(self.value):
            return f"– (n={self.n})"
        f = f"{{:.{digits}f}}"
        return f"{f.format(self.value)} [{f.format(self.lo)}, {f.format(self.hi)}] (n={self.n})"

    def as_dict(self) -> dict:
        return {"value": _num(self.value), "lo": _num(self.lo), "hi": _num(self.hi), "n": self.n}


def _num(x: float):
    return None if not np.isfinite(x) else round(float(x), 4)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """(proportion, lower, upper): the Wilson score interval of ``successes`` out of ``n``."""
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    p = successes / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return p, max(0.0, mid - half), min(1.0, mid + half)


def proportion(flags) -> Estimate:
    """Share of True among the non-missing ``flags`` (None / NaN = not counted), Wilson interval."""
    vals = [bool(f) for f in flags if f is not None and not (isinstance(f, float) and math.isnan(f))]
    p, lo, hi = wilson(sum(vals), len(vals))
    return Estimate(p, lo, hi, len(vals))


def mean_estimate(values, seed: int = 0) -> Estimate:
    """Mean of the finite ``values`` with a percentile-bootstrap 95% interval (``BOOTSTRAP`` resamples)."""
    v = np.asarray([x for x in values if x is not None], np.float64)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    if len(v) == 1 or np.ptp(v) == 0:
        return Estimate(float(v.mean()), float(v.mean()), float(v.mean()), len(v))
    idx = np.random.default_rng(seed).integers(0, len(v), size=(BOOTSTRAP, len(v)))
    means = v[idx].mean(axis=1)
    return Estimate(float(v.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975)), len(v))


def reliability(confidence, correct, bins=CONFIDENCE_BINS) -> pd.DataFrame:
    """One row per confidence bin [lo, hi) (the last one closed) and one for missing confidence:
    bin, n, mean confidence, accuracy with its Wilson interval."""
    conf = np.asarray(confidence, np.float64)
    ok = np.asarray(correct, bool)
    rows = []
    for i, (lo, hi) in enumerate(zip(bins[:-1], bins[1:])):
        sel = (conf >= lo) & ((conf < hi) if i < len(bins) - 2 else (conf <= hi))
        rows.append((f"[{lo:.1f}, {hi:.1f}{']' if i == len(bins) - 2 else ')'}", sel))
    rows.append(("no confidence", ~np.isfinite(conf)))
    out = []
    for name, sel in rows:
        e = proportion(ok[sel])
        out.append({"bin": name, "n": int(sel.sum()),
                    "mean_confidence": float(conf[sel].mean()) if sel.any() and np.isfinite(conf[sel]).all()
                    else float("nan"), "accuracy": e})
    return pd.DataFrame(out)


def induced_order_metrics(table_models, truth: pd.DataFrame, k: int = 10) -> dict:
    """Catalog-wide quality on one held-out dataset.

    ``table_models``: the models of a catalog-wide ranking, best first (listed rank r -> predictor
    -r). ``truth``: the dataset's test records (model, group, z). Models with a true score that
    the ranking does not list (e.g. removed by the modality rule) tie below every listed one;
    ties are broken by model name (the catalog order's own tie-break). Per group over the
    models with a true score, then the plain mean over the dataset's groups, by
    :func:`..common.metrics.evaluate_groups` (tau_w of constant predictions counts 0; @k metrics
    only over groups with more than k models). Returns tau_w, ndcg@k, overlap@k, groups, groups@k
    and ``listed``: the share of truly scored models the ranking lists.
    """
    rank = pd.Series(np.arange(1, len(table_models) + 1, dtype=np.float64), index=pd.Index(table_models))
    rank = rank[~rank.index.duplicated()]
    t = truth[["model", "group", "z"]].dropna(subset=["z"]).sort_values(["group", "model"], kind="stable")
    pos = rank.reindex(t["model"]).to_numpy()
    res = evaluate_groups(t.assign(pred=-pos), pred_col="pred", true_col="z", group_col="group", k=k)
    listed = float(np.isfinite(pos).mean()) if len(pos) else float("nan")
    return {"tau_w": res["tau_w"], f"ndcg@{k}": res[f"ndcg@{k}"], f"overlap@{k}": res[f"overlap@{k}"],
            "groups": res["groups"], f"groups@{k}": res[f"groups@{k}"], "listed": listed}


# ----------------------------------------------------------------------------- the summary
SUBSETS = (("all", None), ("English", True), ("non-English", False))
PART_NAMES = {"tune": "tune", "test": "test (held out: never tuned on)"}
# (row label, item column, item selection) -> a share with its Wilson interval
UNDERSTANDING = (
    ("task (every item)", "task_ok", "all"),
    ("task (covered items)", "task_ok", "covered"),
    ("modality", "modality_ok", "all"),
    ("languages", "language_ok", "all"),
    ("metric", "metric_ok", "all"),
    ("not-covered items given the notice", "notice", "not_covered"),
    ("covered items wrongly given the notice", "notice", "covered"),
    ("gibberish items flagged weak", "weak", "gibberish"),
    ("task right, confident answers", "task_ok", "confident"),
    ("task right, other answers", "task_ok", "unconfident"),
)
# (row label, item column, item selection) -> a mean over descriptions with a bootstrap interval
FIT = (
    ("strict task fit", "task_fit", "covered"),
    ("lenient modality fit", "modality_fit", "covered"),
    ("language fit (named languages, known-language rows)", "language_fit", "covered"),
    ("rows of unknown language (share, named languages)", "language_unknown", "covered"),
    ("duplicates per top 10", "duplicates", "covered"),
    ("paper-only rows per top 10", "paper_only", "covered"),
    ("API-only rows per top 10", "api_only", "covered"),
    ("rows listed, covered items", "rows", "covered"),
    ("rows listed, not-covered items", "rows", "not_covered"),
    ("rows listed, gibberish items", "rows", "gibberish"),
)
HELDOUT = tuple((f"{m} ({tag})", f"{m}_{tag}") for m in ("tau_w", "ndcg@10", "overlap@10") for tag in ("a", "b", "a-b")) \
    + (("truly scored models listed (a)", "listed_a"), ("truly scored models listed (b)", "listed_b"))


def _select(t: pd.DataFrame, which: str) -> pd.DataFrame:
    covered = ~t["not_covered"] & ~t["gibberish"]
    return {"all": t, "covered": t[covered], "not_covered": t[t["not_covered"] & ~t["gibberish"]],
            "gibberish": t[t["gibberish"]], "confident": t[t["confident"].astype(bool)],
            "unconfident": t[~t["confident"].astype(bool)]}[which]


def _col(t: pd.DataFrame, col: str) -> list:
    return t[col].tolist() if col in t else []


def summarise(items: pd.DataFrame) -> dict:
    """Per part: {"n", "understanding", "fit", "heldout": {row: {subset: Estimate}}, "reliability",
    "rows_apart": shares of rows of language-free and multilingual items}."""
    out = {}
    t = items.copy()
    for tag in ("tau_w", "ndcg@10", "overlap@10"):
        if f"{tag}_a" in t:
            t[f"{tag}_a-b"] = t[f"{tag}_a"] - t[f"{tag}_b"]
    for part in [p for p in PART_NAMES if p in set(t["part"])]:
        tp = t[t["part"] == part]
        subs = {name: (tp if eng is None else tp[tp["english"] == eng]) for name, eng in SUBSETS}
        und = {label: {s: proportion(_col(_select(ts, sel), col)) for s, ts in subs.items()}
               for label, col, sel in UNDERSTANDING}
        fit = {label: {s: mean_estimate(_col(_select(ts, sel), col)) for s, ts in subs.items()}
               for label, col, sel in FIT}
        held = {label: {s: mean_estimate(_col(ts, col)) for s, ts in subs.items()} for label, col in HELDOUT} \
            if "tau_w_a" in tp and tp["tau_w_a"].notna().any() else {}
        cov = _select(tp, "covered")
        rows = max(int(cov["rows"].sum()), 0)
        apart = {k: (float(cov[c].sum() / rows) if rows else float("nan"), rows)
                 for k, c in (("language-free items", "language_free_rows"), ("multilingual items", "multilingual_rows"))
                 if c in cov}
        status = tp["heldout_status"].value_counts().to_dict() if "heldout_status" in tp else {}
        out[part] = {"n": {s: len(ts) for s, ts in subs.items()}, "understanding": und, "fit": fit, "heldout": held,
                     "reliability": reliability(tp["confidence"].astype(float), tp["task_ok"].astype(bool)),
                     "rows_apart": apart, "heldout_status": status}
    return out


# ----------------------------------------------------------------------------- the report
TARGETS = (  # (what, section, row, subset, test, threshold)
    ("English task accuracy >= 0.90", "understanding", "task (every item)", "English", ">=", 0.90),
    ("English modality accuracy >= 0.97", "understanding", "modality", "English", ">=", 0.97),
    ("English metric accuracy >= 0.85", "understanding", "metric", "English", ">=", 0.85),
    ("every not-covered item given the notice", "understanding", "not-covered items given the notice", "all",
     ">=", 1.0),
    ("no covered item given the notice", "understanding", "covered items wrongly given the notice", "all", "<=", 0.0),
    ("top-10 strict task fit >= 0.90", "fit", "strict task fit", "all", ">=", 0.90),
    ("top-10 language fit >= 0.90", "fit", "language fit (named languages, known-language rows)", "all", ">=", 0.90),
    ("tau_w (a) within 0.05 of (b)", "heldout", "tau_w (a-b)", "all", "abs<=", 0.05),
)


def _target_cell(e: Estimate | None, test: str, thr: float) -> str:
    if e is None or e.n == 0 or not np.isfinite(e.value):
        return "– (n=0)"
    ok = abs(e.value) <= thr if test == "abs<=" else (e.value >= thr - 1e-12 if test == ">=" else e.value <= thr + 1e-12)
    return f"{e.value:.3f} (n={e.n}) {'met' if ok else 'NOT met'}"


def _table(block: dict, digits: int = 2) -> list[str]:
    lines = ["| measure | " + " | ".join(s for s, _ in SUBSETS) + " |", "|---|" + "---|" * len(SUBSETS)]
    for label, cells in block.items():
        lines.append(f"| {label} | " + " | ".join(cells[s].cell(digits) for s, _ in SUBSETS) + " |")
    return lines + [""]


def format_report(summary: dict, times: dict, folder, csv, write) -> str:
    """The markdown report (also printed): targets, then each measure per part."""
    cmd = "python -m modellens_core evaluate --settings practitioner" + (f" --write {write}" if write else "")
    parts = ", ".join(f"{PART_NAMES[p]}: {s['n']['all']} descriptions ({s['n']['English']} English, "
                      f"{s['n']['non-English']} not)" for p, s in summary.items())
    lines = ["# Practitioner evaluation", "", f"Produced by `{cmd}` from `{folder}`. Parts: {parts}. "
             "The **test** part is the held-out one: it is never used to tune anything.",
             f"One row per description, with labelled and understood task, modality, languages and metric: "
             f"`{csv}`." if csv else "", "",
             "Shares carry a Wilson 95% interval, means over descriptions a bootstrap 95% interval; n = "
             "descriptions. Definitions: `modellens_core/practitioner/evaluate.py` (module docstring).", "",
             "## Targets (issue 17)", "", "| target | " + " | ".join(summary) + " |", "|---|" + "---|" * len(summary)]
    for what, section, row, sub, test, thr in TARGETS:
        lines.append(f"| {what} | " + " | ".join(_target_cell(s[section].get(row, {}).get(sub), test, thr)
                                                 for s in summary.values()) + " |")
    lines += ["", "## 1. Query understanding (shipped app)", ""]
    for p, s in summary.items():
        lines += [f"### {PART_NAMES[p]}", ""] + _table(s["understanding"])
        rel = s["reliability"]
        lines += ["Calibration: task accuracy by the understood task's confidence.", "",
                  "| confidence | n | mean confidence | task accuracy |", "|---|---:|---:|---|"]
        lines += [f"| {r.bin} | {r.n} | {'–' if not np.isfinite(r.mean_confidence) else f'{r.mean_confidence:.2f}'} "
                  f"| {r.accuracy.cell()} |" for r in rel.itertuples()] + [""]
    lines += ["## 2. Held-out datasets: the whole catalog ranked by the new-datasets checkpoint", "",
              "(a) from the description alone, (b) given the dataset's task and main metric; over the models with "
              "a true score on the dataset (test part), per group then per dataset; means over descriptions.", ""]
    for p, s in summary.items():
        status = ", ".join(f"{k}: {v}" for k, v in s["heldout_status"].items()) or "no item names a dataset"
        lines += [f"### {PART_NAMES[p]}", "", f"Items naming a dataset: {status}.", ""]
        lines += _table(s["heldout"], 3) if s["heldout"] else []
    lines += ["## 3. Top-10 fit (shipped app, default filters)", "",
              "Fit rates over covered, non-gibberish descriptions (share of each top 10, then the mean); language fit "
              "only for descriptions with named languages, over rows of models of known language.", ""]
    for p, s in summary.items():
        lines += [f"### {PART_NAMES[p]}", ""] + _table(s["fit"])
        lines += [f"Rows of {k} (no language fit counted): {v:.2f} of {n} listed rows of covered items."
                  for k, (v, n) in s["rows_apart"].items() if np.isfinite(v)] + [""]
    lines += ["## Run time", "", "| stage | seconds |", "|---|---:|"] + \
             [f"| {k} | {v:.1f} |" for k, v in times.items()] + [""]
    return "\n".join(lines)


def jsonable(x):
    """The summary as plain JSON values (intervals as dicts, NaN as null)."""
    if isinstance(x, Estimate):
        return x.as_dict()
    if isinstance(x, pd.DataFrame):
        return [jsonable(r) for r in x.to_dict("records")]
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return _num(float(x))
    return x.item() if isinstance(x, np.generic) else x
