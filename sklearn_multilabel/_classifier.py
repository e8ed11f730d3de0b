"""The WeightedMultiLabelClassifier estimator."""

import copy
import inspect
import numbers
import random
import threading
import warnings

import keras
import numpy as np
import scipy.sparse as sp
import tensorflow as tf
from scikeras._utils import route_params, unflatten_params
from scikeras.wrappers import BaseWrapper
from scipy.special import expit, logit
from sklearn.base import ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)
from tensorflow.python.eager import context

from ._inference import numpy_forward, to_numpy_input
from ._loss import WeightedBinaryCrossentropy
from ._network import average_networks, build_mlp
from ._persistence import _model_from_bytes, _model_to_bytes, save_estimator
from ._pos_weight import compute_pos_weight
from ._split import stratified_folds, stratified_holdout
from ._thresholds import (
    check_threshold_scoring,
    resampled_thresholds,
    score_at_thresholds,
    tune_thresholds,
)

# Rows sent through the network at once when predicting. Sparse rows are
# densified or converted batch by batch, so their batches are smaller; a
# dense batch costs its float32 copy and the network's activations.
_PREDICT_BATCH_SIZE = {"dense": 32768, "sparse": 4096}

# Batches of up to this many rows of a plain network are predicted in NumPy:
# faster than a TensorFlow call for few rows, and not slower up to here.
_NUMPY_MAX_ROWS = 2048

# Parameters that shape the default network only, not a builder given as model.
_DEFAULT_NETWORK_PARAMS = ("hidden_layer_sizes", "activation", "dropout", "alpha")

# cv="auto": cross-fit with this many folds when there are rows enough.
_AUTO_CV_FOLDS = 5


