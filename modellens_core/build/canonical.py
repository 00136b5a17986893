"""Canonical model and dataset ids across sources.

Models: an HF repo id ``org/name`` is canonical. A bare name (``Meta-Llama-3-8B-Instruct``)
or a display name (``Llama 2 (70B)``) maps to the unique HF id whose name part has the same
*match key* (lowercase alphanumerics, ``-hf`` dropped); if no or several HF ids match, the
id is a stable slug of the name (``gpt-4-0613``). Spellings that differ only in case are one
model. Source-qualified ids (``timm/...``, ``torchvision/...``, ``mmdet/...``) are HF-style and
kept.

Datasets: one id per benchmark across sources: names are reduced to a match key
(lowercase alphanumerics) and looked up in :data:`DATASET_ALIASES`; the id is a slug.
``FGVC Aircraft``, ``fgvc_aircraft`` and ``aircraft`` are all ``fgvc-aircraft``.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Iterable

# match key -> canonical dataset id (only where sources spell one benchmark differently)
DATASET_ALIASES = {
    "aircraft": "fgvc-aircraft", "fgvcaircraft": "fgvc-aircraft", "fgvcaircraft2013b": "fgvc-aircraft",
    "cars": "stanford-cars", "stanfordcars": "stanford-cars", "cars196": "stanford-cars",
    "pets": "oxford-pets", "pet": "oxford-pets", "oxfordpets": "oxford-pets", "oxfordiiitpet": "oxford-pets",
    "oxfordiiitpets": "oxford-pets",
    "flowers": "oxford-flowers102", "flowers102": "oxford-flowers102", "oxfordflowers102": "oxford-flowers102",
    "oxfordflowers": "oxford-flowers102", "vtabflowers": "oxford-flowers102",
    "food": "food101", "food101": "food101",
    "dtd": "dtd", "describabletextures": "dtd", "vtabdtd": "dtd",
    "cifar10": "cifar10", "cifar100": "cifar100", "vtabcifar100": "cifar100", "vtabcifar10": "cifar10",
    "sun397": "sun397", "sun": "sun397", "vtabsun397": "sun397",
    "caltech101": "caltech101", "vtabcaltech101": "caltech101",
    "voc2007": "voc2007", "pascalvoc2007": "voc2007", "vocclassification2007": "voc2007",
    "imagenet": "imagenet", "imagenet1k": "imagenet", "ilsvrc2012": "imagenet", "imagenetval": "imagenet",
    "imagenet1kval": "imagenet", "in1k": "imagenet",
    "mmlu": "mmlu", "hendryckstest": "mmlu", "mmlu5shot": "mmlu", "massivemultitasklanguageunderstanding": "mmlu",
    "arc": "arc-challenge", "arcc": "arc-challenge", "arcchallenge": "arc-challenge", "ai2arc": "arc-challenge",
    "hellaswag": "hellaswag", "winogrande": "winogrande", "winograd": "winogrande",
    "truthfulqa": "truthfulqa", "truthfulqamc2": "truthfulqa", "gsm8k": "gsm8k",
    "humaneval": "humaneval", "humanevalpython": "humaneval", "mbpp": "mbpp",
    "ifeval": "ifeval", "bbh": "bbh", "bigbenchhard": "bbh", "math": "math", "mathlvl5": "math-lvl-5",
    "mathlevel5": "math-lvl-5", "gpqa": "gpqa", "gpqadiamond": "gpqa-diamond", "musr": "musr",
    "mmlupro": "mmlu-pro", "coco": "coco", "cocoval2017": "coco", "coco2017": "coco", "mscoco": "coco",
    "mscococaptions": "coco-captions", "flickr30k": "flickr30k", "flickr": "flickr30k",
    "librispeechtestclean": "librispeech-test-clean", "librispeechtestother": "librispeech-test-other",
    "lsclean": "librispeech-test-clean", "lsother": "librispeech-test-other",
    "imagenetv2": "imagenetv2", "imagenetv2matchedfrequency": "imagenetv2",
    "imagenetsketch": "imagenet-sketch", "sketch": "imagenet-sketch",
    "imageneta": "imagenet-a", "imagenetr": "imagenet-r", "objectnet": "objectnet", "objectnet10beta": "objectnet",
    "stl10": "stl10", "mnist": "mnist", "svhn": "svhn", "vtabsvhn": "svhn", "eurosat": "eurosat",
    "vtabeurosat": "eurosat", "resisc45": "resisc45", "vtabresisc45": "resisc45",
    "pcam": "pcam", "vtabpcam": "pcam", "gtsrb": "gtsrb", "country211": "country211",
    "renderedsst2": "rendered-sst2", "fer2013": "fer2013", "kitti": "kitti", "kinetics400": "kinetics-400",
    "squad": "squad", "squad11": "squad", "squadv11": "squad", "squad20": "squad-v2", "squadv2": "squad-v2",
    "naturalquestions": "natural-questions", "triviaqa": "triviaqa", "boolq": "boolq", "piqa": "piqa",
    "openbookqa": "openbookqa", "lambada": "lambada", "anli": "anli", "csqa2": "csqa2",
    "commonsenseqa": "commonsenseqa", "sciq": "sciq", "xwinograd": "xwinograd",
    "alpacaeval2": "alpacaeval-2", "alpacaeval20": "alpacaeval-2", "alpacaeval": "alpacaeval-1",
    "mtbench": "mt-bench", "arenahard": "arena-hard", "livebench": "livebench", "livecodebench": "livecodebench",
    "aiderpolyglot": "aider-polyglot", "polyglot": "aider-polyglot", "swebenchverified": "swe-bench-verified",
    "wikitext103": "wikitext-103", "penntreebank": "penn-treebank", "ptb": "penn-treebank",
}

_ORG_FREE_SUFFIX = re.compile(r"-(hf)$")


def slug(name: str) -> str:
    """Stable lowercase slug: alphanumerics, '.', '@' and '+' kept, the rest -> '-'."""
    s = str(name).strip().lower()
    s = re.sub(r"[^a-z0-9.@+/]+", "-", s)
    s = re.sub(r"-+", "-", s).strip("-./")
    return s


def match_key(name: str) -> str:
    """Key under which spellings of one name meet: lowercase alphanumerics only."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def dataset_id(name: str) -> str:
    """Canonical dataset id for a raw benchmark name."""
    key = match_key(name)
    return DATASET_ALIASES.get(key) or slug(name) or "unknown-dataset"


