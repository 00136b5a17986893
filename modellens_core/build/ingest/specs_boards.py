"""Adapters for four public leaderboards: LMArena, AlpacaEval, EvalPlus (+EvalPerf, RepoQA), Aider.

Tables (LMArena CSVs, AlpacaEval CSVs) are described by :class:`TableSpec` lists and read by
:func:`read_table`; the JSON (EvalPlus) and YAML (Aider) files get small record readers.
Scores are as published: Elo (higher is better), win rates in % (higher), pass@1 in % or 0-1
(higher), Aider pass rates in % (higher).

Choices (see ``shared/data/README.md`` for the traps):

* LMArena: one dataset per arena; ``subset`` = snapshot date, since Elo is only comparable
  within one snapshot. The union history keeps each model's *last* snapshot: its rows whose last
  snapshot is the lmsys file's (2025-07-18) repeat that file ("duplicate"); the others are
  retired models, kept with their own snapshot date as subset (never mixed into another group).
* AlpacaEval: ``subset`` = annotator config. ``NullModel`` (adversarial constant output), the
  reference model's self-comparison rows (50.0 by construction) and ``dev`` mode runs (not
  curated) are "excluded"; ``minimal`` mode rows are kept: whole small boards consist of them
  and they are the maintainers' own runs. The evaluators leaderboard rates annotators: "excluded".
* EvalPlus: RepoQA keeps the upstream default similarity threshold 0.8 (others "excluded");
  ``all`` is an aggregate. EvalPerf ``(⏩)`` variant runs are duplicates of the plain run.
* Aider: ``pass_rate_2`` is the headline (refactor has only ``pass_rate_1``); a model's best run
  per board is kept, its other runs are "duplicate"; runs below the full test count are
  "excluded". The ``*_union_history.json`` files are not used (PR-only and superseded runs).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import yaml

from ...common.tasks import task_domain
from .base import DropReport, SourceFileError, SourceResult, make_result, read_file
from .table_spec import TableSpec, parse_score, read_table

GROUP_KEYS = ["model", "dataset", "subset", "task", "metric"]


# ----------------------------------------------------------------------------- shared helpers
def require_dir(source_dir: Path) -> Path:
    """The source folder as a Path; SourceFileError naming it when it is missing."""
    path = Path(source_dir)
    if not path.is_dir():
        raise SourceFileError(f"source folder not found: {path}")
    return path


def dedupe_records(records: list[dict] | pd.DataFrame, report: DropReport) -> pd.DataFrame:
    """Keep the first record of each (model, dataset, subset, task, metric); count the rest
    as "duplicate". Callers order records so that the preferred one comes first."""
    df = pd.DataFrame(records)
    if df.empty:
        return pd.DataFrame(columns=GROUP_KEYS + ["score", "higher_is_better"])
    dup = df.duplicated(GROUP_KEYS, keep="first")
    report.drop("duplicate", int(dup.sum()))
    return df[~dup].reset_index(drop=True)


def models_frame(records: pd.DataFrame, meta: dict[str, dict] | None = None, **defaults) -> list[dict]:
    """One row per model used in ``records``: ``meta[model]`` fields over ``defaults``."""
    meta = meta or {}
    names = pd.unique(records["model"]) if len(records) else []
    return [{"model": m, **defaults, **meta.get(m, {})} for m in names]


def datasets_frame(records: pd.DataFrame, meta: dict[str, dict] | None = None) -> list[dict]:
    """One row per dataset used in ``records``: task from the first record, family defaulting
    to :func:`base_family`, then ``meta[dataset]`` fields."""
    meta = meta or {}
    if not len(records):
        return []
    first = records.drop_duplicates("dataset")
    rows = []
    for ds, task in zip(first["dataset"], first["task"]):
        row = {"dataset": ds, "family": base_family(ds), "description": "", "task": task,
               "domain": task_domain(task), "languages": guess_languages(ds)}
        row.update(meta.get(ds, {}))
        rows.append(row)
    return rows


_LANG_HINTS = ((r"chinese|-zh\b|\bzh\b|cmmlu|cmrc|dureader", "zh"), (r"hindi", "hi"), (r"spanish", "es"),
               (r"python|java|cpp|rust|typescript|javascript", "en"))


def guess_languages(dataset: str) -> str:
    """ISO code(s) of a benchmark's language from its name; English unless a hint says otherwise
    (these boards are English except the few named ones)."""
    low = str(dataset).lower()
    for pattern, lang in _LANG_HINTS:
        if re.search(pattern, low):
            return lang
    return "en"


def base_family(dataset: str) -> str:
    """Default family: the slug of the name without a trailing variant in parentheses
    ("NaturalQuestions (open-book)" and "(closed-book)" are one benchmark: "naturalquestions")."""
    return slug(re.sub(r"\s*\(.*\)\s*$", "", str(dataset))) or slug(dataset)


def slug(name: str) -> str:
    """Lowercase, non-alphanumerics (except '+') collapsed to '-'."""
    return re.sub(r"[^a-z0-9+]+", "-", str(name).lower()).strip("-")


def _finish(source: str, records: pd.DataFrame, models: list[dict], datasets: list[dict],
            report: DropReport) -> SourceResult:
    return make_result(source, records, models, datasets, report)


# ----------------------------------------------------------------------------- LMArena
LMARENA_SNAPSHOT = "2025-08-04"     # data version of the fboulnois_lmarena_* files
LMSYS_SNAPSHOT = "2025-07-18"       # data date of fboulnois_lmsys_text_2025-08.csv
LMARENA_ARENAS = (  # file, dataset, task, model modality, snapshot
    ("fboulnois_lmarena_text.csv", "lmarena-text", "chat", "text", LMARENA_SNAPSHOT),
    ("fboulnois_lmarena_vision.csv", "lmarena-vision", "vision-chat", "multimodal", LMARENA_SNAPSHOT),
    ("fboulnois_lmarena_image.csv", "lmarena-image", "text-to-image", "multimodal", LMARENA_SNAPSHOT),
    ("fboulnois_lmsys_text_2025-08.csv", "lmarena-text", "chat", "text", LMSYS_SNAPSHOT),
)
LMARENA_UNION = "fboulnois_lmsys_text_union_history.csv"
LMARENA_SPECS = tuple(
    TableSpec(file=f, model_cols=("model",), metric="elo", task=task, dataset_cols=("arena_score",),
              rename=(("arena_score", ds),), subset=snap, higher_is_better=True)
    for f, ds, task, _, snap in LMARENA_ARENAS)


def _lmarena_union(source_dir: Path, report: DropReport) -> tuple[list[dict], pd.DataFrame | None]:
    """Retired models of the text arena, each at its last snapshot (subset = that date)."""
    df = read_file(source_dir / LMARENA_UNION, pd.read_csv, report)
    if df is None:
        return [], None
    report.rows_read += len(df)
    repeat = df["last_seen"].astype(str) == LMSYS_SNAPSHOT   # identical to the lmsys file
    report.drop("duplicate", int(repeat.sum()))
    out = []
    for model, cell, snap in zip(df["model"][~repeat], df["arena_score"][~repeat], df["last_seen"][~repeat]):
        v, why = parse_score(cell)
        if why:
            report.drop(why)
            continue
        out.append({"model": str(model).strip(), "dataset": "lmarena-text", "subset": str(snap),
                    "task": "chat", "metric": "elo", "score": v, "higher_is_better": True})
    return out, df


def _lmarena_meta(tables: list[tuple[pd.DataFrame, str]]) -> dict[str, dict]:
    """organization, license, open weights (Proprietary -> False), modality, first seen."""
    meta: dict[str, dict] = {}
    for df, modality in tables:
        for row in df.to_dict("records"):
            m = str(row["model"]).strip()
            lic = row.get("license")
            lic = None if pd.isna(lic) else str(lic).strip()
            cur = meta.setdefault(m, {"organization": row.get("organization"), "license": lic,
                                      "open_weights": (None if not lic else lic.lower() != "proprietary"),
                                      "modality": modality})
            if modality != "text":
                cur["modality"] = modality       # a model in the vision/image arena is multimodal
            if row.get("first_seen") and not pd.isna(row.get("first_seen")):
                cur["release_date"] = str(row["first_seen"])   # first seen in the arena
    return meta


def load_lmarena(source_dir: Path) -> SourceResult:
    """LMArena arenas: Elo (higher is better) per arena and snapshot; display names as models."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    records: list[dict] = []
    tables = []
    for spec, (_, _, _, modality, _) in zip(LMARENA_SPECS, LMARENA_ARENAS):
        records += read_table(source_dir, spec, report)
        df = read_file(source_dir / spec.file, pd.read_csv, DropReport())  # metadata; already counted
        if df is not None:
            tables.append((df, modality))
    union, udf = _lmarena_union(source_dir, report)
    records += union
    if udf is not None:
        tables.append((udf, "text"))
    rec = dedupe_records(records, report)    # Yi-34B-Chat is listed twice in the text arena
    models = models_frame(rec, _lmarena_meta(tables), pipeline_tag="text-generation")
    datasets = datasets_frame(rec, {"lmarena-text": {"family": "lmarena-text"},
                                    "lmarena-vision": {"family": "lmarena-vision"},
                                    "lmarena-image": {"family": "lmarena-image"}})
    return _finish("lmarena", rec, models, datasets, report)


