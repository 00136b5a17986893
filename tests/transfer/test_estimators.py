"""Transferability estimators: hand-computed cases, a slow LogME reference, invariances,
monotonicity in class separation, and input validation."""
from __future__ import annotations

import numpy as np
import pytest

from modellens_core.transfer import (ESTIMATORS, encode_labels, gbc, h_score, h_score_shrinkage,
                                     leep, logme, logme_regression, nce, nleep, run_estimators,
                                     validate_inputs)
from modellens_core.transfer.hscore import ledoit_wolf_shrinkage
from modellens_core.transfer.logme import log_evidence
from modellens_core.transfer.nleep import fit_diagonal_gmm, pca_project

FEATURE_ESTIMATORS = ["logme", "h_score", "h_score_shrinkage", "nleep", "gbc"]


def gaussian_classes(separation: float, n_classes=3, dim=8, per_class=40, seed=0):
    """Class means: fixed random vectors times ``separation``; unit Gaussian noise."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(n_classes), per_class)
    means = np.random.default_rng(123).normal(size=(n_classes, dim))
    return means[labels] * separation + rng.normal(size=(len(labels), dim)), labels


def source_probs(noise: float, n=300, n_target=3, seed=0):
    """A source model with 2 fine-grained classes per target class; ``noise`` = logit noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_target, n)
    fine = 2 * labels + rng.integers(0, 2, n)
    logits = 3.0 * np.eye(2 * n_target)[fine] + noise * rng.normal(size=(n, 2 * n_target))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True), labels


# ---------------------------------------------------------------- hand-computed cases

def test_leep_hand_computed():
    # Joint P(y,z) = 1/4 sum_i theta_iz [y_i=y]: y=0 -> (1.5/4, 0.5/4); y=1 -> (0.5/4, 1.5/4).
    # P(z) = (.5, .5), so P(y=0|z) = (.75, .25) and P(y=1|z) = (.25, .75).
    # EEP: .9*.75+.1*.25 = .70; .6*.75+.4*.25 = .55; .2*.25+.8*.75 = .65; .3*.25+.7*.75 = .60
    probs = np.array([[.9, .1], [.6, .4], [.2, .8], [.3, .7]])
    labels = np.array([0, 0, 1, 1])
    expected = np.log([.70, .55, .65, .60]).mean()
    assert leep(probs, labels) == pytest.approx(expected, abs=1e-12)
    assert leep(probs, np.array(["cat", "cat", "dog", "dog"])) == pytest.approx(expected, abs=1e-12)


def test_nce_hand_computed():
    # z = [0,0,1,1], y = [0,1,1,1]: given z=0 labels split 50/50 (H = ln 2), given z=1 pure (H = 0);
    # P(z) = (.5, .5) so H(Y|Z) = .5 ln 2 and NCE = -.5 ln 2.
    assert nce(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])) == pytest.approx(-0.5 * np.log(2))
    # probabilities are reduced to their argmax: same z as above
    probs = np.array([[.8, .2], [.6, .4], [.3, .7], [.1, .9]])
    assert nce(probs, np.array(["a", "b", "b", "b"])) == pytest.approx(-0.5 * np.log(2))
    # perfectly predictive source labels: H(Y|Z) = 0
    assert nce(np.array([5, 5, 7, 7]), np.array([1, 1, 0, 0])) == pytest.approx(0.0)


def test_h_score_one_dimensional_closed_form():
    # 1-D: H = between-class variance / total variance. f = 0,2 | 4,6: class means 1, 5, mean 3.
    # total: (9+1+1+9)/4 = 5; between: 4 each -> 4; H = 4/5.
    f = np.array([[0.0], [2.0], [4.0], [6.0]])
    y = np.array([0, 0, 1, 1])
    assert h_score(f, y) == pytest.approx(0.8)
    # one feature: the Ledoit-Wolf target equals the estimate, shrinkage 0, same score.
    assert h_score_shrinkage(f, y) == pytest.approx(0.8)