class WeightedMultiLabelClassifier(ClassifierMixin, BaseWrapper):
    """Multi-label classifier: Keras network on logits, weighted loss, thresholds.

    A network that ends in one logit per label is trained on binary
    cross-entropy whose positive term is weighted per label (``pos_weight``),
    so that rare labels are not drowned by their negatives. Because the
    weight shifts every logit by ``log(pos_weight)``, the shift is taken off
    again before probabilities are reported: ``predict_proba`` stays
    calibrated. Each label then gets its own decision threshold, tuned for
    ``threshold_scoring`` on rows the network did not train on.

    The estimator builds on scikeras' ``BaseWrapper``: parameters routed with
    ``model__``, ``optimizer__``, ``fit__`` and ``callbacks__`` prefixes, and
    model builders that receive ``meta``, work as in scikeras.

    Parameters
    ----------
    model : callable, default=None
        Builds the Keras network. It is called with the parameters routed as
        ``model__<name>`` and, when its signature asks for them, ``meta`` (a
        dict with ``n_features_in_``, ``n_outputs_`` (the number of labels),
        ``sparse_input_``, ``classes_``, ``X_shape_``) and ``params`` (all
        parameters of the estimator). It must return a new, uncompiled or
        compiled ``keras.Model`` whose output is one logit per label, with no
        sigmoid; the estimator compiles it with its own loss. ``None`` builds
        a multi-layer perceptron from ``hidden_layer_sizes``, ``activation``,
        ``dropout`` and ``alpha``.

    hidden_layer_sizes : "auto" or tuple of int, default="auto"
        Widths of the hidden layers of the default network. ``"auto"`` gives
        one layer of 100 units for sparse X, such as TF-IDF text, where a
        second layer overfits, and two layers of 100 units for dense X.

    activation : str, default="relu"
        Activation of the hidden layers of the default network.

    dropout : float, default=0.2
        Dropout rate after each hidden layer of the default network.

    alpha : float, default=1e-4
        L2 penalty on the first layer of the default network, the one that
        reads the features: ``alpha * sum(kernel ** 2)`` is added to the
        loss of every batch (a mean over its rows, so the scale differs from
        ``MLPClassifier``'s ``alpha``). It matters most on wide sparse input
        such as TF-IDF text, where features seen in a few rows otherwise get
        weights fitted to noise. ``0`` turns it off.

    pos_weight : {"balanced", "sqrt"}, float, array-like, dict or None, \
            default="balanced"
        Weight of the positive term of the loss, per label. ``"balanced"``
        gives ``n_negative / n_positive`` of each label, counted on the rows
        trained on with sample weights; ``"sqrt"`` its square root; ``None``
        no weighting; a positive float, an array of one weight per label or a
        dict keyed by label name set them directly.

    max_pos_weight : float, default=100.0
        Frequency-based weights are clipped to
        ``[1 / max_pos_weight, max_pos_weight]`` so that a label with very
        few positives cannot dominate training.

    threshold : "auto", float or array-like of shape (n_labels,), \
            default="auto"
        Decision thresholds on the calibrated probabilities. ``"auto"`` tunes
        one per label for ``threshold_scoring``; a float in [0, 1] or one
        float per label fixes them.

    threshold_scoring : str or callable, default="f1"
        What the tuning maximises on each label: ``"f1"``; any F-beta as
        ``"f<beta>"`` (``"f2"`` weighs recall more, ``"f0.5"`` precision);
        ``"precision_at_recall=<r>"``, the best precision whose recall is at
        least ``r``; or a callable ``metric(y_true, y_pred) -> float`` on one
        label. F-beta and precision-at-recall are searched exactly; a callable
        is evaluated at up to 1000 candidate thresholds per label.

    threshold_min_positives : int, default=5
        A label with fewer positives than this in the tuning rows is not
        tuned on its own. It gets the network's own cut (see
        ``threshold_shrinkage``), or, when ``threshold_shrinkage=0``, one
        shared threshold tuned on the scores of all labels together.

    threshold_shrinkage : float, default=20.0
        How far each tuned threshold is pulled toward the network's own cut,
        the raw logit 0 where the weighted loss weighs a missed positive
        against a false alarm (a calibrated logit of ``-log(pos_weight_)``),
        in pseudo-positives: a label with ``P`` (weighted) positives in the
        tuning rows gets the logit threshold ``(P * tuned + k * own) / (P +
        k)``. A threshold tuned on a handful of positives fits their noise;
        one tuned on hundreds barely moves. ``0`` keeps the tuned thresholds.
        Not applied with ``threshold_scoring="precision_at_recall=<r>"``,
        whose recall floor holds on the tuning rows only as tuned.

    threshold_resamples : int, default=100
        For F-beta metrics, each label's threshold is the median of the
        thresholds tuned on this many bootstrap resamples of the tuning rows
        (drawn with ``random_state``), before the shrinkage. One tuning fits
        the luck of a few rows, such as a run of positives just below the
        best cut; the median over resamples does not. The rows are sorted
        once; each resample is then one pass over them (about 25 ms for
        30,000 rows and 30 labels). ``0`` tunes once, on the rows themselves.
        Labels below ``threshold_min_positives``, recall floors and callable
        metrics are tuned once.

    validation_fraction : float, default=0.2
        Share of the rows held out, stratified by label, for early stopping
        and threshold tuning when there is no cross-fitting (see ``cv``) or
        the thresholds are fixed. Nothing is held out when neither needs it.

    cv : "auto", int, cross-validation splitter, iterable or None, \
            default="auto"
        When set, thresholds are tuned on out-of-fold scores (cross-fitting):
        one network per fold trains on the other folds and scores its own,
        each stopping early on its own held-out fold. An int ``k >= 2`` makes
        ``k`` folds stratified by label; a splitter or an iterable of
        ``(train, test)`` index pairs must put every row in exactly one test
        fold. ``None`` tunes on the ``validation_fraction`` hold-out instead,
        with one network: ``k`` times cheaper, and weaker where that hold-out
        leaves few positives of a label to tune on. ``"auto"`` uses 5 folds
        from 10 rows on, and the hold-out below.

    ensemble : bool, default=True
        With cross-fitting, what the fitted network is. ``True``: the average
        of the fold networks' calibrated logits, the very scores the
        thresholds were tuned on, so no further training is needed and the
        average is steadier than any one network. ``False``: one more
        network trained on every row for the median of the fold networks'
        best epochs, a single network ``k`` times cheaper to predict with.
        Ignored without cross-fitting.

    early_stopping : bool, default=True
        Stop training when the held-out rows' score has not improved for
        ``n_iter_no_change`` epochs, and keep the weights of the best epoch.
        When thresholds are tuned, the score of an epoch is
        ``threshold_scoring`` averaged over labels, at thresholds tuned on the
        held-out rows for that epoch (the weighted loss breaks ties); with
        fixed thresholds, it is the weighted loss on those rows. The loss
        alone stops too early for rare labels: it keeps falling only while
        the network's probabilities improve, long after which its ranking
        of rare positives still does.

    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.

    epochs : int, default=100
        Largest number of passes over the training rows.

    batch_size : int, default=256
        Rows per gradient step.

    learning_rate : float, default=1e-3
        Learning rate of the optimizer, unless ``optimizer__learning_rate``
        is given or ``optimizer`` is an instance (its own rate is kept).

    optimizer : str, keras.optimizers.Optimizer class or instance, \
            default="adam"
        The optimizer; a new one is made for every fit (an instance is copied
        from its configuration). Its arguments can be routed as
        ``optimizer__<name>``.

    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks called during training (epoch and batch hooks; set
        ``model.stop_training`` to stop).

    random_state : int, RandomState instance or None, default=None
        Seeds the split of the rows (folds or hold-out), the order of the
        batches, the initial weights and the threshold resamples. An int
        makes a fit repeatable to the last digit on the same machine.

    verbose : int, default=0
        1 shows Keras progress bars during training.

    **kwargs : dict
        Routed parameters, as in scikeras: ``model__<name>`` goes to the
        model builder, ``optimizer__<name>`` to the optimizer,
        ``fit__<name>`` overrides ``epochs``, ``batch_size`` and ``verbose``
        for fitting, ``callbacks__<name>`` to callbacks given as classes.

    Attributes
    ----------
    model_ : keras.Model
        The trained network; it outputs raw (uncalibrated) logits. For an
        ensemble, a model named ``"fold_average"`` whose sub-models
        ``member_0``, ``member_1``, ... are the fold networks. A plain chain
        of ``Dense`` layers, such as the default network, predicts small
        batches from a copy of its weights taken at the end of fit (or at
        load); weights changed in place afterwards do not reach those
        predictions.

    pos_weight_ : ndarray of shape (n_labels,)
        The weight of the positive term of each label; all ones when
        ``pos_weight=None``.

    thresholds_ : ndarray of shape (n_labels,)
        Decision threshold of each label on the calibrated probability: a
        label is predicted where ``predict_proba >= thresholds_``. A label
        with no positive in the training rows has threshold 1 and is never
        predicted.

    classes_ : ndarray
        Label names: the columns of y when it is a DataFrame, else
        ``0 .. n_labels - 1``. For 1-D y, the two classes, as for any binary
        scikit-learn classifier.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of the features, defined only when X is a DataFrame with
        string column names.

    history_ : dict of list, or list of them
        ``"loss"`` per epoch of the final network's training, with
        ``"val_loss"`` when rows are held out and ``"val_score"`` when early
        stopping judges epochs by ``threshold_scoring``. For an ensemble of
        fold networks, one such dict per fold, in the order of the folds.

    best_epoch_ : int or list of int
        Number of epochs whose weights the final network keeps; for an
        ensemble, one per fold network.

    tuned_labels_ : ndarray of bool of shape (n_labels,)
        Whether each label got a threshold tuned on its own. ``False`` where
        ``threshold`` is fixed, where the label had too few positives in the
        tuning rows (it gets the network's own cut, or the shared threshold
        when ``threshold_shrinkage=0``) or no positive at all.

    n_outputs_ : int
        Number of labels (1 for a 1-D target).

    target_type_ : str
        ``"multilabel-indicator"``, or ``"binary"`` for a 1-D target.

    sparse_input_ : bool
        Whether X was a sparse matrix; the default network then takes sparse
        input. With ``X_shape_`` and the others above, this is the ``meta``
        a model builder receives.

    X_shape_ : tuple
        Shape of X in fit.

    See Also
    --------
    WeightedBinaryCrossentropy : The loss the network is trained on.
    sklearn.model_selection.TunedThresholdClassifierCV : Threshold tuning for
        one binary label.

    Notes
    -----
    For a label whose true probability is ``p``, the weighted loss is
    minimised by the logit ``log(p / (1 - p)) + log(pos_weight)``, so
    ``sigmoid(logit - log(pos_weight))`` estimates ``p`` again. That is what
    :meth:`decision_function` and :meth:`predict_proba` return.

    Examples
    --------
    >>> from sklearn_multilabel import WeightedMultiLabelClassifier
    >>> from sklearn_multilabel.datasets import make_reference_problem
    >>> X, Y = make_reference_problem(2000, n_labels=5, random_state=0)
    >>> clf = WeightedMultiLabelClassifier(
    ...     hidden_layer_sizes=(8,), epochs=5, random_state=0
    ... ).fit(X, Y)
    >>> clf.predict(X[:2]).shape
    (2, 5)
    >>> clf.pos_weight_.round(1)
    array([3.9, 3.8, 4. , 3.6, 4. ])
    """

    _parameter_constraints = {
        "model": [callable, None],
        "hidden_layer_sizes": [StrOptions({"auto"}), "array-like"],
        "activation": [str, callable],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "pos_weight": [
            StrOptions({"balanced", "sqrt"}),
            Interval(numbers.Real, 0, None, closed="neither"),
            "array-like",
            dict,
            None,
        ],
        "max_pos_weight": [Interval(numbers.Real, 1, None, closed="left")],
        "threshold": [
            StrOptions({"auto"}),
            Interval(numbers.Real, 0, 1, closed="both"),
            "array-like",
        ],
        "threshold_scoring": [str, callable],
        "threshold_min_positives": [Interval(numbers.Real, 0, None, closed="left")],
        "threshold_shrinkage": [Interval(numbers.Real, 0, None, closed="left")],
        "threshold_resamples": [Interval(numbers.Integral, 0, None, closed="left")],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "cv": [StrOptions({"auto"}), "cv_object"],
        "ensemble": ["boolean"],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer": [str, keras.optimizers.Optimizer, type],
        "callbacks": [list, keras.callbacks.Callback, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        model=None,
        *,
        hidden_layer_sizes="auto",
        activation="relu",
        dropout=0.2,
        alpha=1e-4,
        pos_weight="balanced",
        max_pos_weight=100.0,
        threshold="auto",
        threshold_scoring="f1",
        threshold_min_positives=5,
        threshold_shrinkage=20.0,
        threshold_resamples=100,
        validation_fraction=0.2,
        cv="auto",
        ensemble=True,
        early_stopping=True,
        n_iter_no_change=10,
        epochs=100,
        batch_size=256,
        learning_rate=1e-3,
        optimizer="adam",
        callbacks=None,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.model = model
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.alpha = alpha
        self.pos_weight = pos_weight
        self.max_pos_weight = max_pos_weight
        self.threshold = threshold
        self.threshold_scoring = threshold_scoring
        self.threshold_min_positives = threshold_min_positives
        self.threshold_shrinkage = threshold_shrinkage
        self.threshold_resamples = threshold_resamples
        self.validation_fraction = validation_fraction
        self.cv = cv
        self.ensemble = ensemble
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

        # Routed parameters are stored as attributes, as scikeras does.
        vars(self).update(kwargs)
        if kwargs:
            self._user_params = set(kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.poor_score = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.input_tags.sparse = True
        tags.non_deterministic = self.random_state is None
        return tags

    def __repr__(self, N_CHAR_MAX=700):
        # scikit-learn's repr (only the parameters that differ from their
        # defaults), not the one-parameter-per-line repr of scikeras.
        return super(BaseWrapper, self).__repr__(N_CHAR_MAX=N_CHAR_MAX)

    # ------------------------------------------------------------------
    # Fitting
    # ------------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Train the network, then tune one threshold per label.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape \
                (n_samples, n_features)
            Training rows. A sparse matrix is fed to the network in batches
            and never densified whole.

        y : {array-like, sparse matrix, DataFrame} of shape \
                (n_samples, n_labels) or (n_samples,)
            Label indicator matrix of 0 and 1 (a list of lists of 0 and 1 is
            accepted), or a 1-D binary target for a single label.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows, used in the loss, in
            ``pos_weight="balanced"`` and in the threshold search.

        Returns
        -------
        self : WeightedMultiLabelClassifier
            The fitted estimator.
        """
        # All work happens on a copy: a fit that fails or is interrupted
        # leaves this estimator as it was.
        work = copy.copy(self)
        for name in [key for key in vars(work) if _is_fitted_name(key)]:
            delattr(work, name)
        try:
            work._fit(X, y, sample_weight)
        finally:
            _release_cached_kernels()

        vars(self).clear()
        vars(self).update(vars(work))
        return self

    def _fit(self, X, y, sample_weight):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        self._validate_params()
        scoring = self._check_params()

        X = _validate_features(self, X, reset=True)
        Y, classes, one_d = _check_targets(y, X.shape[0])
        sample_weight = _check_weights(sample_weight, X)
        n_labels = Y.shape[1]
        thresholds = self._check_fixed_thresholds(n_labels)
        if isinstance(self.pos_weight, dict):
            compute_pos_weight(Y[:1], self.pos_weight, labels=list(classes))

        # Early stopping and threshold tuning need a row on each side.
        cv = self._resolve_cv(X.shape[0])
        holds_out = (thresholds is None and cv is None) or (
            thresholds is not None and self.early_stopping
        )
        if holds_out and X.shape[0] < 2:
            raise ValueError(
                f"X has {X.shape[0]} sample(s), too few to hold out rows for early "
                "stopping and threshold tuning: that needs at least 2. Pass more "
                "rows, or fix threshold and set early_stopping=False."
            )

        self.classes_ = classes
        self.n_outputs_ = n_labels
        self.sparse_input_ = sp.issparse(X)
        self.X_shape_ = X.shape
        self.target_type_ = "binary" if one_d else "multilabel-indicator"

        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        rng = np.random.default_rng(seed)
        tune = thresholds is None

        # Out-of-fold scores from k networks; then either their average or
        # one network trained on every row for their median number of epochs.
        if tune and cv is not None:
            scores, members = self._cross_fit(X, Y, sample_weight, rng, scoring, cv)
            tune_Y, tune_w = Y, sample_weight
            if self.ensemble:
                result = self._average(members, Y, sample_weight)
            else:
                n_epochs = max(1, int(np.median([m["best_epoch"] for m in members])))
                result = self._train_once(
                    X,
                    Y,
                    sample_weight,
                    None,
                    rng,
                    epochs=n_epochs,
                    stop_early=False,
                    scoring=None,
                )
        else:
            held_out = None
            if tune or self.early_stopping:
                held_out = stratified_holdout(Y, self.validation_fraction, rng)
            result = self._train_once(
                X,
                Y,
                sample_weight,
                held_out,
                rng,
                epochs=None,
                stop_early=None,
                scoring=scoring if tune else None,
            )
            if tune:
                train_rows, tune_rows = held_out
                scores = result["val_scores"]
                tune_Y, tune_w = Y[tune_rows], sample_weight[tune_rows]

        # Labels that never had a positive to learn from are never predicted.
        trained_Y, trained_w = result["train_Y"], result["train_w"]
        no_positive = (trained_w @ (trained_Y == 1)) == 0
        if no_positive.any():
            names = classes[no_positive].tolist()
            warnings.warn(
                f"Labels without any positive in the training rows: {names!r}. "
                "They are never predicted.",
                UserWarning,
                stacklevel=3,
            )

        tuned = np.zeros(n_labels, dtype=bool)
        if tune:
            logit_thresholds, tuned = tune_thresholds(
                tune_Y,
                scores,
                scoring,
                sample_weight=tune_w,
                min_positives=self.threshold_min_positives,
            )
            if self.threshold_resamples > 0 and scoring.kind == "fbeta":
                resampled = _resampled_thresholds(
                    tune_Y,
                    scores,
                    scoring,
                    tune_w,
                    self.threshold_min_positives,
                    self.threshold_resamples,
                    rng,
                )
                logit_thresholds = np.where(tuned, resampled, logit_thresholds)
            if self.threshold_shrinkage > 0 and scoring.kind != "precision_at_recall":
                logit_thresholds = _shrink_thresholds(
                    logit_thresholds,
                    tuned,
                    tune_w @ tune_Y,
                    -np.log(result["pos_weight"]),
                    self.threshold_shrinkage,
                    scores,
                )
            thresholds = expit(logit_thresholds)
        thresholds = np.where(no_positive, 1.0, thresholds)

        self.model_ = result["model"]
        self._forward_fn = (
            result["model"],
            _PredictForward(result["model"], result["forward"]),
        )
        self.pos_weight_ = result["pos_weight"]
        self.history_ = result["history"]
        self.best_epoch_ = result["best_epoch"]
        self.thresholds_ = thresholds
        self.tuned_labels_ = tuned & ~no_positive

    def _check_params(self):
        # Checks that the table of constraints cannot express.
        sizes = self.hidden_layer_sizes
        if not (isinstance(sizes, str) and sizes == "auto") and (
            isinstance(sizes, (str, bytes))
            or np.ndim(sizes) != 1
            or not all(
                isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
                for s in sizes
            )
        ):
            raise ValueError(
                "hidden_layer_sizes must be 'auto' or a tuple of positive integers, "
                f"such as (100, 100) or (). Received: hidden_layer_sizes={sizes!r}"
            )
        if self.model is not None and isinstance(self.model, keras.Model):
            raise ValueError(
                "model must be a callable that builds a new network at every fit, "
                "not a built keras.Model: wrap it in a function. "
                f"Received: model={self.model!r}"
            )
        if self.model is not None and self.model is not build_mlp:
            defaults = inspect.signature(WeightedMultiLabelClassifier).parameters
            changed = [
                name
                for name in _DEFAULT_NETWORK_PARAMS
                if getattr(self, name) != defaults[name].default
            ]
            if changed:
                raise ValueError(
                    f"{', '.join(changed)} shape(s) the default network only, and "
                    f"model={self.model!r} replaces it: pass such settings to your "
                    "builder as model__<name> instead."
                )
        if isinstance(self.optimizer, type) and not issubclass(
            self.optimizer, keras.optimizers.Optimizer
        ):
            raise ValueError(
                "optimizer must be a name, a keras.optimizers.Optimizer subclass or "
                f"an instance of one. Received: optimizer={self.optimizer!r}"
            )
        if isinstance(self.optimizer, str):
            try:
                keras.optimizers.get(self.optimizer)
            except ValueError:
                raise ValueError(
                    f"optimizer {self.optimizer!r} is not a Keras optimizer name; "
                    "use 'adam', 'sgd', 'rmsprop', 'adamw', ... or pass an "
                    f"optimizer. Received: optimizer={self.optimizer!r}"
                ) from None
        return check_threshold_scoring(self.threshold_scoring)

    def _check_fixed_thresholds(self, n_labels):
        if isinstance(self.threshold, str):
            return None
        thresholds = np.asarray(self.threshold, dtype=np.float64)
        if thresholds.ndim == 0:
            thresholds = np.full(n_labels, float(thresholds))
        if (
            thresholds.shape != (n_labels,)
            or not np.all(np.isfinite(thresholds))
            or np.any((thresholds < 0) | (thresholds > 1))
        ):
            raise ValueError(
                f"threshold must be 'auto', a probability in [0, 1] or one "
                f"probability per label ({n_labels}). "
                f"Received: threshold={self.threshold!r}"
            )
        return thresholds

    def _resolve_cv(self, n_samples):
        """The cross-fitting folds to use, or None for the hold-out."""
        if isinstance(self.cv, str):
            return _AUTO_CV_FOLDS if n_samples >= 2 * _AUTO_CV_FOLDS else None
        return self.cv

    def _cross_fit(self, X, Y, sample_weight, rng, scoring, cv):
        n_samples = X.shape[0]
        if isinstance(cv, numbers.Integral):
            if cv > n_samples:
                raise ValueError(
                    f"cv={cv} folds need at least as many rows; X has {n_samples}."
                )
            folds = stratified_folds(Y, cv, rng)
            splits = [
                (np.flatnonzero(folds != k), np.flatnonzero(folds == k))
                for k in range(cv)
            ]
        elif hasattr(cv, "split"):
            splits = list(cv.split(X, Y))
        else:
            splits = list(cv)

        # Every row needs exactly one out-of-fold score.
        covered = np.zeros(n_samples, dtype=np.int64)
        for _, test in splits:
            np.add.at(covered, np.asarray(test), 1)
        if not np.all(covered == 1):
            raise ValueError(
                "cv must put every row in exactly one test fold, so that each row "
                f"gets one out-of-fold score; received cv={self.cv!r}, whose test "
                f"folds cover {np.sum(covered == 0)} rows never and "
                f"{np.sum(covered > 1)} rows more than once."
            )

        scores = np.empty(Y.shape, dtype=np.float64)
        members = []
        for train, test in splits:
            held_out = (np.asarray(train), np.asarray(test))
            result = self._train_once(
                X,
                Y,
                sample_weight,
                held_out,
                rng,
                epochs=None,
                stop_early=None,
                scoring=scoring,
            )
            scores[held_out[1]] = result["val_scores"]
            keep = ("model", "pos_weight", "history") if self.ensemble else ()
            members.append({key: result[key] for key in (*keep, "best_epoch")})
            del result

        return scores, members

    def _average(self, members, Y, sample_weight):
        """Join the fold networks into one that averages their log-odds."""
        pos_weight = self._pos_weight_on(Y, sample_weight)
        model = average_networks(
            [member["model"] for member in members],
            np.log([member["pos_weight"] for member in members]),
            np.log(pos_weight),
            n_features=self.n_features_in_,
            sparse=self.sparse_input_,
        )
        # Built, so that its variables save and load like a trained network's.
        optimizer = self._make_optimizer()
        optimizer.build(model.trainable_variables)
        model.compile(optimizer=optimizer, loss=WeightedBinaryCrossentropy(pos_weight))
        return {
            "model": model,
            "pos_weight": pos_weight,
            "history": [member["history"] for member in members],
            "best_epoch": [member["best_epoch"] for member in members],
            "train_Y": Y,
            "train_w": sample_weight,
            # Traced only if predict cannot run the average in NumPy.
            "forward": None,
        }

    def _train_once(
        self, X, Y, sample_weight, held_out, rng, *, epochs, stop_early, scoring
    ):
        """Build and train one network; score the held-out rows if any.

        With ``scoring`` (thresholds are to be tuned), early stopping judges
        each epoch by that metric at thresholds tuned on the held-out rows,
        the quantity the fitted estimator is chosen for; otherwise by the
        weighted loss on those rows.
        """
        fit_params = route_params(
            self.get_params(), destination="fit", pass_filter=set(), strict=True
        )
        epochs = epochs or fit_params.get("epochs", self.epochs)
        batch_size = fit_params.get("batch_size", self.batch_size)
        verbose = fit_params.get("verbose", self.verbose)
        stop_early = self.early_stopping if stop_early is None else stop_early

        if held_out is None:
            train_rows, val_rows = np.arange(X.shape[0]), None
        else:
            train_rows, val_rows = held_out
        train_w = sample_weight[train_rows]
        if not np.any(train_w > 0):
            raise ValueError(
                "sample_weight gives no weight to any training row; the network "
                "would have nothing to learn from."
            )
        if val_rows is not None and not np.any(sample_weight[val_rows] > 0):
            raise ValueError(
                f"sample_weight gives no weight to any of the {val_rows.size} rows "
                "held out for early stopping or threshold tuning, so they cannot "
                "be scored. Drop the rows of zero weight (they add nothing to the "
                "fit), or give more rows a positive weight."
            )
        pos_weight = self._pos_weight_on(Y[train_rows], train_w)

        seed = int(rng.integers(np.iinfo(np.int32).max))
        with _seeded(seed):
            model = self._build_network()
        optimizer = self._make_optimizer()
        loss = WeightedBinaryCrossentropy(pos_weight)

        monitor = None
        if stop_early and scoring is not None and val_rows is not None:
            monitor = self._threshold_monitor(
                Y[val_rows], sample_weight[val_rows], pos_weight, scoring
            )

        trainer = _Trainer(model, optimizer, loss, self._callback_list())
        history, best_epoch = trainer.train(
            X,
            Y,
            sample_weight / sample_weight[train_rows].mean(),
            train_rows,
            val_rows,
            stop_early=stop_early,
            epochs=epochs,
            batch_size=batch_size,
            patience=self.n_iter_no_change,
            rng=rng,
            verbose=verbose,
            monitor=monitor,
        )
        model.compile(optimizer=optimizer, loss=loss)

        result = {
            "model": model,
            "pos_weight": pos_weight,
            "history": history,
            "best_epoch": best_epoch,
            "train_Y": Y[train_rows],
            "train_w": train_w,
            "forward": trainer.forward,
        }
        if val_rows is not None:
            logits = _forward_in_batches(trainer.forward, X, val_rows)
            result["val_scores"] = logits - np.log(pos_weight)
        return result

    def _pos_weight_on(self, Y, sample_weight):
        """The ``pos_weight`` of each label, counted on these rows."""
        return compute_pos_weight(
            Y,
            self.pos_weight,
            sample_weight=sample_weight,
            labels=list(self.classes_),
            max_pos_weight=self.max_pos_weight,
        )

    def _threshold_monitor(self, Y, sample_weight, pos_weight, scoring):
        """Score of an epoch: the metric at thresholds tuned on these rows."""
        shift = np.log(pos_weight)

        def monitor(logits):
            calibrated = logits - shift
            cuts, _ = tune_thresholds(
                Y,
                calibrated,
                scoring,
                sample_weight=sample_weight,
                min_positives=self.threshold_min_positives,
            )
            return score_at_thresholds(
                Y, calibrated, cuts, scoring, sample_weight=sample_weight
            )

        return monitor

    def _build_network(self):
        builder = self.model if self.model is not None else build_mlp
        params = self.get_params()
        build_params = route_params(
            params,
            destination="model",
            pass_filter=getattr(self, "_user_params", set()),
            strict=True,
        )
        if self.model is None:
            build_params.update(
                hidden_layer_sizes=self.hidden_layer_sizes,
                activation=self.activation,
                dropout=self.dropout,
                alpha=self.alpha,
            )

        signature = inspect.signature(builder).parameters
        takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in signature.values())
        if "meta" in signature or takes_kwargs:
            build_params["meta"] = {
                "n_features_in_": self.n_features_in_,
                "n_outputs_": self.n_outputs_,
                "sparse_input_": self.sparse_input_,
                "classes_": self.classes_,
                "X_shape_": self.X_shape_,
                "target_type_": self.target_type_,
            }
        if "params" in signature or takes_kwargs:
            build_params["params"] = params

        model = builder(**build_params)
        _check_network(model, self.n_features_in_, self.n_outputs_, self.sparse_input_)
        return model

    def _make_optimizer(self):
        params = self.get_params()
        routed = route_params(params, destination="optimizer", pass_filter=set())
        optimizer = self.optimizer
        if isinstance(optimizer, keras.optimizers.Optimizer):
            config = optimizer.get_config()
            config.update(routed)
            return type(optimizer).from_config(config)
        if isinstance(optimizer, str):
            optimizer = type(keras.optimizers.get(optimizer))
        routed.setdefault("learning_rate", self.learning_rate)
        return unflatten_params(items=optimizer, params=routed)

    def _callback_list(self):
        self._initialize_callbacks()
        return self._fit_callbacks

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call "
                "'fit' with appropriate arguments before using this estimator."
            )
        check_is_fitted(self, "thresholds_")

    def _calibrated_logits(self, X):
        self._check_fitted()
        X = _validate_features(self, X, reset=False)
        logits = self._forward().logits(X)
        logits -= np.log(self.pos_weight_)
        return logits

    def _forward(self):
        model, forward = self._forward_fn
        if model is not self.model_:
            raise NotFittedError(
                "model_ was replaced after fit; fit the estimator again to predict."
            )
        return forward

    def decision_function(self, X):
        """Calibrated logits: the network's logits less ``log(pos_weight_)``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape \
                (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_labels)
            Calibrated logits, float64; ``(n_samples,)`` for a 1-D target.
        """
        scores = self._calibrated_logits(X)
        return scores[:, 0] if self.target_type_ == "binary" else scores

    def predict_proba(self, X):
        """Calibrated probability of each label.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape \
                (n_samples, n_features)
            Rows to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_labels)
            ``sigmoid(decision_function(X))``, float64. For a 1-D target, the
            two columns ``[P(classes_[0]), P(classes_[1])]``.
        """
        proba = _sigmoid_inplace(self._calibrated_logits(X))
        if self.target_type_ == "binary":
            return np.column_stack([1.0 - proba[:, 0], proba[:, 0]])
        return proba

    def predict(self, X):
        """Predict the labels of each row with the per-label thresholds.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape \
                (n_samples, n_features)
            Rows to label.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_labels)
            Indicator matrix of 0 and 1: label ``j`` where the calibrated
            probability reaches ``thresholds_[j]``. For a 1-D target, a 1-D
            array of ``classes_``.
        """
        scores = self._calibrated_logits(X)

        # Compare in logit space: exact even where the sigmoid saturates.
        with np.errstate(divide="ignore"):
            cuts = logit(self.thresholds_)
        Y = (scores >= cuts).astype(np.int64)
        if self.target_type_ == "binary":
            return self.classes_[Y[:, 0]]
        return Y

    def score(self, X, y, sample_weight=None):
        """Subset accuracy, as for every scikit-learn classifier.

        For imbalanced labels, prefer ``scoring="f1_macro"`` in model
        selection: accuracy rewards predicting nothing.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape \
                (n_samples, n_features)
            Test rows.

        y : array-like of shape (n_samples, n_labels) or (n_samples,)
            True labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows.

        Returns
        -------
        score : float
            Share of rows whose labels are all predicted right.
        """
        return ClassifierMixin.score(self, X, y, sample_weight=sample_weight)

    # ------------------------------------------------------------------
    # scikeras hooks this estimator does not use
    # ------------------------------------------------------------------

    @available_if(lambda self: False)
    def partial_fit(self, X, y, sample_weight=None):
        """Not available: pos_weight and thresholds need the whole training."""

    @available_if(lambda self: False)
    def initialize(self, X, y=None):
        """Not available: a network is only useful with tuned thresholds."""

    # ------------------------------------------------------------------
    # Persistence
    # ------------------------------------------------------------------

    def save(self, path):
        """Save the fitted estimator to one file, without pickle.

        The file is a zip archive holding the network in the ``.keras``
        format, the parameters and fitted attributes as JSON and numpy
        arrays, the versions that wrote it and a checksum of each part.
        Read it back with :func:`sklearn_multilabel.load`, which runs no
        code stored in the file.

        Parameters that have no plain-data form (a ``model`` builder
        function, callbacks, an optimizer instance, a splitter given as
        ``cv``) are not stored; their ``repr`` is, and ``load`` warns about
        them and takes them back through its ``params`` argument.

        Parameters
        ----------
        path : str or path-like
            Where to write; an existing file is replaced. The file is
            written in full under a temporary name first, so an interrupted
            save leaves no partial file behind.

        Returns
        -------
        path : str
            The path written.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn_multilabel import WeightedMultiLabelClassifier, load
        >>> from sklearn_multilabel.datasets import make_reference_problem
        >>> X, Y = make_reference_problem(2000, n_labels=3, random_state=0)
        >>> clf = WeightedMultiLabelClassifier(
        ...     hidden_layer_sizes=(8,), epochs=3, random_state=0
        ... ).fit(X, Y)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     loaded = load(clf.save(os.path.join(folder, "clf.skml")))
        >>> bool((loaded.predict(X) == clf.predict(X)).all())
        True
        """
        return save_estimator(self, path)

    # Pickling: the network travels in the .keras format.

    def __getstate__(self):
        state = dict(vars(self))
        state.pop("_forward_fn", None)
        state.pop("_fit_callbacks", None)
        state.pop("_predict_callbacks", None)
        if "model_" in state:
            state["model_"] = _model_to_bytes(state["model_"])
        return state

    def __setstate__(self, state):
        state = dict(state)
        if isinstance(state.get("model_"), bytes):
            state["model_"] = _model_from_bytes(state["model_"])
            state["_forward_fn"] = (
                state["model_"],
                _PredictForward(state["model_"]),
            )
        vars(self).update(state)

    def __deepcopy__(self, memo):
        return _copy_via_state(self, memo)


def _copy_via_state(estimator, memo):
    new = estimator.__class__.__new__(estimator.__class__)
    memo[id(estimator)] = new
    state = estimator.__getstate__()
    new.__setstate__(copy.deepcopy(state, memo))
    return new


# Private state that fit sets beside the public fitted attributes.
_PRIVATE_FIT_STATE = {
    "_forward_fn",
    "_fit_callbacks",
    "_predict_callbacks",
}


def _is_fitted_name(name):
    return name in _PRIVATE_FIT_STATE or (
        name.endswith("_") and not name.endswith("__")
    )


_LABEL_SETS_HINT = (
    "For lists of label names per sample, such as [['a', 'b'], [], ['c']], "
    "make the matrix with sklearn.preprocessing.MultiLabelBinarizer; a sample "
    "without labels becomes a row of zeros."
)


def _validate_features(estimator, X, *, reset):
    """Check X as ``validate_data`` does, with clear errors for common slips.

    Returns X as a float32 or float64 array, or as a CSR matrix.
    """
    if X is None:
        raise ValueError(
            "X is None; pass the rows as an array-like, a DataFrame or a sparse "
            "matrix of shape (n_samples, n_features)."
        )
    if isinstance(X, (list, tuple)):
        try:
            X = np.asarray(X)
        except ValueError:
            lengths = sorted({len(row) if hasattr(row, "__len__") else 1 for row in X})
            raise ValueError(
                "X must be a table whose rows all have the same number of "
                f"features; received rows of {len(lengths)} different lengths, "
                f"{lengths[:5]}."
            ) from None
    if hasattr(X, "columns"):
        repeated = _repeated_names(X.columns)
        if repeated:
            raise ValueError(
                "The columns of X name the features, so each name must be unique; "
                f"received repeated names {repeated[:5]!r}."
            )
        dtypes = list(getattr(X, "dtypes", []))
    else:
        dtypes = [getattr(X, "dtype", None)]
    complex_dtypes = [str(d) for d in dtypes if getattr(d, "kind", "") == "c"]
    if complex_dtypes:
        raise ValueError(
            "Complex data not supported: X must hold real numbers, and it holds "
            f"complex ones (dtype {complex_dtypes[0]}). Pass real features "
            "instead, for instance the real and imaginary parts as two columns."
        )

    try:
        X = validate_data(
            estimator,
            X,
            accept_sparse="csr",
            dtype=(np.float32, np.float64),
            reset=reset,
        )
    except (TypeError, ValueError) as exc:
        if not str(exc).startswith(("could not convert", "float() argument")):
            raise
        raise type(exc)(
            f"X must hold numbers only; it holds a value that is not one ({exc}). "
            "Encode text and categories as numbers first, for instance with a "
            "OneHotEncoder in a Pipeline."
        ) from None

    # The network computes in float32: larger values would become infinite.
    values = X.data if sp.issparse(X) else X
    if values.dtype == np.float64 and values.size:
        limit = float(np.finfo(np.float32).max)
        largest = max(float(values.max()), -float(values.min()))
        if largest > limit:
            raise ValueError(
                f"X holds values as large as {largest:.3g} in magnitude, beyond the "
                f"float32 range (up to {limit:.3g}) that the network computes in. "
                "Scale the features first, for instance with a StandardScaler."
            )
    return X


def _check_weights(sample_weight, X):
    """Check sample_weight: one finite, non-negative number per row."""
    try:
        return _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
    except (TypeError, ValueError) as exc:
        if not str(exc).startswith(("could not convert", "float() argument")):
            raise
        raise type(exc)(
            "sample_weight must hold one non-negative number per row; it holds a "
            f"value that is not a number ({exc})."
        ) from None


def _repeated_names(names):
    seen, repeated = set(), []
    for name in names:
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    return repeated


def _is_missing(value):
    # None, NaN and pandas' NA, without importing pandas.
    if value is None or type(value).__name__ == "NAType":
        return True
    return isinstance(value, float) and value != value


def _first_non_number(values):
    for value in values:
        try:
            float(value)
        except (TypeError, ValueError):
            return value
    return None


def _check_targets(y, n_samples):
    """Validate y; return the indicator matrix, label names and 1-D flag."""
    classes = None
    if hasattr(y, "columns") and hasattr(y, "to_numpy"):
        classes = np.asarray(y.columns, dtype=object)
        repeated = _repeated_names(classes)
        if repeated:
            raise ValueError(
                "The columns of y name the labels, so each name must be unique; "
                f"received repeated names {repeated[:5]!r}."
            )
        y = y.to_numpy()
    elif hasattr(y, "to_numpy") and hasattr(y, "name"):
        y = y.to_numpy()
    if sp.issparse(y):
        y = y.toarray()
    try:
        y = np.asarray(y)
    except ValueError:
        raise ValueError(_ragged_targets_message(y)) from None

    if y.ndim not in (1, 2):
        raise ValueError(
            f"y must be 1-D (one binary label) or 2-D (n_samples, n_labels); "
            f"received an array with {y.ndim} dimensions, shape {y.shape}."
        )
    if y.shape[0] != n_samples:
        raise ValueError(
            f"y has {y.shape[0]} rows but X has {n_samples}: they must match."
        )
    if y.dtype.kind == "c":
        raise ValueError(
            "Complex data not supported: y must hold class labels or 0 and 1, "
            f"and it holds complex numbers (dtype {y.dtype})."
        )

    # 1-D: a binary target with any two class values, as in scikit-learn.
    if y.ndim == 1:
        return _check_binary_target(y)

    if y.shape[1] == 0:
        raise ValueError("y has no label columns; it needs at least one.")
    if y.dtype.kind in "OSU":
        text = next((v for v in y.flat if isinstance(v, (str, bytes))), None)
        if text is not None:
            raise ValueError(
                "y must be an indicator matrix of the numbers 0 and 1; it holds "
                f"text such as {str(text)!r}. {_LABEL_SETS_HINT}"
            )
        if any(_is_missing(value) for value in y.flat):
            raise ValueError(
                "y contains missing labels (None, NaN or pd.NA); an indicator "
                "matrix holds 0 or 1 for every sample and label, so decide them "
                "first."
            )
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                "y must hold the numbers 0 and 1 only; it holds "
                f"{_first_non_number(y.flat)!r} (dtype object)."
            ) from None
    if y.dtype.kind not in "biuf":
        raise ValueError(
            "y must hold the numbers 0 and 1 (integers, floats or booleans); "
            f"received dtype {y.dtype}."
        )
    bad = ~np.isin(y, (0, 1))
    if bad.any():
        raise ValueError(
            "y must hold 0 and 1 only (a label indicator matrix); received "
            f"{y[bad][:5]!r} among its values."
        )
    if classes is None:
        classes = np.arange(y.shape[1])
    return y.astype(np.int8), classes, False


def _ragged_targets_message(y):
    rows = list(y)
    if any(
        isinstance(value, (str, bytes))
        for row in rows
        if isinstance(row, (list, tuple, set, frozenset))
        for value in row
    ):
        return (
            "y holds lists of label names, not an indicator matrix. " + _LABEL_SETS_HINT
        )
    lengths = sorted({len(row) if hasattr(row, "__len__") else 1 for row in rows})
    return (
        "y must be a rectangular indicator matrix of 0 and 1, one column per "
        "label, so all its rows need the same length; received rows of lengths "
        f"{lengths[:5]}. A sample without labels is a row of zeros. "
        f"{_LABEL_SETS_HINT}"
    )


def _check_binary_target(y):
    if y.dtype == object:
        if any(isinstance(v, (list, tuple, set, frozenset, np.ndarray)) for v in y):
            raise ValueError(
                "y holds a sequence per sample; pass a 2-D indicator matrix of 0 "
                f"and 1, one column per label. {_LABEL_SETS_HINT}"
            )
        if any(_is_missing(v) for v in y):
            raise ValueError(
                "y contains missing values (None, NaN or pd.NA); every sample "
                "needs its class."
            )
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity.")
    try:
        values = np.unique(y)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in y})
        raise ValueError(
            "A 1-D y must hold two class values of one kind, such as 0 and 1 or "
            f"'no' and 'yes'; it mixes values of types {kinds} that cannot be "
            "compared."
        ) from None
    if y.dtype.kind == "f" and not np.all(values == np.round(values)):
        raise ValueError(
            "Unknown label type: y is continuous; a 1-D y must hold two "
            f"classes, received values such as {values[:5]!r}."
        )
    if values.size > 2:
        raise ValueError(
            "Only binary classification is supported for a 1-D y (one label); "
            "received "
            f"{values.size} classes: {values[:10]!r}. For several labels pass "
            "a 2-D indicator matrix of 0 and 1."
        )
    if values.size < 2:
        raise ValueError(
            f"A 1-D y must hold two classes; it holds only one class, "
            f"{values[:1]!r}. For one label that is never or always present, "
            "pass y as a 2-D indicator matrix of shape (n_samples, 1)."
        )
    return (y == values[1]).astype(np.int8)[:, np.newaxis], values, True


def _resampled_thresholds(
    Y, scores, scoring, sample_weight, min_positives, n_resamples, rng
):
    """Median of the thresholds tuned on bootstrap resamples of the rows.

    Parameters
    ----------
    Y : ndarray of shape (n_tuning_rows, n_labels)
        Labels of the tuning rows.

    scores : ndarray of shape (n_tuning_rows, n_labels)
        Calibrated logits of the tuning rows.

    scoring : ThresholdScoring
        An F-beta metric.

    sample_weight : ndarray of shape (n_tuning_rows,)
        Weights of the tuning rows.

    min_positives : float
        As for ``tune_thresholds``.

    n_resamples : int
        Number of resamples, positive.

    rng : numpy.random.Generator
        Draws the resamples.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
        Median logit threshold of each label over the resamples.
    """
    draws = resampled_thresholds(
        Y,
        scores,
        scoring,
        n_resamples=n_resamples,
        rng=rng,
        sample_weight=sample_weight,
        min_positives=min_positives,
    )

    # "Predict every row" (-inf) and "predict none" (+inf) enter the median
    # as the cuts just at the extreme scores.
    low = scores.min(axis=0)
    high = np.nextafter(scores.max(axis=0), np.inf)
    return np.median(np.clip(draws, low, high), axis=0)


def _shrink_thresholds(tuned_thresholds, tuned, positives, own, shrinkage, scores):
    """Pull tuned logit thresholds toward the network's own cut.

    Parameters
    ----------
    tuned_thresholds : ndarray of shape (n_labels,)
        Thresholds tuned on the calibrated logits ``scores``.

    tuned : ndarray of bool of shape (n_labels,)
        Labels tuned on their own; the others get ``own``.

    positives : ndarray of shape (n_labels,)
        Weighted number of positives of each label in the tuning rows.

    own : ndarray of shape (n_labels,)
        The network's own cut as a calibrated logit, ``-log(pos_weight)``.

    shrinkage : float
        Pseudo-positives that vote for ``own``; positive.

    scores : ndarray of shape (n_tuning_rows, n_labels)
        Calibrated logits the thresholds were tuned on.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
        ``(P * tuned + k * own) / (P + k)`` for tuned labels, ``own`` for
        the others.
    """
    # "Predict every row" (-inf) is the cut at the lowest tuning score.
    finite = np.where(
        np.isneginf(tuned_thresholds), scores.min(axis=0), tuned_thresholds
    )
    weight = positives / (positives + shrinkage)
    return np.where(tuned, weight * finite + (1 - weight) * own, own)


def _check_network(model, n_features, n_labels, sparse):
    """Check that a built network takes the features and outputs logits."""
    if not isinstance(model, keras.Model):
        raise TypeError(
            "The model builder must return a keras.Model; it returned "
            f"{type(model).__name__}."
        )
    if not _has_symbolic_io(model):
        # A subclassed network: build it with one call on a row of zeros.
        zeros = np.zeros((1, n_features), dtype=np.float32)
        model(_to_model_input(sp.csr_matrix(zeros) if sparse else zeros, sparse))
        out_shape = tuple(model.compute_output_shape((None, n_features)))
    else:
        if len(model.outputs) > 1:
            raise ValueError(
                f"The network must have one output of {n_labels} logits; it has "
                f"{len(model.outputs)} outputs."
            )
        out_shape = tuple(model.outputs[0].shape)
    if len(out_shape) != 2 or out_shape[-1] != n_labels:
        raise ValueError(
            f"The network must output one logit per label, shape (None, "
            f"{n_labels}); its output has shape {out_shape}."
        )

    last = model.layers[-1] if model.layers else None
    activation = getattr(getattr(last, "activation", None), "__name__", "linear")
    if activation in ("sigmoid", "softmax"):
        raise ValueError(
            f"The network must end in logits, but its last layer applies "
            f"{activation!r}. Use a linear last layer (activation=None): the loss "
            "applies the sigmoid itself."
        )


def _has_symbolic_io(model):
    try:
        return bool(model.inputs) and bool(model.outputs)
    except (AttributeError, ValueError):
        return False


# Fits running in several threads of one process build their networks in turn.
_BUILD_LOCK = threading.RLock()


class _seeded:
    """Make the default seeds Keras draws while building a network repeatable.

    Initialisers and dropout layers built without a seed draw one from
    Python's ``random`` module. Seeding that shared generator is not enough:
    any other thread may draw from it meanwhile (a Dask worker's event loop
    does, and so does another fit in a threaded grid search), and each such
    draw changes the seeds of the network. So Keras draws from a private
    generator with this seed until exit, and a lock makes fits in several
    threads build their networks one at a time. Should Keras no longer draw
    from ``keras.src.random.seed_generator.python_random``, Python's
    ``random`` is seeded instead and restored on exit.
    """

    # TODO(Keras takes a per-call source of default seeds): use it instead of
    # replacing the generator that keras.src.random.seed_generator draws from.

    def __init__(self, seed):
        self.seed = seed

    def __enter__(self):
        _BUILD_LOCK.acquire()
        try:
            from keras.src.random import seed_generator
        except ImportError:
            seed_generator = None
        self._keras_module = (
            seed_generator if hasattr(seed_generator, "python_random") else None
        )
        if self._keras_module is not None:
            self._saved = self._keras_module.python_random
            self._keras_module.python_random = random.Random(self.seed)
        else:
            self._saved = random.getstate()
            random.seed(self.seed)
        return self

    def __exit__(self, *exc):
        try:
            if self._keras_module is not None:
                self._keras_module.python_random = self._saved
            else:
                random.setstate(self._saved)
        finally:
            _BUILD_LOCK.release()
        return False


def _input_spec(model):
    if _has_symbolic_io(model):
        inputs = model.inputs[0]
        shape = (None, *tuple(inputs.shape)[1:])
        if getattr(inputs, "sparse", False):
            return tf.SparseTensorSpec(shape, tf.float32)
        return tf.TensorSpec(shape, tf.float32)
    return tf.TensorSpec(None, tf.float32)


def _make_forward(model):
    """The network's inference pass, traced once for any number of rows."""
    spec = _input_spec(model)

    @tf.function(input_signature=[spec], reduce_retracing=True)
    def forward(x):
        return model(x, training=False)

    # Calling the traced graph itself skips tf.function's matching of the
    # arguments to its traces: 0.08 ms a call, a sixth of one-row latency.
    return _traced_once_per_network(forward).get_concrete_function()


class _PredictForward:
    """The inference pass of predict: NumPy for few rows, else traced.

    A plain network (see ``numpy_forward``) runs batches of up to
    ``_NUMPY_MAX_ROWS`` rows in NumPy, which skips the fixed cost of a
    TensorFlow call; larger batches, and every batch of other networks, go
    through the traced pass, made at the first such batch.

    Parameters
    ----------
    model : keras.Model
        The trained network.

    traced : concrete function or None, default=None
        ``_make_forward(model)`` when already made.
    """

    def __init__(self, model, traced=None):
        self.model = model
        self.numpy = numpy_forward(model)
        self._traced = traced

    @property
    def traced(self):
        if self._traced is None:
            self._traced = _make_forward(self.model)
        return self._traced

    def logits(self, X):
        """Logits of every row of ``X``, float64."""
        if self.numpy is not None and X.shape[0] <= _NUMPY_MAX_ROWS:
            return self.numpy(to_numpy_input(X)).astype(np.float64)
        return _forward_in_batches(self.traced, X, None)


def _traced_once_per_network(function):
    """Mark a tf.function that is traced anew for each network on purpose.

    TensorFlow counts traces by the Python function's code, across function
    objects, and warns about "retracing" after a few fits in one process;
    here each trace belongs to a new network, so the warning is noise.
    """
    function._omit_frequent_tracing_warning = True
    return function


def _release_cached_kernels():
    """Drop the kernels TensorFlow's eager runtime has cached.

    Every traced step, every forward function and every variable of a new
    network leaves an entry in the eager context's kernel cache that
    outlives the network (about 0.5 to 2 MB a fit). Clearing the cache at
    the end of each fit keeps memory flat over many fits; live functions
    rebuild their kernel at their next call, which costs nothing measurable
    next to a fit.
    """
    context.context().clear_kernel_cache()


def _to_model_input(batch, sparse_model):
    """Turn a batch of rows into what the network takes, sparse or dense."""
    if sparse_model:
        coo = sp.coo_matrix(batch)
        order = np.lexsort((coo.col, coo.row))
        indices = np.column_stack([coo.row[order], coo.col[order]])
        return tf.SparseTensor(
            indices.astype(np.int64), coo.data[order].astype(np.float32), coo.shape
        )
    if sp.issparse(batch):
        batch = batch.toarray()
    return tf.convert_to_tensor(np.asarray(batch, dtype=np.float32))


def _forward_in_batches(forward, X, rows):
    """Logits of the given rows (all when None), float64, batch by batch."""
    spec = forward.structured_input_signature[0][0]
    sparse_model = isinstance(spec, tf.SparseTensorSpec)
    n_rows = X.shape[0] if rows is None else rows.size
    batch_size = _PREDICT_BATCH_SIZE["sparse" if sp.issparse(X) else "dense"]
    out = None
    for start in range(0, max(n_rows, 1), batch_size):
        stop = min(start + batch_size, n_rows)
        if rows is None:
            batch = X[start:stop]
        else:
            batch = X[rows[start:stop]]
        logits = forward(_to_model_input(batch, sparse_model)).numpy()
        if out is None:
            out = np.empty((n_rows, logits.shape[1]), dtype=np.float64)
        out[start:stop] = logits
    return out


class _Trainer:
    """The training loop: one traced step, shuffled batches, early stopping."""

    def __init__(self, model, optimizer, loss, callbacks):
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
        self.callbacks = callbacks
        self.forward = _make_forward(model)
        self.step = self._make_step()

    def _make_step(self):
        model, optimizer, loss = self.model, self.optimizer, self.loss
        n_labels = model.outputs[0].shape[-1]
        variables = model.trainable_variables
        optimizer.build(variables)
        lean = _lean_update_possible(optimizer)
        signature = [
            _input_spec(model),
            tf.TensorSpec((None, n_labels), tf.float32),
            tf.TensorSpec((None,), tf.float32),
        ]
        if tf.distribute.has_strategy():
            return self._make_replicated_step(signature)

        @tf.function(input_signature=signature, reduce_retracing=True)
        def step(x, y, w):
            with tf.GradientTape() as tape:
                logits = model(x, training=True)
                value = loss(y, logits, sample_weight=w)
                if model.losses:
                    value = value + tf.add_n(model.losses)
            grads = tape.gradient(value, variables)
            if lean:
                # The same update as optimizer.apply, without the
                # tf.distribute path that keeps every traced graph alive.
                rate = optimizer.learning_rate
                for grad, variable in zip(grads, variables, strict=True):
                    optimizer.update_step(grad, variable, rate)
                    if variable.constraint is not None:
                        variable.assign(variable.constraint(variable))
                optimizer.iterations.assign_add(1)
            else:
                optimizer.apply(grads, variables)
            return value

        return _traced_once_per_network(step)

    def _make_replicated_step(self, signature):
        """One step on every replica of the tf.distribute strategy in scope.

        Each replica takes an equal slice of the batch. Keras losses divide
        their value by the number of replicas, and ``optimizer.apply`` sums
        the replicas' gradients, so the update is the one of the whole batch.
        """
        model, optimizer, loss = self.model, self.optimizer, self.loss
        strategy = tf.distribute.get_strategy()
        variables = model.trainable_variables
        sparse = isinstance(signature[0], tf.SparseTensorSpec)

        def replica_step(x, y, w):
            context = tf.distribute.get_replica_context()
            n_rows = tf.shape(y, out_type=tf.int64)[0]
            size = -(-n_rows // context.num_replicas_in_sync)
            start = tf.minimum(
                tf.cast(context.replica_id_in_sync_group, tf.int64) * size, n_rows
            )
            stop = tf.minimum(start + size, n_rows)
            if sparse:
                x = tf.sparse.slice(x, [start, 0], [stop - start, x.dense_shape[1]])
            else:
                x = x[start:stop]
            y, w = y[start:stop], w[start:stop]

            with tf.GradientTape() as tape:
                value = loss(y, model(x, training=True), sample_weight=w)
                if model.losses:
                    value = value + tf.add_n(model.losses) / tf.cast(
                        context.num_replicas_in_sync, value.dtype
                    )
            optimizer.apply(tape.gradient(value, variables), variables)
            return value

        @tf.function(input_signature=signature, reduce_retracing=True)
        def step(x, y, w):
            values = strategy.run(replica_step, args=(x, y, w))
            return strategy.reduce(tf.distribute.ReduceOp.SUM, values, axis=None)

        return _traced_once_per_network(step)

    def train(
        self,
        X,
        Y,
        w,
        train_rows,
        val_rows,
        *,
        stop_early,
        epochs,
        batch_size,
        patience,
        rng,
        verbose,
        monitor=None,
    ):
        """Train; return the history and the number of epochs kept.

        With held-out rows, each epoch is judged by ``monitor(logits)`` when
        given (higher is better, the weighted loss breaking ties), else by the
        weighted loss on those rows; early stopping keeps the best epoch.
        """
        model = self.model
        sparse_model = isinstance(_input_spec(model), tf.SparseTensorSpec)
        Yf = Y.astype(np.float32)
        wf = w.astype(np.float32)
        n_steps = -(-train_rows.size // batch_size)
        callbacks = keras.callbacks.CallbackList(
            list(self.callbacks),
            add_history=False,
            add_progbar=verbose > 0,
            model=model,
            epochs=epochs,
            steps=n_steps,
            verbose=verbose,
        )
        batch_hooks = bool(self.callbacks) or verbose > 0

        history = {"loss": []}
        if val_rows is not None:
            history["val_loss"] = []
            if monitor is not None:
                history["val_score"] = []
        best = ((np.inf, np.inf), 0, None)
        model.stop_training = False
        callbacks.on_train_begin()
        for epoch in range(epochs):
            callbacks.on_epoch_begin(epoch)
            order = train_rows[rng.permutation(train_rows.size)]
            total, weight = 0.0, 0.0
            for i in range(n_steps):
                rows = np.sort(order[i * batch_size : (i + 1) * batch_size])
                if batch_hooks:
                    callbacks.on_train_batch_begin(i)
                value = self.step(
                    _to_model_input(X[rows], sparse_model), Yf[rows], wf[rows]
                )
                total += float(value) * rows.size
                weight += rows.size
                if batch_hooks:
                    callbacks.on_train_batch_end(i, {"loss": total / weight})
            logs = {"loss": total / weight}

            if val_rows is not None:
                logits = _forward_in_batches(self.forward, X, val_rows)
                per_row = _weighted_bce_numpy(
                    Y[val_rows], logits, self.loss.pos_weight
                ).mean(axis=1)
                logs["val_loss"] = float(np.average(per_row, weights=w[val_rows]))
                rank = (0.0, logs["val_loss"])
                if monitor is not None and np.isfinite(logits).all():
                    logs["val_score"] = float(monitor(logits))
                    score = np.nan_to_num(logs["val_score"], nan=-np.inf)
                    rank = (-score, logs["val_loss"])
                elif monitor is not None:
                    logs["val_score"] = np.nan
                    rank = (np.inf, np.inf)
                if rank < best[0]:
                    best = (rank, epoch + 1, model.get_weights())
            for key, value in logs.items():
                history[key].append(value)
            callbacks.on_epoch_end(epoch, logs)

            if not np.isfinite(logs["loss"]):
                raise FloatingPointError(
                    f"The training loss became {logs['loss']} at epoch {epoch + 1}; "
                    "lower learning_rate or max_pos_weight, or scale the features."
                )
            if stop_early and epoch + 1 - best[1] >= patience:
                break
            if model.stop_training:
                break
        callbacks.on_train_end()

        if not stop_early or best[2] is None:
            return history, len(history["loss"])
        model.set_weights(best[2])
        return history, best[1]


def _sigmoid_inplace(z):
    """``1 / (1 + exp(-z))`` computed in ``z``'s memory (twice scipy's speed)."""
    np.negative(z, out=z)
    with np.errstate(over="ignore"):
        np.exp(z, out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


def _weighted_bce_numpy(Y, logits, pos_weight):
    # The loss of weighted_binary_crossentropy, in float64 numpy. A diverged
    # network gives NaN here, which the training loop reports.
    with np.errstate(invalid="ignore", over="ignore"):
        softplus = np.logaddexp(0.0, -logits)
        return (1.0 - Y) * logits + (1.0 + (pos_weight - 1.0) * Y) * softplus


def _lean_update_possible(optimizer):
    """Whether optimizer.apply reduces to update_step on every variable."""
    return (
        type(optimizer).apply is keras.optimizers.Optimizer.apply
        and not tf.distribute.has_strategy()
        and optimizer.clipnorm is None
        and optimizer.clipvalue is None
        and optimizer.global_clipnorm is None
        and not optimizer.weight_decay
        and not optimizer.use_ema
        and not optimizer.gradient_accumulation_steps
        and optimizer.loss_scale_factor is None
    )
