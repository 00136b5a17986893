"""Evaluation harness: ``python -m modellens_core evaluate [--json]``.

For each setting (completion, new datasets, new models, held-out families) the ranker trained
for that setting (``checkpoints/eval/<setting>/``, same architecture and config as the shipped
app checkpoint, trained on that setting's train part only) and every baseline are scored on the
setting's test part by the same metrics: per group over the models with a true
score there, then the plain mean over groups.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .baselines import EvalContext, make_baselines
from ..build.corpus import Corpus
from ..build.manifest import EVALUATION, IntegrityError, verify_manifest
from ..common.paths import CHECKPOINTS
from ..ranker.features import catalog_features, group_context, group_table
from ..common.metrics import evaluate_groups
from ..ranker.checkpoint import Checkpoint
from ..ranker.train import directed, evidence_index, predict_rows, train_z

EVAL_SETTINGS = ("completion", "new_datasets", "new_models", "heldout_families")
METRIC_KEYS = ("tau_w", "ndcg@10", "ndcg@10_random", "hit@1", "hit@10", "overlap@10", "groups")


def eval_context(corpus: Corpus) -> EvalContext:
    return EvalContext(models=corpus.models.set_index("model"), datasets=corpus.datasets.set_index("dataset"),
                       dataset_emb=corpus.dataset_emb, model_emb=corpus.model_emb)


def test_rows(corpus: Corpus, labels: pd.Series) -> pd.DataFrame:
    rec = corpus.records
    test = rec[labels.to_numpy() == "test"]
    test = test[test.groupby("group")["model"].transform("size") >= 2]
    return test.assign(true=directed(test))


def ranker_scores(corpus: Corpus, checkpoint: Path, test: pd.DataFrame, labels: pd.Series) -> np.ndarray:
    """The checkpoint's scores of the ``test`` rows; evidence comes from the ``labels``' train part."""
    model, vocab, _ = Checkpoint(checkpoint).load()
    feats = catalog_features(vocab, corpus, model.cfg.name_buckets)
    ctxs = group_context(vocab, corpus, group_table(corpus.records))
    rows = pd.Series(np.arange(len(corpus.models)), index=corpus.models["model"]).reindex(test["model"]).to_numpy()
    ev, ev_ctx = evidence_index(corpus, labels, model.cfg)
    evidence = ev.for_rows(ev_ctx, rows, test["group"].to_numpy())
    return predict_rows(model, feats, ctxs, rows, test["group"].to_numpy(), evidence).score


def _summary(test: pd.DataFrame, pred: np.ndarray) -> dict:
    res = evaluate_groups(test.assign(pred=pred), pred_col="pred", true_col="true", group_col="group", k=10)
    return {k: (int(res[k]) if k == "groups" else round(float(res[k]), 4)) for k in METRIC_KEYS}


def evaluate_setting(corpus: Corpus, setting: str, checkpoints: Path = CHECKPOINTS, baselines: bool = True,
                     ctx: EvalContext | None = None, log=print) -> dict:
    labels = corpus.split(setting)
    test = test_rows(corpus, labels)
    out = {}
    t = time.time()
    out["modellens"] = _summary(test, ranker_scores(corpus, Path(checkpoints) / "eval" / setting, test, labels))
    log(f"  [{setting}] modellens {time.time() - t:.1f}s")
    if baselines:
        ctx = ctx or eval_context(corpus)
        train = corpus.records[labels.to_numpy() == "train"]
        train = train.assign(z=train_z(train))
        for b in make_baselines(seed=0):
            t = time.time()
            b.fit(train, ctx)
            out[b.name] = _summary(test, b.score(test, ctx))
            log(f"  [{setting}] {b.name} {time.time() - t:.1f}s")
    return out


def evaluate_all(corpus: Corpus, checkpoints: Path = CHECKPOINTS, settings=EVAL_SETTINGS, log=print) -> dict:
    ctx = eval_context(corpus)
    return {s: evaluate_setting(corpus, s, checkpoints, ctx=ctx, log=log) for s in settings}


def format_tables(results: dict) -> str:
    """Markdown: one table per setting, methods x metrics (best tau_w in bold)."""
    lines = []
    for setting, methods in results.items():
        groups = next(iter(methods.values()))["groups"]
        lines += [f"### {setting} ({groups:,} test groups)", "",
                  "| method | " + " | ".join(k for k in METRIC_KEYS if k != "groups") + " |",
                  "|---|" + "---:|" * (len(METRIC_KEYS) - 1)]
        best = max(m["tau_w"] for m in methods.values())
        for name, m in methods.items():
            cells = [(f"**{m[k]:.4f}**" if k == "tau_w" and m[k] == best else f"{m[k]:.4f}")
                     for k in METRIC_KEYS if k != "groups"]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def verify_evaluation_files(assets: Path, checkpoints: Path) -> None:
    """Check the manifest's evaluation part (split labels, ``checkpoints/eval/``; the run-time part
    is ``Recommender.load()``'s). Checkpoints outside the shipped folder are not described by it."""
    verify_manifest(assets, part=EVALUATION, checkpoints_dir=checkpoints)


def cli(args) -> int:
    try:
        verify_evaluation_files(Path(args.assets), Path(args.checkpoints))
    except IntegrityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    corpus = Corpus(Path(args.assets))
    log = (lambda *_: None) if args.json else print
    results = evaluate_all(corpus, Path(args.checkpoints), args.settings or EVAL_SETTINGS, log=log)
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print(format_tables(results))
    if args.write:
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        Path(args.write).write_text("# Ranking quality\n\nProduced by `python -m modellens_core evaluate "
                                    f"--write {args.write}`.\n\n" + format_tables(results))
    return 0
