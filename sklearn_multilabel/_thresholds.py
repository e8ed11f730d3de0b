"""Exact search of per-label decision thresholds on calibrated scores.

The classifier produces one score per label (a logit), and a label is predicted
positive for a row when ``score >= threshold``. This module picks, for every
label, the threshold that maximises a metric on held-out rows.

The search is exact rather than a grid. The scores of one label are sorted in
descending order once; predicting the top ``k`` rows as positive is then a
candidate "cut", and the weighted true and false positive counts of every cut
are cumulative sums over the sorted rows. The work is ``O(n log n)`` per label
and is vectorised over labels.

For F-beta without sample weights, most of that sort is wasted: a cut that
predicts many more rows than a label has positives cannot score well, so once a
cheap valid cut gives a lower bound on the best score, only the few top rows of
the label that can hold a better cut are sorted (``_fbeta_top_sizes``). The
result is the same, bit for bit, as sorting every row.

Candidate cuts of one label with ``n`` rows:

- ``k = 0``: predict no row, threshold ``+inf``;
- ``0 < k < n`` where the ``k``-th and ``(k + 1)``-th sorted scores differ
  (tied scores always fall on the same side): the threshold is the midpoint of
  these two scores, kept strictly above the lower one and at most the higher
  one, so that ``score >= threshold`` selects exactly the top ``k`` rows;
- ``k = n``: predict every row, threshold ``-inf``.
"""

import inspect
import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# A callable metric is evaluated at no more than this many cuts per label.
MAX_CALLABLE_CUTS = 1000

# A label whose best F-beta cut may lie beyond this fraction of its top rows is
# sorted in full: the selection of the top rows would then save little. It must
# stay below 1, which rules out predicting every row in the partial search.
_MAX_TOP_FRACTION = 0.7

# Relative amount by which the lower bound on the best F-beta score is lowered,
# far above the rounding error of the few operations behind it.
_BOUND_MARGIN = 1e-9

# Rows per label in the strided sample that places the top-row selection, and
# the margin of the selection in standard deviations of its row count.
_SAMPLE_ROWS = 4096
_SAMPLE_MARGIN = 3.0

_ACCEPTED = (
    "'f1'; an F-beta string 'f<beta>' with beta a positive finite number "
    "(such as 'f2' or 'f0.5'); 'precision_at_recall=<r>' with 0 < r <= 1; "
    "or a callable metric(y_true, y_pred) -> float, higher is better"
)

# An unsigned decimal number: "2", "0.5", ".5", "1.", "1e-1".
_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_FBETA_RE = re.compile(rf"f(?P<beta>{_NUMBER})")
_PAR_RE = re.compile(rf"precision_at_recall=(?P<recall>{_NUMBER})")


@dataclass(frozen=True)
class ThresholdScoring:
    """Normalised form of the ``threshold_scoring`` parameter.

    Parameters
    ----------
    kind : {"fbeta", "precision_at_recall", "callable"}
        Family of the metric.

    beta : float or None, default=None
        Weight of recall against precision, for ``kind="fbeta"``.

    min_recall : float or None, default=None
        Smallest accepted recall, for ``kind="precision_at_recall"``.

    metric : callable or None, default=None
        Metric ``metric(y_true, y_pred) -> float`` of one label, for
        ``kind="callable"``.

    accepts_sample_weight : bool, default=False
        Whether ``metric`` takes a ``sample_weight`` keyword.
    """

    kind: str
    beta: float | None = None
    min_recall: float | None = None
    metric: Callable | None = None
    accepts_sample_weight: bool = False


def _bad_string(value, reason):
    """Build the ValueError raised for a string that is not an accepted metric."""
    return ValueError(
        f"Invalid threshold_scoring={value!r}: {reason}. Accepted values: {_ACCEPTED}."
    )


def _accepts_sample_weight(metric):
    """Tell whether ``metric`` can be called with a ``sample_weight`` keyword."""
    try:
        parameters = inspect.signature(metric).parameters.values()
    except (TypeError, ValueError):
        return False

    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return True
        if parameter.name == "sample_weight" and parameter.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            return True
    return False


