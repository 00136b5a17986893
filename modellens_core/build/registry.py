"""Model registry data: the reviewed tables behind model identity, and the name rules using them.

The curated facts live in ``registry_data/*.csv`` (one reviewed row per fact, each file says
what a row means in its comment line); this module only reads them and applies them:

* :func:`normalise` - a display name as a comparable string: run settings in brackets
  (``(high)``, ``(32k think)``, ``(udiff)``) and effort suffixes (``_high``) removed, sizes and
  dates in brackets kept as name parts (``Llama 2 (70B)`` -> ``Llama-2-70B``,
  ``Claude_3.5_Sonnet_(06/20)`` -> ``Claude-3.5-Sonnet-0620``), Ollama tags unfolded.
* :func:`split_variant` - precision / packaging copies (bf16, fp16, fp8, GPTQ, AWQ, GGUF, int4,
  int8, ONNX, MLX, exl2, Ollama quantisations, MTEB ``(output_dtype=int8)``): the base name and
  the tag. A copy is the same model as its base (see :mod:`canonical`).
* :func:`rename` - serving prefixes, org renames and well-known renames (``renames.csv``).
* :func:`official_orgs` - the Hub organisations that own a family (``official_orgs.csv``).
* :func:`api_vendor` - closed API models and their vendor (``api_models.csv``).
* :func:`moe_size`, :func:`architecture_size` - parameters in BILLIONS from
  ``moe_sizes.csv`` / ``architecture_sizes.csv``.
* :func:`date_kind` - how trustworthy a source's release dates are (``date_sources.csv``).

Popularity thresholds (a bare name may map to a repo outside the official orgs only when the
repo clears one of them and is at least ``POPULAR_MARGIN`` times ahead of the next repo with
the same match key) are constants below.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("registry_data")

# A repo is "clearly the one people use" when it has at least this many downloads in the Hub
# model list (hf_hub_models_2023: monthly downloads; the top ~1.5% of its 75k repos) ...
POPULAR_MIN_DOWNLOADS = 1000.0
# ... or at least this many likes ("hearts", as the Open LLM Leaderboard reports them; about
# the top 3% of the leaderboard's repos) ...
POPULAR_MIN_LIKES = 25.0
# ... and at least this many times the downloads/likes of the next repo with the same key.
POPULAR_MARGIN = 10.0
# Vendors whose undated API name is an alias of the newest snapshot, so an undated name with a
# single dated snapshot in the corpus is that snapshot ("o4-mini" -> "o4-mini-2025-04-16"); other
# vendors reuse names for different models (Alibaba's "qwen-max" vs "qwen-max-2025-01-25").
SNAPSHOT_VENDORS = ("openai", "anthropic")


@lru_cache(maxsize=None)
def table(name: str) -> tuple[dict, ...]:
    """Rows of ``registry_data/<name>.csv`` (lines starting with '#' are comments)."""
    with open(DATA_DIR / f"{name}.csv", newline="", encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return tuple({k: (v or "").strip() for k, v in r.items()} for r in rows)


def _rx(pattern: str) -> re.Pattern:
    if pattern.startswith("(?-i)"):
        return re.compile(pattern[5:])
    return re.compile(pattern, re.IGNORECASE)


# ----------------------------------------------------------------------------- normalising
_BRACKET = re.compile(r"\s*[\(\[]([^)\]]*)[\)\]]")
_SIZE = re.compile(r"^\d+(?:\.\d+)?\s*[bmk]$", re.I)
_DATE_SLASH = re.compile(r"^(\d{2})/(\d{2})$")
_DATE_ONLY = re.compile(r"^(?:\d{3,8}|\d{4}-\d{2}-\d{2}|\d{2}-\d{4}|\d{2}-\d{2})(?:[ -](?:preview|exp|latest))?$", re.I)
_VARIANT_IN_BRACKET = re.compile(r"^(fp8|fp16|bf16|int8|int4|gguf|awq|gptq)$|output_dtype|embed_dim", re.I)
_EFFORT = re.compile(r"_(high|medium|low|minimal|thinking|\d+k)$", re.I)


def normalise(name: str) -> tuple[str, str | None, bool]:
    """(name, variant tag or None, had_bracket_size) for a raw model name; case is kept and
    underscores become '-' only in bare names (a Hub id keeps its spelling)."""
    s = str(name).strip()
    tag, had_size = None, False

    def repl(m: re.Match) -> str:
        nonlocal tag, had_size
        inner = m.group(1).strip()
        if _SIZE.match(inner):
            had_size = True
            return "-" + inner.replace(" ", "")
        d = _DATE_SLASH.match(inner)
        if d:
            return f"-{d.group(1)}{d.group(2)}"
        if _DATE_ONLY.match(inner):  # a snapshot date or version: part of the name
            return "-" + inner.replace(" ", "-")
        if _VARIANT_IN_BRACKET.search(inner):
            tag = inner
        return ""  # a run setting: effort, thinking budget, edit format, call mode

    s = _BRACKET.sub(repl, s).strip()
    s = _EFFORT.sub("", s)
    if ":" in s and "/" not in s.split(":", 1)[1]:  # Ollama "llama3.3:70b-instruct-q8_0", Bedrock "v1:0"
        head, _, t = s.partition(":")
        s = head if re.fullmatch(r"\d+", t) else f"{head}-{t}"
    s = re.sub(r"\s+" if "/" in s else r"[\s_]+", "-", s).strip("-_")
    return s, tag, had_size


_VARIANT_TOKEN = (r"fp16|bf16|fp8|fp32|float16|bfloat16|gptq|awq|gguf|ggml|exl2|onnx|mlx|int4|int8|(?<=instruct-)turbo|"
                  r"4bit|8bit|bnb-4bit|nf4|w4a16|w8a8|q[2-8](?:-k)?(?:-[msl]|-0|-1)?|q[2-8]-k-[msl]")
_VARIANT_END = re.compile(rf"[-.](?:{_VARIANT_TOKEN})$", re.I)


def split_variant(name: str) -> tuple[str, str | None]:
    """(base, tag) where ``tag`` names the precision/packaging suffixes removed from ``name``
    (``"Llama-2-13B-GPTQ"`` -> ``("Llama-2-13B", "gptq")``); (name, None) when there is none."""
    s, tags = str(name), []
    while True:
        m = _VARIANT_END.search(s.replace("_", "-"))
        if not m or m.start() == 0:
            break
        tags.append(s[m.start() + 1:].lower())
        s = s[:m.start()]
    return (s, "-".join(reversed(tags))) if tags else (name, None)


# ----------------------------------------------------------------------------- renames
@lru_cache(maxsize=None)
def _renames():
    out = {"provider": set(), "org": {}, "id": [], "name": [], "mirror": []}
    for r in table("renames"):
        if r["kind"] == "provider":
            out["provider"].add(r["pattern"].lower())
        elif r["kind"] == "org":
            out["org"][r["pattern"].lower()] = r["replacement"]
        else:
            out[r["kind"]].append((_rx(r["pattern"]), r["replacement"]))
    return out


def mirror_orgs() -> set[str]:
    """Orgs that publish same-name copies of official repos (``renames.csv`` kind mirror)."""
    return {r["pattern"].lower() for r in table("renames") if r["kind"] == "mirror"}


def strip_provider(name: str) -> str:
    """``chutes/DeepSeek-R1`` -> ``DeepSeek-R1`` (serving prefixes are not model orgs)."""
    head, sep, rest = str(name).partition("/")
    return rest if sep and rest and head.lower() in _renames()["provider"] else name


def rename(name: str) -> str:
    """Apply org renames and the id / bare-name rename rows (first matching row of each kind)."""
    r = _renames()
    s = str(name)
    if "/" in s:
        org, _, rest = s.partition("/")
        s = f"{r['org'].get(org.lower(), org)}/{rest}"
        for rx, rep in r["id"]:
            if rx.search(s):
                return rx.sub(rep, s)
        return s
    low = s.lower()
    for rx, rep in r["name"]:
        if rx.search(low):
            return rx.sub(rep, low)
    return s


# ----------------------------------------------------------------------------- orgs and APIs
@lru_cache(maxsize=None)
def _orgs():
    return tuple((_rx(r["pattern"]), r["org"], r["drop_prefix"].lower()) for r in table("official_orgs"))


def official_orgs(name: str) -> list[tuple[str, str]]:
    """[(org, drop_prefix)] of every official_orgs row whose pattern matches the bare name."""
    low = str(name).lower().replace("_", "-")
    return [(org, drop) for rx, org, drop in _orgs() if rx.match(low)]


def is_official(repo_id: str) -> bool:
    """Whether ``org/name`` is a repo of an org that officially owns the name's family."""
    org, _, rest = str(repo_id).partition("/")
    return any(o.lower() == org.lower() for o, _ in official_orgs(rest))