def test_h_score_two_classes_two_dims():
    # Class means (1,0) and (3,0). x varies only between classes (contributes var_b/var = 1),
    # y only within classes (contributes 0); the covariance is diagonal, so H = 1 + 0.
    f = np.array([[1, 1], [1, -1], [3, 1], [3, -1]], dtype=float)
    y = np.array([0, 0, 1, 1])
    assert h_score(f, y) == pytest.approx(1.0)


def test_ledoit_wolf_matches_loop_definition():
    # Ledoit & Wolf (2004): d2 = ||S - mu I||^2, b2 = 1/n^2 sum_k ||x_k x_k^T - S||^2,
    # shrinkage = min(b2, d2) / d2 (Frobenius norms; same 1/D normalisation cancels).
    rng = np.random.default_rng(3)
    x = rng.normal(size=(15, 6)) * np.array([1, 2, 3, 1, 1, 5])
    x = x - x.mean(axis=0)
    s = x.T @ x / len(x)
    mu = np.trace(s) / 6
    d2 = ((s - mu * np.eye(6)) ** 2).sum()
    b2 = sum(((np.outer(r, r) - s) ** 2).sum() for r in x) / len(x) ** 2
    assert ledoit_wolf_shrinkage(x) == pytest.approx(min(b2, d2) / d2, rel=1e-10)
    assert 0 < ledoit_wolf_shrinkage(x) < 1


def test_shrinkage_h_score_equals_h_score_for_one_feature():
    # with D = 1 the shrinkage target mu I is the covariance itself: intensity 0, identical scores
    f, y = gaussian_classes(0.5, dim=1)
    assert ledoit_wolf_shrinkage(f - f.mean(axis=0)) == 0.0
    assert h_score_shrinkage(f, y) == pytest.approx(h_score(f, y), rel=1e-12)
    assert h_score(f, y) > 0.05


def test_gbc_one_dimensional_closed_form():
    # class 0: {-1, 1} mean 0 var 1; class 1: {2, 4} mean 3 var 1 -> D_B = 9 / 8.
    f = np.array([[-1.0], [1.0], [2.0], [4.0]])
    y = np.array([0, 0, 1, 1])
    assert gbc(f, y) == pytest.approx(-2 * np.exp(-9 / 8), rel=1e-5)
    # unequal variances: class 1 {1, 5} mean 3 var 4; avg var 2.5:
    # D_B = 9 / (8 * 2.5) + 0.5 ln(2.5 / sqrt(1 * 4))
    f2 = np.array([[-1.0], [1.0], [1.0], [5.0]])
    d_b = 9 / 20 + 0.5 * np.log(2.5 / 2)
    assert gbc(f2, y) == pytest.approx(-2 * np.exp(-d_b), rel=1e-5)


def test_nleep_on_separated_clusters():
    # Two far-apart clusters; cluster A holds labels 0 and 1 (10 each), cluster B label 2 (20).
    # With 2 components the posterior is one-hot on the cluster, so P(y|A) = (.5,.5,0),
    # P(y|B) = (0,0,1): NLEEP = (20 ln .5 + 20 ln 1) / 40 = -.5 ln 2.
    rng = np.random.default_rng(0)
    f = np.vstack([rng.normal(size=(20, 3)), rng.normal(size=(20, 3)) + 50])
    y = np.array([0] * 10 + [1] * 10 + [2] * 20)
    assert nleep(f, y, n_components=2) == pytest.approx(-0.5 * np.log(2), abs=1e-9)


# ---------------------------------------------------------------- LogME vs a slow reference

def _direct_evidence(f, y, log_alpha, log_beta):
    """log N(y; 0, I/beta + F F^T / alpha) / N for a grid of (alpha, beta), by slogdet."""
    n = len(y)
    a = 10.0 ** log_alpha[:, None, None]
    b = 10.0 ** log_beta[:, None, None]
    cov = np.eye(n) / b + (f @ f.T) / a
    _, logdet = np.linalg.slogdet(cov)
    rhs = np.broadcast_to(y, (len(cov), n))[..., None]
    quad = np.einsum("n,gn->g", y, np.linalg.solve(cov, rhs)[..., 0])
    return -0.5 * (n * np.log(2 * np.pi) + logdet + quad) / n


