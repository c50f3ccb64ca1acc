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


def test_line_metrics_read_numeric_arrays_as_booleans():
    m = line_metrics(np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.0, 1.0, 0.0, 0.0]))  # 0/1 labels as floats
    assert (m.tp, m.fp, m.fn, m.tn) == (1, 1, 1, 1)
    assert m.precision == m.recall == m.f1 == m.accuracy == 0.5


def test_line_metrics_edges_by_hand():
    tie = line_metrics(np.array([True, False, True, True]), np.array([True, True, False, False]))
    assert (tie.tp, tie.fp, tie.fn) == (1, 1, 2)  # tp equals fp: precision 1/2, not "undefined"
    assert tie.precision == 0.5 and tie.recall == pytest.approx(1 / 3)
    even = line_metrics(np.array([True, True, False]), np.array([True, False, False]))
    assert (even.tp, even.fn) == (1, 1) and even.recall == 0.5  # tp equals fn
    no_content = line_metrics(np.array([False, False]), np.array([True, False]))
    assert no_content.recall == 0.0 and no_content.precision == 0.0 and no_content.f1 == 0.0
    empty = line_metrics(np.zeros(0, bool), np.zeros(0, bool))
    assert empty.accuracy == 0.0 and (empty.tp, empty.fp, empty.fn, empty.tn) == (0, 0, 0, 0)


def test_page_metric_edges_by_hand():
    nothing_kept = page_metric([(0.0, 0.0, 1.0)])  # no page output anything
    assert (nothing_kept.precision, nothing_kept.recall, nothing_kept.f1) == (0.0, 0.0, 0.0)
    nothing_true = page_metric([(0.0, 1.0, 0.0)])  # no page had true content
    assert (nothing_true.precision, nothing_true.recall, nothing_true.f1) == (0.0, 0.0, 0.0)
    equal = page_metric([(0.5, 0.25, 0.25)])  # precision equals recall (2/3): F1 is that value
    assert equal.precision == equal.recall == equal.f1 == pytest.approx(2 / 3)


def test_page_f1_by_hand():
    assert page_f1("", "") == 1.0  # nothing true, nothing output: a perfect page, not a worst one
    # true shingles: one-four, two-five, three-six; output: one-four, two-extra: tp 1, fp 1, fn 2
    # -> precision 1/2, recall 1/3, F1 2/5
    assert page_f1("one two three four five six", "one two three four extra") == pytest.approx(0.4)
    assert page_f1("one two three four five six", "one two three four") == pytest.approx(0.5)
