"""Canonical model and dataset ids across sources.

Models: :class:`ModelNamer` owns identity (rules in its docstring, reviewed data in
``registry_data/``, read by :mod:`registry`): a Hub repo ``org/name`` is canonical; a bare or
display name maps to a repo only through an official organisation or clear popularity; closed
API models are ``<vendor>/<api id>``; paper-table methods are ``paper:<slug>``; precision and
packaging copies are their base model. Source-qualified ids (``timm/...``, ``torchvision/...``,
``mmdet/...``) are kept.

Datasets: :class:`DatasetNamer` gives one id per underlying dataset across sources (match key
-> ``registry_data/dataset_aliases.csv``, then :data:`DATASET_ALIASES`, else a slug; ``FGVC
Aircraft``, ``fgvc_aircraft`` and ``aircraft`` are all ``fgvc-aircraft``) and, separately, the
protocol it was used with (zero-shot, linear probe, fine-tune, retrieval re-formulation).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Iterable

from . import registry

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

@lru_cache(maxsize=None)
def _dataset_rows():
    full = lambda p: re.compile(p, re.I) if p else None  # noqa: E731
    aliases = tuple((r["key"], full(r["task"]), full(r["source"]), r["dataset"], r["subset"])
                    for r in registry.table("dataset_aliases"))
    protocols = tuple((full(r["source"]), full(r["task"]), full(r["subset"]), full(r["key"]), r["protocol"])
                      for r in registry.table("dataset_protocols"))
    return aliases, protocols


def _ok(rx, value: str) -> bool:
    return rx is None or bool(rx.fullmatch(str(value)))


class DatasetNamer:
    """Maps a record's (dataset name, source, task, subset) to (dataset id, protocol, subset).

    One id per underlying dataset; the protocol (``standard``, ``zero-shot``, ``linear-probe``,
    ``fine-tune``, ``retrieval-reformulation``) is a separate field, never part of the id. Rules:
    ``dataset_aliases.csv`` rows first (they may add a subset, e.g. LibriSpeech test-clean);
    a ``vtab/`` prefix is dropped; an MTEB ``*ZeroShot`` name is its base dataset with protocol
    zero-shot; an MTEB ``*Classification`` name is its base dataset when another source (or an
    alias) knows the base (``Food101Classification`` -> ``food101``); then
    :data:`DATASET_ALIASES`; else a slug. Protocols come from ``dataset_protocols.csv``.
    """

    def __init__(self, names: Iterable[str] = ()):
        self.known = {match_key(n) for n in names} | set(DATASET_ALIASES) | {r[0] for r in _dataset_rows()[0]}
        self._cache: dict[tuple, tuple[str, str, str]] = {}

    def resolve(self, name: str, source: str = "", task: str = "", subset: str = "") -> tuple[str, str, str]:
        k = (str(name), source, task, subset)
        if k not in self._cache:
            self._cache[k] = self._resolve(*k)
        return self._cache[k]

    def _resolve(self, name: str, source: str, task: str, subset: str) -> tuple[str, str, str]:
        raw_key = match_key(name[5:] if name.lower().startswith("vtab/") else name)
        key, protocol = raw_key, None
        if source == "mteb" and key.endswith("zeroshot") and len(key) > 8:
            key, protocol = key[:-8], "zero-shot"
        elif source == "mteb" and key.endswith("classification") and key[:-14] in self.known:
            key = key[:-14]
        if protocol is None:
            protocol = next((p for s, t, sub, kx, p in _dataset_rows()[1] if _ok(s, source) and _ok(t, task)
                             and _ok(sub, subset) and _ok(kx, raw_key)), "standard")
        for akey, t, s, ds, extra in _dataset_rows()[0]:
            if akey == key and _ok(t, task) and _ok(s, source):
                return ds, protocol, (f"{subset}/{extra}" if subset and extra else subset or extra)
        if key != raw_key or name.lower().startswith("vtab/"):
            return DATASET_ALIASES.get(key) or key, protocol, subset
        return dataset_id(name), protocol, subset



def _model_key(name: str) -> str:
    base = str(name).split("/")[-1].strip().lower()
    base = re.sub(r"\((\d+(?:\.\d+)?[bm])\)", r"-\1", base)  # "llama 2 (70b)" -> "llama 2 -70b"
    base = _ORG_FREE_SUFFIX.sub("", re.sub(r"[\s_]+", "-", base))
    return re.sub(r"[^a-z0-9.]|\.(?!\d)|(?<!\d)\.", "", base)  # "opt-1.3b" -> opt1.3b, never opt13b


_SYNONYMS = {"it": "instruct"}


def _bag_key(name: str) -> str:
    """Order-free key: the name's tokens (letter runs, numbers, sizes like ``7b``), sorted;
    ``Gemma 2 Instruct (27B)`` and ``gemma-2-27b-it`` share it."""
    base = _ORG_FREE_SUFFIX.sub("", re.sub(r"[\s_]+", "-", str(name).split("/")[-1].lower()))
    toks = re.findall(r"\d+(?:\.\d+)?(?:x\d+)?[a-z]?|[a-z]+", base)
    return " ".join(sorted(_SYNONYMS.get(t, t) for t in toks))


NAMESPACES = ("timm", "torchvision", "open_clip", "robustbench", "mmpretrain", "mmdet", "mmsegmentation",
              "mmpose", "mmaction2", "mmocr", "mmdet3d", "mmrotate", "mmyolo", "local")
PAPER_SOURCES = {"pwc_sota_extractor"}  # rows of paper tables: methods, never Hub repos by name
_TRAILING_SIZE = re.compile(r"-(\d+(?:\.\d+)?[bm])$", re.I)
_DATED = re.compile(r"^(.*)-(\d{8}|\d{4}-\d{2}-\d{2})$")


class ModelNamer:
    """Maps raw model names from every source to canonical model ids, with a kind.

    Build it once from all names seen (``ModelNamer(names, hf_ids, popularity, likes)``), then call
    :meth:`resolve` (id, kind) or :meth:`canonical` (id). Kinds: ``hub-model`` (an ``org/name``
    Hub repo; ``timm/`` weights too), ``api-model`` (closed, ``<vendor>/<api id>``),
    ``paper-method`` (``paper:<slug>``, every name from a paper table), ``library-weights``
    (``torchvision/``, ``mmdet/``... ids), ``unlinked`` (a name tied to nothing: its own slug).

    Rules, in order (data in ``registry_data/``, see :mod:`registry`):
    1. paper-table sources give ``paper:<slug>``; source-namespaced ids are kept;
    2. serving prefixes, org renames and well-known renames are applied;
    3. closed API models (``api_models.csv``) become ``<vendor>/<api id>``; an undated name with
       exactly one dated snapshot in the corpus (``o4-mini``) takes it, a short date
       (``claude-3-5-sonnet-0620``) is completed from the corpus's full-dated ids;
    4. precision/packaging copies (``TheBloke/Llama-2-13B-GPTQ``) resolve to their base model when
       the base resolves (same org, the official org, a unique repo of the same name, or a
       popular one); copies by mirror orgs (``NousResearch/Meta-Llama-3-8B-Instruct``) of an
       official repo are that repo; ``X`` and ``X-hf`` of one org are one model;
    5. a bare or display name maps to a repo with the same match key (or, for official orgs, the
       same token bag) of an official org of its family (``official_orgs.csv``); failing that,
       to a repo that is clearly the one people use (:data:`registry.POPULAR_MIN_DOWNLOADS` /
       ``POPULAR_MIN_LIKES`` and ``POPULAR_MARGIN`` times ahead); otherwise it is its own entry;
    6. ``pinned`` ((source, name) -> id) settles names decided from data before these rules
       (ImageNet-testbed names matched to library weights by their ImageNet accuracy).
    """

    def __init__(self, names: Iterable[str], hf_ids: Iterable[str] = (), popularity: dict | None = None,
                 likes: dict | None = None, pinned: dict | None = None):
        self.pinned = dict(pinned or {})
        self.kinds: dict[str, str] = {}
        self.variant_of: dict[str, str] = {}
        names = [str(n).strip() for n in names]
        spellings: dict[str, Counter] = defaultdict(Counter)
        renamed_bare = []
        for n in names + [str(h).strip() for h in hf_ids]:
            s = self._hf_form(n)
            if s and "/" in registry.strip_provider(n):
                spellings[s.lower()][s] += 1
            elif s:
                renamed_bare.append(s)  # "gpt2" -> "openai-community/gpt2": a candidate, not a spelling
        for s in renamed_bare:
            spellings.setdefault(s.lower(), Counter({s: 1}))
        self._hf = {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for k, c in spellings.items()}
        self.downloads, self.likes = defaultdict(float), defaultdict(float)
        for src, dst in ((popularity or {}, self.downloads), (likes or {}, self.likes)):
            for k, v in src.items():
                hid = self._hf.get((self._hf_form(str(k)) or "").lower())
                if hid and v == v:
                    dst[hid] = max(dst[hid], float(v))
        self._by_key, self._by_bag = defaultdict(list), defaultdict(list)
        drops = {(o.lower(), d) for r in registry.table("official_orgs") for o, d in [(r["org"], r["drop_prefix"].lower())] if d}
        for spelled in self._hf.values():
            org, repo = spelled.split("/", 1)
            forms = [repo] + [repo[len(d):] for o, d in drops if o == org.lower() and repo.lower().startswith(d)]
            for f in forms:
                self._by_key[_model_key(f)].append(spelled)
                self._by_bag[_bag_key(f)].append(spelled)
        self._builders = defaultdict(list)  # torchvision builder ("resnet50") -> weights ids
        for n in names:
            m = re.match(r"torchvision/(\w+)_(?:Quantized)?Weights\.(\w+)$", n)
            if m and "Quantized" not in n:
                self._builders[re.sub(r"[^a-z0-9]", "", m.group(1).lower())].append(n)
        self._dated: dict[str, list[str]] = defaultdict(list)
        for n in set(names):
            api = self._api(n)
            m = _DATED.match(api[0]) if api else None
            if m:
                self._dated[m.group(1)].append(api[0])
        self._cache: dict[tuple[str, str], tuple[str, str]] = {}

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _hf_form(name: str) -> str | None:
        """The ``org/name`` form of a Hub-style name (after provider/org/id renames), else None."""
        s = registry.rename(registry.strip_provider(name))
        if s.count("/") != 1 or " " in s or s.split("/")[0].lower() in NAMESPACES:
            return None
        return s

    def _api(self, name: str) -> tuple[str, bool] | None:
        """(api id, open_weights) when ``name`` is an API model name, else None."""
        s, _, had_size = registry.normalise(registry.strip_provider(name))
        if had_size:  # "davinci (175B)": the size is an annotation, not part of the API id
            s = _TRAILING_SIZE.sub("", s)
        org, _, repo = registry.rename(s).rpartition("/")
        if org and org.lower() not in registry.vendor_orgs():
            return None  # a Hub repo named like an API model ("someone/gpt-4-x-alpaca")
        repo, _ = registry.split_variant(repo)
        hit = registry.api_vendor(repo)
        if not hit:
            return None
        vendor = org.lower() if org and "/" not in org else hit[0]
        return f"{vendor}/{registry.api_slug(repo)}", hit[1]

    def _popular(self, cands: list[str]) -> str | None:
        ranked = sorted(set(cands), key=lambda c: (-self.downloads[c], -self.likes[c], c))
        top = ranked[0]
        if self.downloads[top] < registry.POPULAR_MIN_DOWNLOADS and self.likes[top] < registry.POPULAR_MIN_LIKES:
            return None
        m = registry.POPULAR_MARGIN
        if all(self.downloads[top] >= m * self.downloads[c] and self.likes[top] >= m * self.likes[c]
               for c in ranked[1:]):
            return top
        return None

    def _best(self, cands: list[str]) -> str:
        """Among official repos with one key: the most used (downloads, likes), then the
        transformers-format ``-hf`` repo, then the shortest id."""
        return sorted(set(cands), key=lambda c: (-self.downloads[c], -self.likes[c],
                                                 not c.lower().endswith("-hf"), len(c), c))[0]

    def _official(self, name: str, had_size: bool) -> str | None:
        orgs = {o.lower() for o, _ in registry.official_orgs(name)}
        if not orgs:
            return None
        tries = [name] + [name[len(d):] for _, d in registry.official_orgs(name) if d and name.lower().startswith(d)]
        m = _TRAILING_SIZE.search(name)
        if m and (had_size or not _TRAILING_SIZE.search(name[:m.start()]) and re.search(r"\d", name[:m.start()])):
            tries.append(name[:m.start()])  # "BLOOM (176B)" -> "BLOOM"; "phi-2-2.7B" -> "phi-2"
        for t in tries:
            for index, key in ((self._by_key, _model_key(t)), (self._by_bag, _bag_key(t))):
                cands = [c for c in index.get(key, []) if c.split("/")[0].lower() in orgs]
                if cands:
                    return self._best(cands)
        return None

    def _bare(self, name: str, had_size: bool = False, copy: bool = False) -> str | None:
        """Hub repo for a bare name, or None (rule 5; ``copy``: also a unique same-name repo)."""
        hit = self._official(name, had_size)
        if hit:
            return hit
        cands = self._by_key.get(_model_key(name), [])
        if copy:
            same = [c for c in cands if c.split("/", 1)[1].lower() == name.lower()]
            if len(set(same)) == 1:
                return same[0]
        return self._popular(cands) if cands else None

    # ---------------------------------------------------------------- resolution
    def canonical(self, name: str, source: str = "") -> str:
        return self.resolve(name, source)[0]

    def resolve(self, name: str, source: str = "") -> tuple[str, str]:
        key = (str(name).strip(), source)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._resolve(*key)
            self.kinds.setdefault(hit[0], hit[1])
        return hit

    def _resolve(self, raw: str, source: str) -> tuple[str, str]:
        if (source, raw) in self.pinned:  # None: checked against library weights, none matched
            pid = self.pinned[(source, raw)] or slug(raw) or "unknown-model"
            head = pid.split("/", 1)[0]
            return (self._repo(pid, None) if "/" in pid and head not in NAMESPACES
                    else (pid, "hub-model" if head == "timm" else "library-weights"))
        if source in PAPER_SOURCES:
            return "paper:" + (slug(raw) or "unknown"), "paper-method"
        head = raw.split("/", 1)[0].lower()
        if "/" in raw and head in NAMESPACES:
            return raw, "hub-model" if head == "timm" else "library-weights"
        api = self._api(raw)
        if api and not api[1]:
            return self._api_id(api[0]), "api-model"
        clean = registry.rename(registry.strip_provider(raw))
        if clean.count("/") == 1 and not re.search(r"[\s()\[\]]", clean):
            return self._repo(clean, None)  # a Hub id as written: never respelled
        s, tag, had_size = registry.normalise(registry.strip_provider(raw))
        s = registry.rename(s)
        if "/" in s:
            return self._repo(s, tag)
        builder = self._builders.get(re.sub(r"[^a-z0-9]", "", s.lower()))
        if builder:  # "resnet50", "ResNet-50": the torchvision ImageNet weights (V1 = pretrained=True)
            ws = builder
            v1 = [w for w in ws if w.endswith(".IMAGENET1K_V1")]
            return (v1 or sorted(ws))[0], "library-weights"
        base, vtag = registry.split_variant(s)
        hit = self._bare(base, had_size, copy=bool(vtag or tag))
        if hit:
            return self._repo(hit, None)
        if vtag or tag:
            self.variant_of.setdefault(slug(s), base)
        return slug(s) or "unknown-model", "unlinked"

    def _api_id(self, api_id: str) -> str:
        """Complete a short date (``-0620``) from, or give an undated name, its single dated
        snapshot among the corpus's API ids."""
        m = re.match(r"^(.*)-(\d{4})$", api_id)
        if m and m.group(1) in self._dated:
            full = {d for d in self._dated[m.group(1)] if re.sub(r"\D", "", _DATED.match(d).group(2))[4:] == m.group(2)}
            if len(full) == 1:
                return full.pop()
        dated = set(self._dated.get(api_id, []))
        if len(dated) == 1 and api_id.split("/")[0] in registry.SNAPSHOT_VENDORS:
            return dated.pop()
        return api_id

    def _repo(self, s: str, tag: str | None) -> tuple[str, str]:
        """An ``org/name`` id: variants, mirrors and ``-hf`` twins folded, known spelling kept."""
        org, _, repo = s.partition("/")
        known = self._hf.get(s.lower())
        base, vtag = registry.split_variant(repo)
        if vtag or tag:
            same = self._hf.get(f"{org}/{base}".lower())
            hit = same or self._bare(base, copy=True)
            if hit and hit.lower() != s.lower():
                return self._repo(hit, None)
            if not known:
                self.variant_of.setdefault(s, base)  # a copy whose base is not in the corpus
        if org.lower() in registry.mirror_orgs():
            hit = self._official(repo, False)
            if hit and hit.split("/", 1)[1].lower() == repo.lower():
                return hit, "hub-model"
        twin = self._hf.get(f"{org}/{repo}-hf".lower())
        if twin and not repo.lower().endswith("-hf"):
            return twin, "hub-model"
        return known or s, "hub-model"
