"""The metric a description names explicitly, in the corpus's spelling.

``explicit_metric("Wir transkribieren Arztgespräche; uns interessiert die Wortfehlerrate.")`` -> ``"wer"``;
``explicit_metric("We report MRR, but the ranking is measured by nDCG@10.")`` -> ``"ndcg@10"``;
``explicit_metric("Draw a heat map of the clauses")`` -> ``None``.

Rules:

* The first metric mentioned wins, unless a primary-metric phrase ("measured by", "we care
  about", "evaluated with", "primary metric is", "optimise for", "gemessen an", "mesuré par",
  "medido por", "指标") is followed, in the same sentence and within 60 characters, by one: then
  that one wins.
* Names are returned as the corpus (``assets/corpus/records.parquet``) spells them, e.g.
  "ndcg-at-5" next to "ndcg@10". A cut-off the corpus lacks reads as its nearest one on a log
  scale ("pass@10" -> "pass@1", "nDCG@3" -> "ndcg-at-5"); none reads as the family's usual one
  ("NDCG" -> "ndcg@10", "MRR" -> "mrr", bare "ROUGE" -> "rouge-2", the corpus's most common).
  Metrics the corpus has no records of keep their ``canonical_metric`` spelling ("cer", "chrf",
  "comet", "pearson").
* Words that are also ordinary words need their metric form: "mAP" (not "map", "heat map",
  "MAP" alone: mean arterial pressure), "WER"/"CER" (German "wer"), "BLEU" (French "bleu"),
  "ROUGE" (French "rouge"), "COMET", "Elo", "PPL" in their usual casing, or the spelled-out
  name; "EM" only uppercase and not in "EM algorithm"; English "precision" and "recall" only
  next to a qualifier ("high recall", "precision and recall", "recall@10"), since "recall the
  facts" and "precision agriculture" are not metrics. "accuracy" always counts ("high accuracy"
  says the user cares about accuracy); the adjective "accurate" does not.
* French "précision" and Spanish "precisión" are precision; accuracy is "exactitude",
  "exactitud", German "Genauigkeit", Chinese "准确率".
"""
from __future__ import annotations

import math
import re

# family -> (corpus spelling per cut-off k, spelling when no k is given)
_AT_K = {
    "pass": ({1: "pass@1"}, "pass@1"),
    "ndcg": ({1: "ndcg-at-1", 5: "ndcg-at-5", 10: "ndcg@10", 20: "ndcg-at-20"}, "ndcg@10"),
    "mrr": ({5: "mrr-at-5", 10: "mrr@10"}, "mrr"),
    "map": ({5: "map-at-5", 10: "map-at-10", 1000: "map@1000"}, "map"),
    "recall": ({1: "recall-at-1", 5: "recall-at-5", 10: "recall-at-10", 100: "recall@100"}, "recall"),
    "precision": ({1: "precision-at-1", 5: "p@5"}, "precision"),
}
_K = r"\s*@\s*(?P<k>\d+)(?![.\d])"   # "@10", "@ 10"; not "@0.5" (an IoU threshold)
_GOOD = r"(?:high(?:er)?|low(?:er)?|good|better|best|max(?:imum)?|maximi[sz]e|optimi[sz]e(?:\s+for)?|improve)"


def _word(pattern: str) -> str:
    """A pattern matched as a whole word (not inside "heatmap" or "accuracy_score")."""
    return rf"(?<!\w)(?:{pattern})(?!\w)"


