"""Training: ``python -m modellens_core train --config modellens_core/ranker/configs/production.json``.

Samples batches of evaluation groups (a dataset with n groups gets total weight
n ** ``dataset_weight_power``: between "every dataset alike", where MTEB's hundreds of language
subsets cannot drown single-group benchmarks, and "every group alike"; see
:func:`group_sampling_weights`), up to
``items_per_group`` models per group, and minimises
``w_listwise * PlackettLuce + w_pairwise * BPR + w_pointwise * MSE(z head)
+ w_prior * PlackettLuce(prior alone)``. Early stopping
on the validation part of the configured setting (tau_w). Runs on the CPU, on a GPU when
present, and multi-process with ``torchrun`` (DDP; gloo on the CPU, nccl on GPUs).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist
from tqdm import tqdm

from ..build.corpus import Corpus
from ..common.metrics import evaluate_groups
from .checkpoint import Checkpoint, build_model
from .config import RankerConfig
from .engine import Engine, Scores
from .evidence import EVIDENCE_DIM, NeighbourEvidence, population_shifted_z
from .features import catalog_features, group_context, group_table, take
from .losses import bpr_loss, plackett_luce_loss, pointwise_mse_loss
from .model import ModelLens
from .vocab import Vocabulary


def directed(rec: pd.DataFrame) -> np.ndarray:
    """Scores with the direction applied: higher is better."""
    s = rec["score"].to_numpy(np.float64)
    return np.where(rec["higher_is_better"].to_numpy(), s, -s)


def train_z(rec: pd.DataFrame) -> np.ndarray:
    """Within-group z of the direction-corrected score, over the given rows only."""
    v = pd.Series(directed(rec), index=rec.index)
    g = rec["group"]
    mean, std = v.groupby(g).transform("mean"), v.groupby(g).transform("std", ddof=0)
    return ((v - mean) / std.where(std > 1e-12, 1.0)).where(std > 1e-12, 0.0).to_numpy(np.float32)


@dataclass
class Prepared:
    vocab: Vocabulary
    models: dict          # catalog model features
    contexts: dict        # context features per group id
    offsets: np.ndarray   # CSR over training groups: rows offsets[i]:offsets[i+1]
    item_model: np.ndarray
    item_z: np.ndarray
    train_groups: np.ndarray
    weights: np.ndarray   # sampling probability per training group
    val: pd.DataFrame     # group, model_row, z (direction-corrected score) of validation rows
    item_ev: np.ndarray   # [R, EVIDENCE_DIM] neighbour evidence of each training item
    val_ev: np.ndarray    # [n_val, EVIDENCE_DIM] the same for the validation rows
    evidence: NeighbourEvidence  # the index they came from (saved with the app checkpoint)


def training_evidence(corpus: Corpus, labels: pd.Series, cfg: RankerConfig) -> NeighbourEvidence:
    """The neighbour-evidence index over a setting's training records (:mod:`evidence`), with the
    config's number of neighbours, softmax temperature and population shift."""
    rec = corpus.records
    train = rec[labels.to_numpy() == "train"]
    z = population_shifted_z(train, train_z(train), cfg.evidence_population_shift)
    return NeighbourEvidence.build(train, z, corpus.models, corpus.datasets, corpus.dataset_emb,
                                   rec["subset"].unique(), rec["task"].unique(), k=cfg.evidence_k,
                                   temperature=cfg.evidence_temperature)


def evidence_index(corpus: Corpus, labels: pd.Series, cfg: RankerConfig) -> tuple[NeighbourEvidence, dict]:
    """:func:`training_evidence` and every group's neighbour context."""
    ev = training_evidence(corpus, labels, cfg)
    return ev, ev.for_groups(group_table(corpus.records), corpus.datasets)


def group_sampling_weights(dataset_of_group: pd.Series, power: float) -> np.ndarray:
    """[G] dataset of each training group -> [G] sampling probabilities (sum 1): a dataset with n
    groups gets n ** power in total, shared equally by its groups (0: every dataset alike, 1: every
    group alike)."""
    n = dataset_of_group.map(dataset_of_group.value_counts()).to_numpy(np.float64)
    w = n ** (power - 1.0)
    return w / w.sum()


