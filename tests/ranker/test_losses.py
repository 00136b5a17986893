"""Ranking losses: ordering sanity, masking, vectorised == naive loops, finite gradients."""
import math

import pytest
import torch

from modellens_core.ranker.losses import bpr_loss, plackett_luce_loss, pointwise_mse_loss


# ---------- naive references (one group at a time, plain loops) ----------

def naive_pl(s, z, order_tiebreak):
    """s, z: lists for one group; order_tiebreak: item order used to break ties in z."""
    pos = {item: r for r, item in enumerate(order_tiebreak)}
    order = sorted(range(len(z)), key=lambda i: (-z[i], pos[i]))
    total = 0.0
    for r in range(len(order)):
        rest = [s[j] for j in order[r:]]
        total += math.log(sum(math.exp(v) for v in rest)) - s[order[r]]
    return total / len(z)


def naive_bpr(s, z):
    vals = [math.log1p(math.exp(-(s[i] - s[j]))) for i in range(len(z)) for j in range(len(z)) if z[i] > z[j]]
    return sum(vals) / len(vals) if vals else None


def naive_mse(p, z):
    return sum((a - b) ** 2 for a, b in zip(p, z)) / len(z)


def random_batch(seed, B=6, L=9, ties=False):
    g = torch.Generator().manual_seed(seed)
    scores = torch.randn(B, L, generator=g, dtype=torch.float64)
    z = torch.randint(0, 3, (B, L), generator=g).double() if ties else torch.randn(B, L, generator=g, dtype=torch.float64)
    lengths = torch.randint(0, L + 1, (B,), generator=g)
    lengths[0], lengths[1] = L, 1  # one full group, one single-item group (ignored)
    mask = torch.arange(L)[None, :] < lengths[:, None]
    return scores, z, mask


def valid_groups(scores, z, mask):
    for b in range(scores.shape[0]):
        n = int(mask[b].sum())
        yield n, scores[b, :n].tolist(), z[b, :n].tolist()


# ---------- ordering ----------

def test_correct_order_beats_swapped():
    z = torch.tensor([[3.0, 2.0, 1.0, 0.0]])
    mask = torch.ones_like(z, dtype=torch.bool)
    good = torch.tensor([[4.0, 3.0, 2.0, 1.0]])
    swapped = torch.tensor([[3.0, 4.0, 2.0, 1.0]])  # top two swapped
    assert plackett_luce_loss(good, z, mask) < plackett_luce_loss(swapped, z, mask)
    assert bpr_loss(good, z, mask) < bpr_loss(swapped, z, mask)
    assert pointwise_mse_loss(z, z, mask) == 0.0 < pointwise_mse_loss(swapped, z, mask)


# ---------- vectorised == naive ----------

def test_plackett_luce_matches_naive_without_ties():
    scores, z, mask = random_batch(0)
    got = plackett_luce_loss(scores, z, mask)
    ref = [naive_pl(s, t, list(range(n))) for n, s, t in valid_groups(scores, z, mask) if n >= 2]
    assert got.item() == pytest.approx(sum(ref) / len(ref))


def test_plackett_luce_random_tie_break_is_seeded_and_averages_over_orders():
    scores, z, mask = random_batch(1, ties=True)
    a = plackett_luce_loss(scores, z, mask, torch.Generator().manual_seed(7))
    b = plackett_luce_loss(scores, z, mask, torch.Generator().manual_seed(7))
    assert a == b
    # one group with a tie: the loss must take one of the two tie orders' values
    s, t, m = torch.tensor([[1.0, 0.5, -1.0]]), torch.tensor([[1.0, 1.0, 0.0]]), torch.ones(1, 3, dtype=torch.bool)
    options = {round(naive_pl(s[0].tolist(), t[0].tolist(), o), 6) for o in ([0, 1, 2], [1, 0, 2])}
    seen = {round(plackett_luce_loss(s, t, m, torch.Generator().manual_seed(i)).item(), 6) for i in range(30)}
    assert seen == options and len(options) == 2


def test_bpr_and_mse_match_naive():
    scores, z, mask = random_batch(2, ties=True)
    ref_bpr = [v for n, s, t in valid_groups(scores, z, mask) if n >= 2 for v in [naive_bpr(s, t)] if v is not None]
    assert bpr_loss(scores, z, mask).item() == pytest.approx(sum(ref_bpr) / len(ref_bpr))
    ref_mse = [naive_mse(s, t) for n, s, t in valid_groups(scores, z, mask) if n >= 2]
    assert pointwise_mse_loss(scores, z, mask).item() == pytest.approx(sum(ref_mse) / len(ref_mse))


# ---------- masking and gradients ----------

@pytest.mark.parametrize("loss", [plackett_luce_loss, bpr_loss, pointwise_mse_loss])
def test_junk_padding_changes_nothing_and_grads_finite(loss):
    # PL's random tie-break depends on the padded width, so compare it on untied targets
    scores, z, mask = random_batch(3, ties=loss is not plackett_luce_loss)
    pad = 5
    junk_s = torch.cat([scores, torch.full((scores.shape[0], pad), float("nan"))], 1)
    junk_s[:, -1] = float("inf")
    junk_z = torch.cat([z, torch.full((z.shape[0], pad), 1e6)], 1)
    junk_m = torch.cat([mask, torch.zeros(mask.shape[0], pad, dtype=torch.bool)], 1)
    junk_s.requires_grad_(True)
    base = loss(scores, z, mask)
    padded = loss(junk_s, junk_z, junk_m)
    assert padded.item() == pytest.approx(base.item())
    padded.backward()
    assert torch.isfinite(junk_s.grad).all()
    assert (junk_s.grad[~junk_m] == 0).all() and (junk_s.grad[junk_m] != 0).any()


@pytest.mark.parametrize("loss", [plackett_luce_loss, bpr_loss, pointwise_mse_loss])
def test_no_usable_group_gives_zero_with_grad(loss):
    scores = torch.randn(3, 4, requires_grad=True)
    mask = torch.zeros(3, 4, dtype=torch.bool)
    mask[0, 0] = True
    out = loss(scores, torch.randn(3, 4), mask)
    assert out.item() == 0.0 and out.requires_grad
    out.backward()
    assert (scores.grad == 0).all()


def test_gradient_descent_on_pl_learns_the_order():
    z = torch.randn(4, 12, generator=torch.Generator().manual_seed(4))
    mask = torch.ones_like(z, dtype=torch.bool)
    s = torch.zeros_like(z, requires_grad=True)
    opt = torch.optim.SGD([s], lr=1.0)
    for _ in range(300):
        opt.zero_grad(); plackett_luce_loss(s, z, mask).backward(); opt.step()
    assert (s.argsort(-1) == z.argsort(-1)).all()