# ----------------------------------------------------------------------------- AlpacaEval
ALPACA_BOARDS = (("data_AlpacaEval_2__", "alpacaeval-2"), ("data_AlpacaEval__", "alpacaeval-1"))
ALPACA_METRICS = (("win_rate", "win-rate"), ("length_controlled_winrate", "lc-win-rate"))
ALPACA_EXCLUDED_MODELS = frozenset({"NullModel"})   # adversarial constant output (LC 86.5)
ALPACA_EXCLUDED_MODES = frozenset({"dev"})          # uncurated developer runs
ALPACA_EVALUATORS = "evaluators__evaluators_leaderboard.csv"


def _alpaca_keep(df: pd.DataFrame) -> pd.Series:
    """Rows to keep: not NullModel, not dev mode, not the reference model's self-comparison."""
    model = df.iloc[:, 0].astype(str).str.strip()
    keep = ~model.isin(ALPACA_EXCLUDED_MODELS)
    if "mode" in df:
        keep &= ~df["mode"].astype(str).isin(ALPACA_EXCLUDED_MODES)
    if {"n_draws", "n_total"} <= set(df.columns):
        keep &= ~(pd.to_numeric(df["n_draws"], errors="coerce") == pd.to_numeric(df["n_total"], errors="coerce"))
    return keep


