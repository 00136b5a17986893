"""Identity benchmark: how well the built catalog names models and datasets, scored on the
hand-checked gold set in ``tests/build/identity_gold/`` (see its README), per part (``dev``,
``holdout``) and overall.

Standalone on purpose: it reads only the gold CSVs and the catalog parquet files
(``<assets>/corpus/models.parquet``, ``datasets.parquet``, ``records.parquet``) with pandas, so
it measures any catalog, before or after the identity rules change.

Usage::

    python benchmarks/identity.py                      # print Markdown tables
    python benchmarks/identity.py --write benchmarks/results/identity.md
    python benchmarks/identity.py --assets other/assets --gold tests/build/identity_gold
    python benchmarks/identity.py --part dev           # only the dev rows (while writing rules)

Definitions
===========

Name identity (``models.csv``; one row per gold raw name)
---------------------------------------------------------
*Lookup.* A raw name maps to the catalog entry whose ``model`` equals it or whose ``aliases``
list contains it: exact match first, then the same with the source's id namespace prepended
(the catalog keeps source-qualified ids: ``timm/``, ``torchvision/``, ``open_clip/``,
``robustbench/``, ``mmdet/`` and the other OpenMMLab packages), then both again ignoring case.
If a stage finds several entries, the one with the most records wins (counted as
``ambiguous``). A name found nowhere is *unmapped* (no entry, no merge).

*Key and same name.* The key of a name or id is its lower-cased spelling with any own-entry
prefix (``paper:``, ``local:``) and source namespace removed, ``+`` spelled ``plus`` and only
letters, digits and ``.`` kept (``Claude 3.5 Sonnet 20240620`` and ``claude-3.5-sonnet-20240620``
share a key; ``opt-1.3b`` and ``opt-13b`` do not). An id is only a respelling of a raw name (the
*same name*) when their keys are equal; for ``api-model`` rows the id's org prefix may be
dropped first. Own-entry ids are ``paper:<slug>`` (a method known only from a paper table) and
``local:<slug>`` (downloadable weights with no Hub repo).

*Right.* The mapped entry is the expected one: ids equal ignoring case; for ``api-model`` rows
the org prefix of the expected slug is optional (``gpt-4o-2024-05-13`` matches
``openai/gpt-4o-2024-05-13``); for own-entry expectations the mapped id must not name a Hub repo
(no ``org/name`` repo-style id) and must have the same key.

*Merge made.* The raw name is mapped and either the entry's id is not the same name as the raw
name, or another gold raw name with a different key maps to the same entry.

*Should merge.* The expected id is not the same name as the raw name, or the row has an ``=``
link in ``should_merge_with`` to a raw name with a different key.

* precision = right merges made / merges made
* recall = rows that should merge, were merged and are right / rows that should merge
* ``paper->hub`` = ``paper-method`` rows mapped to a repo-style ``org/name`` id
* ``! merged`` = ``!`` pairs (must not merge) whose two names map to one entry
* ``= split`` = ``=`` pairs (must merge) whose names map to different entries or are unmapped

Metadata (``metadata.csv``; one row per fact)
---------------------------------------------
The gold ``model`` is looked up like a raw name (id, then alias, exact then ignoring case).
A fact is *missing* when the model or the value is absent, *wrong* when present but different:
sizes (``params_b``, ``active_params_b``) differ by more than ``tolerance`` (relative);
``release_date`` differs in its first seven characters (``YYYY-MM``); ``open_weights`` is
compared as a boolean; strings (``modality``, ``family``) compare lower case with only letters
and digits kept. error rate = (missing + wrong) / facts.

Dataset identity (``datasets.csv``; one row per (source, raw dataset id, raw task))
-----------------------------------------------------------------------------------
A raw dataset id maps to the catalog dataset whose ``dataset`` equals it, else whose
``aliases`` (if the catalog has that column) contains it, else ignoring case; otherwise it is
unmapped. As shipped today this is the identity: each raw id is its own dataset. When
``records.parquet`` has a ``raw_dataset`` column (the pre-registry id of each record's dataset),
the case's (source, raw id, raw task) records decide instead (one raw id can name two datasets:
DBpedia classification and DBpedia entity retrieval), and protocols are read per raw id.

* missed merges = expected datasets whose cases map to more than one id (``extra ids`` = the
  number of ids beyond the first, summed)
* wrong merges = catalog ids holding cases of more than one expected dataset
* correct = cases that are mapped, whose id holds only their expected dataset and whose
  expected dataset uses only that id
* protocol-mixed = catalog keys holding more than one expected protocol; the key is the dataset
  id, or (dataset id, protocol) when ``records.parquet`` has a ``protocol`` column, in which
  case ``protocol agrees`` also reports how many cases carry the expected protocol label.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "build" / "identity_gold"
PARTS = ("dev", "holdout", "all")

MM_PACKAGES = ("mmpretrain", "mmdet", "mmsegmentation", "mmpose", "mmaction2", "mmocr", "mmdet3d",
               "mmrotate", "mmyolo")
SOURCE_NAMESPACES = {
    "timm_results": ("timm",), "torchvision_weights": ("torchvision",),
    "open_clip": ("open_clip",), "clip_benchmark": ("open_clip",), "robustbench": ("robustbench",),
    "openmmlab_model_index": MM_PACKAGES,
}
NAMESPACES = ("timm", "torchvision", "open_clip", "robustbench") + MM_PACKAGES
OWN_PREFIXES = ("paper:", "local:", "paper/", "pwc/")


# ----------------------------------------------------------------------------- id helpers
def norm(x: str) -> str:
    return str(x).strip().lower()


def strip_namespace(x: str) -> str:
    s = str(x).strip()
    head, sep, rest = s.partition("/")
    return rest if sep and head.lower() in NAMESPACES else s


def name_key(x: str) -> str:
    """Spelling-insensitive key: lower case, own-entry prefix and source namespace removed,
    ``+`` spelled ``plus``, only letters, digits and ``.`` kept (so ``opt-1.3b`` != ``opt-13b``)."""
    s = str(x).strip()
    for p in OWN_PREFIXES:
        if s.lower().startswith(p):
            s = s[len(p):]
            break
    s = strip_namespace(s).lower().replace("+", "plus")
    return re.sub(r"[^a-z0-9.]", "", s)


own_key = name_key


def is_own(x: str) -> bool:
    return str(x).strip().lower().startswith(("paper:", "local:"))


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def is_hub_style(x: str) -> bool:
    """True for an ``org/name`` repo-style id (no spaces, one slash, no own-entry prefix)."""
    s = str(x).strip()
    if s.lower().startswith(OWN_PREFIXES):
        return False
    return bool(_HUB_ID.match(s))


def _drop_org(x: str) -> str:
    return str(x).split("/", 1)[1] if "/" in str(x) else str(x)


def same_name(a: str, b: str, kind: str = "") -> bool:
    """Whether id ``a`` is only a respelling of name ``b`` (no merge involved). For
    ``api-model`` rows the org prefix of ``a`` is optional."""
    if name_key(a) == name_key(b):
        return True
    return kind == "api-model" and "/" in str(a) and name_key(_drop_org(a)) == name_key(b)


def id_matches(mapped: str | None, expected: str, kind: str = "") -> bool:
    if mapped is None or (isinstance(mapped, float) and pd.isna(mapped)):
        return False
    if is_own(expected):
        return not is_hub_style(mapped) and name_key(mapped) == name_key(expected)
    if norm(mapped) == norm(expected):
        return True
    if kind == "api-model" and "/" in expected:
        return norm(mapped) == norm(_drop_org(expected))
    return False


def parse_links(cell) -> list[tuple[str, str]]:
    """``"=m001;!m002"`` -> [("=", "m001"), ("!", "m002")]."""
    if not isinstance(cell, str) or not cell.strip():
        return []
    return [(t[0], t[1:]) for t in re.split(r"[;,\s]+", cell.strip()) if t and t[0] in "=!"]


# ----------------------------------------------------------------------------- catalog lookup
class NameIndex:
    """model id / alias -> catalog entries, exact and lower-cased."""

    def __init__(self, catalog: pd.DataFrame):
        self.exact: dict[str, set] = defaultdict(set)
        self.lower: dict[str, set] = defaultdict(set)
        n = catalog["n_records"] if "n_records" in catalog else pd.Series(0, index=catalog.index)
        aliases = catalog["aliases"] if "aliases" in catalog else pd.Series([[]] * len(catalog))
        self.n_records = dict(zip(catalog["model"], n))
        for mid, al in zip(catalog["model"], aliases):
            names = [mid] + ([] if al is None or (isinstance(al, float)) else [str(a) for a in al])
            for a in names:
                self.exact[a].add(mid)
                self.lower[a.lower()].add(mid)
        self.ambiguous = 0

    def _pick(self, hits: set):
        if len(hits) > 1:
            self.ambiguous += 1
        return max(sorted(hits), key=lambda h: self.n_records.get(h, 0))

    def lookup(self, raw: str, source: str = "") -> str | None:
        keys = [raw] + [f"{ns}/{raw}" for ns in SOURCE_NAMESPACES.get(source, ())]
        for table, fold in ((self.exact, False), (self.lower, True)):
            for k in keys:
                hits = table.get(k.lower() if fold else k)
                if hits:
                    return self._pick(hits)
        return None


def map_names(gold: pd.DataFrame, catalog: pd.DataFrame) -> tuple[dict, int]:
    idx = NameIndex(catalog)
    mapping = {c: idx.lookup(r, s) for c, r, s in zip(gold["case_id"], gold["raw_name"], gold["source"])}
    return mapping, idx.ambiguous


# ----------------------------------------------------------------------------- name scores
def name_flags(gold: pd.DataFrame, mapping: dict) -> pd.DataFrame:
    """Per-row flags: mapped, unmapped, right, merge_made, should_merge, paper_to_hub."""
    g = gold.copy()
    kinds = g["kind"] if "kind" in g else pd.Series([""] * len(g), index=g.index)
    g["mapped"] = [mapping.get(c) for c in g["case_id"]]
    g["mapped"] = g["mapped"].astype(object).where(g["mapped"].notna(), None)
    g["unmapped"] = g["mapped"].isna()
    g["right"] = [id_matches(m, e, k) for m, e, k in zip(g["mapped"], g["expected_id"], kinds)]
    keys = [name_key(r) for r in g["raw_name"]]
    keys_by_entry: dict[str, set] = defaultdict(set)
    for m, k in zip(g["mapped"], keys):
        if m is not None:
            keys_by_entry[m].add(k)
    shared = [m is not None and len(keys_by_entry[m] - {k}) > 0 for m, k in zip(g["mapped"], keys)]
    g["merge_made"] = [m is not None and (not same_name(m, r, kd) or s)
                       for m, r, kd, s in zip(g["mapped"], g["raw_name"], kinds, shared)]
    key_of = dict(zip(g["case_id"], keys))
    links = g["should_merge_with"] if "should_merge_with" in g else pd.Series([""] * len(g), index=g.index)
    g["should_merge"] = [
        (not same_name(e, r, kd)) or any(op == "=" and key_of.get(o, k) != k for op, o in parse_links(li))
        for e, r, kd, k, li in zip(g["expected_id"], g["raw_name"], kinds, keys, links)]
    g["paper_to_hub"] = [kd == "paper-method" and m is not None and is_hub_style(m)
                         for kd, m in zip(kinds, g["mapped"])]
    return g


def link_violations(flags: pd.DataFrame) -> tuple[int, int]:
    """(! pairs merged, = pairs split), each unordered pair counted once."""
    mapped = dict(zip(flags["case_id"], flags["mapped"]))
    seen, bad_ne, bad_eq = set(), 0, 0
    for c, cell in zip(flags["case_id"], flags.get("should_merge_with", pd.Series(dtype=str))):
        for op, other in parse_links(cell):
            pair = (op, *sorted((c, other)))
            if pair in seen or other not in mapped:
                continue
            seen.add(pair)
            a, b = mapped[c], mapped[other]
            a = None if a is None or pd.isna(a) else a
            b = None if b is None or pd.isna(b) else b
            if op == "!" and a is not None and a == b:
                bad_ne += 1
            if op == "=" and (a is None or b is None or a != b):
                bad_eq += 1
    return bad_ne, bad_eq


def name_scores(gold: pd.DataFrame, mapping: dict) -> dict:
    """Aggregate scores for the rows of ``gold`` (see the module docstring)."""
    f = name_flags(gold, mapping)
    made = int(f["merge_made"].sum())
    right_made = int((f["merge_made"] & f["right"]).sum())
    should = int(f["should_merge"].sum())
    recalled = int((f["should_merge"] & f["merge_made"] & f["right"]).sum())
    bad_ne, bad_eq = link_violations(f)
    return {
        "rows": len(f), "unmapped": int(f["unmapped"].sum()), "right": int(f["right"].sum()),
        "merges_made": made, "right_merges": right_made, "wrong_merges": made - right_made,
        "precision": right_made / made if made else float("nan"),
        "should_merge": should, "merged_right": recalled, "missed_merges": should - recalled,
        "recall": recalled / should if should else float("nan"),
        "paper_to_hub": int(f["paper_to_hub"].sum()), "not_merged_pairs_merged": bad_ne,
        "merge_pairs_split": bad_eq,
    }


# ----------------------------------------------------------------------------- metadata
def _alnum(x) -> str:
    return re.sub(r"[^a-z0-9]", "", str(x).lower())


def _as_bool(x):
    if isinstance(x, bool):
        return x
    s = str(x).strip().lower()
    return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(s)


def fact_status(field: str, expected: str, value, tolerance=None) -> str:
    """'ok', 'missing' or 'wrong' for one catalog value against one gold fact."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)) or str(value).strip() == "":
        return "missing"
    if field in ("params_b", "active_params_b"):
        try:
            v, e = float(value), float(expected)
        except (TypeError, ValueError):
            return "wrong"
        tol = float(tolerance) if tolerance not in (None, "") and not pd.isna(tolerance) else 0.10
        return "ok" if abs(v - e) <= tol * abs(e) else "wrong"
    if field == "release_date":
        return "ok" if str(value).strip()[:7] == str(expected).strip()[:7] else "wrong"
    if field == "open_weights":
        b = _as_bool(value)
        return "missing" if b is None else ("ok" if b == _as_bool(expected) else "wrong")
    return "ok" if _alnum(value) == _alnum(expected) else "wrong"