@lru_cache(maxsize=None)
def _apis():
    return tuple((_rx(r["pattern"]), r["vendor"], r["open_weights"].lower() == "true") for r in table("api_models"))


def api_vendor(name: str) -> tuple[str, bool] | None:
    """(vendor, open_weights) of the first api_models row matching the bare name, else None."""
    for rx, vendor, open_w in _apis():
        if rx.match(str(name)):
            return vendor, open_w
    return None


# Hub-like orgs under which sources list API models ("OpenAI/gpt-4-0613", "Qwen/Qwen-VL-Max");
# an "org/name" id is only checked against api_models.csv when its org is a vendor org.
EXTRA_VENDOR_ORGS = ("qwen", "bedrock", "deepseek-ai", "mistralai", "01-ai", "xai-org", "coherelabs", "voyageai")


@lru_cache(maxsize=None)
def vendor_orgs() -> frozenset[str]:
    return frozenset({v.lower() for _, v, _ in _apis()} | set(EXTRA_VENDOR_ORGS))


def api_slug(name: str) -> str:
    """API model id spelling: lower case, '-' separators, Claude's dotted versions dashed
    (``Claude 3.5 Sonnet`` -> ``claude-3-5-sonnet``, ``Claude 4 Sonnet`` -> ``claude-sonnet-4``,
    as Anthropic's API ids write them)."""
    s = re.sub(r"[^a-z0-9.+]+", "-", str(name).lower()).strip("-")
    s = re.sub(r"^claude-(\d)\.(\d)(?=-|$)", r"claude-\1-\2", s)
    # from Claude 4 on the API id puts the tier first: "claude-4-sonnet" is "claude-sonnet-4"
    return re.sub(r"^claude-([4-9](?:-\d)?)-(opus|sonnet|haiku)(?=-|$)", r"claude-\2-\1", s)


