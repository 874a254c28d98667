"""Thresholds, diagnosis, error examples and group breakdowns on constructed scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from newsbench import analysis, metrics
from newsbench.results import Confusion, Curves, Errors, Evaluation, Metrics, Timing


def evaluation(y, prob, threshold: float = 0.5) -> Evaluation:
    """An Evaluation of constructed scores, built by the same functions evaluate uses."""
    y, prob = np.asarray(y), np.asarray(prob, float)
    pred = (prob >= threshold).astype(int)
    confusion = Confusion.from_predictions(y, pred)
    return Evaluation(
        dataset="d", files=[], n_input=len(y), n=len(y), n_real=confusion.n_real, n_fake=confusion.n_fake,
        skipped={}, threshold=threshold, metrics=Metrics.from_values(metrics.compute(y, prob, threshold)),
        confusion=confusion, thresholds=analysis.threshold_analysis(y, prob, threshold, None), groups=[],
        errors=Errors(0, [], []), timing=Timing(len(y), 0, 0, 0, 0), curves=Curves([], [], []),
    )


rng = np.random.default_rng(0)
Y = np.array([0] * 200 + [1] * 200)
NOISE = rng.random(400) * 0.1


def test_ranking_failure_is_named_when_scores_rank_real_news_above_fakes():
    notes = analysis.diagnose(evaluation(Y, 0.9 - 0.5 * Y + NOISE - 0.05))
    assert any(n.startswith("Ranking failure") and "below chance" in n for n in notes)
    assert not any(n.startswith("Operating-point shift") for n in notes)


def test_operating_point_shift_when_ranking_is_fine_but_the_threshold_is_off():
    # Perfect ranking, every score above 0.5: at 0.5 all real news is flagged.
    notes = analysis.diagnose(evaluation(Y, 0.6 + 0.3 * Y + NOISE))
    assert any(n.startswith("Operating-point shift") for n in notes)
    assert any(n.startswith("Flags most real news: 200 of 200") for n in notes)
    assert not any(n.startswith("Ranking failure") for n in notes)


def test_one_sided_failure_misses_most_fakes():
    notes = analysis.diagnose(evaluation(Y, 0.1 + 0.3 * Y + NOISE))  # fakes at 0.4-0.5: all scored real
    assert any(n.startswith("Misses most fakes: 200 of 200") for n in notes)


def test_a_single_class_set_has_no_auc_to_read():
    [note] = analysis.diagnose(evaluation(np.zeros(50, int), rng.random(50)))
    assert note.startswith("Only real articles") and "FPR" in note


def test_oracle_threshold_is_labelled_and_reaches_the_best_balanced_accuracy():
    points = {p.name: p for p in evaluation(Y, 0.6 + 0.3 * Y + NOISE).thresholds}
    assert set(points) == {"default", "oracle"} and "ORACLE" in points["oracle"].note
    assert points["oracle"].balanced_accuracy == 1.0 > points["default"].balanced_accuracy


def test_error_examples_are_errors_seeded_and_the_most_confident_first():
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    prob = np.array([0.9, 0.2, 0.6, 0.45, 0.1, 0.8, 0.99, 0.01])
    pred = (prob >= 0.5).astype(int)
    rows = pd.DataFrame({"id": [f"r{i}" for i in range(8)], "text": ["x" * 300] * 8, "label": y,
                         "source": ["a", "", "b", "c", "d", "e", "f", "g"]})
    errors = analysis.error_examples(rows, y, prob, pred, n=2, seed=0)
    wrong = {"r0", "r1", "r2", "r3", "r6", "r7"}
    assert errors.n_errors == 6 and {x.id for x in errors.random} <= wrong and len(errors.random) == 2
    assert [x.id for x in errors.most_confident] == ["r6", "r7"]  # |P - 0.5| = 0.49 for both, stable order
    assert errors.random == analysis.error_examples(rows, y, prob, pred, n=2, seed=0).random
    example = errors.most_confident[0]
    assert example.snippet == "x" * 200 + "..." and example.metadata == {"source": "f"}


def test_group_breakdown_lists_the_largest_groups_and_counts_the_rest():
    n = analysis.MAX_GROUP_VALUES + 5
    values = [f"s{i}" for i in range(n) for _ in range(i + 1)]  # group s{i} has i + 1 rows
    y = np.arange(len(values)) % 2
    prob = np.where(y == 1, 0.8, 0.2)
    rows = pd.DataFrame({"id": range(len(values)), "text": "t", "label": y, "source": values})
    breakdown = analysis.group_breakdown(rows, y, prob, (prob >= 0.5).astype(int), "source")
    assert breakdown.other_values == 5 and len(breakdown.rows) == analysis.MAX_GROUP_VALUES
    assert [r.value for r in breakdown.rows[:2]] == [f"s{n - 1}", f"s{n - 2}"]
    assert breakdown.rows[0].n == n and breakdown.rows[0].accuracy.value == 1.0


def test_unknown_group_column_suggests_the_closest():
    with pytest.raises(Exception, match="did you mean 'source'"):
        analysis.check_groups(["sourc"], [["source", "is_ai"]])
    analysis.check_groups(["source", "is_ai+label"], [["source"], ["is_ai"]])  # each exists somewhere


def test_a_handful_of_articles_gets_an_honest_interval():
    [few, *_] = analysis.diagnose(evaluation([0, 1, 1], [0.1, 0.9, 0.8]))
    assert few == ("Few articles: 3 (1 real, 2 fake), too few for bootstrap intervals; 3 of 3 right is an "
                   "accuracy anywhere in [0.439, 1.000] (Wilson 95%).")
    assert not any(n.startswith("Few articles") for n in analysis.diagnose(evaluation(Y, 0.1 + 0.8 * Y + NOISE)))