def _grid_max_evidence(f, y):
    """Maximise the evidence by a coarse log-grid then a fine grid around the best point."""
    best = (0.0, 0.0)
    for half, step in ((6.0, 0.25), (0.25, 0.01)):
        ga = np.arange(best[0] - half, best[0] + half + 1e-9, step)
        gb = np.arange(best[1] - half, best[1] + half + 1e-9, step)
        la, lb = (g.ravel() for g in np.meshgrid(ga, gb, indexing="ij"))
        ev = _direct_evidence(f, y, la, lb)
        i = int(ev.argmax())
        best, value = (la[i], lb[i]), ev[i]
    return value


@pytest.mark.parametrize("n,d", [(30, 5), (12, 20)])
def test_logme_matches_grid_search_of_evidence(n, d):
    rng = np.random.default_rng(n)
    w = rng.normal(size=(d, 3))
    f = rng.normal(size=(n, d))
    labels = (f @ w + rng.normal(size=(n, 3))).argmax(axis=1)
    onehot = np.eye(3)[labels]
    reference = np.mean([_grid_max_evidence(f, onehot[:, c]) for c in range(3)])
    fast = logme(f, labels)
    assert fast == pytest.approx(reference, abs=2e-4)
    assert fast >= reference - 1e-9  # the fixed point is at least as good as every grid point


def test_logme_regression_matches_grid_and_classification_is_mean_of_one_hot():
    rng = np.random.default_rng(7)
    f = rng.normal(size=(25, 4))
    t = f @ np.array([1.0, -2.0, 0.0, 0.5]) + 0.3 * rng.normal(size=25)
    assert logme_regression(f, t) == pytest.approx(_grid_max_evidence(f, t), abs=2e-4)
    labels = rng.integers(0, 3, 25)
    per_class = [logme_regression(f, (labels == c).astype(float)) for c in range(3)]
    assert logme(f, labels) == pytest.approx(np.mean(per_class), rel=1e-12)
    ev, alpha, beta = log_evidence(f, np.eye(3)[labels])
    assert ev.shape == alpha.shape == beta.shape == (3,) and np.all(alpha > 0) and np.all(beta > 0)


# ---------------------------------------------------------------- invariances