def metadata_scores(gold: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """One row per field: facts, missing, wrong, error_rate."""
    idx = NameIndex(catalog)
    cat = catalog.set_index("model")
    rows = []
    for r in gold.itertuples():
        mid = r.model if r.model in cat.index else idx.lookup(r.model)
        value = None
        if mid is not None and r.field in cat.columns:
            value = cat.at[mid, r.field]
        rows.append((r.field, fact_status(r.field, r.expected, value, getattr(r, "tolerance", None))))
    df = pd.DataFrame(rows, columns=["field", "status"])
    out = df.groupby("field")["status"].agg(
        facts="size", missing=lambda s: int((s == "missing").sum()), wrong=lambda s: int((s == "wrong").sum()))
    out["error_rate"] = (out["missing"] + out["wrong"]) / out["facts"]
    return out.reset_index()


# ----------------------------------------------------------------------------- datasets
def _raw_records(records_path: Path | None) -> pd.DataFrame | None:
    """(dataset, source, task, raw_dataset[, protocol]) rows of a catalog that keeps raw ids."""
    if records_path is None:
        return None
    try:
        import pyarrow.parquet as pq
        names = set(pq.read_schema(records_path).names)
    except Exception:
        return None
    if "raw_dataset" not in names:
        return None
    want = ["dataset", "source", "task", "raw_dataset"] + (["protocol"] if "protocol" in names else [])
    return pd.read_parquet(records_path, columns=want).drop_duplicates()


def _by_raw(rec: pd.DataFrame, source: str, raw: str, task: str) -> pd.DataFrame:
    r = rec[(rec["source"] == source) & (rec["raw_dataset"] == raw)]
    return r[r["task"] == task] if (r["task"] == task).any() else r


def map_datasets(gold: pd.DataFrame, datasets: pd.DataFrame, raw_records: pd.DataFrame | None = None) -> dict:
    ids = set(datasets["dataset"])
    alias: dict[str, str] = {}
    if "aliases" in datasets:
        for d, al in zip(datasets["dataset"], datasets["aliases"]):
            for a in ([] if al is None or isinstance(al, float) else al):
                alias.setdefault(str(a), d)
    lower = {}
    for d in sorted(ids):
        lower.setdefault(d.lower(), d)
    for a, d in alias.items():
        lower.setdefault(a.lower(), d)
    out = {}
    for c, raw, src, task in zip(gold["case_id"], gold["raw_dataset"], gold["source"], gold["raw_task"]):
        if raw_records is not None:
            hit = sorted(set(_by_raw(raw_records, src, raw, task)["dataset"]))
            if hit:
                out[c] = hit[0]
                continue
        out[c] = raw if raw in ids else alias.get(raw) or lower.get(str(raw).lower())
    return out


def dataset_scores(gold: pd.DataFrame, mapping: dict, protocols: dict | None = None) -> dict:
    """``mapping``: case_id -> catalog dataset id (or None); ``protocols``: case_id -> the
    catalog's protocol label for the case (only when the catalog has a protocol field)."""
    g = gold.copy()
    g["mapped"] = [mapping.get(c) for c in g["case_id"]]
    m = g[g["mapped"].notna()]
    ids_per_ds = m.groupby("expected_dataset")["mapped"].nunique()
    ds_per_id = m.groupby("mapped")["expected_dataset"].nunique()
    split_ds = set(ids_per_ds[ids_per_ds > 1].index)
    merged_ids = set(ds_per_id[ds_per_id > 1].index)
    correct = [(mp is not None and not pd.isna(mp)) and mp not in merged_ids and e not in split_ds
               for mp, e in zip(g["mapped"], g["expected_dataset"])]
    if protocols is None:
        key = m["mapped"]
        agree = None
    else:
        key = m["mapped"].astype(str) + " | " + m["case_id"].map(lambda c: str(protocols.get(c)))
        agree = sum(_alnum(protocols.get(c)) == _alnum(p) for c, p in zip(g["case_id"], g["expected_protocol"]))
    prot_per_key = m.groupby(key)["expected_protocol"].nunique()
    return {
        "cases": len(g), "unmapped": int(g["mapped"].isna().sum()),
        "expected_datasets": int(g["expected_dataset"].nunique()),
        "missed_merges": len(split_ds), "extra_ids": int((ids_per_ds - 1).clip(lower=0).sum()),
        "wrong_merges": len(merged_ids),
        "wrong_merge_cases": int(m["mapped"].isin(merged_ids).sum()),
        "correct": int(sum(correct)), "correct_share": sum(correct) / len(g) if len(g) else float("nan"),
        "protocol_mixed": int((prot_per_key > 1).sum()),
        "protocol_agrees": agree,
    }


def record_protocols(gold: pd.DataFrame, mapping: dict, records_path: Path) -> dict | None:
    """case_id -> protocol label from ``records.parquet`` if it has a ``protocol`` column
    (read per raw id when the records keep ``raw_dataset``)."""
    raw_rec = _raw_records(records_path)
    if raw_rec is not None and "protocol" in raw_rec:
        out = {}
        for c, raw, s, t in zip(gold["case_id"], gold["raw_dataset"], gold["source"], gold["raw_task"]):
            r = _by_raw(raw_rec, s, raw, t)
            r = r[r["dataset"] == mapping.get(c)]
            vals = sorted(set(r["protocol"].dropna().astype(str)))
            out[c] = vals[0] if len(vals) == 1 else ("|".join(vals) if vals else None)
        return out
    try:
        rec = pd.read_parquet(records_path, columns=["dataset", "source", "task", "protocol"])
    except Exception:
        return None
    rec = rec.drop_duplicates()
    out = {}
    for c, s, t in zip(gold["case_id"], gold["source"], gold["raw_task"]):
        r = rec[(rec["dataset"] == mapping.get(c)) & (rec["source"] == s)]
        if (r["task"] == t).any():
            r = r[r["task"] == t]
        vals = sorted(set(r["protocol"].dropna().astype(str)))
        out[c] = vals[0] if len(vals) == 1 else ("|".join(vals) if vals else None)
    return out


# ----------------------------------------------------------------------------- report
def _fmt(x) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return "n/a" if pd.isna(x) else f"{x:.3f}"
    return str(x)


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_fmt(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def _parts(df: pd.DataFrame, only: str | None = None):
    for p in PARTS if only is None else (only,):
        yield p, (df if p == "all" else df[df["part"] == p])


def load_gold(gold_dir: Path):
    read = lambda n: pd.read_csv(gold_dir / n, dtype=str, keep_default_na=False)  # noqa: E731
    return read("models.csv"), read("datasets.csv"), read("metadata.csv")


def report(assets: Path, gold_dir: Path, part: str | None = None) -> str:
    """Markdown report; ``part`` ("dev", "holdout" or "all") limits every table to that part."""
    models_g, datasets_g, meta_g = load_gold(gold_dir)
    corpus = assets / "corpus"
    catalog = pd.read_parquet(corpus / "models.parquet")
    dcat = pd.read_parquet(corpus / "datasets.parquet")
    out = [f"# Identity benchmark\n\nCatalog: `{corpus}` ({len(catalog):,} models, {len(dcat):,} datasets). "
           f"Gold: `{gold_dir.relative_to(ROOT) if gold_dir.is_relative_to(ROOT) else gold_dir}` "
           f"({len(models_g)} names, {len(datasets_g)} dataset cases, {len(meta_g)} facts). "
           "Definitions: module docstring of `benchmarks/identity.py`.\n"]

    mapping, ambiguous = map_names(models_g, catalog)
    rows = []
    for p, g in _parts(models_g, part):
        s = name_scores(g, mapping)
        rows.append([p, s["rows"], s["unmapped"], s["merges_made"], s["right_merges"], s["precision"],
                     s["should_merge"], s["merged_right"], s["recall"], s["paper_to_hub"],
                     s["not_merged_pairs_merged"], s["merge_pairs_split"]])
    out.append("## Name identity\n")
    out.append(_table(["part", "names", "unmapped", "merges made", "right merges", "precision",
                       "should merge", "merged right", "recall", "paper->hub", "! merged", "= split"], rows))
    out.append(f"\nAmbiguous lookups (several entries matched; most records won): {ambiguous}.\n")
    rows = []
    by_source = models_g if part in (None, "all") else models_g[models_g["part"] == part]
    for src, g in by_source.groupby("source"):
        s = name_scores(g, mapping)
        rows.append([src, s["rows"], s["unmapped"], s["precision"], s["recall"], s["right"]])
    out.append(f"### By source ({'all parts' if part in (None, 'all') else part})\n")
    out.append(_table(["source", "names", "unmapped", "precision", "recall", "right"], rows) + "\n")

    out.append("## Metadata\n")
    rows = []
    for p, g in _parts(meta_g, part):
        for r in metadata_scores(g, catalog).itertuples():
            rows.append([p, r.field, r.facts, r.missing, r.wrong, r.error_rate])
    out.append(_table(["part", "field", "facts", "missing", "wrong", "error rate"], rows) + "\n")

    out.append("## Dataset identity\n")
    dmap = map_datasets(datasets_g, dcat, _raw_records(corpus / "records.parquet"))
    prots = record_protocols(datasets_g, dmap, corpus / "records.parquet")
    rows = []
    for p, g in _parts(datasets_g, part):
        s = dataset_scores(g, dmap, prots)
        rows.append([p, s["cases"], s["unmapped"], s["expected_datasets"], s["missed_merges"], s["extra_ids"],
                     s["wrong_merges"], s["wrong_merge_cases"], s["correct_share"], s["protocol_mixed"],
                     s["protocol_agrees"]])
    out.append(_table(["part", "cases", "unmapped", "expected datasets", "missed merges", "extra ids",
                       "wrong merges", "cases in wrong merges", "correct share", "protocol-mixed keys",
                       "protocol agrees"], rows))
    out.append("\n" + ("The catalog has a `protocol` field in records." if prots is not None else
                       "The catalog has no `protocol` field: protocol-mixed counts ids.") + "\n")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--assets", default="assets", help="assets folder with corpus/ (default: assets)")
    ap.add_argument("--gold", default=str(GOLD), help="gold folder (default: tests/build/identity_gold)")
    ap.add_argument("--write", default=None, help="write the Markdown here instead of printing it")
    ap.add_argument("--part", choices=PARTS, default=None, help="only this part's rows (default: every part)")
    a = ap.parse_args(argv)
    assets = Path(a.assets)
    if not assets.is_absolute() and not assets.exists():
        assets = ROOT / assets
    text = report(assets, Path(a.gold), a.part)
    if a.write:
        Path(a.write).parent.mkdir(parents=True, exist_ok=True)
        Path(a.write).write_text(text + "\n")
        print(f"wrote {a.write}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
