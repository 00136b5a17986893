"""Adapter for the socialfoundations benchbench package (``benchbench_socialfoundations``):
tab-separated leaderboard tables (BBH, BigCode, HELM, HEIM, MMLU, GLUE/SuperGLUE, VTAB).

Tables are read by :class:`~.table_spec.TableSpec`; every table's scenario becomes a dataset
with a protocol tag in ``subset`` (``helm-classic``, ``heim``, ``benchbench-bbh``, ...).
Scores are as published (%, 0-1, seconds, Elo). Traps: directions for HEIM come from the header
arrows (↑ higher, ↓ lower), HELM classic metric families carry theirs per file (ECE, bias, toxic
fraction, inference time: lower is better) and HELM's descriptive summary statistics are
"excluded"; the per-class ImageNet columns are "excluded", tables that repeat other sources are
"duplicate", MTEB averages are "aggregate_column"; the VTAB header names one field fewer than its
rows hold; MMLU runs are ``details_<org>__<model>`` with a run timestamp, the newest run kept.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pandas as pd

from .base import DropReport, SourceResult, make_result, read_file, require_dir
from .board_helpers import datasets_frame, dedupe_records, models_frame, scenario_task, slug
from .table_spec import TableSpec, parse_score, read_table

TSV = (("sep", "\t"),)
SF_SOURCE = "benchbench_socialfoundations"


def _split_header(col: str) -> tuple[str, str, bool | None]:
    """``MS-COCO (fairness - gender) - Expected CLIP score ↑ [ sort ]`` ->
    ("MS-COCO (fairness - gender)", "Expected CLIP score", True): split at the first " - "
    outside parentheses; the arrow gives the direction (↑ higher, ↓ lower, none: None)."""
    s = str(col).replace("[ sort ]", "").strip()
    direction = True if s.endswith("↑") else False if s.endswith("↓") else None
    s = s.rstrip("↑↓ ").strip()
    depth = 0
    for i, ch in enumerate(s):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and s.startswith(" - ", i):
            return s[:i].strip(), s[i + 3:].strip(), direction
    return s, "", direction


# HELM classic metric-family files: direction (False = lower is better), as HELM defines them
HELM_FILE_DIRECTION = {"accuracy": True, "robustness": True, "fairness": True, "summarization": True,
                       "calibration": False, "bias": False, "toxicity": False, "efficiency": False}
HELM_DESCRIPTIVE_METRICS = ("Coverage", "Density", "Compression")   # summary statistics, no direction
GLUE_TASKS = {"CoLA": "text-classification", "SST-2": "text-classification", "MRPC": "text-classification",
              "STS-B": "sts", "QQP": "text-classification", "WiC": "text-classification",
              "BoolQ": "question-answering", "MultiRC": "reading-comprehension", "ReCoRD": "reading-comprehension",
              "COPA": "multiple-choice-qa", "WSC": "reasoning"}   # others: natural-language-inference
GLUE_FAMILIES = {"MNLI-m": "mnli", "MNLI-mm": "mnli"}
BIGCODE_DATASETS = {"humaneval-python": "humaneval-python", "java": "humaneval-java",
                    "javascript": "humaneval-javascript"}
MMLU_SUBSET = "benchbench-harness-5shot"
_MMLU_COL = re.compile(r"hendrycksTest-(?P<subject>[a-z_]+)\|")


def _helm_parser(direction: bool | None, subset: str, directions: dict) -> Callable:
    def parse(col):
        scenario, metric, arrow = _split_header(col)
        d = arrow if arrow is not None else direction
        if metric in HELM_DESCRIPTIVE_METRICS:
            return None
        directions[(scenario, metric)] = d
        return scenario, subset, metric or "score"
    return parse


def _mmlu_parser(col: str):
    m = _MMLU_COL.search(col)
    return (f"mmlu-{m.group('subject').replace('_', '-')}", MMLU_SUBSET, "accuracy") if m else (col, "", "accuracy")


def _sf_specs(source_dir: Path, directions: dict) -> list[TableSpec]:
    """Declarative list of the socialfoundations score tables."""
    specs = [
        TableSpec("bbh__leaderboard.tsv", ("Model",), "accuracy", task="reasoning", read_kw=TSV,
                  ignore_cols=("Rank", "Company", "Release", "Parameters"),
                  column_parser=lambda c: (f"bbh-{slug(c)}", "benchbench-bbh", "accuracy")),
        TableSpec("bigcode__leaderboard.tsv", ("Models",), "pass@1", task="code-generation", read_kw=TSV,
                  ignore_cols=("T", "Throughput"),
                  column_parser=lambda c: (BIGCODE_DATASETS.get(c, c), "benchbench-bigcode", "pass@1")),
        TableSpec("helm_lite__leaderboard.tsv", ("Model",), "score", read_kw=TSV,
                  column_parser=_helm_parser(True, "helm-lite", directions)),
        TableSpec("helm_capability__leaderboard.tsv", ("Model",), "score", read_kw=TSV,
                  column_parser=_helm_parser(True, "helm-capabilities", directions)),
        TableSpec("mmlu__leaderboard.tsv", ("model_name", "split_name"), "accuracy", model_join="@@",
                  task="multiple-choice-qa", read_kw=TSV, column_parser=_mmlu_parser),
    ]
    for bench in ("glue", "superglue"):
        specs.append(TableSpec(f"{bench}__leaderboard.tsv", ("Model",), "score", read_kw=TSV,
                               ignore_cols=("Rank", "Name", "URL"),
                               column_parser=lambda c, b=bench: (c, f"{b}-leaderboard", "score")))
    for path in sorted(source_dir.glob("helm__*.tsv")):
        fam = path.stem.split("__", 1)[1]
        specs.append(TableSpec(path.name, (_first_column(path),), "score", read_kw=TSV,
                               column_parser=_helm_parser(HELM_FILE_DIRECTION.get(fam), "helm-classic", directions)))
    for path in sorted(source_dir.glob("heim__*.tsv")):
        specs.append(TableSpec(path.name, ("Model/adapter",), "score", task="text-to-image", read_kw=TSV,
                               column_parser=_helm_parser(None, "heim", directions)))
    vtab = _vtab_spec(source_dir)
    return specs + ([vtab] if vtab else [])


def _first_column(path: Path) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.readline().split("\t")[0].strip()


def _vtab_spec(source_dir: Path) -> TableSpec | None:
    """VTAB: the header names 20 fields, rows have 21 (field 1 is the model): name it."""
    path = source_dir / "vtab__leaderboard.tsv"
    if not path.exists():
        return None
    header = [h.strip() for h in path.read_text(encoding="utf-8").splitlines()[0].split("\t")]
    return TableSpec(path.name, ("model",), "accuracy", task="image-classification",
                     read_kw=TSV + (("header", 0), ("names", ["model", *header])),
                     column_parser=lambda c: (c, "benchbench-vtab", "accuracy"))


# whole tables / columns counted but not ingested: file -> column predicate -> reason
def _sf_policy_drops(source_dir: Path, report: DropReport) -> None:
    rules = (
        ("openllm__leaderboard.tsv", lambda c: c not in ("T", "Model"), "duplicate"),   # Open LLM v1
        ("mteb__leaderboard.tsv", lambda c: "Average" in c, "aggregate_column"),       # use mteb/
        ("imagenet__leaderboard.tsv", lambda c: re.fullmatch(r"acc_\d+", c) is not None, "excluded"),
        ("imagenet__leaderboard.tsv", lambda c: c in ("Acc@1", "Acc@5", "acc"), "duplicate"),  # torchvision
        ("imagenet__leaderboard_raw.tsv", lambda c: c in ("Acc@1", "Acc@5"), "duplicate"),     # torchvision
        ("bigcode__leaderboard.tsv", lambda c: c == "Throughput", "excluded"),          # speed
        ("helm__summarization.tsv", lambda c: _split_header(c)[1] in HELM_DESCRIPTIVE_METRICS, "excluded"),
    )
    cache: dict[str, pd.DataFrame | None] = {}
    for fname, pred, reason in rules:
        if fname not in cache:
            cache[fname] = read_file(source_dir / fname, pd.read_csv, report, sep="\t")
        df = cache[fname]
        if df is None:
            continue
        cols = [c for c in df.columns if pred(str(c))]
        n = int(df[cols].notna().sum().sum())
        report.rows_read += n
        report.drop(reason, n)


def _sf_meta(source_dir: Path) -> dict[str, dict]:
    """BBH: company, release date, parameters; HELM/HEIM: size from the display name."""
    meta: dict[str, dict] = {}
    bbh = read_file(source_dir / "bbh__leaderboard.tsv", pd.read_csv, DropReport(), sep="\t")
    if bbh is not None:
        for row in bbh.to_dict("records"):
            size, _ = parse_score(str(row.get("Parameters") or "").rstrip("Bb")) \
                if str(row.get("Parameters") or "").upper().endswith("B") else (None, None)
            rel = pd.to_datetime(str(row.get("Release")), format="%Y/%m/%d", errors="coerce")
            meta[str(row["Model"]).strip()] = {
                "organization": row.get("Company"), "params_b": size if size and size > 0 else None,
                "release_date": None if pd.isna(rel) else rel.strftime("%Y-%m-%d")}
    return meta


def load_socialfoundations(source_dir: Path) -> SourceResult:
    """benchbench (socialfoundations) tables; HEIM/HELM directions from the source."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    directions: dict = {}
    frames = []
    for spec in _sf_specs(source_dir, directions):
        rec = pd.DataFrame(read_table(source_dir, spec, report))
        if rec.empty:
            continue
        if spec.column_parser is not None and spec.file.startswith(("helm", "heim")):
            rec["higher_is_better"] = [directions.get((d, m)) for d, m in zip(rec["dataset"], rec["metric"])]
            rec["task"] = rec["task"].where(rec["task"] != "", rec["dataset"].map(
                lambda d: scenario_task(d, "question-answering")))
        if spec.file.startswith(("glue", "superglue")):
            rec["task"] = rec["dataset"].map(lambda d: GLUE_TASKS.get(d, "natural-language-inference"))
        if spec.file.startswith("mmlu"):
            rec = _mmlu_newest(rec)
        frames.append(rec)
    _sf_policy_drops(source_dir, report)
    rec = dedupe_records(pd.concat(frames, ignore_index=True) if frames else [], report)
    meta = _sf_meta(source_dir)
    modality = {m: "multimodal" for m in rec.loc[rec["task"] == "text-to-image", "model"]}
    modality.update({m: "vision" for m in rec.loc[rec["task"] == "image-classification", "model"]})
    for m in pd.unique(rec["model"]):
        entry = meta.setdefault(m, {})
        entry.setdefault("params_b", params_from_display(m))
        entry["modality"] = modality.get(m, "text")
        if "/" in m:
            entry.setdefault("organization", m.split("/")[0])
    models = models_frame(rec, meta)
    dmeta = {d: {"family": "bbh"} for d in rec["dataset"] if d.startswith("bbh-")}
    dmeta.update({d: {"family": "mmlu"} for d in rec["dataset"] if d.startswith("mmlu-")})
    dmeta.update({d: {"family": "humaneval"} for d in BIGCODE_DATASETS.values()})
    dmeta.update({d: {"family": f} for d, f in GLUE_FAMILIES.items()})
    return make_result(SF_SOURCE, rec, models, datasets_frame(rec, dmeta), report)


def _mmlu_newest(rec: pd.DataFrame) -> pd.DataFrame:
    """``details_<org>__<model>@@<run timestamp>`` -> ``org/model``, newest run first (older runs
    then fall out as duplicates in :func:`dedupe_records`)."""
    parts = rec["model"].str.split("@@", n=1, expand=True)
    name = parts[0].str.replace(r"^details_", "", regex=True).str.replace("__", "/", n=1, regex=False)
    out = rec.assign(model=name, _run=parts[1]).sort_values("_run", ascending=False, kind="stable")
    return out.drop(columns="_run")


_SIZE = re.compile(r"\((\d+(?:\.\d+)?)\s*([BM])\)")


def params_from_display(name: str) -> float | None:
    """Billions of parameters from a HELM/HEIM display name: ``Llama 2 (70B)`` -> 70.0."""
    m = _SIZE.search(str(name))
    if not m:
        return None
    v = float(m.group(1)) / (1000.0 if m.group(2) == "M" else 1.0)
    return v if v > 0 else None
