"""A small synthetic leaderboard world, written through the real build pipeline.

Three sources: an LLM board (% scores, one flagged copy of another board's score in 0-1), an
ASR board (WER, lower is better) and a vision board; models have a latent quality, and
datasets a description, so rankers can learn something.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from modellens_core.build.build_corpus import build_from_results
from modellens_core.build.ingest.base import DropReport, make_result

LLM_DATASETS = [(f"textbench-{i}", "multiple-choice-qa", f"A multiple choice exam about topic {i} for language models.")
                for i in range(8)]
ASR_DATASETS = [(f"speechset-{i}", "automatic-speech-recognition", f"English speech recordings, set {i}, transcribed.")
                for i in range(4)]
VISION_DATASETS = [(f"imageset-{i}", "image-classification", f"Photographs of {i + 5} kinds of objects to classify.")
                   for i in range(6)]


def synthetic_results(seed: int = 0, n_llm: int = 40, n_asr: int = 12, n_vis: int = 24):
    rng = np.random.default_rng(seed)

    def board(source, prefix, n, datasets, metric, scale, lower=False, modality="text", fam=("alpha", "beta")):
        models, recs = [], []
        q = rng.normal(size=n)
        for i in range(n):
            fam_i = fam[i % len(fam)]
            size = float(2 ** (i % 6))
            models.append({"model": f"{prefix}/{fam_i}-{int(size)}b-v{i}", "params_b": size, "family": fam_i,
                           "modality": modality, "release_date": f"202{i % 5}-0{1 + i % 9}-01",
                           "description": "" if i % 2 else f"A {fam_i} model number {i}."})
            for j, (d, task, _) in enumerate(datasets):
                v = q[i] + 0.3 * size ** 0.3 + 0.5 * rng.normal()
                score = (50 - 5 * v) if lower else (50 + 8 * v) * scale / 100
                recs.append({"model": models[-1]["model"], "dataset": d, "subset": "", "task": task,
                             "metric": metric, "score": float(score)})
        ds = [{"dataset": d, "family": d.split("-")[0] + ("-a" if int(d.split("-")[1]) % 2 else "-b"),
               "description": text, "task": task} for d, task, text in datasets]
        rep = DropReport(rows_read=len(recs))
        return make_result(source, recs, models, ds, rep)

    llm = board("llmboard", "org", n_llm, LLM_DATASETS, "accuracy", 100)
    asr = board("asrboard", "speech", n_asr, ASR_DATASETS, "wer", 1, lower=True, modality="speech", fam=("whisp",))
    vis = board("visboard", "vis", n_vis, VISION_DATASETS, "top1", 1, modality="vision", fam=("resnet", "vit"))
    # a second LLM board repeating one llm score in 0-1 instead of % (a cross-source duplicate)
    first = llm.records.iloc[0]
    copy = make_result("copyboard", [{"model": first["model"], "dataset": "TextBench 0",
                                      "subset": "copy", "task": "multiple-choice-qa", "metric": "acc",
                                      "score": first["score"] / 100},
                                     {"model": "org/alpha-1b-v0", "dataset": "textbench-0", "subset": "copy",
                                      "task": "multiple-choice-qa", "metric": "frobnication", "score": 1.0}],
                       report=DropReport(rows_read=2))
    return [llm, asr, vis, copy]


def build_synthetic(out: Path, seed: int = 0, encode: bool = True) -> dict:
    results = synthetic_results(seed)
    reports = {r.source: r.report for r in results}
    return build_from_results(results, reports, Path(out), encode=encode)