def alpaca_specs(source_dir: Path) -> list[TableSpec]:
    """One spec per annotator-config leaderboard file (subset = annotator config)."""
    specs = []
    for prefix, dataset in ALPACA_BOARDS:
        for path in sorted(Path(source_dir).glob(f"{prefix}*_leaderboard.csv")):
            config = path.name[len(prefix):-len("_leaderboard.csv")]
            parser = (lambda col, d=dataset, c=config: (d, c, dict(ALPACA_METRICS)[col]))
            specs.append(TableSpec(file=path.name, model_cols=("Unnamed: 0",), metric="win-rate",
                                   task="chat", dataset_cols=tuple(c for c, _ in ALPACA_METRICS),
                                   row_filter=_alpaca_keep, column_parser=parser))
    return specs


def load_alpaca_eval(source_dir: Path) -> SourceResult:
    """AlpacaEval 1.0/2.0 win rates and length-controlled win rates (%, higher is better)."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    records: list[dict] = []
    for spec in alpaca_specs(source_dir):
        records += read_table(source_dir, spec, report)
    ev = read_file(source_dir / ALPACA_EVALUATORS, pd.read_csv, report)
    if ev is not None:   # rates annotators, not models
        n = int(ev.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").notna().sum().sum())
        report.rows_read += n
        report.drop("excluded", n)
        report.notes.append(f"{ALPACA_EVALUATORS}: annotator ratings, not model scores ({n} cells)")
    rec = dedupe_records(records, report)
    models = models_frame(rec, modality="text", pipeline_tag="text-generation")
    datasets = datasets_frame(rec, {d: {"family": "alpacaeval"} for _, d in ALPACA_BOARDS})
    return _finish("alpaca_eval", rec, models, datasets, report)


# ----------------------------------------------------------------------------- EvalPlus
EVALPLUS_DATASETS = {"humaneval": ("HumanEval", "humaneval"), "humaneval+": ("HumanEval+", "humaneval"),
                     "mbpp": ("MBPP", "mbpp"), "mbpp+": ("MBPP+", "mbpp")}   # key -> (dataset, family)
EVALPLUS_SUBSET = "evalplus"        # EvalPlus's own greedy pass@1 protocol
EVALPERF_METRICS = ("dps", "dps_norm", "pass@1")              # higher is better (source docs)
EVALPERF_AGGREGATES = ("model_win_rate", "task_win_rate")     # pairwise summaries
EVALPERF_VARIANT = " (⏩)"
REPOQA_THRESHOLD = "0.8"           # upstream default similarity threshold
_HF_LINK = re.compile(r"huggingface\.co/([^/\s?#]+/[^/\s?#]+)")


def hf_id_from_link(link) -> str | None:
    """``org/name`` from a huggingface.co URL, else None."""
    m = _HF_LINK.search(str(link or ""))
    return m.group(1) if m else None


def _evalplus_results(data: dict, report: DropReport, meta: dict) -> list[dict]:
    out = []
    for name, entry in data.items():
        hf = hf_id_from_link(entry.get("link"))
        model = hf or str(name).strip()
        size = entry.get("size")
        meta.setdefault(model, {
            "params_b": float(size) if isinstance(size, (int, float)) and size > 0 else None,
            "organization": hf.split("/")[0] if hf else None, "open_weights": True if hf else None})
        for key, cell in (entry.get("pass@1") or {}).items():
            report.rows_read += 1
            v, why = parse_score(cell)
            if why:
                report.drop(why)          # null = not run
                continue
            ds, _ = EVALPLUS_DATASETS[key]
            out.append({"model": model, "dataset": ds, "subset": EVALPLUS_SUBSET, "task": "code-generation",
                        "metric": "pass@1", "score": v, "higher_is_better": None})
    return out


def _evalperf_model(key: str) -> str:
    """``org--model`` -> ``org/model``; API ids unchanged; the variant mark removed."""
    base = key.replace(EVALPERF_VARIANT, "").strip()
    return base.replace("--", "/", 1) if "--" in base else base


def _evalperf(data: dict, report: DropReport) -> list[dict]:
    out = []
    # plain runs first so that a variant run of the same model is the duplicate
    for key in sorted(data, key=lambda k: EVALPERF_VARIANT in k):
        entry = data[key]
        if key == "heatmap_data":           # pairwise matrix, not a model
            report.rows_read += 1
            report.drop("excluded")
            continue
        for metric, cell in entry.items():
            report.rows_read += 1
            if metric in EVALPERF_AGGREGATES or metric not in EVALPERF_METRICS:
                report.drop("aggregate_column")
                continue
            v, why = parse_score(cell)
            if why:
                report.drop(why)
                continue
            out.append({"model": _evalperf_model(key), "dataset": "EvalPerf", "subset": "",
                        "task": "code-generation", "metric": metric, "score": v, "higher_is_better": True})
    return out


def _repoqa(data: dict, report: DropReport) -> list[dict]:
    out = []
    for model, entry in data.items():
        for lang, by_threshold in (entry.get("scores") or {}).items():
            for threshold, cell in by_threshold.items():
                report.rows_read += 1
                if lang == "all":
                    report.drop("aggregate_column")
                    continue
                if threshold != REPOQA_THRESHOLD:
                    report.drop("excluded")
                    continue
                v, why = parse_score((cell or {}).get("pass@1"))
                if why:
                    report.drop(why)
                    continue
                out.append({"model": str(model).strip(), "dataset": "RepoQA", "subset": lang,
                            "task": "code-generation", "metric": "pass@1", "score": v, "higher_is_better": None})
    return out


def _read_json(path: Path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_evalplus(source_dir: Path) -> SourceResult:
    """EvalPlus pass@1 (%), EvalPerf DPS (%) and RepoQA pass@1 (0-1); all higher is better."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    meta: dict[str, dict] = {}
    records: list[dict] = []
    for fname, reader in (("results.json", lambda d: _evalplus_results(d, report, meta)),
                          ("evalperf_COMBINED-RESULTS.json", lambda d: _evalperf(d, report)),
                          ("repoqa_COMBINED-RESULTS.json", lambda d: _repoqa(d, report))):
        data = read_file(source_dir / fname, _read_json, report)
        if data is not None:
            records += reader(data)
    rec = dedupe_records(records, report)
    for m in pd.unique(rec["model"]):
        if "/" in m and m not in meta:
            meta[m] = {"organization": m.split("/")[0]}
    models = models_frame(rec, meta, modality="text", pipeline_tag="text-generation")
    dmeta = {ds: {"family": fam} for ds, fam in EVALPLUS_DATASETS.values()}
    dmeta.update({"EvalPerf": {"family": "evalperf"}, "RepoQA": {"family": "repoqa"}})
    return _finish("evalplus", rec, models, datasets_frame(rec, dmeta), report)