def check_threshold_scoring(threshold_scoring):
    """Validate ``threshold_scoring`` and return its normalised form.

    Parameters
    ----------
    threshold_scoring : str, callable or ThresholdScoring
        Metric maximised by the threshold search. Accepted values:

        - ``"f1"``, or any F-beta score written ``"f<beta>"`` with ``beta`` a
          positive finite number, such as ``"f2"`` or ``"f0.5"``;
        - ``"precision_at_recall=<r>"`` with ``0 < r <= 1``: the highest
          precision among the thresholds whose recall is at least ``r``;
        - a callable ``metric(y_true, y_pred) -> float`` scoring one label
          from binary 0/1 one-dimensional arrays, higher is better. When it
          takes a ``sample_weight`` keyword, it receives the sample weights;
        - a ``ThresholdScoring`` returned by an earlier call, unchanged.

    Returns
    -------
    spec : ThresholdScoring
        Frozen description of the metric.

    Raises
    ------
    TypeError
        If ``threshold_scoring`` is neither a string nor a callable.

    ValueError
        If ``threshold_scoring`` is a string that names no accepted metric.
    """
    if isinstance(threshold_scoring, ThresholdScoring):
        return threshold_scoring

    if isinstance(threshold_scoring, str):
        match = _FBETA_RE.fullmatch(threshold_scoring)
        if match is not None:
            beta = float(match["beta"])
            if not (math.isfinite(beta) and beta > 0):
                raise _bad_string(
                    threshold_scoring, "beta must be a positive finite number"
                )
            return ThresholdScoring(kind="fbeta", beta=beta)

        match = _PAR_RE.fullmatch(threshold_scoring)
        if match is not None:
            recall = float(match["recall"])
            if not 0 < recall <= 1:
                raise _bad_string(threshold_scoring, "r must satisfy 0 < r <= 1")
            return ThresholdScoring(kind="precision_at_recall", min_recall=recall)

        raise _bad_string(threshold_scoring, "unknown metric")

    if callable(threshold_scoring):
        return ThresholdScoring(
            kind="callable",
            metric=threshold_scoring,
            accepts_sample_weight=_accepts_sample_weight(threshold_scoring),
        )

    raise TypeError(
        "threshold_scoring must be a string or a callable, got "
        f"{threshold_scoring!r} of type {type(threshold_scoring).__name__}. "
        f"Accepted values: {_ACCEPTED}."
    )


def _check_min_positives(min_positives):
    """Raise a ValueError unless ``min_positives`` is a number >= 0."""
    valid = (
        isinstance(min_positives, numbers.Real)
        and not isinstance(min_positives, bool)
        and min_positives >= 0
    )
    if not valid:
        raise ValueError(f"min_positives must be a number >= 0, got {min_positives!r}.")


def _check_inputs(y_true, scores, sample_weight):
    """Validate the arrays and return them as arrays of labels x rows.

    Parameters
    ----------
    y_true : array-like or sparse matrix of shape (n_samples, n_labels)
        Binary indicator of the true labels.

    scores : array-like of shape (n_samples, n_labels)
        Finite scores.

    sample_weight : array-like of shape (n_samples,) or None
        Finite non-negative weights.

    Returns
    -------
    y : ndarray of bool of shape (n_labels, n_samples)
        ``y_true`` transposed, as a C-contiguous boolean array. It may share
        memory with the input and must not be written to.

    s : ndarray of shape (n_labels, n_samples)
        ``scores`` transposed, as a C-contiguous float64 array. It may share
        memory with the input and must not be written to.

    w : ndarray of shape (n_samples,) or None
        Float64 weights, or None when every row weighs 1.
    """
    if sparse.issparse(y_true):
        y_true = y_true.toarray()
    y_true = np.asarray(y_true)
    scores = np.asarray(scores)

    if scores.ndim != 2:
        raise ValueError(
            "scores must be a 2-D array of shape (n_samples, n_labels), got an "
            f"array of shape {scores.shape!r}."
        )
    if y_true.shape != scores.shape:
        raise ValueError(
            "y_true and scores must have the same shape (n_samples, n_labels), "
            f"got y_true of shape {y_true.shape!r} and scores of shape "
            f"{scores.shape!r}."
        )
    n_samples = scores.shape[0]
    if n_samples == 0:
        raise ValueError(
            "At least one row is needed to tune thresholds, got scores of shape "
            f"{scores.shape!r}."
        )

    # Numeric labels are checked in their own dtype and layout, without a copy;
    # anything else, such as text, converts to float64 first, or fails to. They
    # are then kept as booleans, an eighth of the memory of float64, in their
    # own contiguous rows: sorting along the last axis is much faster than along
    # the first.
    if y_true.dtype.kind not in "biuf":
        y_true = np.asarray(y_true, dtype=np.float64)
    if y_true.dtype != bool:
        valid = (y_true == 0) | (y_true == 1)
        if not np.all(valid):
            values = np.unique(y_true[~valid].astype(np.float64))[:5]
            raise ValueError(
                f"y_true must contain only 0 and 1, got other values such as "
                f"{values.tolist()!r}."
            )
    y = np.ascontiguousarray(y_true.T, dtype=bool)

    # A NaN or infinite entry makes the sum NaN or infinite, so a finite sum
    # proves every entry finite without an array of flags; an overflowing sum
    # of finite entries only costs the full check.
    s = np.ascontiguousarray(scores.T, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        total = s.sum()
    if not math.isfinite(total) and not np.all(np.isfinite(s)):
        raise ValueError(
            "scores must be finite, got NaN or infinite values in "
            f"{np.count_nonzero(~np.isfinite(s))} entries."
        )

    if sample_weight is None:
        return y, s, None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},) to match the "
            f"{n_samples} rows of scores, got shape {w.shape!r}."
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(
            "sample_weight must contain finite non-negative values, got "
            f"minimum {float(np.min(w))!r} and maximum {float(np.max(w))!r}."
        )

    # Weights of 1 count as none: the unweighted search is the faster one.
    if np.all(w == 1):
        return y, s, None
    return y, s, w