def _model_key(name: str) -> str:
    base = str(name).split("/")[-1].strip().lower()
    base = re.sub(r"\((\d+(?:\.\d+)?[bm])\)", r"-\1", base)  # "llama 2 (70b)" -> "llama 2 -70b"
    base = _ORG_FREE_SUFFIX.sub("", re.sub(r"[\s_]+", "-", base))
    return match_key(base)


class ModelNamer:
    """Maps raw model names from every source to canonical model ids.

    Build it once from all names seen (``ModelNamer(all_names, hf_ids)``), then call
    :meth:`canonical`. ``hf_ids`` are names known to be Hub repo ids (e.g. from the Hub model
    list); names containing ``/`` count as such too.
    """

    def __init__(self, names: Iterable[str], hf_ids: Iterable[str] = (), popularity: dict | None = None):
        popularity = popularity or {}
        spellings: dict[str, Counter] = defaultdict(Counter)  # lowercase id -> spellings
        for n in list(names) + list(hf_ids):
            n = str(n).strip()
            if "/" in n:
                spellings[n.lower()][n] += 1
        # canonical spelling of each HF id: the most frequent, ties -> lexicographic
        self._hf = {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for k, c in spellings.items()}
        by_key: dict[str, list[str]] = defaultdict(list)
        for low, spelled in self._hf.items():
            if low.count("/") == 1:
                by_key[_model_key(spelled)].append(spelled)
        # a bare name maps to the HF id with its key: unique, or the most popular one
        self._bare: dict[str, str] = {}
        for key, ids in by_key.items():
            if len(ids) == 1:
                self._bare[key] = ids[0]
            else:
                ranked = sorted(ids, key=lambda i: (-(popularity.get(i) or 0), i))
                if (popularity.get(ranked[0]) or 0) > 10 * (popularity.get(ranked[1]) or 0) > 0:
                    self._bare[key] = ranked[0]  # clear winner (e.g. the official repo)
        self._cache: dict[str, str] = {}

    def canonical(self, name: str) -> str:
        name = str(name).strip()
        hit = self._cache.get(name)
        if hit is not None:
            return hit
        if "/" in name and name.lower() in self._hf:
            out = self._hf[name.lower()]
        else:
            out = self._bare.get(_model_key(name)) or slug(name) or "unknown-model"
        self._cache[name] = out
        return out