def prepare(corpus: Corpus, cfg: RankerConfig, labels: pd.Series | None = None) -> Prepared:
    rec = corpus.records
    labels = corpus.split(cfg.setting) if labels is None else labels
    model_row = pd.Series(np.arange(len(corpus.models)), index=corpus.models["model"])
    train = rec[labels.to_numpy() == "train"].copy()
    train["z"] = train_z(train)
    train = train[train.groupby("group")["model"].transform("size") >= 2]
    vocab = Vocabulary.build(train, corpus.models, cfg.min_family_count)
    train = train.sort_values(["group", "model"], kind="stable")
    gid, counts = np.unique(train["group"].to_numpy(), return_counts=True)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    weights = group_sampling_weights(train.groupby("group")["dataset"].first().reindex(gid), cfg.dataset_weight_power)
    val = rec[labels.to_numpy() == "val"]
    val = val[val.groupby("group")["model"].transform("size") >= 2]
    groups = np.unique(val["group"].to_numpy())
    if len(groups) > cfg.max_val_groups:
        groups = np.sort(np.random.default_rng(cfg.seed).choice(groups, cfg.max_val_groups, replace=False))
    val = val[val["group"].isin(groups)]
    val = pd.DataFrame({"group": val["group"].to_numpy(), "model_row": model_row.reindex(val["model"]).to_numpy(),
                        "z": directed(val)})
    ev, ev_ctx = evidence_index(corpus, labels, cfg)
    item_model = model_row.reindex(train["model"]).to_numpy(np.int64)
    return Prepared(vocab, catalog_features(vocab, corpus, cfg.name_buckets),
                    group_context(vocab, corpus, group_table(rec)), offsets,
                    item_model, train["z"].to_numpy(np.float32), gid, weights, val,
                    ev.for_rows(ev_ctx, item_model, train["group"].to_numpy()),
                    ev.for_rows(ev_ctx, val["model_row"].to_numpy(np.int64), val["group"].to_numpy()), ev)


def sample_batch(p: Prepared, cfg: RankerConfig, rng: np.random.Generator):
    """[B, L] catalog rows, z targets, mask and the B group ids."""
    B, L = cfg.groups_per_batch, cfg.items_per_group
    pick = rng.choice(len(p.train_groups), size=B, p=p.weights)
    rows = np.zeros((B, L), dtype=np.int64)
    z = np.zeros((B, L), dtype=np.float32)
    mask = np.zeros((B, L), dtype=bool)
    ev = np.zeros((B, L, EVIDENCE_DIM), dtype=np.float32)
    for b, g in enumerate(pick):
        lo, hi = p.offsets[g], p.offsets[g + 1]
        take_n = min(hi - lo, L)
        idx = lo + rng.choice(hi - lo, size=take_n, replace=False)
        rows[b, :take_n], z[b, :take_n], mask[b, :take_n] = p.item_model[idx], p.item_z[idx], True
        ev[b, :take_n] = p.item_ev[idx]
    return (torch.from_numpy(rows), torch.from_numpy(z), torch.from_numpy(mask), torch.from_numpy(p.train_groups[pick]),
            torch.from_numpy(ev))


def predict_rows(model: ModelLens, models: dict, contexts: dict, model_rows: np.ndarray, groups: np.ndarray,
                 evidence: np.ndarray) -> Scores:
    """Scores of (catalog model row, group) pairs through the engine: each side is computed once
    per distinct model and group, then gathered per pair."""
    engine = Engine(model)
    m_uniq, m_inv = np.unique(np.asarray(model_rows, dtype=np.int64), return_inverse=True)
    g_uniq, g_inv = np.unique(np.asarray(groups, dtype=np.int64), return_inverse=True)
    ms = engine.model_side(take(models, torch.from_numpy(m_uniq)))
    cs = engine.context_side(take(contexts, torch.from_numpy(g_uniq)))
    return engine.pairs(ms, cs, m_inv, g_inv, evidence)