# ----------------------------------------------------------------------------- Aider
AIDER_BOARDS = {  # board -> (dataset, full test-case count, headline score field)
    "polyglot": ("Aider Polyglot", 225, "pass_rate_2"),
    "edit": ("Aider Code Editing", 133, "pass_rate_2"),
    "refactor": ("Aider Refactoring", 89, "pass_rate_1"),   # one attempt only
}
AIDER_FILES = (  # in priority order: a run (dirname) listed twice keeps its first file
    ("polyglot_leaderboard.yml", "polyglot"), ("edit_leaderboard.yml", "edit"),
    ("refactor_leaderboard.yml", "refactor"), ("o1_polyglot_leaderboard.yml", "polyglot"),
    ("qwen3_leaderboard.yml", "polyglot"), ("quant.yml", "edit"),
)
# quant.yml benchmarks one model through providers/quantisations; its "model" field is the label
AIDER_QUANT_BASE = "Qwen/Qwen2.5-Coder-32B-Instruct"


def _read_yaml(path: Path):
    # the C loader is ~10x faster where libyaml is available; same result
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _aider_runs(source_dir: Path, report: DropReport) -> pd.DataFrame:
    rows = []
    full_to_board = {full: b for b, (_, full, _) in AIDER_BOARDS.items()}
    for fname, board in AIDER_FILES:
        runs = read_file(source_dir / fname, _read_yaml, report)
        for run in runs or []:
            tc = run.get("test_cases")
            # a run whose test count is another board's full size belongs to that board
            # (edit_leaderboard.yml holds one 225-case polyglot run)
            b = full_to_board.get(tc, board) if tc != AIDER_BOARDS[board][1] else board
            model = str(run.get("model", "")).strip()
            base = None
            if fname == "quant.yml":
                model, base = f"{AIDER_QUANT_BASE} ({model})", AIDER_QUANT_BASE
            released = run.get("released") or run.get("_released")
            rows.append({"file": fname, "dirname": run.get("dirname"), "model": model, "board": b,
                         "test_cases": tc, "score": run.get(AIDER_BOARDS[b][2]), "base_model": base,
                         "released": str(released) if released else None, "date": str(run.get("date") or "")})
    return pd.DataFrame(rows)