# (metric or _AT_K family, pattern); (?i:...) marks the case-insensitive parts
_RULES = [
    ("wer", _word(r"WERs?|(?i:word[\s-]error[\s-]rates?|wortfehlerrate\w*"
                  r"|taux\s+d['’]erreur\s+(?:de|des|sur\s+les|par)\s+mots?"
                  r"|tasa\s+de\s+error\s+(?:de|por|en)\s+(?:las\s+)?palabras?)") + "|词错误率|词错率|詞錯誤率"),
    ("cer", _word(r"CERs?|(?i:character[\s-]error[\s-]rates?|zeichenfehlerrate\w*"
                  r"|taux\s+d['’]erreur\s+(?:de|des|sur\s+les|par)\s+caract[eè]res?"
                  r"|tasa\s+de\s+error\s+(?:de|por|en)\s+caracteres?)") + "|字错率|字错误率|字符错误率|字錯誤率"),
    ("bleu", _word(r"BLEU|(?i:sacre-?bleu|bleu(?=[\s-]*(?:score|4)))")),
    ("chrf", _word(r"(?i:chrf)\+{0,2}")),
    ("comet", _word(r"COMET")),
    ("rouge-2", _word(r"ROUGE|(?i:rouge(?=[\s-]*score)|rouge[\s-]?2)")),
    ("rouge-1", _word(r"(?i:rouge[\s-]?1)")),
    ("rouge-l", _word(r"(?i:rouge[\s-]?l(?:sum)?)")),
    ("pass", _word(r"(?i:pass)(?:" + _K + r"|\s*@\s*k)")),
    ("ndcg", _word(r"(?i:n?dcg)(?:" + _K + ")?")),
    ("mrr", _word(r"(?i:mrr|mean\s+reciprocal\s+rank)(?:" + _K + ")?")),
    ("map", _word(r"(?:mAP|MAP(?=\s*@)|(?i:mean\s+average\s+precision))(?:" + _K + ")?") + "|平均精度均值"),
    ("ap", _word(r"(?i:average\s+precision|pr[\s-]?auc|auc[\s-]?pr|auprc)")),
    ("box-ap", _word(r"(?i:box|bbox|coco)[\s-]*m?AP|m?AP\s*@\s*0?\.5\s*:\s*0?\.95")),
    ("mask-ap", _word(r"(?i:mask|segm?)[\s-]*m?AP")),
    ("ap@0.5", _word(r"m?AP\s*50|m?AP\s*@\s*0?\.5(?![\d:])")),
    ("ap@0.75", _word(r"m?AP\s*75|m?AP\s*@\s*0?\.75")),
    ("miou", _word(r"(?i:m?iou|mean[\s-]iou|(?:mean\s+)?intersection[\s-]over[\s-]union)")),
    ("roc-auc", _word(r"(?i:roc[\s-]?auc|auc[\s-]?roc|auroc|area\s+under\s+the\s+roc\s+curve)")),
    ("auc", _word(r"(?i:auc|area\s+under\s+the\s+curve)")),
    ("f1", _word(r"(?i:f-?1(?:[\s-]?score)?|f[\s-]?score|f[\s-]?measure)") + "|F1值"),
    ("f1-macro", _word(r"(?i:macro[\s-]?(?:averaged\s+)?f-?1(?:[\s-]?score)?|f1[\s-]?macro)")),
    ("micro-f1", _word(r"(?i:micro[\s-]?(?:averaged\s+)?f-?1(?:[\s-]?score)?|f1[\s-]?micro)")),
    ("exact-match", _word(r"EM(?!\s+algorithm)|(?i:exact[\s-]match(?:es)?)") + "|精确匹配"),
    ("accuracy", _word(r"(?i:accuracy|top[\s-]?1(?:\s+accuracy)?|genauigkeit|treffergenauigkeit|exactitude|exactitud"
                       r"|accuratezza|acurácia)") + "|准确率|正确率|準確率|正解率"),
    ("top5-accuracy", _word(r"(?i:top[\s-]?5(?:\s+accuracy)?)")),
    ("win-rate", _word(r"(?i:win[\s-]?rates?)") + "|胜率"),
    ("lc-win-rate", _word(r"(?i:(?:length[\s-]controlled|lc)[\s-]win[\s-]?rates?)")),
    ("elo", _word(r"Elo|ELO")),
    ("spearman", _word(r"(?i:spearman)")),
    ("pearson", _word(r"(?i:pearson)")),
    ("v-measure", _word(r"(?i:v[\s-]measure)")),
    ("perplexity", _word(r"PPL|(?i:perplexity|perplexität|perplexité|perplejidad)") + "|困惑度"),
    ("precision", _word(r"(?i:précision|precisión|präzision|" + _GOOD + r"\s+precision|precision(?=\s*(?:score|rate"
                        r"|metric|and\s+recall|/\s*recall|&\s*recall|,\s*recall)))") + "|精确率|查准率"),
    ("precision", _word(r"(?i:precision|P)" + _K)),
    ("recall", _word(r"(?i:" + _GOOD + r"\s+recall|(?:(?<=and\s)|(?<=/)|(?<=/\s)|(?<=&\s))recall"
                     r"|recall(?=\s*(?:score|rate|metric))|(?:(?<=et\s)|(?<=/))rappel|exhaustividad)")
     + "|召回率|查全率"),
    ("recall", _word(r"(?i:recall|R)(?:" + _K + r"|\s+at\s+(?P<k2>\d+))")),
]
_COMPILED = [(name, re.compile(pattern)) for name, pattern in _RULES]

_PRIMARY = re.compile(
    r"(?i:(?:measured|evaluated|judged|scored|assessed|ranked|compared|benchmarked)\s+(?:by|with|on|using|via|in\s+terms\s+of)"
    r"|we\s+(?:\w+\s+)?care\s+(?:most\s+)?about|(?:primary|main|key|target|headline)\s+metric(?:\s+(?:is|will\s+be))?"
    r"|optimi[sz](?:e|ing)\s+(?:for\s+)?|in\s+terms\s+of|metric\s*[:=]|gemessen\s+(?:an|mit|durch)|bewertet\s+(?:mit|nach)"
    r"|mesuré(?:e|es|s)?\s+(?:par|avec)|évalué(?:e|es|s)?\s+(?:par|avec|selon)|medid[oa]s?\s+(?:por|con)"
    r"|evaluad[oa]s?\s+(?:por|con))|指标|评估|衡量")
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)|[。！？；\n]")
_CUE_REACH = 60   # characters after a primary-metric phrase within which its metric must start


def explicit_metric(text: str) -> str | None:
    """The metric a description names (corpus spelling), or None when it names none; see the
    module docstring for the first-mention and primary-phrase rules."""
    s = str(text or "")
    found = sorted(_mentions(s))
    if not found:
        return None
    for cue in _PRIMARY.finditer(s):
        stop = _SENTENCE_END.search(s, cue.end())
        reach = min(cue.end() + _CUE_REACH, stop.start() if stop else len(s))
        named = [metric for start, _, metric in found if cue.end() <= start < reach]
        if named:
            return named[0]
    return found[0][2]


def _mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, -length, metric) of every metric mention: sorted, the earliest and then longest
    match comes first ("ROUGE-L" over "ROUGE", "mean average precision" over "precision")."""
    out = []
    for name, rx in _COMPILED:
        for m in rx.finditer(text):
            k = m.groupdict().get("k") or m.groupdict().get("k2")
            out.append((m.start(), m.start() - m.end(), _spelling(name, int(k) if k else None)))
    return out


def _spelling(name: str, k: int | None) -> str:
    """Corpus spelling of a metric, with a family's cut-off ``k`` read as the nearest one the
    corpus has on a log scale (ties: the smaller)."""
    if name not in _AT_K:
        return name
    table, bare = _AT_K[name]
    if k is None:
        return bare
    nearest = min(table, key=lambda n: (abs(math.log(n / max(k, 1))), n))
    return table[nearest]
