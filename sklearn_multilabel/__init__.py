"""Imbalanced multi-label classification with Keras networks on logits."""

__version__ = "0.1.0.dev0"
