"""ModelLens: rank pretrained models for a new dataset from its description."""

__all__ = ["Recommender"]


def __getattr__(name):
    if name == "Recommender":  # lazy: importing the package does not load torch
        from .serving.recommender import Recommender
        return Recommender
    raise AttributeError(name)
