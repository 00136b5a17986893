"""What the ranker's structural prior learned (shown by the Priors tab).

The prior is the part of a model's score that depends only on its size (bucket and log10), its family and
the task domain (``ModelLens.prior``), in the ranker's score units (before the division by the
temperature tau; higher = the ranker expects the model to do better before it looks at the
dataset). Everything here is a handful of forward passes of the small prior MLP: cheap enough
to compute when the app loads; :func:`build_priors` also writes it as JSON for other readers.
"""
from __future__ import annotations

import json
import re
import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..build.catalog import SIZE_BUCKET_LABELS, SIZE_BUCKET_TYPICAL_B
from ..common.tasks import DOMAINS, task_domain
from ..ranker.features import size_features
from ..ranker.vocab import UNK

KNOWN_SIZES = [s for s in SIZE_BUCKET_LABELS if s != "unknown"]
# A family is shown in a task domain only when at least this many catalog models of the family are
# in that domain (their modality is the domain, or they have a leaderboard record on a dataset of
# it): a family effect learned from a handful of models (or none) is the MLP extrapolating.
MIN_SUPPORT = 10
# "Families" that are not model families: the catalog derives a family from the first word of the
# repository name, so placeholders, generic words, language codes, training tools and the
# environments/algorithms of reinforcement-learning courses show up. Never shown (compared in
# lower case); see :func:`is_junk_family` for the rules around the list.
JUNK_FAMILIES = frozenset("""
    test testing tests testmodel tmp temp dummy fake demo example sample exp experiment my mymodel model
    models name number new first original modified finetuning finetuned fine-tuned trained checkpoint
    output outputs results result idk random false true none null nan other unknown misc custom student
    autotrain autonlp keras ai ml nlp deep multi token tokenizer mask image code speech article tagged
    en fr de es pt ar ru zh ja ko ta tr sr hi it nl pl
    ppo dqn a2c sac reinforce qlearning q-frozenlake frozenlake taxi lunarlander cartpole pyramids
    snowballtarget huggy pixelcopter spaceinvaders antbulletenv vizdoom
""".split())
_JUNK_PREFIXES = ("test", "tmp", "dummy")


@torch.no_grad()
def _prior_grid(model, families: np.ndarray) -> np.ndarray:
    """prior[f, s, d] for family ids ``families`` x every size bucket (at its typical size,
    ``SIZE_BUCKET_TYPICAL_B``) x every task domain."""
    model.eval()
    F, S, D = len(families), len(SIZE_BUCKET_LABELS), len(DOMAINS)
    fam = torch.as_tensor(families, dtype=torch.long)[:, None, None].expand(F, S, D)
    size = torch.arange(S)[None, :, None].expand(F, S, D)
    dom = torch.arange(D)[None, None, :].expand(F, S, D)
    logp = torch.from_numpy(size_features(SIZE_BUCKET_TYPICAL_B))[None, :, None, :].expand(F, S, D, -1)
    return model.prior(size, fam, dom, logp).numpy().astype(np.float64)


def size_curve(model) -> pd.DataFrame:
    """Learned prior per (task domain, size bucket) for a model of unknown family ([UNK] row).

    Columns: domain, size_bucket (ordered smallest to largest, then "unknown"), prior (score
    units, higher = better expected). One row per domain x bucket.
    """
    grid = _prior_grid(model, np.array([0]))[0]            # [S, D]
    return pd.DataFrame({"domain": np.repeat(DOMAINS, len(SIZE_BUCKET_LABELS)),
                         "size_bucket": np.tile(SIZE_BUCKET_LABELS, len(DOMAINS)),
                         "prior": grid.T.reshape(-1)})


def is_junk_family(name) -> bool:
    """True for a family name that is not a model family: empty or missing, a single character, in
    ``JUNK_FAMILIES``, starting with a digit, without any letter, or starting with a placeholder
    prefix (``_JUNK_PREFIXES``: "test...", "tmp...", "dummy..."). Real two-character families
    ("t5", "yi", "e5") are kept; two-letter language codes are in the list."""
    s = "" if name is None or (isinstance(name, float) and np.isnan(name)) else str(name).strip().lower()
    return (len(s) <= 1 or s in JUNK_FAMILIES or s[0].isdigit() or s.startswith(_JUNK_PREFIXES)
            or not re.search(r"[a-z]", s))


