"""Side-by-side benchmarks of WeightedMultiLabelClassifier.

Run ``python -m benchmarks quality`` (F1 on real data against the estimators a
user would otherwise pick) or ``python -m benchmarks speed`` (latency, fit
time, threshold search and memory, as ratios measured in one run); add
``--help`` for the options. The benchmarks are not part of the installed
package; they run from the root of a checkout.
"""