def _cut_thresholds(s_sorted, cuts):
    """Turn chosen cut positions into thresholds in score space.

    Parameters
    ----------
    s_sorted : ndarray of shape (n_labels, n_samples)
        Scores of every label sorted in descending order.

    cuts : ndarray of shape (n_labels,)
        Number ``k`` of top rows predicted positive, between 0 and n_samples.
        A cut between two rows must fall between two different scores.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
        Threshold such that ``score >= threshold`` selects the top ``k`` rows.
    """
    n_samples = s_sorted.shape[1]
    thresholds = np.empty(cuts.shape[0], dtype=np.float64)
    thresholds[cuts == 0] = np.inf
    thresholds[cuts == n_samples] = -np.inf

    # Halving before adding cannot overflow; the midpoint is then pushed above
    # the lower score when rounding lands on it.
    inner = np.flatnonzero((cuts > 0) & (cuts < n_samples))
    hi = s_sorted[inner, cuts[inner] - 1]
    lo = s_sorted[inner, cuts[inner]]
    mid = hi / 2 + lo / 2
    mid = np.where(mid > lo, mid, np.nextafter(lo, np.inf))
    thresholds[inner] = np.minimum(mid, hi)
    return thresholds


def _best_cuts_from_counts(tp, fp, positives, tied, spec):
    """Pick the best cut of every label from cumulative weighted counts.

    Parameters
    ----------
    tp : ndarray of shape (n_labels, n_samples + 1)
        Weighted true positives when predicting the top ``k`` rows, ``k`` being
        the column index. Overwritten.

    fp : ndarray of shape (n_labels, n_samples + 1)
        Weighted false positives, in the same layout. Overwritten.

    positives : ndarray of shape (n_labels,)
        Weighted number of positives of each label, all strictly positive.

    tied : ndarray of bool of shape (n_labels, n_ruled)
        Whether the cut of ``k`` rows is ruled out, for ``k`` from 1 to
        ``n_ruled``, at most ``n_samples``: when the ``k``-th and
        ``(k + 1)``-th sorted scores are equal, or when the counts of a partial
        search do not reach past the cut.

    spec : ThresholdScoring
        An F-beta or precision-at-recall metric.

    Returns
    -------
    cuts : ndarray of shape (n_labels,)
        Chosen number of top rows predicted positive.
    """
    positives = positives[:, np.newaxis]

    if spec.kind == "fbeta":
        # F = (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp) with fn = P - tp, so
        # the denominator is tp + fp + b^2 P. It is 0 only where tp is 0 too,
        # and the floor then gives F = 0 instead of NaN.
        beta2 = spec.beta**2
        denominator = np.add(tp, fp, out=fp)
        denominator += beta2 * positives
        np.maximum(denominator, np.finfo(np.float64).tiny, out=denominator)
        value = np.multiply(tp, 1 + beta2, out=tp)
        value /= denominator

        # The first maximum is the cut with the fewest predicted positives.
        np.copyto(value[:, 1 : 1 + tied.shape[1]], -np.inf, where=tied)
        return np.argmax(value, axis=1)

    # Precision at a minimum recall; predicting no row has precision 0.
    predicted = tp + fp
    precision = np.zeros_like(tp)
    np.divide(tp, predicted, out=precision, where=predicted > 0)
    infeasible = tp / positives < spec.min_recall
    infeasible[:, 1 : 1 + tied.shape[1]] |= tied
    precision[infeasible] = -np.inf

    # Recall grows with the cut, so the last maximum has the highest recall.
    last = np.argmax(precision[:, ::-1], axis=1)
    return precision.shape[1] - 1 - last


def _best_cuts_callable(y, order, tied, w, spec):
    """Pick the best cut of every label by calling a user metric.

    The metric is evaluated at every candidate cut of a label when there are at
    most ``MAX_CALLABLE_CUTS`` of them, and otherwise at ``MAX_CALLABLE_CUTS``
    cuts spread evenly over the candidate positions, always including
    predicting every row and predicting no row. A NaN value counts as the worst.

    Parameters
    ----------
    y : ndarray of bool of shape (n_labels, n_samples)
        True labels.

    order : ndarray of shape (n_labels, n_samples)
        Row indices of every label sorted by decreasing score.

    tied : ndarray of bool of shape (n_labels, n_samples - 1)
        Whether the ``k``-th and ``(k + 1)``-th sorted scores are equal, which
        rules out the cut of ``k`` rows.

    w : ndarray of shape (n_samples,) or None
        Sample weights.

    spec : ThresholdScoring
        A callable metric.

    Returns
    -------
    cuts : ndarray of shape (n_labels,)
        Chosen number of top rows predicted positive.
    """
    n_labels, n_samples = y.shape
    kwargs = {}
    if w is not None and spec.accepts_sample_weight:
        kwargs["sample_weight"] = w

    cuts = np.zeros(n_labels, dtype=np.intp)
    for label in range(n_labels):
        candidates = np.concatenate(
            ([0], 1 + np.flatnonzero(~tied[label]), [n_samples])
        )
        if candidates.size > MAX_CALLABLE_CUTS:
            spread = np.linspace(0, candidates.size - 1, MAX_CALLABLE_CUTS)
            candidates = candidates[np.unique(np.round(spread).astype(np.intp))]

        # Rank of every row in the descending order: the top k rows are those
        # ranked below k.
        rank = np.empty(n_samples, dtype=np.intp)
        rank[order[label]] = np.arange(n_samples)
        y_label = y[label].astype(np.int64)

        values = np.empty(candidates.size, dtype=np.float64)
        for i, k in enumerate(candidates):
            y_pred = (rank < k).astype(np.int64)
            values[i] = float(spec.metric(y_label, y_pred, **kwargs))
        values[np.isnan(values)] = -np.inf
        cuts[label] = candidates[np.argmax(values)]
    return cuts


