"""Pictures of a multi-label classifier: per-label precision-recall and reliability.

Both displays follow the pattern of scikit-learn's ``Display`` objects: a
class method ``from_estimator`` scores a fitted estimator on some rows, a
class method ``from_predictions`` starts from labels and scores already at
hand, and ``plot`` draws what was computed on a matplotlib axes. The
computed values are kept as attributes, so the figures can be checked or
redrawn.

matplotlib is an optional dependency: it is imported only when a picture is
drawn, and a clear ImportError says how to install it when it is missing.
"""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp

__all__ = ["ReliabilityDisplay", "ThresholdPrecisionRecallDisplay"]

_RELIABILITY_STRATEGIES = ("uniform", "quantile")


# ---------------------------------------------------------------------------
# Shared checks
# ---------------------------------------------------------------------------


def _import_pyplot(caller):
    """Return ``matplotlib.pyplot``, or raise an ImportError naming the caller."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} draws with matplotlib, which is not installed. Install it "
            "with `pip install matplotlib` to plot."
        ) from exc
    return plt


def _check_indicator(y_true):
    """Return y_true as a 2-D float64 array of 0 and 1 (a 1-D y is one label)."""
    if sp.issparse(y_true):
        y_true = y_true.toarray()
    if hasattr(y_true, "to_numpy"):
        y_true = y_true.to_numpy()
    y_true = np.asarray(y_true)
    if y_true.ndim == 1:
        y_true = y_true[:, np.newaxis]
    if y_true.ndim != 2 or y_true.shape[0] == 0:
        raise ValueError(
            "y_true must be a label indicator matrix of shape (n_samples, "
            "n_labels), or a 1-D array of 0 and 1 for one label, with at least "
            f"one row; received an array of shape {y_true.shape}."
        )
    if y_true.dtype.kind not in "biuf":
        raise ValueError(
            f"y_true must hold the numbers 0 and 1; received dtype {y_true.dtype}."
        )
    bad = ~np.isin(y_true, (0, 1))
    if bad.any():
        raise ValueError(
            "y_true must hold 0 and 1 only (a label indicator matrix); received "
            f"{np.unique(y_true[bad])[:5]!r} among its values."
        )
    return y_true.astype(np.float64)


def _check_scores(y_score, shape, name):
    """Return the scores as a finite 2-D float64 array of the given shape."""
    if hasattr(y_score, "to_numpy"):
        y_score = y_score.to_numpy()
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_score.ndim == 1:
        y_score = y_score[:, np.newaxis]
    if y_score.shape != shape:
        raise ValueError(
            f"{name} must have the shape of y_true, {shape}; received an array of "
            f"shape {y_score.shape}."
        )
    if not np.all(np.isfinite(y_score)):
        raise ValueError(
            f"{name} must be finite; it holds NaN or infinity in "
            f"{np.count_nonzero(~np.isfinite(y_score))} entries."
        )
    return y_score


def _check_sample_weight(sample_weight, n_samples):
    """Return the row weights as float64, all ones when None."""
    if sample_weight is None:
        return np.ones(n_samples)
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must hold one weight per row, shape ({n_samples},); "
            f"received shape {weights.shape}."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError(
            "sample_weight must hold finite non-negative numbers; received values "
            f"from {weights.min()!r} to {weights.max()!r}."
        )
    return weights


def _select_labels(labels, label_names, n_labels):
    """Return (positions, names) of the labels to draw."""
    if label_names is None:
        names = list(range(n_labels))
    else:
        names = list(np.asarray(label_names, dtype=object).ravel())
        if len(names) != n_labels:
            raise ValueError(
                f"label_names must name each of the {n_labels} labels; received "
                f"{len(names)} names."
            )
    if labels is None:
        return np.arange(n_labels), names

    if isinstance(labels, str) or np.ndim(labels) == 0:
        labels = [labels]
    positions = []
    for label in labels:
        matches = [i for i, name in enumerate(names) if name == label]
        if not matches:
            # numpy scalars print as np.int64(0); show them as plain values.
            shown = [n.item() if isinstance(n, np.generic) else n for n in names]
            shown = shown if n_labels <= 10 else [*shown[:10], "..."]
            raise ValueError(
                f"labels must hold names of labels; received {label!r}, which is "
                f"not one. The labels are {shown!r}."
            )
        positions.append(matches[0])
    if not positions:
        raise ValueError("labels must name at least one label; received none.")
    positions = np.asarray(positions)
    return positions, [names[i] for i in positions]


def _final_estimator(estimator):
    """The step that holds the fitted attributes: last step, best estimator."""
    while True:
        if hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        elif hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        else:
            return estimator


def _scores_from_estimator(estimator, X, y, caller):
    """Return (y_true, proba, label_names, final step) of an estimator on X."""
    if not hasattr(estimator, "predict_proba"):
        raise TypeError(
            f"{caller} needs an estimator with predict_proba; received "
            f"{type(estimator).__name__}."
        )
    proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    final = _final_estimator(estimator)
    classes = getattr(estimator, "classes_", None)

    # A 1-D target: one label, the positive class of two.
    if np.ndim(y) == 1 and not sp.issparse(y):
        if proba.ndim != 2 or proba.shape[1] != 2:
            raise ValueError(
                "For a 1-D y the estimator must be binary: predict_proba should "
                f"return two columns; it returned shape {proba.shape}."
            )
        positive = classes[1] if classes is not None else 1
        y_true = (np.asarray(y) == positive).astype(np.int64)
        return y_true, proba[:, 1:], [positive], final

    names = None
    if classes is not None and np.ndim(classes) == 1 and len(classes) == np.shape(y)[1]:
        names = list(classes)
    return y, proba, names, final


# ---------------------------------------------------------------------------
# Precision-recall curves with the decision thresholds
# ---------------------------------------------------------------------------


class ThresholdPrecisionRecallDisplay:
    """Per-label precision-recall curves, with the decision thresholds marked.

    Each drawn label gets its precision-recall curve (every threshold on its
    scores) and a point on that curve: the precision and recall of the
    threshold the classifier actually uses. The point shows where on the
    trade-off the tuned threshold sits, and how far from the usual 0.5 cut.

    Build it with :meth:`from_estimator` or :meth:`from_predictions`; the
    constructor only stores values already computed.

    Parameters
    ----------
    precision : list of ndarray
        Precision at every threshold, one array per drawn label, as returned
        by :func:`sklearn.metrics.precision_recall_curve`.

    recall : list of ndarray
        Recall at every threshold, one array per drawn label.

    label_names : list
        Name of each drawn label, used in the legend.

    average_precision : ndarray of shape (n_drawn,), default=None
        Average precision of each drawn label, shown in the legend.

    thresholds : ndarray of shape (n_drawn,), default=None
        The decision threshold of each drawn label, on the scale of the
        scores. ``None`` draws the curves without points.

    threshold_precision : ndarray of shape (n_drawn,), default=None
        Precision of each drawn label at its threshold.

    threshold_recall : ndarray of shape (n_drawn,), default=None
        Recall of each drawn label at its threshold.

    Attributes
    ----------
    lines_ : list of matplotlib.lines.Line2D
        The curves, one per drawn label.

    markers_ : list of matplotlib.lines.Line2D
        The threshold points, one per drawn label; empty without thresholds.

    ax_ : matplotlib.axes.Axes
        The axes drawn on.

    figure_ : matplotlib.figure.Figure
        The figure of ``ax_``.

    See Also
    --------
    ReliabilityDisplay : Whether the predicted probabilities are calibrated.
    sklearn.metrics.PrecisionRecallDisplay : The curve of one binary label.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_multilabel import ThresholdPrecisionRecallDisplay
    >>> Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0]])
    >>> scores = np.array(
    ...     [[0.9, 0.2], [0.6, 0.7], [0.4, 0.8], [0.1, 0.3], [0.3, 0.1]]
    ... )
    >>> display = ThresholdPrecisionRecallDisplay.from_predictions(
    ...     Y, scores, thresholds=[0.5, 0.5], label_names=["cat", "dog"]
    ... )
    >>> display.threshold_recall.round(3)
    array([0.667, 1.   ])
    >>> display.threshold_precision.round(3)
    array([1., 1.])
    """

    def __init__(
        self,
        precision,
        recall,
        label_names,
        *,
        average_precision=None,
        thresholds=None,
        threshold_precision=None,
        threshold_recall=None,
    ):
        self.precision = precision
        self.recall = recall
        self.label_names = label_names
        self.average_precision = average_precision
        self.thresholds = thresholds
        self.threshold_precision = threshold_precision
        self.threshold_recall = threshold_recall

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        labels=None,
        sample_weight=None,
        ax=None,
        iso_f1=None,
    ):
        """Draw the curves of a fitted estimator, with its ``thresholds_``.

        Parameters
        ----------
        estimator : estimator
            A fitted :class:`WeightedMultiLabelClassifier`, or a Pipeline or
            search (such as ``GridSearchCV``) ending in one: its
            ``predict_proba`` gives the scores, and the ``thresholds_`` of
            the final estimator the points.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score, preferably rows the estimator was not fitted to.

        y : array-like of shape (n_samples, n_labels) or (n_samples,)
            True labels of the rows.

        labels : array-like, default=None
            Which labels to draw, as entries of the estimator's ``classes_``;
            all labels when None.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows.

        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure when None.

        iso_f1 : sequence of float, default=None
            Also draw the lines of equal F1 at these values, to see which
            point of each curve F1 prefers.

        Returns
        -------
        display : ThresholdPrecisionRecallDisplay
            The display, drawn.

        Examples
        --------
        >>> from sklearn_multilabel import (
        ...     ThresholdPrecisionRecallDisplay, WeightedMultiLabelClassifier)
        >>> from sklearn_multilabel.datasets import make_reference_problem
        >>> X, Y = make_reference_problem(3000, n_labels=4, random_state=0)
        >>> clf = WeightedMultiLabelClassifier(
        ...     hidden_layer_sizes=(8,), epochs=5, random_state=0
        ... ).fit(X[:2000], Y[:2000])
        >>> display = ThresholdPrecisionRecallDisplay.from_estimator(
        ...     clf, X[2000:], Y[2000:], labels=[0, 1]
        ... )
        >>> len(display.lines_), len(display.markers_)
        (2, 2)
        """
        caller = f"{cls.__name__}.from_estimator"
        _import_pyplot(caller)
        y, proba, names, final = _scores_from_estimator(estimator, X, y, caller)

        thresholds = getattr(final, "thresholds_", None)
        if thresholds is None:
            raise ValueError(
                f"{caller} marks the estimator's thresholds_, but "
                f"{type(final).__name__} has no thresholds_ attribute. Pass its "
                "scores and thresholds to from_predictions instead."
            )
        return cls.from_predictions(
            y,
            proba,
            thresholds=thresholds,
            labels=labels,
            label_names=names,
            sample_weight=sample_weight,
            ax=ax,
            iso_f1=iso_f1,
        )

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_score,
        *,
        thresholds=None,
        labels=None,
        label_names=None,
        sample_weight=None,
        ax=None,
        iso_f1=None,
    ):
        """Draw the curves from true labels, scores and thresholds.

        Parameters
        ----------
        y_true : array-like or sparse matrix of shape (n_samples, n_labels) \
                or (n_samples,)
            True labels, 0 and 1; a 1-D array is one label.

        y_score : array-like of shape (n_samples, n_labels) or (n_samples,)
            Scores of the labels, higher meaning more likely: probabilities
            or logits.

        thresholds : float or array-like of shape (n_labels,), default=None
            Decision threshold of each label, on the scale of ``y_score``: a
            label is predicted where ``y_score >= threshold``. A float is
            used for every label. None draws no points.

        labels : array-like, default=None
            Which labels to draw, as entries of ``label_names``; all labels
            when None.

        label_names : array-like of shape (n_labels,), default=None
            Names of the labels; ``0 .. n_labels - 1`` when None.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows.

        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure when None.

        iso_f1 : sequence of float, default=None
            Also draw the lines of equal F1 at these values.

        Returns
        -------
        display : ThresholdPrecisionRecallDisplay
            The display, drawn.

        Warns
        -----
        UserWarning
            When a chosen label has no positive row: it has no curve and is
            left out.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_multilabel import ThresholdPrecisionRecallDisplay
        >>> y = np.array([1, 1, 0, 0, 1, 0])
        >>> score = np.array([2.0, 0.5, 0.3, -1.0, -0.2, 1.0])  # logits
        >>> display = ThresholdPrecisionRecallDisplay.from_predictions(
        ...     y, score, thresholds=0.0
        ... )
        >>> float(display.threshold_precision[0]), float(display.threshold_recall[0])
        (0.5, 0.6666666666666666)
        """
        from sklearn.metrics import average_precision_score, precision_recall_curve

        _import_pyplot(f"{cls.__name__}.from_predictions")
        Y = _check_indicator(y_true)
        scores = _check_scores(y_score, Y.shape, "y_score")
        weights = _check_sample_weight(sample_weight, Y.shape[0])
        positions, names = _select_labels(labels, label_names, Y.shape[1])
        if thresholds is not None:
            thresholds = _check_thresholds(thresholds, Y.shape[1])

        # A label without positive rows has no recall, hence no curve.
        positives = weights @ Y
        empty = positives[positions] <= 0
        if empty.any():
            warnings.warn(
                "Labels without any positive row have no precision-recall curve "
                f"and are left out: {[names[i] for i in np.flatnonzero(empty)]!r}.",
                UserWarning,
                stacklevel=2,
            )
            names = [name for name, skip in zip(names, empty, strict=True) if not skip]
            positions = positions[~empty]
        if positions.size == 0:
            raise ValueError(
                "None of the chosen labels has a positive row; there is no curve "
                "to draw."
            )

        precision, recall, average_precision = [], [], []
        for j in positions:
            p, r, _ = precision_recall_curve(
                Y[:, j], scores[:, j], sample_weight=weights
            )
            precision.append(p)
            recall.append(r)
            average_precision.append(
                average_precision_score(Y[:, j], scores[:, j], sample_weight=weights)
            )

        threshold_precision = threshold_recall = None
        if thresholds is not None:
            thresholds = thresholds[positions]
            predicted = scores[:, positions] >= thresholds
            hits = weights @ (predicted & (Y[:, positions] == 1))
            claimed = weights @ predicted
            # Predicting no row counts as precision 1, where the curve ends.
            with np.errstate(invalid="ignore", divide="ignore"):
                threshold_precision = np.where(claimed > 0, hits / claimed, 1.0)
            threshold_recall = hits / positives[positions]

        display = cls(
            precision,
            recall,
            names,
            average_precision=np.asarray(average_precision),
            thresholds=thresholds,
            threshold_precision=threshold_precision,
            threshold_recall=threshold_recall,
        )
        return display.plot(ax=ax, iso_f1=iso_f1)

    def plot(self, ax=None, *, iso_f1=None, legend=True):
        """Draw the curves and the threshold points.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure when None.

        iso_f1 : sequence of float, default=None
            Also draw the lines of equal F1 at these values, each in (0, 1).

        legend : bool, default=True
            Whether to add a legend naming each label and its average
            precision.

        Returns
        -------
        display : ThresholdPrecisionRecallDisplay
            This display, with ``lines_``, ``markers_``, ``ax_`` and
            ``figure_`` set.
        """
        plt = _import_pyplot(f"{type(self).__name__}.plot")
        iso_f1 = _check_iso_f1(iso_f1)
        if ax is None:
            _, ax = plt.subplots()

        # Precision as a function of recall along a line of equal F1.
        for value in iso_f1:
            recall = np.linspace(value / 2 + 1e-3, 1.0, 200)
            precision = value * recall / (2 * recall - value)
            keep = precision <= 1.0
            ax.plot(recall[keep], precision[keep], color="0.8", lw=0.8, zorder=0)
            ax.annotate(
                f"F1={value:g}",
                xy=(0.9, value * 0.9 / (1.8 - value) + 0.01),
                fontsize=7,
                color="0.5",
            )

        self.lines_, self.markers_ = [], []
        for i, name in enumerate(self.label_names):
            label = f"label {name}" if isinstance(name, numbers.Integral) else str(name)
            if self.average_precision is not None:
                label += f" (AP={self.average_precision[i]:.2f})"
            (line,) = ax.plot(
                self.recall[i], self.precision[i], drawstyle="steps-post", label=label
            )
            self.lines_.append(line)
            if self.thresholds is not None:
                (marker,) = ax.plot(
                    [self.threshold_recall[i]],
                    [self.threshold_precision[i]],
                    marker="o",
                    markersize=7,
                    markeredgecolor="black",
                    color=line.get_color(),
                    linestyle="none",
                    zorder=3,
                )
                self.markers_.append(marker)

        ax.set(
            xlabel="Recall",
            ylabel="Precision",
            xlim=(-0.01, 1.01),
            ylim=(-0.01, 1.01),
            aspect="equal",
        )
        title = "Precision-recall per label"
        if self.thresholds is not None:
            title += "; dots: the decision thresholds"
        ax.set_title(title, fontsize=10)
        if legend:
            ax.legend(loc="best", fontsize=8)

        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def _check_thresholds(thresholds, n_labels):
    """Return one threshold per label, float64, not NaN."""
    values = np.asarray(thresholds, dtype=np.float64)
    if values.ndim == 0:
        values = np.full(n_labels, float(values))
    if values.shape != (n_labels,) or np.any(np.isnan(values)):
        raise ValueError(
            f"thresholds must be a number or one number per label ({n_labels}), "
            f"not NaN; received {thresholds!r}."
        )
    return values


def _check_iso_f1(iso_f1):
    """Return the F1 values of the iso lines as a tuple of floats in (0, 1)."""
    if iso_f1 is None:
        return ()
    values = np.atleast_1d(np.asarray(iso_f1, dtype=np.float64))
    if values.ndim != 1 or np.any((values <= 0) | (values >= 1)):
        raise ValueError(
            f"iso_f1 must be a sequence of F1 values between 0 and 1 (exclusive); "
            f"received {iso_f1!r}."
        )
    return tuple(values.tolist())


# ---------------------------------------------------------------------------
# Reliability diagram
# ---------------------------------------------------------------------------


class ReliabilityDisplay:
    """Reliability diagram of multi-label probabilities, labels pooled.

    The predicted probabilities of the chosen labels are pooled (every row
    and label is one prediction), grouped into bins, and the mean predicted
    probability of each bin is drawn against the share of positives in it.
    Calibrated probabilities lie on the diagonal: among the predictions of
    about 0.3, about 30% are positive.

    Build it with :meth:`from_estimator` or :meth:`from_predictions`; draw
    more diagrams on the same axes with :meth:`plot` to compare them.

    Parameters
    ----------
    prob_pred : ndarray of shape (n_bins_used,)
        Mean predicted probability in each bin that holds predictions.

    prob_true : ndarray of shape (n_bins_used,)
        Share of positives in each of those bins.

    counts : ndarray of shape (n_bins_used,)
        Number of predictions (sum of their row weights) in each of those
        bins.

    name : str, default=None
        Name of the diagram, shown in the legend.

    Attributes
    ----------
    line_ : matplotlib.lines.Line2D
        The diagram.

    ax_ : matplotlib.axes.Axes
        The axes drawn on.

    figure_ : matplotlib.figure.Figure
        The figure of ``ax_``.

    See Also
    --------
    ThresholdPrecisionRecallDisplay : Per-label curves with the thresholds.
    sklearn.calibration.CalibrationDisplay : The diagram of one binary label.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_multilabel import ReliabilityDisplay
    >>> rng = np.random.default_rng(0)
    >>> proba = rng.uniform(size=(4000, 3))
    >>> Y = (rng.uniform(size=proba.shape) < proba).astype(int)  # calibrated
    >>> display = ReliabilityDisplay.from_predictions(
    ...     Y, proba, n_bins=5, strategy="uniform"
    ... )
    >>> display.prob_pred.round(1)
    array([0.1, 0.3, 0.5, 0.7, 0.9])
    >>> display.prob_true.round(1)
    array([0.1, 0.3, 0.5, 0.7, 0.9])
    """

    def __init__(self, prob_pred, prob_true, counts, *, name=None):
        self.prob_pred = prob_pred
        self.prob_true = prob_true
        self.counts = counts
        self.name = name

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        labels=None,
        n_bins=10,
        strategy="quantile",
        sample_weight=None,
        name=None,
        ax=None,
    ):
        """Draw the diagram of an estimator's ``predict_proba`` on some rows.

        Parameters
        ----------
        estimator : estimator
            A fitted multi-label classifier whose ``predict_proba`` returns
            one probability per label, such as
            :class:`WeightedMultiLabelClassifier`, or a Pipeline or search
            ending in one.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score, preferably rows the estimator was not fitted to.

        y : array-like of shape (n_samples, n_labels) or (n_samples,)
            True labels of the rows.

        labels : array-like, default=None
            Which labels to pool, as entries of the estimator's ``classes_``;
            all labels when None.

        n_bins : int, default=10
            Number of bins.

        strategy : {"quantile", "uniform"}, default="quantile"
            ``"quantile"`` gives every bin about the same number of
            predictions (bins narrow where predictions crowd, as near 0 for
            rare labels); ``"uniform"`` splits [0, 1] into equal widths.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows.

        name : str, default=None
            Name in the legend; the estimator's class name when None.

        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : ReliabilityDisplay
            The display, drawn.
        """
        caller = f"{cls.__name__}.from_estimator"
        _import_pyplot(caller)
        y, proba, names, final = _scores_from_estimator(estimator, X, y, caller)
        return cls.from_predictions(
            y,
            proba,
            labels=labels,
            label_names=names,
            n_bins=n_bins,
            strategy=strategy,
            sample_weight=sample_weight,
            name=type(final).__name__ if name is None else name,
            ax=ax,
        )

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_prob,
        *,
        labels=None,
        label_names=None,
        n_bins=10,
        strategy="quantile",
        sample_weight=None,
        name=None,
        ax=None,
    ):
        """Draw the diagram from true labels and predicted probabilities.

        Parameters
        ----------
        y_true : array-like or sparse matrix of shape (n_samples, n_labels) \
                or (n_samples,)
            True labels, 0 and 1; a 1-D array is one label.

        y_prob : array-like of shape (n_samples, n_labels) or (n_samples,)
            Predicted probabilities, in [0, 1].

        labels : array-like, default=None
            Which labels to pool, as entries of ``label_names``; all labels
            when None.

        label_names : array-like of shape (n_labels,), default=None
            Names of the labels; ``0 .. n_labels - 1`` when None.

        n_bins : int, default=10
            Number of bins.

        strategy : {"quantile", "uniform"}, default="quantile"
            Equal numbers of predictions per bin, or equal widths.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows.

        name : str, default=None
            Name in the legend.

        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : ReliabilityDisplay
            The display, drawn.
        """
        _import_pyplot(f"{cls.__name__}.from_predictions")
        Y = _check_indicator(y_true)
        proba = _check_scores(y_prob, Y.shape, "y_prob")
        if proba.min() < 0 or proba.max() > 1:
            raise ValueError(
                "y_prob must hold probabilities in [0, 1]; received values from "
                f"{proba.min()!r} to {proba.max()!r}."
            )
        weights = _check_sample_weight(sample_weight, Y.shape[0])
        positions, _ = _select_labels(labels, label_names, Y.shape[1])
        if (
            not isinstance(n_bins, numbers.Integral)
            or isinstance(n_bins, bool)
            or n_bins < 1
        ):
            raise ValueError(f"n_bins must be an integer >= 1; received {n_bins!r}.")
        if strategy not in _RELIABILITY_STRATEGIES:
            raise ValueError(
                f"strategy must be 'quantile' or 'uniform'; received {strategy!r}."
            )

        # Every row and chosen label is one prediction.
        p = proba[:, positions].ravel()
        y = Y[:, positions].ravel()
        w = np.repeat(weights, positions.size)
        if strategy == "uniform":
            edges = np.linspace(0.0, 1.0, n_bins + 1)
        else:
            edges = np.unique(np.quantile(p, np.linspace(0.0, 1.0, n_bins + 1)))
        inner = edges[1:-1]
        bins = np.searchsorted(inner, p, side="right")

        n_edges = inner.size + 1
        counts = np.bincount(bins, weights=w, minlength=n_edges)
        sum_pred = np.bincount(bins, weights=w * p, minlength=n_edges)
        sum_true = np.bincount(bins, weights=w * y, minlength=n_edges)
        used = counts > 0
        display = cls(
            sum_pred[used] / counts[used],
            sum_true[used] / counts[used],
            counts[used],
            name=name,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None, *, name=None, ref_line=True, **kwargs):
        """Draw the diagram.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure when None. Draw several displays on
            one axes to compare them.

        name : str, default=None
            Name in the legend; ``self.name`` when None.

        ref_line : bool, default=True
            Whether to draw the diagonal of perfect calibration (drawn once
            per axes).

        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot` for the diagram.

        Returns
        -------
        display : ReliabilityDisplay
            This display, with ``line_``, ``ax_`` and ``figure_`` set.
        """
        plt = _import_pyplot(f"{type(self).__name__}.plot")
        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name

        reference = "Perfectly calibrated"
        if ref_line and reference not in [line.get_label() for line in ax.get_lines()]:
            ax.plot([0, 1], [0, 1], linestyle="--", color="0.5", label=reference)

        options = {"marker": "s", "label": name}
        options.update(kwargs)
        (self.line_,) = ax.plot(self.prob_pred, self.prob_true, **options)

        ax.set(
            xlabel="Mean predicted probability",
            ylabel="Share of positives",
            xlim=(-0.01, 1.01),
            ylim=(-0.01, 1.01),
            aspect="equal",
        )
        ax.legend(loc="upper left", fontsize=8)

        self.ax_ = ax
        self.figure_ = ax.figure
        return self