# ----------------------------------------------------------------------------- sizes, dates
@lru_cache(maxsize=None)
def _moe():
    return tuple((re.compile(r["pattern"]), float(r["params_b"]), float(r["active_params_b"]))
                 for r in table("moe_sizes"))


def moe_size(repo_name: str) -> tuple[float, float] | None:
    """(total, active) parameters in billions for a known mixture-of-experts model."""
    s = str(repo_name).rsplit("/", 1)[-1].lower()
    for rx, total, active in _moe():
        if rx.search(s):
            return total, active
    return None


@lru_cache(maxsize=None)
def _arch():
    return tuple((re.compile(r["pattern"]), float(r["params_b"])) for r in table("architecture_sizes"))


def architecture_size(repo_name: str) -> float | None:
    """Parameters in billions of a well-known architecture named by the whole repo name."""
    s = re.sub(r"[_.]", "-", str(repo_name).rsplit("/", 1)[-1].lower())
    for rx, size in _arch():
        if rx.fullmatch(s):
            return size
    return None


@lru_cache(maxsize=None)
def _date_kinds() -> dict[str, tuple[int, str]]:
    return {r["source"]: (int(r["rank"]), r["kind"]) for r in table("date_sources")}


def date_kind(source: str) -> tuple[int, str]:
    """(rank, kind) of a source's release dates: lower rank = more trustworthy
    (``release`` < ``hub-created`` < ``leaderboard``); unknown sources rank last."""
    return _date_kinds().get(source, (9, "leaderboard"))


# ----------------------------------------------------------------------------- dataset descriptions
def dataset_descriptions() -> dict[str, str]:
    """Benchmark family -> curated description (``dataset_descriptions.csv``), used for the
    datasets of that family that have no description from a source."""
    return {r["family"]: r["description"] for r in table("dataset_descriptions") if r["family"] and r["description"]}


