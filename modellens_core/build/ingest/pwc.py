"""PapersWithCode evaluation tables (source ``pwc_sota_extractor``).

Schema: ``[Task {task, description, subtasks[Task], datasets[Dataset]}]``, ``Dataset {dataset |
subdataset, description, subdatasets[Dataset], sota {rows[{model_name, paper_title, paper_url,
paper_date, metrics {name: value}}]}}``; both ``subtasks`` and ``subdatasets`` are walked.

* ``nlp-progress.json`` is read and the older scrape ``nlpprogress.json`` skipped (its values
  counted as ``duplicate``).
* Model = the row's ``model_name`` as written (free text). Dataset = the node's name, a
  sub-dataset ``"<parent> - <child>"``; family = the top dataset node.
* Values are strings: ``"0.7482 ± 0.0015"`` -> 0.7482, ``"76.5%"`` -> 76.5, ``"63.7*"`` -> 63.7
  (footnote marks removed), ``'-'``/``"Please tell us"`` -> non_numeric.
* ``Number of params``/``Parameters`` are model sizes, not scores (``excluded``; they fill
  ``params_b``). Training-set accuracy is ``excluded``. Game-playing agents (Atari, chess) are
  ``excluded``: they are not pretrained models evaluated on datasets.
* ``Test perplexity``/``Validation Accuracy``/``CHALLENGE-EM``...: the split goes to ``subset``.
  Columns that are test sets of one benchmark (MultiNLI Matched/Mismatched, RACE-h, WSD
  Senseval 2, ...) become subsets of the benchmark's metric (:data:`SPLIT_COLUMNS`).
* Directions come from ``metric_names`` (perplexity, BPC, error are lower-is-better).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from ...common.tasks import task_domain
from .base import DropReport, SourceFileError, make_result, read_file
from .model_index import parse_param_count
from .table_spec import is_aggregate_column, parse_score

SOURCE = "pwc_sota_extractor"
SKIP_FILES = {"nlpprogress.json": "older NLP-progress scrape; nlp-progress.json supersedes it"}
PARAM_METRICS = {"number of params", "parameters"}
EXCLUDED_TASKS = {"simple video games", "abstract games with hints", "abstract strategy games",
                  "arcade game transfer learning", "video games", "image generation"}
# PwC task name (lowercase) -> canonical task; the deepest matching name on the task path wins
TASKS = {
    "question answering": "question-answering", "open-domain question answering": "question-answering",
    "scientific question answering": "question-answering",
    "reading comprehension": "reading-comprehension", "chinese reading comprehension": "reading-comprehension",
    "common sense": "reasoning", "common sense reasoning": "reasoning",
    "summarization": "summarization", "sentence compression": "summarization",
    "machine translation": "translation", "natural language inference": "natural-language-inference",
    "text classification": "text-classification", "sentiment analysis": "text-classification",
    "subjectivity analysis": "text-classification", "stance detection": "text-classification",
    "dialogue act classification": "text-classification", "multimodal sentiment analysis": "text-classification",
    "multimodal emotion recognition": "text-classification",
    "named entity recognition": "token-classification", "part-of-speech tagging": "token-classification",
    "chunking": "token-classification", "shallow syntax": "token-classification",
    "supertagging": "token-classification", "semantic role labeling": "token-classification",
    "word sense disambiguation": "token-classification", "dependency parsing": "token-classification",
    "language modelling": "language-modeling", "word level models": "language-modeling",
    "character level models": "language-modeling",
    "semantic textual similarity": "sts", "paraphrase identification": "pair-classification",
    "retrieval-based chatbots": "retrieval", "hypernym discovery": "retrieval",
    "generative-based chatbots": "chat", "casual conversation turing test": "chat",
    "image classification": "image-classification", "classification": "image-classification",
    "multi-label classification": "image-classification", "instance segmentation": "instance-segmentation",
    "visual question answering": "visual-question-answering",
    "speech recognition": "automatic-speech-recognition", "asr": "automatic-speech-recognition",
    "music autotagging": "audio-classification",
    "node property prediction": "graph-property-prediction", "link property prediction": "graph-property-prediction",
    "graph property prediction": "graph-property-prediction",
    "automated software engineering": "code-generation",
}
FILE_DEFAULT_TASK = {"ogb.json": "graph-property-prediction", "chexpert.json": "image-classification"}
DEFAULT_TASK = "text-generation"  # NLP tables without a closer task
FILE_LANGUAGES = {"cmrc.json": "zh"}
# dataset -> metric of the columns that are its test sets / sections (column -> subset)
SPLIT_COLUMNS = {
    "MultiNLI": "accuracy", "RACE": "accuracy", "Multi-Domain Sentiment Dataset": "accuracy",
    "Lexical Sample results": "f1", "Supervised": "f1", "Knowledge-based": "f1",
    "CoQA (Conversational Question Answering Challenge)": "f1",
    "Second dialogue state tracking challenge": "accuracy", "Wizard-of-Oz": "accuracy", "MultiWOZ": "accuracy",
    "SWAG": "accuracy", "Event2Mind": "cross-entropy-loss",
}
# headline metrics whose name looks like an aggregate but averages labels, not datasets
HEADLINE = {"average auc on 14 label": "auc", "avg f1": "f1", "overall f1": "f1",
            "overall score": "accuracy", "average precision": "ap", "avg accuracy": "accuracy"}
RENAME = {"model entropy": "bpc",  # EFF: bits per character (Hutter) / per dimension, lower is better
          "bit per character (bpc)": "bpc", "percentage correct": "accuracy", "% test accuracy": "accuracy"}
_SPLIT_PREFIX = re.compile(r"^(test|validation|dev|challenge)[\s-]+(.+)$", re.IGNORECASE)
_FOOTNOTE = re.compile(r"^[\ufeff\s]+|[*+?†‡]+$")


def _metric(name: str, dataset_node: str) -> tuple[str, str] | str:
    """``(metric, subset)`` for a raw metric column, or a drop reason."""
    low = name.strip().lower()
    if low in PARAM_METRICS or "train accuracy" in low:
        return "excluded"
    if dataset_node in SPLIT_COLUMNS:
        if is_aggregate_column(name) or low == "all":
            return "aggregate_column"
        return SPLIT_COLUMNS[dataset_node], low
    if low in HEADLINE:
        return HEADLINE[low], ""
    if is_aggregate_column(name):
        return "aggregate_column"
    m = _SPLIT_PREFIX.match(name.strip())
    if m:
        split = m.group(1).lower()
        return RENAME.get(m.group(2).lower(), m.group(2)), "validation" if split == "dev" else split
    return RENAME.get(low, name.strip()), ""


def _task(path: list[str], file: str) -> str:
    for t in reversed(path):
        if t.strip().lower() in TASKS:
            return TASKS[t.strip().lower()]
    return FILE_DEFAULT_TASK.get(file, DEFAULT_TASK)


def _walk(tasks: list, file: str):
    """Yield (task path, dataset name, family, dataset node, task description) for every node."""
    def datasets(node, tpath, tdesc, parent, family):
        name = str(node.get("dataset") or node.get("subdataset") or "").strip()
        full = f"{parent} - {name}" if parent else name
        yield tpath, full, family or name, node, tdesc
        for sub in node.get("subdatasets") or []:
            yield from datasets(sub, tpath, tdesc, full, family or name)

    def walk(task, tpath):
        tpath = tpath + [str(task.get("task") or "")]
        for ds in task.get("datasets") or []:
            yield from datasets(ds, tpath, task.get("description") or "", "", "")
        for sub in task.get("subtasks") or []:
            yield from walk(sub, tpath)

    for t in tasks:
        yield from walk(t, [])


def _clean_value(v):
    return _FOOTNOTE.sub("", v.replace("−", "-")) if isinstance(v, str) else v


def _read_json(path: Path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load(source_dir: Path):
    """Read every ``*.json`` table of the folder; see the module docstring for the rules."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise SourceFileError(f"missing source folder {source_dir}")
    report = DropReport()
    records: list[dict] = []
    seen: set[tuple] = set()
    datasets: dict[str, dict] = {}
    params: dict[str, list[float]] = defaultdict(list)
    first_seen: dict[str, dict] = {}
    for path in sorted(source_dir.glob("*.json")):
        doc = read_file(path, _read_json, report)
        if not isinstance(doc, list):
            continue
        for tpath, dataset, family, node, tdesc in _walk(doc, path.name):
            task = _task(tpath, path.name)
            excluded_task = any(t.strip().lower() in EXCLUDED_TASKS for t in tpath)
            for row in (node.get("sota") or {}).get("rows") or []:
                model = str(row.get("model_name") or "").strip()
                for name, value in (row.get("metrics") or {}).items():
                    report.rows_read += 1
                    if path.name in SKIP_FILES:
                        report.drop("duplicate")
                        continue
                    if str(name).strip().lower() in PARAM_METRICS:
                        p = parse_param_count(_clean_value(value))
                        if p and model:
                            params[model].append(p)
                    if excluded_task:
                        report.drop("excluded")
                        continue
                    mapped = _metric(str(name), str(node.get("dataset") or node.get("subdataset") or ""))
                    if isinstance(mapped, str):
                        report.drop(mapped)
                        continue
                    metric, subset = mapped
                    score, why = parse_score(_clean_value(value))
                    if why or not model:
                        report.drop(why or "nan")
                        continue
                    key = (model, dataset, subset, task, metric)
                    if key in seen:  # the same model name twice in one table: first (best) row kept
                        report.drop("duplicate")
                        continue
                    seen.add(key)
                    records.append({"model": model, "dataset": dataset, "subset": subset, "task": task,
                                    "metric": metric, "score": score, "higher_is_better": None})
                    first_seen.setdefault(model, {"row": row, "task": task})
                    datasets.setdefault(dataset, {
                        "dataset": dataset, "family": family, "task": task, "domain": task_domain(task),
                        "description": " ".join(str(node.get("description") or tdesc or "").split()),
                        "languages": FILE_LANGUAGES.get(path.name, "en" if task_domain(task) == "text" else "")})
    models = [_model_row(m, first_seen[m]["row"], first_seen[m]["task"], params.get(m)) for m in first_seen]
    return make_result(SOURCE, records, models, list(datasets.values()), report)


def _model_row(model: str, row: dict, task: str, sizes: list[float] | None) -> dict:
    """Model metadata from its first table row; params = median of the sizes the tables state."""
    title = str(row.get("paper_title") or "").strip()
    url = str(row.get("paper_url") or "").strip()
    desc = f"Paper: {title}" if title and not title.startswith("http") else ""
    desc = f"{desc} ({url})" if desc and url else (f"Paper: {url}" if url else desc)
    domain = task_domain(task)
    return {"model": model, "params_b": sorted(sizes)[len(sizes) // 2] if sizes else None, "family": None,
            "base_model": None, "modality": domain if domain != "other" else None,
            "release_date": str(row.get("paper_date") or "")[:10] or None, "open_weights": None,
            "license": None, "popularity": None, "description": desc, "organization": None,
            "pipeline_tag": None}