@pytest.mark.parametrize("name", FEATURE_ESTIMATORS)
def test_feature_estimators_invariant_to_sample_order_and_class_ids(name):
    fn = ESTIMATORS[name].fn
    f, y = gaussian_classes(1.0)
    base = fn(f, y)
    perm = np.random.default_rng(1).permutation(len(y))
    assert fn(f[perm], y[perm]) == pytest.approx(base, rel=1e-9, abs=1e-12)
    renamed = np.array(["zebra", "ant", "mole"])[y]  # 0->zebra (sorted last), class ids permuted
    assert fn(f, renamed) == pytest.approx(base, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", FEATURE_ESTIMATORS)
def test_feature_estimators_invariant_to_isotropic_scaling(name):
    # LogME: alpha absorbs the scale (the marginal of y is unchanged); H-scores and GBC are ratios
    # of covariances; N-LEEP's PCA/EM (with scale-relative variance floors) follow the scale.
    fn = ESTIMATORS[name].fn
    f, y = gaussian_classes(1.0)
    base = fn(f, y)
    for c in (1e-3, 250.0):
        assert fn(c * f, y) == pytest.approx(base, rel=1e-6, abs=1e-9)


def test_h_score_invariant_to_invertible_linear_map_but_shrinkage_is_not():
    f, y = gaussian_classes(1.0)
    a = np.random.default_rng(2).normal(size=(8, 8)) @ np.diag([1, 10, 100, 1, 1, 0.1, 1, 3])
    assert h_score(f @ a, y) == pytest.approx(h_score(f, y), rel=1e-8)
    # the isotropic shrinkage target makes the regularised version basis-dependent
    assert h_score_shrinkage(f @ a, y) != pytest.approx(h_score_shrinkage(f, y), rel=1e-3)


def test_h_score_singular_covariance_uses_pseudo_inverse():
    # a duplicated column makes cov(f) singular; the pseudo-inverse ignores the redundant direction
    f, y = gaussian_classes(1.0)
    assert h_score(np.hstack([f, f[:, :1]]), y) == pytest.approx(h_score(f, y), rel=1e-6)
    # D > N: the features separate any labelling perfectly, H-score saturates at C - 1
    wide = np.random.default_rng(0).normal(size=(12, 40))
    assert h_score(wide, np.arange(12) % 3) == pytest.approx(2.0, rel=1e-6)


def test_gbc_invariant_to_per_feature_scaling_without_pca():
    f, y = gaussian_classes(1.0)
    scale = np.array([1, 10, 100, 1e-2, 1, 5, 1, 3])
    assert gbc(f * scale, y) == pytest.approx(gbc(f, y), rel=1e-5)


def test_probability_estimators_invariant_to_permutations():
    p, y = source_probs(1.0)
    perm_src = np.random.default_rng(4).permutation(p.shape[1])
    perm_rows = np.random.default_rng(5).permutation(len(y))
    for fn in (leep, nce):
        base = fn(p, y)
        assert fn(p[:, perm_src], y) == pytest.approx(base, rel=1e-12)
        assert fn(p[perm_rows], y[perm_rows]) == pytest.approx(base, rel=1e-12)
        assert fn(p, (y + 1) % 3) == pytest.approx(base, rel=1e-12)


# ---------------------------------------------------------------- monotonicity

@pytest.mark.parametrize("name", FEATURE_ESTIMATORS)
def test_better_separated_classes_score_higher(name):
    fn = ESTIMATORS[name].fn
    scores = [fn(*gaussian_classes(s)) for s in (0.3, 1.0, 3.0)]
    assert scores[0] < scores[1] < scores[2], scores


@pytest.mark.parametrize("name, kwargs", [("gbc", {"pca_dim": 3}), ("nleep", {"pca_dim": 3}),
                                          ("nleep", {"n_components": 3})])
def test_optional_settings_keep_separation_order(name, kwargs):
    fn = ESTIMATORS[name].fn
    scores = [fn(*gaussian_classes(s), **kwargs) for s in (0.3, 1.0, 3.0)]
    assert scores[0] < scores[1] < scores[2], scores


def test_translation_invariance_where_it_holds():
    # H-scores, GBC and N-LEEP center the features; LogME does not (no bias term, as in the paper).
    f, y = gaussian_classes(1.0)
    for name in ("h_score", "h_score_shrinkage", "gbc", "nleep"):
        fn = ESTIMATORS[name].fn
        assert fn(f + 1e3, y) == pytest.approx(fn(f, y), rel=1e-6, abs=1e-9), name


@pytest.mark.parametrize("fn", [leep, nce])
def test_better_source_classifier_scores_higher(fn):
    scores = [fn(*source_probs(noise)) for noise in (6.0, 2.0, 0.5)]
    assert scores[0] < scores[1] < scores[2], scores
    assert scores[2] <= 0.0


# ---------------------------------------------------------------- helpers: PCA and EM

def test_pca_keeps_requested_variance():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(200, 5)) * np.array([10.0, 5.0, 1.0, 0.5, 0.1])
    x = pca_project(f)  # variances ~ 100, 25, 1, ...: first axis holds ~79%, two hold ~99%
    assert x.shape == (200, 2)
    assert pca_project(f, n_dims=4).shape == (200, 4)
    assert np.allclose(x.mean(axis=0), 0.0)
    assert x[:, 0].var() > x[:, 1].var()


def test_gmm_em_increases_likelihood_and_finds_clusters():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    x = np.vstack([c + rng.normal(size=(60, 2)) for c in centers])
    fit = fit_diagonal_gmm(x, 3, seed=0)
    assert np.all(np.diff(fit.log_likelihood) >= -1e-9)
    found = fit.means[np.argsort(fit.means @ np.array([1.0, 10.0]))]
    assert np.allclose(found, centers, atol=0.5)
    assert np.allclose(fit.resp.sum(axis=1), 1.0)
    assert np.allclose(fit.weights, 1 / 3, atol=0.02)


def test_nleep_is_deterministic_for_a_seed():
    f, y = gaussian_classes(1.0)
    assert nleep(f, y, seed=3) == nleep(f, y, seed=3)