def family_heatmap(model, vocab, models: pd.DataFrame | None = None, top: int = 30,
                   drop_junk: bool = False) -> pd.DataFrame:
    """Family effect: prior(size, family, domain) - prior(size, [UNK], domain), averaged over the
    known size buckets (score units; positive = the ranker favours that family in that domain).
    Rows: the vocabulary's families (not [UNK]; without junk ones when ``drop_junk``), the ``top``
    with the most catalog models first (``models``: the catalog; without it, vocabulary order);
    columns: the task domains.
    """
    fams = [f for f in vocab.families if f != UNK and not (drop_junk and is_junk_family(f))]
    if models is not None and len(fams):
        counts = models["family"].astype(str).str.lower().value_counts()
        n = np.array([counts.get(f, 0) for f in fams])
        order = sorted(range(len(fams)), key=lambda i: (-n[i], fams[i]))
        fams = [fams[i] for i in order]
    fams = fams[:max(0, int(top))]
    ids = vocab.family_idx(fams)
    known = [SIZE_BUCKET_LABELS.index(s) for s in KNOWN_SIZES]
    grid = _prior_grid(model, np.concatenate([[0], ids]).astype(np.int64))[:, known, :]  # [1+F, S, D]
    effect = (grid[1:] - grid[:1]).mean(axis=1)
    return pd.DataFrame(effect, index=pd.Index(fams, name="family"), columns=list(DOMAINS))


_support_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def family_support(models: pd.DataFrame, records: pd.DataFrame | None = None) -> pd.DataFrame:
    """Catalog models per (family, task domain): a model counts in a domain when its modality is
    that domain or it has a record on a task of that domain (``records``: model, task). Rows:
    lower-cased family names; columns: ``DOMAINS``; integer counts (a model counts once per domain)."""
    pairs = [pd.DataFrame({"model": models["model"].astype(str), "domain": models["modality"].astype(str)})]
    if records is not None and len(records):
        tasks = records["task"].astype(str)
        dom = tasks.map({t: task_domain(t) for t in tasks.unique()})
        pairs.append(pd.DataFrame({"model": records["model"].astype(str).to_numpy(), "domain": dom.to_numpy()}))
    p = pd.concat(pairs, ignore_index=True).drop_duplicates()
    fam = dict(zip(models["model"].astype(str), models["family"].astype(str).str.lower()))
    p = p[p["domain"].isin(DOMAINS)].assign(family=lambda d: d["model"].map(fam))
    out = p.groupby(["family", "domain"]).size().unstack("domain", fill_value=0)
    return out.reindex(columns=list(DOMAINS), fill_value=0).astype(int)


def family_effects(recommender, top: int = 30, min_support: int = MIN_SUPPORT) -> dict:
    """What the Priors tab's family view shows, for a loaded :class:`~.recommender.Recommender`.

    Families: the vocabulary's, junk ones dropped (:func:`is_junk_family`), keeping those with at
    least one trained domain where ``support >= min_support``; the ``top`` with most catalog models
    first. Returns ``effect`` (score units, NaN where hidden for low support), ``support`` (catalog
    models of the family in the domain, :func:`family_support`), ``in_sd`` (effect divided by the
    standard deviation of the structural prior across all catalog models in that domain, i.e. in
    "SD of the catalog's prior"), all [family x trained domain], and ``min_support``.
    """
    domains = trained_domains(recommender.vocab)
    support = _support_cache.get(recommender)
    if support is None:
        support = family_support(recommender.catalog, recommender.corpus.records)
        _support_cache[recommender] = support
    heat = family_heatmap(recommender.model, recommender.vocab, recommender.catalog, top=10**9, drop_junk=True)
    heat = heat[domains]
    sup = support.reindex(index=heat.index, columns=domains, fill_value=0)
    keep = (sup >= int(min_support)).any(axis=1)
    heat, sup = heat[keep].head(max(0, int(top))), sup[keep].head(max(0, int(top)))
    effect = heat.where(sup >= int(min_support))
    prior = np.asarray(recommender.side.prior, dtype=np.float64)
    spread = pd.Series([prior[:, DOMAINS.index(d)].std() for d in domains], index=domains)
    in_sd = effect / spread.where(spread > 0)
    return {"effect": effect, "support": sup, "in_sd": in_sd, "min_support": int(min_support)}


def build_priors(checkpoint_dir, out, models: pd.DataFrame | None = None, top: int = 30) -> dict:
    """Write both views as JSON (``{"size_curve": [...rows], "family_heatmap": {families,
    domains, effect}}``) to ``out``; returns the dict."""
    from ..ranker.checkpoint import Checkpoint
    model, vocab, _ = Checkpoint(checkpoint_dir).load()
    heat = family_heatmap(model, vocab, models, top)
    data = {"size_curve": size_curve(model).to_dict("records"),
            "family_heatmap": {"families": list(heat.index), "domains": list(heat.columns),
                               "effect": np.round(heat.to_numpy(), 6).tolist()}}
    Path(out).write_text(json.dumps(data, indent=1) + "\n")
    return data


def trained_domains(vocab) -> list[str]:
    """Task domains of the tasks the ranker was trained on (the others' rows are untrained)."""
    seen = {task_domain(t) for t in vocab.tasks if t != UNK}
    return [d for d in DOMAINS if d in seen]