def _search(y, s, w, spec, *, prune=True):
    """Find the best threshold of every label by the exact search.

    Parameters
    ----------
    y : ndarray of bool of shape (n_labels, n_samples)
        True labels. Every label must have a strictly positive weighted number
        of positives.

    s : ndarray of shape (n_labels, n_samples)
        Finite scores as float64, C-contiguous.

    w : ndarray of shape (n_samples,) or None
        Sample weights, None for unit weights.

    spec : ThresholdScoring
        Metric to maximise.

    prune : bool, default=True
        Whether F-beta without sample weights sorts only the top rows that can
        hold the best cut. The thresholds are the same either way; False sorts
        every row.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
        Best threshold of every label, rule ``score >= threshold``.
    """
    # TODO(precision_at_recall or sample weights prove slow on large data):
    # prune them too. Precision is at most P / m, so a feasible cut of precision
    # p rules out every cut of more than P / p rows; with weights, the bound
    # holds for the weight of the predicted rows rather than their number.
    if not (prune and spec.kind == "fbeta" and w is None) or s.size == 0:
        return _search_all_rows(y, s, w, spec)

    n_samples = s.shape[1]
    sizes = _fbeta_top_sizes(y, s, spec.beta)
    partial = sizes <= _MAX_TOP_FRACTION * n_samples
    if np.all(partial):
        return _search_top_rows(y, s, sizes, spec)

    # Labels without a tight bound are sorted in full, apart from the others.
    thresholds = np.empty(s.shape[0], dtype=np.float64)
    if np.any(partial):
        thresholds[partial] = _search_top_rows(
            y[partial], s[partial], sizes[partial], spec
        )
    whole = ~partial
    thresholds[whole] = _search_all_rows(y[whole], s[whole], None, spec)
    return thresholds


def _fbeta_top_sizes(y, s, beta):
    """Count the top rows of every label that can hold its best F-beta cut.

    The count comes from a bound, without sorting. Take a label with ``P``
    positives and unit weights. A cut that predicts its top ``m`` rows has at
    most ``min(P, m)`` true positives, so its F-beta score is at most
    ``U(m) = (1 + b^2) P / (m + b^2 P)``, which decreases with ``m``. When a
    valid cut scores ``F_lb > 0``, the best score is at least ``F_lb`` and every
    cut with ``U(m) < F_lb``, that is ``m > (1 + b^2) P / F_lb - b^2 P``, scores
    strictly less than the best: it is never the first maximum. The best cut
    therefore predicts at most ``floor((1 + b^2) P / F_lb - b^2 P)`` rows, and
    one more row gives the next score, which places its threshold.

    Parameters
    ----------
    y : ndarray of bool of shape (n_labels, n_samples)
        True labels; every label has a positive.

    s : ndarray of shape (n_labels, n_samples)
        Finite scores as float64.

    beta : float
        Weight of recall against precision.

    Returns
    -------
    sizes : ndarray of int of shape (n_labels,)
        Number of top rows that hold every cut that can be the best one, plus
        the row after it, at most ``n_samples``. A label without a bound gets
        ``n_samples``.
    """
    n_samples = s.shape[1]
    beta2 = beta**2
    positives = y.sum(axis=1)

    # The valid cut predicts every row scoring at least the mean score of the
    # positives, ties included. At least one positive reaches the exact mean,
    # but rounding can lift the computed mean above all of them: F_lb is then 0
    # and the label gets no bound, as when huge scores overflow the mean. The
    # row-wise sum avoids BLAS, whose threads can take far longer to wake than
    # this work takes.
    with np.errstate(over="ignore", invalid="ignore"):
        mean = np.einsum("ij,ij->i", s, y) / positives
    predicted = s >= mean[:, np.newaxis]
    n_predicted = np.count_nonzero(predicted, axis=1)
    tp = np.count_nonzero(np.logical_and(predicted, y, out=predicted), axis=1)

    # F_lb is computed by the operations of the search, so the search gives this
    # cut the same value and picks a cut valued at least F_lb, whose exact F
    # is within a few roundings of that value and so above F_lb lowered by the
    # margin. The margin is relative to (1 + b^2) P / F_lb, the size of every
    # term below, and so also covers the rounding of the subtraction however
    # much of it cancels.
    denominator = np.maximum(n_predicted + beta2 * positives, np.finfo(np.float64).tiny)
    f_lb = tp * (1 + beta2) / denominator
    limit = np.full(positives.shape, np.inf)
    np.divide(
        (1 + beta2) * positives,
        f_lb * (1 - _BOUND_MARGIN),
        out=limit,
        where=f_lb > 0,
    )
    limit -= beta2 * positives
    return np.minimum(np.floor(limit) + 1, n_samples).astype(np.intp)