# ---------------------------------------------------------------- validation and registry

def test_registry_declares_inputs():
    assert set(ESTIMATORS) == {"logme", "leep", "nce", "h_score", "h_score_shrinkage", "nleep",
                               "gbc"}
    assert {n for n, e in ESTIMATORS.items() if e.needs == "probs"} == {"leep", "nce"}


def test_run_estimators_uses_available_inputs():
    p, y = source_probs(1.0, n=60)
    f = np.random.default_rng(0).normal(size=(60, 4)) + y[:, None]
    out = run_estimators(y, features=f)
    assert np.isnan(out["leep"]) and np.isnan(out["nce"]) and np.isfinite(out["logme"])
    both = run_estimators(y, features=f, probs=p, names=["leep", "gbc"])
    assert set(both) == {"leep", "gbc"} and both["leep"] == pytest.approx(leep(p, y))
    with pytest.raises(ValueError, match="Unknown estimator"):
        run_estimators(y, features=f, names=["logmee"])


def test_encode_labels_reindexes_hashables():
    codes, classes = encode_labels(["b", "a", "b", "c"])
    assert codes.tolist() == [1, 0, 1, 2] and classes.tolist() == ["a", "b", "c"]
    codes, classes = encode_labels([(1, 2), None, (1, 2)])
    assert codes.tolist() == [0, 1, 0] and len(classes) == 2
    assert encode_labels(np.array([3.0, 7.0, 3.0]))[0].tolist() == [0, 1, 0]
    codes, classes = encode_labels(np.array(["y", "x", "y"], dtype=object))
    assert codes.tolist() == [1, 0, 1] and classes.tolist() == ["x", "y"]
    with pytest.raises(ValueError, match="NaN"):
        encode_labels(np.array(["y", float("nan"), "y"], dtype=object))


@pytest.mark.parametrize("kwargs, message", [
    (dict(features=np.ones((4, 2)), labels=[0, 1, 0]), "4 rows but there are 3 labels"),
    (dict(features=np.ones(4), labels=[0, 1, 0, 1]), "2-D array"),
    (dict(features=[[0.0], [np.nan], [1.0], [2.0]], labels=[0, 1, 0, 1]), "NaN or inf"),
    (dict(features=[[0.0], [np.inf], [1.0], [2.0]], labels=[0, 1, 0, 1]), "NaN or inf"),
    (dict(features=np.ones((4, 2)), labels=[1, 1, 1, 1]), "at least 2 classes"),
    (dict(features=np.ones((5, 2)), labels=["a", "a", "b", "b", "c"]),
     r"Too few samples per class.*'c' \(1\)"),
    (dict(features=np.ones((4, 2)), labels=[0.5, 1.2, 0.5, 1.2]), "look continuous"),
    (dict(features=np.ones((4, 2)), labels=[[0, 1]] * 4), "1-D"),
    (dict(features=np.ones((30, 2)), labels=[0, 1] * 15, max_samples=20),
     "Too many samples: 30 > 20"),
    (dict(features=np.ones((4, 9)), labels=[0, 1, 0, 1], max_dim=8), "9 columns > 8"),
    (dict(features=[["x", "y"]] * 4, labels=[0, 1, 0, 1]), "numeric"),
    (dict(features=None, labels=[0, 1, 0, 1]), "Provide features"),
    (dict(features=None, probs=np.full((4, 2), 2.0), labels=[0, 1, 0, 1]), "apply a softmax"),
    (dict(features=None, probs=np.full((3, 2), 0.5), labels=[0, 1, 0, 1]),
     "3 rows but there are 4"),
])
def test_validate_inputs_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        validate_inputs(**kwargs)


def test_validate_inputs_accepts_good_inputs():
    out = validate_inputs(np.ones((4, 2)), ["x", "y", "x", "y"], probs=np.full((4, 3), 1 / 3))
    assert out.labels.tolist() == [0, 1, 0, 1] and out.classes.tolist() == ["x", "y"]
    assert out.features.dtype == np.float64 and out.probs.shape == (4, 3)
