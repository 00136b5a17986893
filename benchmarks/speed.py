"""Inference speed of the Recommender on the shipped catalog (prints tables, asserts nothing).

    python benchmarks/speed.py [--assets assets] [--checkpoints checkpoints] [--runs 15] [--threads 1]

Measures, in one process:
* import time and ``Recommender.load()`` time (target <= 5 s after imports), and the resident
  memory after load (target <= 2 GB);
* ranking the whole catalog for one query: the engine alone (``Recommender.rank`` on an
  understood query: target <= 50 ms), the text encoding + query understanding alone, and
  ``recommend()`` end to end (target <= 100 ms); each run uses a new description, so the
  encoder's query cache never answers;
* a NAIVE ranking in the same run: the full model forward (model view + context view + all
  layers + prior) over the concatenated inputs of every candidate, nothing precomputed (the
  name hashing it also needs is done once beforehand and not timed), and the speed-up;
* that both give the same ranking: top-100 order (the app's order: evidence tier, then score)
  and every score within 1e-5; the engine's exact tier shortcut (models that cannot reach the
  top k are not scored) is timed both on and off;
* p50 / p99 of ``rank`` for candidate lists of 10, 1,000 and all models.

Times are milliseconds of wall clock. ``--threads`` sets torch's intra-op threads (1 is best
when requests run concurrently, as in the app). Without a production checkpoint, point
``--checkpoints`` at another one (e.g. ``checkpoints/eval/completion`` with ``--no-verify``) or at
a synthetic build (``tests/synthetic.build_synthetic`` + a tiny ``train``).
"""
from __future__ import annotations

import argparse
import time

T0 = time.perf_counter()
from common import rss_mb, summary, table, timings  # noqa: E402  (puts the repo root on sys.path)

import numpy as np  # noqa: E402
import torch  # noqa: E402

DESCRIPTIONS = (
    "English movie reviews labelled positive or negative (binary sentiment classification).",
    "Speech recognition benchmark: read English audiobook recordings at 16 kHz, scored by word error rate.",
    "Python code generation: write a function from its docstring; scored by the unit tests it passes.",
    "Fine-grained image classification: photographs of 200 bird species.",
    "Japanese reading comprehension: answer questions about Wikipedia paragraphs written in Japanese.",
    "Multilingual passage retrieval: find the passages that answer a query, in 18 languages.",
)


def naive_scores(rec, feats: dict, query) -> np.ndarray:
    """Scores [N] from the model's own forward over every candidate, nothing precomputed."""
    from modellens_core.ranker.features import context_features
    ctx = context_features(rec.vocab, [query.match or "[UNK]"], query.vector[None, :], [query.task], [query.metric],
                           [query.subset])
    with torch.no_grad():
        evidence = torch.from_numpy(rec.query_evidence(query, by_pairs=True))[None]
        out = rec.model({k: v[None] for k, v in feats.items()}, ctx, evidence)
    return out["score"][0].numpy()