def load_aider(source_dir: Path) -> SourceResult:
    """Aider code-editing boards: % of exercises solved (pass_rate_2; higher is better)."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    runs = _aider_runs(source_dir, report)
    if runs.empty:
        return _finish("aider", dedupe_records([], report), [], [], report)
    report.rows_read += len(runs)
    same_run = runs.duplicated("dirname", keep="first")          # one run listed in two files
    report.drop("duplicate", int(same_run.sum()))
    runs = runs[~same_run]
    full = runs["board"].map(lambda b: AIDER_BOARDS[b][1])
    incomplete = pd.to_numeric(runs["test_cases"], errors="coerce").fillna(0) < full
    report.drop("excluded", int(incomplete.sum()))
    runs = runs[~incomplete].copy()
    parsed = runs["score"].map(parse_score)
    runs["score"] = parsed.map(lambda p: p[0])
    for why in parsed.map(lambda p: p[1]).dropna():
        report.drop(why)
    runs = runs[runs["score"].notna()]
    # best run per (model, board); other edit formats / settings of the same name: duplicates
    runs = runs.sort_values("score", ascending=False, kind="stable")
    records = pd.DataFrame({
        "model": runs["model"], "dataset": runs["board"].map(lambda b: AIDER_BOARDS[b][0]), "subset": "",
        "task": "code-editing", "metric": "pass-rate", "score": runs["score"].astype(float),
        "higher_is_better": None})
    rec = dedupe_records(records, report)
    first_seen = runs.assign(seen=runs["released"].fillna(runs["date"])).groupby("model")["seen"].min()
    meta = {m: {"release_date": d or None} for m, d in first_seen.items()}
    for m, base in runs.dropna(subset=["base_model"])[["model", "base_model"]].itertuples(index=False):
        meta.setdefault(m, {})["base_model"] = base
    models = models_frame(rec, meta, modality="text", pipeline_tag="text-generation")
    datasets = datasets_frame(rec, {ds: {"family": slug(ds)} for ds, _, _ in AIDER_BOARDS.values()})
    return _finish("aider", rec, models, datasets, report)
