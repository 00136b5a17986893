"""Guess a model's family and size from its name, for sources that give neither.

``guess_family("meta-llama/Llama-2-7b-hf")`` -> ``"llama"``;
``params_from_name("Qwen2.5-1.5B-Instruct")`` -> ``1.5`` (billions of parameters).

Both are heuristics on the repo name (the part after the last ``/``); they return None rather
than a wrong guess when nothing recognisable is there.
"""
from __future__ import annotations

import re

# (family, aliases): an alias matches a whole '-'-separated token of the normalised name,
# optionally followed by a version number ("qwen2", "phi3", "resnet50d", "gemma2").
# Multi-token aliases ("xlm-roberta") are listed so they win over their last token.
KNOWN_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("llama", ("llama", "meta-llama")), ("codellama", ("codellama",)), ("mistral", ("mistral",)),
    ("mixtral", ("mixtral",)), ("qwen", ("qwen",)), ("gemma", ("gemma",)), ("phi", ("phi",)),
    ("falcon", ("falcon",)), ("gpt-neox", ("gpt-neox",)), ("gpt-neo", ("gpt-neo",)),
    ("gpt-j", ("gpt-j",)), ("gpt2", ("gpt2", "distilgpt2")), ("opt", ("opt",)), ("bloom", ("bloom", "bloomz")),
    ("pythia", ("pythia",)), ("mpt", ("mpt",)), ("olmo", ("olmo",)), ("yi", ("yi",)),
    ("deepseek", ("deepseek",)), ("internlm", ("internlm",)), ("baichuan", ("baichuan",)),
    ("glm", ("glm", "chatglm")), ("starcoder", ("starcoder",)), ("t5", ("t5", "mt5", "byt5", "flan-t5")),
    ("bart", ("bart", "mbart")), ("xlm-roberta", ("xlm-roberta",)), ("roberta", ("roberta",)),
    ("distilbert", ("distilbert",)), ("deberta", ("deberta",)), ("albert", ("albert",)),
    ("electra", ("electra",)), ("modernbert", ("modernbert",)), ("bert", ("bert", "mbert")),
    ("minilm", ("minilm",)), ("mpnet", ("mpnet",)), ("e5", ("e5",)), ("bge", ("bge",)),
    ("gte", ("gte",)), ("labse", ("labse",)), ("clip", ("clip",)), ("siglip", ("siglip",)),
    ("vit", ("vit",)), ("deit", ("deit",)), ("swin", ("swin",)), ("convnext", ("convnext",)),
    ("resnet", ("resnet",)), ("efficientnet", ("efficientnet",)), ("whisper", ("whisper",)),
    ("wav2vec2", ("wav2vec2",)), ("hubert", ("hubert",)),
)
# tokens that never name a family on their own (skipped by the fallback)
GENERIC_TOKENS = frozenset("""
    a an the all and for of to with base large small medium tiny mini micro nano xl xxl huge
    model models embed embedding embeddings text sentence sentences multilingual paraphrase meta
    hf instruct instruction chat it uncased cased finetuned fine tuned ft pretrained v lm
    """.split())

_FAMILY_RES = [(fam, re.compile(rf"(?:^|-)({'|'.join(re.escape(a) for a in aliases)})(?:\d+[a-z]?)?(?=-|$)"))
               for fam, aliases in KNOWN_FAMILIES]
_UUID = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")
MAX_PARAMS_B = 2000.0  # larger "sizes" in names are ids or token counts, not parameters
_PARAMS = re.compile(r"(?<![a-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)([bm])(\d)?(?![a-z0-9])")


def _normalise(name: str) -> str:
    """Repo name only, lowercased, separators ('_', '.', ' ') turned into '-'.

    Dots inside version numbers ("qwen2.5") become '-' too, so "qwen2.5" -> "qwen2-5"."""
    base = str(name).rsplit("/", 1)[-1].lower()
    return re.sub(r"[-_.\s]+", "-", base).strip("-")


def guess_family(name: str) -> str | None:
    """Family of a model from its name ("bert-base-uncased" -> "bert", "Llama-2-7b-hf" -> "llama").

    The known family whose alias appears earliest in the name wins (so "e5-mistral-7b" is e5 and
    "xlm-roberta-base" is xlm-roberta); otherwise the first non-generic alphabetic token with
    a trailing version removed ("resnet50" -> "resnet", "dinov2" -> "dino"); None when there is none."""
    s = _normalise(name)
    if not s:
        return None
    best: tuple[int, int, str] | None = None  # (position, -alias length, family)
    for fam, rx in _FAMILY_RES:
        m = rx.search(s)
        if m:
            key = (m.start(1), -len(m.group(1)), fam)
            best = key if best is None or key < best else best
    if best is not None:
        return best[2]
    for tok in s.split("-"):
        stem = re.sub(r"v?\d+[a-z]?$", "", tok)  # "resnet50d" -> "resnet", "dinov2" -> "dino"
        if len(stem) >= 2 and stem.isalpha() and stem not in GENERIC_TOKENS:
            return stem
    return None


def params_from_name(name: str) -> float | None:
    """Parameter count in BILLIONS parsed from a name, or None when the name states none.

    "7b" -> 7.0, "70B" -> 70.0, "1.5b" -> 1.5, "350m" -> 0.35, "bloom-7b1" -> 7.1,
    "Mixtral-8x7B" -> 56.0 (nominal experts x size; the true count is lower). The first
    size token wins; "A3B"-style active-parameter tokens are ignored (a letter precedes them),
    UUIDs are skipped and values above MAX_PARAMS_B are rejected."""
    s = _UUID.sub("", str(name).rsplit("/", 1)[-1].lower().replace("_", "-"))
    m = _PARAMS.search(s)
    if not m:
        return None
    mult, num, unit, decimal = m.groups()
    value = float(num) + (float(decimal) / 10 if decimal else 0.0)
    value *= int(mult) if mult else 1
    value = value / 1000 if unit == "m" else value
    return value if 0 < value <= MAX_PARAMS_B else None
