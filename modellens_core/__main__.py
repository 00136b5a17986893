"""Command line: ``python -m modellens_core <command> ...``.

Commands: build-corpus, ingest-hub, train, evaluate, recommend, build-atlas, build-priors.
"""
from __future__ import annotations

import argparse
import sys


def _build_corpus(a):
    from .build_corpus import build
    build(a.sources, a.out, only=a.only or None, encode=not a.no_encode)


def _ingest_hub(a):
    from .ingest.hub_cards import cli_ingest_hub
    return cli_ingest_hub(a.rest)


COMMANDS = {"build-corpus": _build_corpus, "ingest-hub": _ingest_hub}


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
    for name, register in _EXTRA.items():
        register(sub)
    a = p.parse_args(argv)
    handler = COMMANDS[a.cmd]
    try:
        return int(handler(a) or 0)
    except Exception as exc:  # one clear line, not a traceback, for expected failures
        from .ingest.base import SourceFileError
        if isinstance(exc, (SourceFileError, FileNotFoundError, ValueError)):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


_EXTRA: dict = {}

if __name__ == "__main__":
    sys.exit(main())