def _select_top_rows(s, sizes):
    """Select at least the top ``sizes`` rows of every label, ties included.

    Every label keeps the rows whose score is at least a cut value chosen on a
    strided sample of its rows: the rank of the value in the sample leaves, in
    expectation, the needed count of rows above it plus a margin of a few
    standard deviations. A label left short is given its exact cut value by a
    partition of all of its rows, so the result never depends on the sample.

    Parameters
    ----------
    s : ndarray of shape (n_labels, n_samples)
        Finite scores as float64.

    sizes : ndarray of int of shape (n_labels,)
        Least number of top rows to select, between 1 and ``n_samples``.

    Returns
    -------
    selected : ndarray of bool of shape (n_labels, n_samples)
        The rows kept for every label: all rows scoring at least its cut value,
        so that tied scores are kept or left together.

    counts : ndarray of int of shape (n_labels,)
        Number of rows selected for every label, at least ``sizes``.
    """
    n_samples = s.shape[1]
    need = int(sizes.max())

    # A sample of every step-th row. For rows in random order, the count of
    # rows above the value of rank r in the sample is about step * r, with a
    # standard deviation of about sqrt(step * need) near the needed count.
    step = max(1, n_samples // _SAMPLE_ROWS)
    sample = s[:, ::step]
    n_sample = sample.shape[1]
    margin = 0.0 if step == 1 else _SAMPLE_MARGIN * math.sqrt(step * need)
    rank = min(n_sample, math.ceil((need + margin) / step))
    cut_values = np.partition(sample, n_sample - rank, axis=1)[:, n_sample - rank]

    selected = s >= cut_values[:, np.newaxis]
    counts = np.count_nonzero(selected, axis=1)
    short = np.flatnonzero(counts < sizes)
    if short.size:
        need = int(sizes[short].max())
        exact = np.partition(s[short], n_samples - need, axis=1)[:, n_samples - need]
        selected[short] = s[short] >= exact[:, np.newaxis]
        counts[short] = np.count_nonzero(selected[short], axis=1)
    return selected, counts


def _search_top_rows(y, s, sizes, spec):
    """Find the best F-beta threshold of every label by sorting its top rows.

    The result is that of ``_search_all_rows`` without sample weights, provided
    every label's best cut predicts fewer than ``sizes`` rows. The selected top
    rows of a label are packed in one row of a block, padded at its end with
    ``-inf`` scores and negative labels, and the block is searched like the full
    problem: its cuts of fewer rows than the label has selected are those of the
    full problem, with the same counts computed by the same operations, and the
    later cuts are ruled out.

    Parameters
    ----------
    y : ndarray of bool of shape (n_labels, n_samples)
        True labels; every label has a positive.

    s : ndarray of shape (n_labels, n_samples)
        Finite scores as float64.

    sizes : ndarray of int of shape (n_labels,)
        Number of top rows that hold every cut that can be the best, plus one,
        smaller than ``n_samples``, as ``_fbeta_top_sizes`` returns.

    spec : ThresholdScoring
        An F-beta metric.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
        Best threshold of every label, rule ``score >= threshold``.
    """
    n_labels = s.shape[0]
    positives = y.sum(axis=1)
    selected, counts = _select_top_rows(s, sizes)

    # Flat indices and boolean masks run in row-major order, so the rows selected
    # for a label fill the start of its row of the block in their order.
    # Gathering through flat indices is much faster than a 2-D boolean index.
    width = int(counts.max())
    filled = np.arange(width) < counts[:, np.newaxis]
    flat_selected = np.flatnonzero(selected)
    s_block = np.full((n_labels, width), -np.inf)
    s_block[filled] = np.take(s, flat_selected)
    y_block = np.zeros((n_labels, width), dtype=bool)
    y_block[filled] = np.take(y, flat_selected)

    # Arrays are dropped as soon as they are spent: the next ones of the same
    # size can then reuse their memory instead of faulting in fresh pages, a
    # cost of the order of the work itself.
    del selected, flat_selected

    # Sort every row of the block by decreasing score; the padding goes last.
    # The row indices become flat ones in place, which spares an array.
    order = np.argsort(s_block, axis=1)
    order += (width * np.arange(n_labels))[:, np.newaxis]
    order = order[:, ::-1]
    s_sorted = np.take(s_block, order)
    y_sorted = np.take(y_block, order)
    del s_block, y_block, order

    # Column k of the counts predicts the top k rows. A cut is ruled out between
    # two equal scores as in the full search, and from the label's count of
    # selected rows on: the next score is then not known, and the best cut
    # predicts fewer rows. Since sizes are below n_samples, this rules out
    # predicting every row, which the bound already excludes.
    tp = np.zeros((n_labels, width + 1))
    np.cumsum(y_sorted, axis=1, dtype=np.float64, out=tp[:, 1:])
    fp = np.zeros((n_labels, width + 1))
    np.subtract(np.arange(1, width + 1), tp[:, 1:], out=fp[:, 1:])
    ruled_out = np.empty((n_labels, width), dtype=bool)
    np.equal(s_sorted[:, :-1], s_sorted[:, 1:], out=ruled_out[:, :-1])
    ruled_out[:, -1] = True
    ruled_out |= np.arange(1, width + 1) >= counts[:, np.newaxis]

    cuts = _best_cuts_from_counts(tp, fp, positives, ruled_out, spec)
    return _cut_thresholds(s_sorted, cuts)


def _sorted_by_score(s):
    """Sort the rows of every label by decreasing score.

    Parameters
    ----------
    s : ndarray of shape (n_labels, n_samples)
        Scores.

    Returns
    -------
    order : ndarray of shape (n_labels, n_samples)
        Row indices of every label by decreasing score.

    flat_order : ndarray of shape (n_labels, n_samples)
        The same as indices into the flattened array: gathering through them
        is faster than ``np.take_along_axis``.

    s_sorted : ndarray of shape (n_labels, n_samples)
        The sorted scores.
    """
    n_labels, n_samples = s.shape
    order = np.argsort(s, axis=1)[:, ::-1]
    flat_order = order + (n_samples * np.arange(n_labels))[:, np.newaxis]
    return order, flat_order, np.take(s, flat_order)


def _search_all_rows(y, s, w, spec):
    """Find the best threshold of every label by sorting all of its rows.

    Parameters
    ----------
    y : ndarray of bool of shape (n_labels, n_samples)
        True labels. Every label must have a strictly positive weighted number
        of positives.

    s : ndarray of shape (n_labels, n_samples)
        Finite scores as float64, C-contiguous.

    w : ndarray of shape (n_samples,) or None
        Sample weights, None for unit weights.

    spec : ThresholdScoring
        Metric to maximise.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
        Best threshold of every label, rule ``score >= threshold``.
    """
    n_labels, n_samples = s.shape
    order, flat_order, s_sorted = _sorted_by_score(s)

    # A cut of k rows, 0 < k < n, is ruled out between two equal scores.
    tied = s_sorted[:, :-1] == s_sorted[:, 1:]

    if spec.kind == "callable":
        cuts = _best_cuts_callable(y, order, tied, w, spec)
        return _cut_thresholds(s_sorted, cuts)

    # Weighted true and false positives when predicting the top k rows, k being
    # the column index; column 0 predicts no row.
    y_sorted = np.take(y, flat_order)
    tp = np.zeros((n_labels, n_samples + 1))
    fp = np.zeros((n_labels, n_samples + 1))
    if w is None:
        np.cumsum(y_sorted, axis=1, dtype=np.float64, out=tp[:, 1:])
        np.subtract(np.arange(1, n_samples + 1), tp[:, 1:], out=fp[:, 1:])
    else:
        w_sorted = w[order]
        wy_sorted = np.multiply(w_sorted, y_sorted)
        np.cumsum(wy_sorted, axis=1, out=tp[:, 1:])
        w_sorted -= wy_sorted
        np.cumsum(w_sorted, axis=1, out=fp[:, 1:])
    positives = tp[:, -1].copy()

    cuts = _best_cuts_from_counts(tp, fp, positives, tied, spec)
    return _cut_thresholds(s_sorted, cuts)


def tune_thresholds(
    y_true, scores, threshold_scoring="f1", *, sample_weight=None, min_positives=5
):
    """Tune one decision threshold per label on held-out rows.

    For every label the scores are sorted in descending order and every cut is
    considered: predicting no row (threshold ``+inf``), predicting the top
    ``k`` rows for every ``k`` where the ``k``-th and ``(k + 1)``-th sorted
    scores differ, so that tied scores always move together (threshold at the
    midpoint of the two scores, strictly above the lower one and at most the
    higher one), and predicting every row (threshold ``-inf``). Weighted counts
    of true and false positives come from cumulative sums, in ``O(n log n)``
    per label.

    The best cut depends on the metric:

    - F-beta, ``(1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp)``, taken as 0 when
      the denominator is 0: the best value, and among equal best values the
      highest threshold (fewest predicted positives). A label whose scores
      carry no signal therefore ends with "predict all" for F1.
    - ``precision_at_recall=r``: among the cuts whose recall is at least ``r``,
      the highest precision, ties broken toward higher recall (lower
      threshold). Predicting no row has precision 0.
    - A callable metric is evaluated at every candidate cut when there are at
      most 1000 of them, otherwise at 1000 cuts spread evenly over the
      candidate positions, always including predicting every row and
      predicting no row. The best value is picked as for F-beta; a NaN value
      counts as the worst.

    Labels whose weighted number of positives is below ``min_positives``, or
    is zero, share one fallback threshold tuned with the same metric on the
    pooled scores of all labels (every label's rows together, sample weights
    repeated per label). When the pooled data has no positive at all, the
    fallback threshold is 0.0, a logit of 0 (probability 0.5).

    Parameters
    ----------
    y_true : array-like or sparse matrix of shape (n_samples, n_labels)
        True labels as 0/1 values of any integer, float or boolean dtype.

    scores : array-like of shape (n_samples, n_labels)
        Finite calibrated scores (logits), handled as float64.

    threshold_scoring : str, callable or ThresholdScoring, default="f1"
        Metric maximised by the thresholds; see ``check_threshold_scoring``.

    sample_weight : array-like of shape (n_samples,), default=None
        Finite non-negative row weights. True positives, false positives and
        positives are weighted sums. None gives every row a weight of 1.

    min_positives : float, default=5
        Labels with a weighted number of positives below this value get the
        pooled fallback threshold instead of their own.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,), dtype float64
        Threshold of every label in score space; a row is predicted positive
        when ``score >= threshold``. ``-inf`` predicts every row positive and
        ``+inf`` predicts no row.

    tuned : ndarray of shape (n_labels,), dtype bool
        True where the label got its own tuned threshold, False where it got
        the pooled fallback.

    Raises
    ------
    ValueError
        If the arrays do not have matching 2-D shapes, if ``y_true`` holds
        values other than 0 and 1, if ``scores`` are not finite, if
        ``sample_weight`` has the wrong length or negative or non-finite
        values, if ``min_positives`` is negative, or if ``threshold_scoring``
        is an unknown string.

    TypeError
        If ``threshold_scoring`` is neither a string nor a callable.
    """
    spec = check_threshold_scoring(threshold_scoring)
    _check_min_positives(min_positives)
    y, s, w = _check_inputs(y_true, scores, sample_weight)
    n_labels = s.shape[0]

    # Decide which labels have enough positives to be tuned on their own.
    positives = y.sum(axis=1) if w is None else y @ w
    tuned = (positives >= min_positives) & (positives > 0)

    thresholds = np.empty(n_labels, dtype=np.float64)
    if np.all(tuned):
        thresholds[:] = _search(y, s, w, spec)
    elif np.any(tuned):
        thresholds[tuned] = _search(y[tuned], s[tuned], w, spec)

    # One shared threshold from the rows of all labels pooled together.
    # TODO(a callable metric proves too slow on the pooled rows): evaluate it on
    # a subsample of the pooled rows.
    if not np.all(tuned):
        if positives.sum() > 0:
            pooled_w = None if w is None else np.tile(w, n_labels)
            fallback = _search(y.reshape(1, -1), s.reshape(1, -1), pooled_w, spec)[0]
        else:
            fallback = 0.0
        thresholds[~tuned] = fallback

    return thresholds, tuned


def resampled_thresholds(
    y_true,
    scores,
    threshold_scoring,
    *,
    n_resamples,
    rng,
    sample_weight=None,
    min_positives=5,
):
    """Tune F-beta thresholds on bootstrap resamples of the rows.

    Each resample draws ``n_samples`` rows with replacement
    (``rng.integers(n_samples, size=n_samples)``) and gets the thresholds
    ``tune_thresholds`` would give on those rows. The scores are sorted once:
    a resample is the sorted rows it drew, each weighted by the number of
    times it was drawn, so that every resample costs a pass over the rows
    instead of a sort.

    With unit (or no) sample weights the thresholds are exactly those of
    ``tune_thresholds`` on the resampled rows: the counts of every cut are the
    same whole numbers, the candidate cuts are the same (repeated rows tie),
    and every threshold is the midpoint of the same two scores. With other
    weights they agree up to the rounding of the weighted sums.

    Parameters
    ----------
    y_true : array-like or sparse matrix of shape (n_samples, n_labels)
        True labels as 0/1 values.

    scores : array-like of shape (n_samples, n_labels)
        Finite scores (logits).

    threshold_scoring : str or ThresholdScoring
        An F-beta metric, such as ``"f1"``.

    n_resamples : int
        Number of resamples.

    rng : numpy.random.Generator
        Draws the resamples.

    sample_weight : array-like of shape (n_samples,), default=None
        Row weights, carried by the drawn rows.

    min_positives : float, default=5
        As for ``tune_thresholds``, counted in each resample.

    Returns
    -------
    thresholds : ndarray of shape (n_resamples, n_labels)
        The thresholds of every resample, ``-inf`` and ``+inf`` included.

    Raises
    ------
    ValueError
        If ``threshold_scoring`` is not an F-beta metric, or as
        ``tune_thresholds`` for bad arrays.
    """
    spec = check_threshold_scoring(threshold_scoring)
    if spec.kind != "fbeta":
        raise ValueError(
            "resampled_thresholds takes an F-beta metric such as 'f1', got "
            f"threshold_scoring={threshold_scoring!r}."
        )
    _check_min_positives(min_positives)
    y, s, w = _check_inputs(y_true, scores, sample_weight)
    n_labels, n_samples = s.shape

    # Sort once. Every label lists the rows in its own order.
    order, flat_order, s_sorted = _sorted_by_score(s)
    y_sorted = np.take(y, flat_order)

    draws = np.empty((n_resamples, n_labels))
    for i in range(n_resamples):
        drawn = np.bincount(
            rng.integers(n_samples, size=n_samples), minlength=n_samples
        )
        weight = drawn if w is None else drawn * w
        present = drawn > 0
        n_present = int(np.count_nonzero(present))

        # The drawn rows of every label, in its order: as many for each label,
        # so the boolean mask keeps a (n_labels, n_present) block.
        keep = present[order]
        s_drawn = s_sorted[keep].reshape(n_labels, n_present)
        y_drawn = y_sorted[keep].reshape(n_labels, n_present)
        w_drawn = weight[order][keep].reshape(n_labels, n_present).astype(np.float64)

        tp = np.zeros((n_labels, n_present + 1))
        fp = np.zeros((n_labels, n_present + 1))
        wy = w_drawn * y_drawn
        np.cumsum(wy, axis=1, out=tp[:, 1:])
        np.cumsum(w_drawn - wy, axis=1, out=fp[:, 1:])
        positives = tp[:, -1].copy()
        tuned = (positives >= min_positives) & (positives > 0)

        thresholds = np.empty(n_labels)
        if np.any(tuned):
            tied = s_drawn[tuned, :-1] == s_drawn[tuned, 1:]
            cuts = _best_cuts_from_counts(
                tp[tuned], fp[tuned], positives[tuned], tied, spec
            )
            thresholds[tuned] = _cut_thresholds(s_drawn[tuned], cuts)

        # The labels left out share the threshold of all drawn rows pooled.
        if not np.all(tuned):
            if positives.sum() > 0:
                thresholds[~tuned] = _search_all_rows(
                    y_drawn.reshape(1, -1),
                    s_drawn.reshape(1, -1),
                    w_drawn.reshape(-1),
                    spec,
                )[0]
            else:
                thresholds[~tuned] = 0.0
        draws[i] = thresholds
    return draws


def score_at_thresholds(
    y_true, scores, thresholds, threshold_scoring="f1", *, sample_weight=None
):
    """Mean over labels of the threshold metric, predicting ``scores >= thresholds``.

    Labels without a positive among the rows are left out of the mean, since
    no metric of this module is defined for them; when no label has one, the
    result is 0.0.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_labels)
        True labels as 0 and 1.

    scores : array-like of shape (n_samples, n_labels)
        Finite scores (logits).

    thresholds : array-like of shape (n_labels,)
        One threshold per label in score space, as ``tune_thresholds`` returns.

    threshold_scoring : str, callable or ThresholdScoring, default="f1"
        The metric; see ``check_threshold_scoring``.

    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    score : float
        The macro average of the metric over labels with a positive.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_multilabel._thresholds import score_at_thresholds
    >>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    >>> s = np.array([[2.0, -1.0], [-1.0, 0.5], [0.5, 2.0], [-2.0, 1.0]])
    >>> float(score_at_thresholds(y, s, np.array([0.0, 0.0])))  # F1 1 and 0.8
    0.9
    """
    spec = check_threshold_scoring(threshold_scoring)
    y, s, w = _check_inputs(y_true, scores, sample_weight)
    y = y.astype(np.float64)
    w = np.ones(y.shape[1]) if w is None else w
    predicted = s >= np.asarray(thresholds, dtype=np.float64)[:, None]
    has_positive = (y @ w) > 0
    if not np.any(has_positive):
        return 0.0
    y, predicted = y[has_positive], predicted[has_positive]

    if spec.kind == "callable":
        values = [
            spec.metric(y_row, p_row.astype(np.int64), sample_weight=w)
            if spec.accepts_sample_weight
            else spec.metric(y_row, p_row.astype(np.int64))
            for y_row, p_row in zip(y.astype(np.int64), predicted, strict=True)
        ]
        return float(np.mean(values))

    tp = (y * predicted) @ w
    fp = ((1 - y) * predicted) @ w
    fn = (y * ~predicted) @ w
    if spec.kind == "fbeta":
        b2 = spec.beta**2
        denominator = (1 + b2) * tp + b2 * fn + fp
        values = np.where(
            denominator > 0, (1 + b2) * tp / np.maximum(denominator, 1e-300), 0.0
        )
    else:
        recall = tp / (tp + fn)
        precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-300), 0.0)
        values = np.where(recall >= spec.min_recall, precision, 0.0)
    return float(np.mean(values))