# ----------------------------------------------------------------------------- pinned weights
# Two weights are one checkpoint when their ImageNet top-1 (percent) differ by at most this much:
# re-evaluations of the same weights agree to ~0.05 points; different recipes differ by > 0.3.
ACCURACY_TOLERANCE = 0.25


def _arch_keys(weights_id: str) -> tuple[str, str]:
    """(architecture key, tag key) of ``timm/<arch>.<tag>`` or ``torchvision/<Arch>_Weights.<TAG>``."""
    ns, _, rest = weights_id.partition("/")
    if ns == "timm":
        arch, _, tag = rest.partition(".")
    else:
        arch, _, tag = rest.partition("_Weights.")
    arch = re.sub(r"^(tf_|legacy_)", "", arch.lower())
    return re.sub(r"[^a-z0-9]", "", arch), re.sub(r"[^a-z0-9]", "", tag.lower())


def pin_weights(source: str, named_acc: dict[str, float], library_acc: dict[str, float]) -> dict:
    """(source, name) -> weights id (or None: own entry) for bare checkpoint names of ``source``.

    ``pinned_weights.csv`` rows first; otherwise a name matches the library weights (timm /
    torchvision ImageNet top-1 in ``library_acc``) of the same architecture (its alphanumeric
    key equals the weights' architecture key, or is that key plus a word of the weights' tag:
    ``resnet50_swsl`` ~ ``timm/resnet50.fb_swsl_ig1b_ft_in1k``) whose top-1 is within
    :data:`ACCURACY_TOLERANCE` of the name's; the closest wins, torchvision first on ties.
    Names with no such weights are pinned to None (they stay their own entry)."""
    rows = [(re.compile(r["pattern"], re.I), r["weights"]) for r in table("pinned_weights") if r["source"] == source]
    by_arch: dict[str, list[tuple[str, str, float]]] = {}
    for wid, acc in library_acc.items():
        a, t = _arch_keys(wid)
        by_arch.setdefault(a, []).append((wid, t, acc))
    out = {}
    for name, acc in named_acc.items():
        hit = next((rx.sub(w, name) for rx, w in rows if rx.fullmatch(name)), None)
        if hit in library_acc:
            out[(source, name)] = hit
            continue
        key = re.sub(r"[^a-z0-9]", "", name.lower())
        cands = [(abs(a - acc), not w.startswith("torchvision/"), w)
                 for arch, ws in by_arch.items() if key.startswith(arch)
                 for w, tag, a in ws if key == arch or key[len(arch):] in tag]
        cands = sorted(c for c in cands if c[0] <= ACCURACY_TOLERANCE)
        out[(source, name)] = cands[0][2] if cands else None
    return out


_HUB_IN_DESC = re.compile(r"Hugging Face Hub: (?:hf-hub:)?([\w.-]+/[\w.-]+)")


def clip_repos(descriptions: dict[str, str]) -> dict[str, str]:
    """OpenCLIP id -> Hub repo: the ``hf_hub`` the open_clip adapter wrote into the description
    ("Hugging Face Hub: <repo>"), replaced by the official repo of the same weights
    (``clip_official.csv``)."""
    official = {r["hf_hub"].lower(): r["repo"] for r in table("clip_official")}
    out = {}
    for mid, desc in descriptions.items():
        m = _HUB_IN_DESC.search(str(desc or ""))
        if m:
            repo = m.group(1).rstrip("/.")
            out[mid] = official.get(repo.lower(), repo)
    return out


@lru_cache(maxsize=None)
def _known():
    return (tuple((re.compile(r["pattern"]), r["date"]) for r in table("release_dates")),
            tuple((re.compile(r["pattern"]), r["modality"]) for r in table("modalities")))


def known_release(repo_name: str) -> str | None:
    """Known release date ("YYYY-MM" or "YYYY-MM-DD") of a well-known model, else None."""
    s = str(repo_name).rsplit("/", 1)[-1].lower()
    return next((d for rx, d in _known()[0] if rx.fullmatch(s)), None)


def known_modality(repo_name: str) -> str | None:
    """Modality stated by the name / known for the family (``modalities.csv``), else None."""
    s = str(repo_name).rsplit("/", 1)[-1].lower()
    return next((mod for rx, mod in _known()[1] if rx.search(s)), None)
