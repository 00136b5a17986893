"""Command line: ``python -m modellens_core <command> ...``.

Commands: build-corpus, ingest-hub, train, evaluate, recommend, build-atlas, deploy-space.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _assets() -> Path:
    from .common.paths import ASSETS
    return ASSETS


def _build_corpus(a):
    from .build.build_corpus import build
    build(a.sources, a.out, only=a.only or None, encode=not a.no_encode)


def _ingest_hub(a):
    from .build.ingest.hub_cards import cli_ingest_hub
    return cli_ingest_hub(a.rest)


def _train(a):
    import os
    from pathlib import Path

    from .ranker.config import RankerConfig
    from .build.corpus import Corpus
    from .common.paths import CHECKPOINTS
    from .build.manifest import write_manifest
    from .ranker.train import train
    cfg = RankerConfig.from_json(Path(a.config))
    out = Path(a.out) if a.out else (CHECKPOINTS if cfg.setting == "production" else CHECKPOINTS / "eval" / cfg.setting)
    _, _, summary = train(Corpus(Path(a.assets)), cfg, out=out)
    if int(os.environ.get("RANK", "0")) != 0:  # under torchrun only rank 0 saves and reports
        return 0
    print(f"trained [{cfg.setting}] in {summary['wall_time_s']}s on {summary['device']}: "
          f"{summary['epochs_run']} epochs, best validation tau_w {summary['best_val_tau_w']}; saved to {out}")
    if not a.out:
        write_manifest(Path(a.assets))


def _evaluate(a):
    if "practitioner" in (a.settings or []):   # the practitioner set (benchmarks/practitioner/): runs alone
        if len(a.settings) > 1:
            print("error: --settings practitioner runs alone (its report is not the group settings' tables)",
                  file=sys.stderr)
            return 2
        from .practitioner.evaluate import cli as practitioner_cli
        return practitioner_cli(a)
    from .evaluation.harness import cli
    return cli(a)


def _recommend(a):
    from .serving.inputs import InputError
    from .serving.recommender import Recommender
    from .serving.request import Filters, RankRequest
    rec = Recommender.load(Path(a.assets), Path(a.checkpoints))
    try:
        ranking = rec.recommend(RankRequest(a.description, a.task, a.metric, a.subset or "", top_k=a.top_k,
                                            filters=Filters(max_params_b=a.max_params)))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    table = ranking.table
    for note in ranking.notices:
        print(f"note: {note}", file=sys.stderr)
    cols = ["rank", "model", "score", "predicted_z", "prior", "residual", "params_b", "family", "seen"]
    if a.format == "csv":
        print(table.to_csv(index=False), end="")
    elif a.format == "json":
        print(table.to_json(orient="records", indent=1))
    else:
        q = ranking.query
        print(f"task: {q.task}{' (inferred)' if q.task_inferred else ''}   "
              f"metric: {q.metric}{' (inferred)' if q.metric_inferred else ''}")
        print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


def _build_atlas(a):
    from .serving.atlas import cli_build_atlas
    return cli_build_atlas(a.rest)


def _deploy_space(a):
    from .deploy import cli
    return cli(a)


COMMANDS = {"build-atlas": _build_atlas, "build-corpus": _build_corpus, "ingest-hub": _ingest_hub, "train": _train, "evaluate": _evaluate,
            "recommend": _recommend, "deploy-space": _deploy_space}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m modellens_core")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build-corpus", help="ingest the sources into assets/corpus")
    b.add_argument("--sources", default="../shared/data/sources")
    b.add_argument("--out", default="assets")
    b.add_argument("--only", nargs="*", help="source ids to read (default: all)")
    b.add_argument("--no-encode", action="store_true", help="skip the description embeddings")
    h = sub.add_parser("ingest-hub", help="append model-card eval results to a source folder",
                       add_help=False)
    h.add_argument("rest", nargs=argparse.REMAINDER)
    t = sub.add_parser("train", help="train the ranker for one setting")
    t.add_argument("--config", required=True, help="JSON config (see modellens_core/ranker/configs/)")
    t.add_argument("--assets", default=str(_assets()))
    t.add_argument("--out", help="checkpoint folder (default: checkpoints/ or checkpoints/eval/<setting>/)")
    e = sub.add_parser("evaluate", help="evaluate the shipped checkpoints and the baselines")
    e.add_argument("--json", action="store_true")
    e.add_argument("--assets", default=str(_assets()))
    e.add_argument("--checkpoints", default=str(_assets().parent / "checkpoints"))
    e.add_argument("--settings", nargs="*")
    e.add_argument("--write", help="also write the markdown tables to this file")
    e.add_argument("--practitioner-set", help="folder of tune.jsonl and test.jsonl (default: benchmarks/practitioner/)")
    r = sub.add_parser("recommend", help="rank models for a dataset description")
    r.add_argument("description")
    r.add_argument("--task")
    r.add_argument("--metric")
    r.add_argument("--top-k", type=int, default=10)
    r.add_argument("--max-params", type=float, help="largest model size, billions of parameters")
    r.add_argument("--subset", help='languages or configuration evaluated, e.g. "hin_Deva-eng_Latn" or "fr"')
    r.add_argument("--format", choices=("table", "csv", "json"), default="table")
    r.add_argument("--assets", default=str(_assets()))
    r.add_argument("--checkpoints", default=str(_assets().parent / "checkpoints"))   # common.paths.CHECKPOINTS
    ba = sub.add_parser("build-atlas", help="compute the Atlas maps into assets/atlas", add_help=False)
    ba.add_argument("rest", nargs=argparse.REMAINDER)
    d = sub.add_parser("deploy-space", help="publish the app as a Hugging Face Space (run-time files only)")
    d.add_argument("repo_id", help='the Space, "user/name" or "org/name"')
    d.add_argument("--private", action="store_true", help="create the Space private (an existing one keeps its setting)")
    d.add_argument("--dry-run", action="store_true", help="list the files and their total size; upload nothing")
    d.add_argument("--assets", default=str(_assets()))
    d.add_argument("--checkpoints", default=str(_assets().parent / "checkpoints"))
    a = p.parse_args(argv)
    handler = COMMANDS[a.cmd]
    try:
        return int(handler(a) or 0)
    except Exception as exc:  # one clear line, not a traceback, for expected failures
        from .build.ingest.base import SourceFileError
        if isinstance(exc, (SourceFileError, FileNotFoundError, ValueError)):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