def naive_rank(rec, feats, names: np.ndarray, query, k: int = 20):
    """The catalog-wide order the app uses (rank level first, then score; ties by name) from
    the naive scores."""
    from modellens_core.serving.ordering import EVALUATED_FIRST
    score = naive_scores(rec, feats, query)
    key = score + EVALUATED_FIRST * rec.ordering.rank_level(query.task, query.domain, np.arange(len(names)))
    order = np.lexsort((names, -key))
    return order[:k], score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", default=None, help="assets folder (default: the shipped assets/)")
    ap.add_argument("--checkpoints", default=None, help="checkpoint folder (default: the shipped checkpoints/)")
    ap.add_argument("--runs", type=int, default=15, help="timed runs per measurement (medians)")
    ap.add_argument("--latency-runs", type=int, default=60, help="timed runs per candidate-list size (p50/p99)")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (0 = torch's default)")
    ap.add_argument("--no-verify", action="store_true", help="skip the manifest check at load")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    from modellens_core.ranker.features import model_features
    from modellens_core.serving.recommender import Recommender
    import sentence_transformers  # noqa: F401  (the encoder's import: ~3 s, counted with the imports)
    t_import = time.perf_counter() - T0
    t = time.perf_counter()
    rec = Recommender.load(args.assets, args.checkpoints, verify=not args.no_verify)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    rec.encoder.prepare_query_path(background=False)  # as the app does (there: beside the start-up)
    t_trace = time.perf_counter() - t
    rss = rss_mb()
    n = len(rec.catalog)
    print(f"\n## Load ({n:,} catalog models, {len(rec.corpus.records):,} records, torch threads "
          f"{torch.get_num_threads()})\n")
    print(table(["what", "value", "target"], [
        ["imports (modellens_core, torch, sentence_transformers), s", t_import, ""],
        ["Recommender.load() after imports, s", t_load, "<= 5 s"],
        ["the encoder's traced one-text path (the app builds it in the background), s", t_trace, ""],
        ["resident memory after load, MB", rss, "<= 2048 MB"]]))

    # --- the whole catalog, one query ---------------------------------------------------------
    from modellens_core.serving.request import Filters, RankRequest
    queries = [rec.understand(d) for d in DESCRIPTIONS]
    runs = args.runs

    def rank(i, top_k=None, candidates=None):   # every modality, as the naive path scores (no modality rule)
        return rec.rank(queries[i % len(queries)], RankRequest("", top_k=top_k, candidates=candidates,
                                                               filters=Filters(fit_modality=False))).table

    def fresh(i):  # a description never seen before: the encoder's cache cannot answer
        return f"{DESCRIPTIONS[i % len(DESCRIPTIONS)]} (variant {i}, {time.perf_counter_ns()})"

    engine_k = timings(lambda i: rank(i, 20), runs)
    engine_all = timings(lambda i: rank(i), runs)
    fitting = timings(lambda i: rec.rank(queries[i % len(queries)], RankRequest("", top_k=20)), runs)
    rec.tier_shortcut = False
    engine_every = timings(lambda i: rank(i, 20), runs)
    rec.tier_shortcut = True
    encode = timings(lambda i: rec.understand(fresh(i)), runs)
    full = timings(lambda i: rec.recommend(fresh(i), top_k=20), runs)

    names = rec.catalog["model"].to_numpy(object)
    t = time.perf_counter()
    feats = model_features(rec.vocab, names.tolist(), rec.corpus.model_emb, rec.catalog["params_b"],
                           rec.catalog["family"], rec.cfg.name_buckets)
    t_feats = time.perf_counter() - t
    naive = timings(lambda i: naive_rank(rec, feats, names, queries[i % len(queries)]), runs)

    med = {k: summary(v)["median"] for k, v in
           dict(engine_k=engine_k, engine_every=engine_every, engine_all=engine_all, encode=encode, full=full,
                naive=naive, fitting=fitting).items()}
    print(f"\n## Ranking all {n:,} models for one query (median of {runs} runs, ms)\n")
    print(table(["path", "median ms", "p99 ms", "target"], [
        ["fast engine, top 20 returned (Recommender.rank; no encoding)", med["engine_k"], summary(engine_k)["p99"],
         "<= 50"],
        ["  the same with the default request (only modalities that fit the task)", med["fitting"],
         summary(fitting)["p99"], ""],
        ["  the same with every model scored (exact tier shortcut off)", med["engine_every"],
         summary(engine_every)["p99"], "<= 50"],
        ["fast engine, whole ranked table returned (no encoding)", med["engine_all"], summary(engine_all)["p99"], ""],
        ["text encoding + query understanding (Recommender.understand)", med["encode"], summary(encode)["p99"], ""],
        ["recommend() end to end, top 20 (encoding included)", med["full"], summary(full)["p99"], "<= 100"],
        ["NAIVE full forward over every candidate + sort (no encoding)", med["naive"], summary(naive)["p99"], ""],
    ]))
    print("\nCatalog-wide, models evaluated on the query's task come first, then those evaluated in its "
          "domain (evidence levels, serving.ordering); the levels are known before scoring, so when the "
          "top levels hold top_k models the others cannot enter the top k and are not scored (same result, "
          "see the check below).")
    print(f"\nspeed-up of the fast engine over the naive forward: {med['naive'] / med['engine_k']:.1f}x (top 20), "
          f"{med['naive'] / med['engine_every']:.1f}x (top 20, every model scored), "
          f"{med['naive'] / med['engine_all']:.1f}x (whole table). Naive feature building (name hashing), "
          f"not timed above: {t_feats * 1000:,.0f} ms.")

    # --- the fast path returns the naive path's results ---------------------------------------
    worst, same_order = 0.0, True
    for i, query in enumerate(queries):
        fast = rank(i)                                 # the whole table: every model's score
        head = rank(i, 100)                            # the top 100 (tier shortcut on)
        order, score = naive_rank(rec, feats, names, query, k=100)
        same_order &= list(fast["model"].head(100)) == list(names[order]) == list(head["model"])
        ref = dict(zip(names, score))
        worst = max(worst, float(np.max(np.abs(fast["score"].to_numpy(np.float64)
                                               - np.array([ref[m] for m in fast["model"]], np.float64)))))
    print(f"\nfast == naive over {len(queries)} queries: top-100 order identical: {same_order}; "
          f"largest score difference over all {n:,} models: {worst:.2e} (tolerance 1e-5): "
          f"{'OK' if same_order and worst <= 1e-5 else 'MISMATCH'}")

    # --- latency by candidate-list size --------------------------------------------------------
    rng = np.random.default_rng(0)
    rows = []
    for size in (10, 1000, None):
        lists = [None if size is None else list(rng.choice(names, size, replace=False)) for _ in range(8)]
        s = summary(timings(lambda i: rank(i, 20, lists[i % len(lists)]), args.latency_runs))
        rows.append([f"{size:,}" if size else f"all ({n:,})", s["runs"], s["p50"], s["p99"], s["max"]])
    print(f"\n## Engine latency by candidate-list size (Recommender.rank, top 20, no encoding, ms)\n")
    print(table(["candidates", "runs", "p50", "p99", "max"], rows))
    print(f"\nresident memory at the end: {rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
