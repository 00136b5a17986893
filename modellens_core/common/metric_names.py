"""Canonical metric names and the one metric-direction table of the project.

``canonical_metric("Acc@1")`` -> ``"accuracy"``; ``higher_is_better("wer")`` -> ``False``;
``higher_is_better("frobnication")`` -> ``None`` (unknown direction: the record is dropped
and counted by the corpus build).
"""
from __future__ import annotations

import re

# raw spelling (lowercased, spaces/underscores -> '-') -> canonical name
_SYNONYMS = {
    "acc": "accuracy", "accuracy": "accuracy", "acc@1": "accuracy", "top1": "accuracy",
    "top-1": "accuracy", "top-1-accuracy": "accuracy", "top1-accuracy": "accuracy", "acc1": "accuracy",
    "top-1-acc": "accuracy", "top1-acc": "accuracy", "acc-norm": "accuracy-norm",
    "acc@5": "top5-accuracy", "top5": "top5-accuracy", "top-5": "top5-accuracy", "acc5": "top5-accuracy",
    "top-5-accuracy": "top5-accuracy", "top5-accuracy": "top5-accuracy",
    "em": "exact-match", "exact-match": "exact-match", "exact_match": "exact-match",
    "f1": "f1", "f1-score": "f1", "macro-f1": "f1-macro", "f1-macro": "f1-macro",
    "ndcg-at-10": "ndcg@10", "ndcg@10": "ndcg@10", "map-at-1000": "map@1000", "mrr-at-10": "mrr@10",
    "recall-at-100": "recall@100", "v-measure": "v-measure", "cosine-spearman": "spearman",
    "spearman": "spearman", "pearson": "pearson", "max-ap": "ap", "ap": "ap", "map": "map",
    "main-score": "main-score",
    "wer": "wer", "word-error-rate": "wer", "cer": "cer", "character-error-rate": "cer",
    "pass@1": "pass@1", "pass-at-1": "pass@1", "pass-rate": "pass-rate",
    "elo": "elo", "arena-score": "elo", "arena-elo": "elo",
    "win-rate": "win-rate", "lc-win-rate": "lc-win-rate", "length-controlled-winrate": "lc-win-rate",
    "miou": "miou", "mean-iou": "miou", "box-ap": "box-ap", "mask-ap": "mask-ap", "epe": "epe",
    "perplexity": "perplexity", "ppl": "perplexity", "bpc": "bpc", "bleu": "bleu",
    "rouge-2": "rouge-2", "rouge-l": "rouge-l", "rouge-1": "rouge-1",
}

_EXPLICIT = {"time-horizon": True, "rtfx": True, "mean-win-rate": True,
             "mdr": False, "mnr": False, "vi": False, "median-rank": False, "mean-rank": False,
             "las": True, "uas": True, "gleu": True, "f0.5": True, "1-1": True, "q->a": True, "qa->r": True,
             "f-bc": True, "f-nmi": True, "f-s": True, "v-m": True}

# Lower-is-better patterns (matched on the canonical name as whole tokens or prefixes).
_LOWER = re.compile(
    r"(^|[-_@ /(])(wer|cer|ter|error|err|top1-err|top5-err|loss|perplexity|ppl|bpc|bits-per-char\w*|"
    r"mae|mse|rmse|fid|kid|epe|fl-all|latency|seconds|time|inference-time|ece|mce|mce-\w+|"
    r"calibration-error|toxic\w*|bias|nll|fpr|frr|far|eer|cost|distance|chamfer|ate|rpe|abs-rel)"
    r"($|[-_@ /)\d])", re.IGNORECASE)
_HIGHER = re.compile(
    r"(acc|accuracy|f1|bleu|rouge|meteor|cider|spice|map|ap\d*|ap50|ap75|apm|apl|aps|ndcg|mrr|recall|"
    r"precision|pass|score|elo|win|spearman|pearson|v-measure|iou|miou|dice|pck|auc|exact|match|"
    r"correct|solved|success|progress|rate|r@|kappa|mcc|psnr|ssim|horizon|nds|mota|hota|ar|"
    r"alignment|aesthetic|quality|originality|judge|grading|similarity|coverage|robust|pq|sq|rq|"
    r"hmean|1-ned|ned|pckh|ndcg@\d+|auroc|fairness|throughput|rtfx|delta|top|em|jaccard|gmean|"
    r"bertscore|chrf|sacrebleu|mAP|AP|AR|hits@\d+|p@\d+|r-\d+@\d+)", re.IGNORECASE)


def canonical_metric(raw: str) -> str:
    """Canonical metric name for a raw spelling (lowercase, '-' separated)."""
    s = str(raw).strip().lower().replace("_", "-").replace(" ", "-")
    s = re.sub(r"-+", "-", s).strip("-")
    return _SYNONYMS.get(s, s)


def higher_is_better(metric: str) -> bool | None:
    """Direction of a canonical metric: True (higher is better), False, or None (unknown)."""
    m = canonical_metric(metric)
    if m in _EXPLICIT:
        return _EXPLICIT[m]
    if _LOWER.search(m):
        return False
    if _HIGHER.search(m):
        return True
    return None
