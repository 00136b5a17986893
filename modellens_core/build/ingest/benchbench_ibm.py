"""Adapter for IBM BenchBench (``benchbench_ibm``): many small LLM leaderboards, newest snapshot
of each, with raw model names.

Wide files (``model``/``llm_model`` + scenario columns) and long files (``model, score,
scenario, source, aggragated_from, tag``) become one long frame. Every board's scenario becomes a
dataset, with a protocol tag in ``subset`` (e.g. HELM classic's "MMLU" -> dataset "MMLU", subset
"helm-classic"), so that scores from one board's protocol never share a group with another's;
shared benchmarks get the names used across sources (:data:`BENCHMARK_NAMES`). Traps: board =
file name without prefix, snapshot (``YYMMDD``) and tag, and aliases join files that are columns
of one board (``opencompass_math`` is a column of ``opencompass``; ``agenbench`` is
``agentbench``); boards that repeat another source (``hf_open_llm_v1/v2``, ``repoqa``,
``alphacaeval_v2lc``), byte-identical files (``olmes_260624_frozen``) and every snapshot but the
newest of a board are "duplicate" (so biggen/agentbench keep only their newest, single-column
snapshot); a board's summary columns (mean win rate, averages, the board's own total) are
aggregates, but a board with a single column keeps it as its headline dataset (e.g. TableBench
overall); direction comes from ``assets__lower_is_better_benchmarks.txt`` matched on the board
name (IBM's loader matched it on file names and never applied it), except llm_trustworthy: its
DecodingTrust columns are trustworthiness scores (Non-toxicity, Privacy, Fairness; GPT-4o 83,
RedPajama 57), higher is better, so the list entry is overridden (see
``IBM_DIRECTION_OVERRIDES``).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, make_result, read_file, require_dir
from .board_helpers import base_family, datasets_frame, dedupe_records, models_frame, scenario_task, slug
from .table_spec import is_aggregate_column, parse_score

# scenario spellings (lowercased, board prefix removed) -> benchmark names used across sources
BENCHMARK_NAMES = {
    "mmlu": "MMLU", "boolq": "BoolQ", "narrativeqa": "NarrativeQA", "quac": "QuAC",
    "naturalquestions(closed)": "NaturalQuestions (closed-book)",
    "naturalquestions(open)": "NaturalQuestions (open-book)",
    "hellaswag": "HellaSwag", "openbookqa": "OpenBookQA", "truthfulqa": "TruthfulQA",
    "ms marco(regular)": "MS MARCO (regular)", "ms marco(trec)": "MS MARCO (TREC)",
    "cnn/dailymail": "CNN/DailyMail", "xsum": "XSUM", "imdb": "IMDB", "civilcomments": "CivilComments",
    "raft": "RAFT", "math-equivalent(cot)": "MATH", "math": "MATH", "gsm8k": "GSM8K",
    "legalbench": "LegalBench", "medqa": "MedQA", "wmt2014": "WMT 2014", "arc_c": "ARC-Challenge",
    "arc_e": "ARC-Easy", "csqa": "CommonsenseQA", "siqa": "SocialIQA", "piqa": "PIQA",
    "winogrande": "WinoGrande", "agieval": "AGIEval", "bbh": "BBH", "humaneval": "HumanEval",
    "mbpp": "MBPP", "gqpa-dimand": "GPQA-Diamond", "mmlu-pro": "MMLU-Pro", "cmmlu": "CMMLU",
    "ifeval": "IFEval", "eq_benchv2": "EQ-Bench", "mt_bench": "MT-Bench", "alpacav2": "alpacaeval-2",
    "alpacaeval2_lc": "alpacaeval-2", "alpacav1": "alpacaeval-1", "arena_elo": "lmarena-text",
    "magi": "MAGI-Hard", "llmonitor": "LLMonitor",
}
# scenario -> metric where a compilation board (BLZ) mixes metrics
SCENARIO_METRICS = {"arena_elo": "elo", "alpacav2": "win-rate", "alpacav1": "win-rate",
                    "alpacaeval2_lc": "lc-win-rate", "OC_arena": "elo", "arena_elo_mixed": "elo"}


@dataclass(frozen=True)
class Board:
    """How one IBM board maps to records."""

    task: str = "text-generation"
    metric: str = "score"
    dataset: str = ""            # single-column board: its headline dataset
    prefix: str = ""             # board-specific scenarios: dataset = prefix + scenario
    family: str = ""             # family of board-specific scenarios ("" = slug of dataset)
    strip: str = ""              # regex removed from scenario names ("HELM_")
    aggregates: tuple[str, ...] = ()   # summary columns besides is_aggregate_column matches
    subset: str = ""             # protocol tag; default: slug of the board name


IBM_BOARDS: dict[str, Board] = {
    "agentbench": Board(task="agent", dataset="AgentBench"),
    "arena_hard": Board(task="chat", metric="win-rate", dataset="Arena-Hard"),
    "bfcl": Board(task="tool-use", metric="accuracy", dataset="BFCL"),
    "biggen": Board(task="chat", dataset="BiGGen-Bench"),
    "chatbot_arena": Board(task="chat", metric="elo", dataset="lmarena-text"),
    "dec_arena": Board(task="chat", dataset="Decentralized Arena"),
    "enkrypt_ai_safety": Board(task="safety", dataset="Enkrypt AI Safety"),
    "eqbench": Board(task="reasoning", dataset="EQ-Bench"),
    "helm_airbench": Board(task="safety", prefix="AIR-Bench ", family="air-bench", strip=r"^HELM_AIRBENCH_",
                           aggregates=("HELM_AIRBENCH_AIR_Score",)),
    "helm_classic": Board(task="question-answering", strip=r"^HELM_", aggregates=("helm_classic",)),
    "helm_lite": Board(task="question-answering", strip=r"^HELM_Lite_", aggregates=("helm_lite",)),
    "helm_mmlu": Board(task="multiple-choice-qa", metric="accuracy", dataset="MMLU"),
    "holmes": Board(task="text-classification", dataset="Holmes"),
    "hydrox_safety": Board(task="safety", prefix="HydroX ", family="hydrox", strip=r"^hydrox_",
                           aggregates=("hydrox_overall_score",)),
    "livebench": Board(task="reasoning", prefix="LiveBench ", family="livebench", strip=r"^LB_",
                       aggregates=("livebench_240725",)),
    "livecodebench": Board(task="code-generation", metric="pass@1", dataset="LiveCodeBench"),
    "llm_trustworthy": Board(task="safety", prefix="DecodingTrust ", family="decodingtrust",
                             strip=r"^trustworthy_", aggregates=("trustworthy",)),
    "lvbench": Board(task="long-context", prefix="LV-Eval ", family="lv-eval"),
    "mixeval": Board(task="question-answering", prefix="MixEval ", family="mixeval", strip=r"^MixEval_",
                     aggregates=("MixEval", "MixEval-Hard")),
    "mmlu_pro": Board(task="multiple-choice-qa", metric="accuracy", dataset="MMLU-Pro"),
    "mtbench": Board(task="chat", dataset="MT-Bench"),
    "opencompass": Board(task="reasoning", prefix="OpenCompass ", family="opencompass", strip=r"^OC_",
                         aggregates=("opencompass",)),
    "opencompass_academic": Board(task="reasoning", strip=r"^OC_", aggregates=("opencompass_academic",)),
    "opencompass_arena": Board(task="chat", metric="elo", dataset="CompassArena"),
    "ruler_bench": Board(task="long-context", dataset="RULER"),
    "tablebench": Board(task="question-answering", dataset="TableBench"),
    "toolbench": Board(task="tool-use", dataset="ToolBench"),
    "wildbench": Board(task="chat", prefix="WildBench ", family="wildbench", strip=r"^WB-",
                       aggregates=("WB-Score", "WB-Elo_LC")),
    "BLZ": Board(task="reasoning", aggregates=("hugging_6", "gpt4all")),
    "olmes": Board(task="multiple-choice-qa"),
}
IBM_ALIASES = {"agenbench": "agentbench", **{f"opencompass_{c}": "opencompass" for c in
               ("agent", "code", "instruct", "knowledge", "language", "math", "reasoning")}}
IBM_REPEATS = {"hf_open_llm_v1": "open_llm_leaderboard", "hf_open_llm_v2": "open_llm_leaderboard",
               "repoqa": "evalplus", "alphacaeval_v2lc": "alpaca_eval"}   # board -> source repeated
IBM_LOWER_FILE = "assets__lower_is_better_benchmarks.txt"
IBM_DIRECTION_OVERRIDES = {"llm_trustworthy": True}   # see module docstring
_IBM_FILE = re.compile(r"^benchmarks(?:_old)?__(?P<board>.+?)_(?P<snap>\d{4,6})(?:_.*)?$")


def ibm_board(stem: str) -> tuple[str, str]:
    """``benchmarks_old__helm_classic_240130`` -> ("helm_classic", "240130"); YYMM -> YYMM00."""
    m = _IBM_FILE.match(stem)
    if not m:
        return stem.split("__", 1)[-1], ""
    board, snap = m.group("board"), m.group("snap")
    return IBM_ALIASES.get(board, board), snap.ljust(6, "0")


def _ibm_long(df: pd.DataFrame) -> pd.DataFrame:
    """Any IBM file -> long frame (model, scenario, cell)."""
    if {"model", "score", "scenario"} <= set(df.columns):
        return pd.DataFrame({"model": df["model"], "scenario": df["scenario"], "cell": df["score"]})
    mcol = "model" if "model" in df.columns else "llm_model"
    long = df.melt(id_vars=[mcol], var_name="scenario", value_name="cell").rename(columns={mcol: "model"})
    return long


def _ibm_frames(source_dir: Path, report: DropReport) -> pd.DataFrame:
    """All files as one long frame with board/snapshot; duplicates by file counted here."""
    frames, seen_hash = [], {}
    for path in sorted(source_dir.glob("benchmarks*.csv")):
        df = read_file(path, pd.read_csv, report)
        if df is None:
            continue
        long = _ibm_long(df)
        board, snap = ibm_board(path.stem)
        digest = hashlib.sha1(path.read_bytes()).hexdigest()
        n = len(long)
        if digest in seen_hash or board in IBM_REPEATS:
            why = (f"identical to {seen_hash[digest]}" if digest in seen_hash
                   else f"repeats source {IBM_REPEATS[board]}")
            report.rows_read += n
            report.drop("duplicate", n)
            report.notes.append(f"{path.name}: {why} ({n} cells)")
            continue
        seen_hash[digest] = path.name
        frames.append(long.assign(board=board, snap=snap, file=path.name, old=path.name.startswith("benchmarks_old__")))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _ibm_lower(source_dir: Path, report: DropReport) -> set[str]:
    """Boards listed as lower-is-better, matched on the board part of each entry."""
    text = read_file(source_dir / IBM_LOWER_FILE, lambda p: p.read_text(encoding="utf-8"), report) or ""
    boards = {ibm_board(f"benchmarks__{line.strip()}")[0] for line in text.splitlines() if line.strip()}
    return {b for b in boards if not IBM_DIRECTION_OVERRIDES.get(b, False)}


def _ibm_map_scenario(board: str, spec: Board, scenario: str, n_scen: int):
    """(dataset, subset, task, metric, family) or None for an aggregate column."""
    if scenario in spec.aggregates or (n_scen > 1 and is_aggregate_column(scenario)):
        return None
    if spec.dataset and n_scen == 1:
        name = spec.dataset
    else:
        raw = re.sub(spec.strip, "", scenario) if spec.strip else scenario
        # board-specific categories keep their own words; shared benchmarks get common names
        name = spec.prefix + raw.replace("_", " ") if spec.prefix else BENCHMARK_NAMES.get(raw.lower(), raw)
    subset = spec.subset or slug(board)
    task = spec.task if spec.dataset else scenario_task(name, spec.task)
    metric = SCENARIO_METRICS.get(scenario, spec.metric)
    return name, subset, task, metric, spec.family or base_family(name)


def load_ibm(source_dir: Path) -> SourceResult:
    """IBM BenchBench boards (newest snapshot each); raw model names."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    lower = _ibm_lower(source_dir, report)
    long = _ibm_frames(source_dir, report)
    if long.empty:
        return make_result("benchbench_ibm", [], [], [], report)
    report.rows_read += len(long)
    newest = long.groupby("board")["snap"].transform("max")
    older = long["snap"] < newest
    report.drop("duplicate", int(older.sum()))
    for board, snaps in long[older].groupby("board")["snap"].unique().items():
        report.notes.append(f"{board}: older snapshot(s) {sorted(snaps)} counted duplicate")
    long = long[~older]
    unknown = ~long["board"].isin(IBM_BOARDS)
    if unknown.any():
        report.drop("excluded", int(unknown.sum()))
        report.notes.append(f"unmapped boards excluded: {sorted(long.loc[unknown, 'board'].unique())}")
        long = long[~unknown]
    # scenario mapping, once per (board, scenario)
    n_scen = long.groupby("board")["scenario"].nunique()
    keys = long[["board", "scenario"]].drop_duplicates()
    mapping = {(b, s): _ibm_map_scenario(b, IBM_BOARDS[b], str(s), int(n_scen[b]))
               for b, s in keys.itertuples(index=False)}
    mapped = pd.Series([mapping[(b, s)] for b, s in zip(long["board"], long["scenario"])], index=long.index)
    agg = mapped.isna()
    report.drop("aggregate_column", int(agg.sum()))
    long, mapped = long[~agg], mapped[~agg]
    parsed = long["cell"].map(parse_score)
    bad = parsed.map(lambda p: p[1])
    for why, n in bad.value_counts().items():
        report.drop(why, int(n))
    ok = bad.isna()
    long, mapped, parsed = long[ok], mapped[ok], parsed[ok]
    fields = pd.DataFrame(mapped.tolist(), index=long.index,
                          columns=["dataset", "subset", "task", "metric", "family"])
    hib = pd.Series(None, index=long.index, dtype="object")
    hib[long["board"].isin(lower)] = False
    hib[fields["metric"] == "elo"] = True
    hib[long["board"].map(IBM_DIRECTION_OVERRIDES).notna()] = True
    hib = hib.where(hib.notna(), None)
    rec = pd.DataFrame({"model": long["model"].astype(str).str.strip(), **{c: fields[c] for c in
                        ("dataset", "subset", "task", "metric")},
                        "score": parsed.map(lambda p: p[0]).astype(float), "higher_is_better": hib})
    # within a snapshot the wide old__ file and the single-column benchmarks__ files repeat cells
    rec = dedupe_records(rec, report)
    families = dict(zip(fields["dataset"], fields["family"]))
    datasets = datasets_frame(rec, {d: {"family": f} for d, f in families.items()})
    orgs = {m: {"organization": m.split("/")[0]} for m in pd.unique(rec["model"]) if "/" in m}
    models = models_frame(rec, orgs, modality="text", pipeline_tag="text-generation")
    return make_result("benchbench_ibm", rec, models, datasets, report)
