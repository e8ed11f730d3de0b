"""Multi-label stratified hold-out and k-fold assignment of rows."""

import numpy as np


def _rarest_label_groups(Y):
    # Each row is filed under its rarest positive label; rows without any
    # positive form one more group. Splitting every group in proportion keeps
    # the positives of every label, the rare ones first, spread across parts.
    frequency = Y.sum(axis=0)
    order = np.argsort(frequency, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    ranked = np.where(Y == 1, rank[np.newaxis, :], Y.shape[1])
    return ranked.min(axis=1)


def _ranks_within_groups(groups, rng):
    # A random order of the rows inside each group: position 0, 1, 2, ...
    permutation = rng.permutation(groups.size)
    shuffled = groups[permutation]
    order = permutation[np.argsort(shuffled, kind="stable")]
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    sizes = np.diff(np.r_[starts, groups.size])
    within = np.arange(groups.size) - np.repeat(starts, sizes)
    ranks = np.empty(groups.size, dtype=np.int64)
    ranks[order] = within
    return ranks, sorted_groups[starts], sizes


def stratified_holdout(Y, fraction, rng):
    """Split rows into training and tuning rows, stratified by label.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        Label indicator matrix.

    fraction : float
        Share of the rows to hold out, in (0, 1).

    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    train, tune : ndarray of int
        Row indices of the two parts, each sorted, together all rows.
    """
    groups = _rarest_label_groups(Y)
    ranks, group_ids, sizes = _ranks_within_groups(groups, rng)

    # Stochastic rounding keeps the expected share exact in every group.
    quota = np.floor(fraction * sizes + rng.random(sizes.size))
    per_row_quota = quota[np.searchsorted(group_ids, groups)]
    is_tune = ranks < per_row_quota

    # Both parts must hold at least one row.
    if not is_tune.any():
        is_tune[rng.integers(Y.shape[0])] = True
    if is_tune.all():
        is_tune[rng.integers(Y.shape[0])] = False
    return np.flatnonzero(~is_tune), np.flatnonzero(is_tune)


def stratified_folds(Y, n_splits, rng):
    """Assign every row to one of ``n_splits`` folds, stratified by label.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        Label indicator matrix.

    n_splits : int
        Number of folds, at least 2 and at most the number of rows.

    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    folds : ndarray of shape (n_samples,)
        The fold of each row, in ``0 .. n_splits - 1``; every fold is used.
    """
    groups = _rarest_label_groups(Y)
    ranks, group_ids, _ = _ranks_within_groups(groups, rng)

    # Deal each group's rows round-robin, from a random fold, and keep
    # dealing across groups so that fold sizes differ by at most one.
    offsets = np.cumsum(np.r_[0, np.bincount(np.searchsorted(group_ids, groups))])
    start = rng.integers(n_splits)
    position = offsets[np.searchsorted(group_ids, groups)] + ranks
    return (start + position) % n_splits
