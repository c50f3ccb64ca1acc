"""Line metrics and the shingle page metric on cases computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from linesift.training.metrics import line_metrics, page_f1, page_metric, page_tp_fp_fn, shingles


def test_line_metrics_by_hand():
    m = line_metrics(np.array([1, 1, 1, 0, 0, 0], bool), np.array([1, 1, 0, 1, 0, 0], bool))
    assert (m.tp, m.fp, m.fn, m.tn) == (2, 1, 1, 2)
    assert m.precision == pytest.approx(2 / 3)
    assert m.recall == pytest.approx(2 / 3)
    assert m.f1 == pytest.approx(2 / 3)
    assert m.accuracy == pytest.approx(4 / 6)


def test_line_metrics_nothing_predicted():
    m = line_metrics(np.array([1, 0], bool), np.array([0, 0], bool))
    assert (m.precision, m.recall, m.f1) == (0.0, 0.0, 0.0)


def test_shingles_are_word_4grams_and_short_texts_one_shingle():
    assert sum(shingles("a b c d e").values()) == 2
    assert shingles("a, b; c") == {("a", "b", "c"): 1}
    assert shingles("") == {}


def test_page_counts_normalised():
    # true shingles {abcd, bcde}; predicted {abcd}: tp 1, fp 0, fn 1 -> halves
    assert page_tp_fp_fn("a b c d e", "a b c d") == (0.5, 0.0, 0.5)
    # predicted adds one extra shingle: true {abcd}, pred {abcd, bcdx}
    assert page_tp_fp_fn("a b c d", "a b c d x") == (0.5, 0.5, 0.0)
    assert page_tp_fp_fn("", "") == (0.0, 0.0, 0.0)


def test_page_metric_means_over_pages_then_f1():
    counts = [
        (0.5, 0.0, 0.5),  # precision 1, recall 0.5
        (0.5, 0.5, 0.0),  # precision 0.5, recall 1
        (0.0, 0.0, 1.0),  # nothing predicted: counts for recall (0) only
        (0.0, 0.0, 0.0),  # nothing true, nothing predicted: counts for neither mean
    ]
    m = page_metric(counts)
    assert m.precision == pytest.approx((1 + 0.5) / 2)
    assert m.recall == pytest.approx((0.5 + 1 + 0) / 3)
    assert m.f1 == pytest.approx(2 * 0.75 * 0.5 / 1.25)
    assert m.pages == 4


def test_page_f1_perfect_and_disjoint():
    assert page_f1("one two three four five", "one two three four five") == 1.0
    assert page_f1("one two three four", "five six seven eight") == 0.0
