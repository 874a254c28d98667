import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn import metrics as skm

from newsbench import metrics
from newsbench.results import Confusion


def sample(seed: int, n: int = 400, ties: bool = False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    prob = np.clip(rng.normal(0.35 + 0.3 * y, 0.25), 0, 1)
    return y, (prob.round(1) if ties else prob)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("ties", [False, True])
def test_point_estimates_equal_scikit_learn(seed, ties):
    y, prob = sample(seed, ties=ties)
    pred = (prob >= 0.5).astype(int)
    got = metrics.compute(y, prob)
    p, r, f, _ = skm.precision_recall_fscore_support(y, pred, zero_division=0)
    expected = {
        "accuracy": skm.accuracy_score(y, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
        "precision_real": p[0], "recall_real": r[0], "f1_real": f[0],
        "precision_fake": p[1], "recall_fake": r[1], "f1_fake": f[1],
        "precision_macro": skm.precision_score(y, pred, average="macro"),
        "recall_macro": skm.recall_score(y, pred, average="macro"),
        "f1_macro": skm.f1_score(y, pred, average="macro"),
        "precision_weighted": skm.precision_score(y, pred, average="weighted"),
        "recall_weighted": skm.recall_score(y, pred, average="weighted"),
        "f1_weighted": skm.f1_score(y, pred, average="weighted"),
        "roc_auc": skm.roc_auc_score(y, prob),
        "pr_auc": skm.average_precision_score(y, prob),
        "brier": skm.brier_score_loss(y, prob),
    }
    tn, fp, fn, tp = skm.confusion_matrix(y, pred).ravel()
    expected["fpr"], expected["fnr"] = fp / (fp + tn), fn / (fn + tp)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-12), name


def test_weighted_paths_equal_repeated_rows():
    """A bootstrap weight of k must equal repeating the row k times (the resampling identity)."""
    y, prob = sample(3, n=60, ties=True)
    weights = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    weighted = {k: v[0] for k, v in metrics._table(y, prob, 0.5, weights[None, :]).items()}
    index = np.repeat(np.arange(len(y)), weights.astype(int))
    repeated = metrics.compute(y[index], prob[index])
    for name in metrics.METRICS:
        assert weighted[name] == pytest.approx(repeated[name], abs=1e-12), name


def test_ece_matches_definition():
    y, prob = sample(4)
    bins = np.minimum((prob * 10).astype(int), 9)
    expected = sum(abs(prob[bins == b].mean() - y[bins == b].mean()) * (bins == b).sum()
                   for b in range(10) if (bins == b).any()) / len(y)
    assert metrics.compute(y, prob)["ece"] == pytest.approx(expected)


def test_bootstrap_intervals_contain_estimates_and_are_seeded():
    y, prob = sample(5, n=300)
    point = metrics.compute(y, prob)
    ci = metrics.bootstrap(y, prob, n_resamples=1000, seed=7)
    for name in metrics.METRICS:
        lo, hi = ci[name]
        assert lo <= point[name] <= hi, name
        assert hi - lo > 0, name
    assert metrics.bootstrap(y, prob, n_resamples=1000, seed=7) == ci
    assert metrics.bootstrap(y, prob, n_resamples=1000, seed=8) != ci


def test_bootstrap_width_shrinks_with_more_data():
    small = metrics.bootstrap(*sample(6, n=100), n_resamples=500)["accuracy"]
    large = metrics.bootstrap(*sample(6, n=3000), n_resamples=500)["accuracy"]
    assert large[1] - large[0] < (small[1] - small[0]) / 3


def test_single_class_metrics_are_undefined_not_wrong():
    y = np.zeros(50, dtype=int)
    prob = np.linspace(0, 1, 50)
    got = metrics.compute(y, prob)
    assert np.isnan(got["roc_auc"]) and np.isnan(got["fnr"]) and np.isnan(got["pr_auc"])
    assert got["fpr"] == pytest.approx(np.mean(prob >= 0.5))


def test_mcnemar_matches_binomial_test():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    a = np.where(rng.random(200) < 0.85, y, 1 - y)
    b = np.where(rng.random(200) < 0.70, y, 1 - y)
    result = metrics.mcnemar(y, a, b)
    only_a = int(((a == y) & (b != y)).sum())
    only_b = int(((a != y) & (b == y)).sum())
    assert (result.only_a, result.only_b) == (only_a, only_b)
    assert result.p_value == pytest.approx(binomtest(only_a, only_a + only_b, 0.5).pvalue)
    assert result.p_value < 0.05
    assert metrics.mcnemar(y, a, a).p_value == 1.0


def test_wilson_interval():
    lo, hi = metrics.wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9433, abs=1e-3)
    assert metrics.wilson(0, 5)[0] == pytest.approx(0.0, abs=1e-12)


def test_best_threshold_separates_a_separable_set():
    y = np.array([0, 0, 0, 1, 1, 1])
    prob = np.array([0.1, 0.2, 0.3, 0.35, 0.6, 0.9])
    assert metrics.best_threshold(y, prob) == pytest.approx(0.35)


def test_confusion_and_curves():
    y = np.array([0, 0, 1, 1])
    prob = np.array([0.1, 0.6, 0.4, 0.9])
    c = Confusion.from_predictions(y, prob >= 0.5)
    assert (c.tn, c.fp, c.fn, c.tp) == (1, 1, 1, 1)
    fpr, tpr, _ = metrics.roc_points(y, prob)
    sk_fpr, sk_tpr, _ = skm.roc_curve(y, prob, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
