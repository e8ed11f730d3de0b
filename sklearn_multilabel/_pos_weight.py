"""Per-label weights of the positive term of the loss."""

import numbers

import numpy as np

POS_WEIGHT_STRATEGIES = ("balanced", "sqrt")


def compute_pos_weight(
    Y, pos_weight="balanced", *, sample_weight=None, labels=None, max_pos_weight=100.0
):
    """Compute one positive-term weight per label.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        Label indicator matrix of 0 and 1, the rows the network trains on.

    pos_weight : {"balanced", "sqrt"}, float, array-like or dict, \
            default="balanced"
        - ``"balanced"``: ``n_negative / n_positive`` of each label, the
          counts weighted by ``sample_weight``. A label with one positive in
          thirty rows gets 29.
        - ``"sqrt"``: the square root of the balanced weight, a milder push.
        - ``None``: no weighting, every weight is 1.
        - a positive float: the same weight for every label.
        - an array of ``n_labels`` positive floats: one weight per label.
        - a dict mapping label names (see ``labels``) to positive floats;
          labels it does not name get 1.

        The frequency-based weights are clipped to
        ``[1 / max_pos_weight, max_pos_weight]``; weights given explicitly
        are used as given.

    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the rows when counting positives and negatives.

    labels : sequence of length n_labels, default=None
        Names of the labels, used to read a dict. Defaults to
        ``0, ..., n_labels - 1``.

    max_pos_weight : float, default=100.0
        Cap on the frequency-based weights, so that a label with a handful of
        positives cannot dominate training.

    Returns
    -------
    weights : ndarray of shape (n_labels,)
        The weight of each label, float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_multilabel import compute_pos_weight
    >>> Y = np.array([[1, 0], [0, 0], [0, 1], [0, 1]])
    >>> compute_pos_weight(Y)
    array([3., 1.])
    >>> compute_pos_weight(Y, "sqrt")
    array([1.73205081, 1.        ])
    """
    Y = np.asarray(Y)
    n_labels = Y.shape[1]

    # Explicit weights: check their form and values, use them as given.
    if pos_weight is None:
        return np.ones(n_labels)
    if isinstance(pos_weight, dict):
        return _weights_from_dict(pos_weight, labels, n_labels)
    if isinstance(pos_weight, (bool, np.bool_)):
        raise ValueError(
            "pos_weight must be 'balanced', 'sqrt', None, a positive float, an "
            "array of one weight per label or a dict keyed by label name; a bool "
            f"is none of these. Received: pos_weight={pos_weight!r}"
        )
    if isinstance(pos_weight, numbers.Real) and not isinstance(pos_weight, bool):
        return _check_positive(np.full(n_labels, float(pos_weight)), pos_weight)
    if not isinstance(pos_weight, str):
        weights = np.asarray(pos_weight, dtype=np.float64)
        if weights.shape != (n_labels,):
            raise ValueError(
                f"pos_weight as an array must hold one weight per label "
                f"({n_labels}); received an array of shape {weights.shape}."
            )
        return _check_positive(weights, pos_weight)
    if pos_weight not in POS_WEIGHT_STRATEGIES:
        raise ValueError(
            f"pos_weight must be 'balanced', 'sqrt', None, a positive float, an "
            f"array of one weight per label or a dict keyed by label name. "
            f"Received: pos_weight={pos_weight!r}"
        )

    # Frequency-based weights from weighted counts.
    if sample_weight is None:
        sample_weight = np.ones(Y.shape[0])
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    positives = sample_weight @ (Y == 1)
    negatives = sample_weight.sum() - positives
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.where(positives > 0, negatives / positives, 1.0)
    if pos_weight == "sqrt":
        weights = np.sqrt(weights)
    return np.clip(weights, 1.0 / max_pos_weight, max_pos_weight)


def _check_positive(weights, received):
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise ValueError(
            "pos_weight must hold positive finite numbers. "
            f"Received: pos_weight={received!r}"
        )
    return weights


def _weights_from_dict(pos_weight, labels, n_labels):
    labels = list(range(n_labels)) if labels is None else list(labels)
    unknown = [key for key in pos_weight if key not in labels]
    if unknown:
        raise ValueError(
            f"pos_weight names labels that y does not have: {unknown!r}. "
            f"The labels are {labels!r}."
        )
    weights = np.array([pos_weight.get(label, 1.0) for label in labels], dtype=float)
    return _check_positive(weights, pos_weight)