def validate(model: ModelLens, p: Prepared) -> float:
    if p.val.empty:
        return float("nan")
    pred = predict_rows(model, p.models, p.contexts, p.val["model_row"].to_numpy(), p.val["group"].to_numpy(), p.val_ev)
    return evaluate_groups(p.val.assign(pred=pred.score), pred_col="pred", true_col="z")["tau_w"]


def _device(cfg: RankerConfig) -> torch.device:
    if cfg.device == "cuda" or (cfg.device == "auto" and torch.cuda.is_available()):
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    return torch.device("cpu")


def train(corpus: Corpus, cfg: RankerConfig, out: Path | None = None, progress: bool = True,
          labels: pd.Series | None = None) -> tuple[ModelLens, Vocabulary, dict]:
    """Train one ranker; with ``out`` (a checkpoint folder) rank 0 saves the best weights."""
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    device = _device(cfg)
    if distributed and not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    rank = dist.get_rank() if distributed else 0
    torch.manual_seed(cfg.seed)
    p = prepare(corpus, cfg, labels)
    model = build_model(cfg, p.vocab).to(device)
    net = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    # an exponential moving average of the weights is what gets validated and saved (when on):
    # single-epoch snapshots rank new datasets with a seed-to-seed spread of ~0.015 tau_w
    ema = (torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(
        cfg.ema_decay)) if cfg.ema_decay > 0 else None)
    kept = ema.module if ema is not None else model
    rng = np.random.default_rng(cfg.seed + 1000 * rank)
    feats = {k: v.to(device) for k, v in p.models.items()}
    ctxs = {k: v.to(device) for k, v in p.contexts.items()}
    best, best_state, bad, history = -np.inf, None, 0, []
    t0 = time.time()
    bar = tqdm(range(cfg.epochs), desc=f"train[{cfg.setting}]", disable=not progress or rank != 0)
    for epoch in bar:
        net.train()
        losses = []
        for _ in range(cfg.steps_per_epoch):
            rows, z, mask, groups, ev = (t.to(device) for t in sample_batch(p, cfg, rng))
            res = net(take(feats, rows), take(ctxs, groups), ev)
            loss = (cfg.w_listwise * plackett_luce_loss(res["score"], z, mask, generator=None)
                    + cfg.w_pairwise * bpr_loss(res["score"], z, mask)
                    + cfg.w_pointwise * pointwise_mse_loss(res["z"], z, mask)
                    + cfg.w_prior * plackett_luce_loss(res["prior"], z, mask, generator=None))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if ema is not None:
                ema.update_parameters(model)
            losses.append(float(loss.detach()))
        val = validate(kept, Prepared(**{**p.__dict__, "models": feats, "contexts": ctxs}))
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses)), "val_tau_w": val})
        bar.set_postfix(loss=f"{np.mean(losses):.3f}", val_tau_w=f"{val:.3f}")
        if np.isnan(val) or val > best + 1e-4:
            best, bad = (val if not np.isnan(val) else best), 0
            best_state = {k: v.detach().cpu().clone() for k, v in kept.state_dict().items()}
        else:
            bad += 1
            if bad >= cfg.patience:
                break
    model.load_state_dict(best_state)
    model.cpu()
    summary = {"setting": cfg.setting, "epochs_run": len(history), "best_val_tau_w": None if best == -np.inf else best,
               "wall_time_s": round(time.time() - t0, 1), "history": history,
               "train_records": int(p.offsets[-1]), "train_groups": int(len(p.train_groups)),
               "device": str(device), "world_size": int(os.environ.get("WORLD_SIZE", "1"))}
    if out is not None and rank == 0:
        app = cfg.setting == "production"   # the app loads the evidence index and name tokens instead of rebuilding them
        Checkpoint(out).save(model, p.vocab, summary, evidence=p.evidence if app else None,
                             catalog_names=corpus.models["model"].tolist() if app else None,
                             name_tokens=p.models["tokens"].numpy() if app else None)   # hashed once, in prepare
    return model, p.vocab, summary
