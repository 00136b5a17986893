"""Short plain-language descriptions used by MetaRank (the estimator selector).

``DATASETS``: the 11 image-classification datasets of the SFDA / LogME fine-tuning protocol, each
described by what its images show and what is predicted (written from what the dataset is, the way
a user would describe their own data; no accuracies or estimator results were consulted).
``ESTIMATORS``: what each transferability estimator measures, in words the text encoder can place
(so the selector scores an estimator from its description, not from an opaque id).
``dataset_key`` maps the spellings used by the source tables (``Pet``, ``CIFAR10``, ...) to one key.
"""
from __future__ import annotations

import re

DATASETS: dict[str, str] = {
    "aircraft": "Photos of airplanes taken at airports and in flight; predict the exact aircraft variant "
                "among 100 closely related models. Fine-grained, man-made objects differing in small details.",
    "caltech101": "Object photos gathered from web image search, usually one centred object on a plain "
                  "background; predict one of about 100 everyday object categories.",
    "cars": "Photos of automobiles from many angles; predict make, model and production year among 196 "
            "classes. Fine-grained recognition of vehicles that look nearly alike.",
    "cifar10": "Tiny low-resolution 32x32 colour pictures; predict one of 10 broad classes such as "
               "airplane, bird, cat, ship or truck. Coarse object recognition with many training images.",
    "cifar100": "Tiny low-resolution 32x32 colour pictures; predict one of 100 object classes (animals, "
                "plants, vehicles, household items). Coarse images, many classes.",
    "dtd": "Close-up images of surface patterns; predict one of 47 texture attributes such as striped, "
           "dotted, woven or cracked. The label describes appearance, not an object.",
    "flowers": "Photos of flowers in gardens and in the wild; predict the plant species among about 100 "
               "British flower species. Fine-grained natural categories with large variation in pose.",
    "food": "Photos of plated dishes taken by restaurant customers; predict which of 101 kinds of dish "
            "it is. Cluttered real-world images with noisy labels.",
    "pets": "Photos of household cats and dogs; predict the breed among 37 cat and dog breeds. "
            "Fine-grained animal recognition.",
    "sun397": "Photos of places; predict the scene category among 397 indoor and outdoor scene types such "
              "as a kitchen, a forest path or a stadium. Whole-scene understanding, not single objects.",
    "voc2007": "Everyday photos of people, animals, vehicles and indoor objects in context; predict which "
               "of 20 object categories appear. Several objects per image, cluttered scenes.",
}

# name as used in this package -> (display label, description). The first nine are the columns of the
# published score table (model_spider_metric_scores.csv); h_score_shrinkage is implemented in this
# package but has no published scores, so the selector is never trained on it.
ESTIMATORS: dict[str, tuple[str, str]] = {
    "h_score": ("H-score", "Measures how well the features separate the target classes: the variance "
                "of the class-conditional feature means relative to the total feature covariance."),
    "leep": ("LEEP", "Uses the source classifier's predicted probabilities on the target images: builds "
             "an empirical mapping from source classes to target labels and reports the average log "
             "likelihood of the true labels."),
    "logme": ("LogME", "Fits a Bayesian linear model from the features to the one-hot labels and reports "
              "the maximised log marginal evidence per sample: how well a linear head explains labels."),
    "nce": ("NCE", "Negative conditional entropy of target labels given the source model's hard predicted "
            "class: how deterministic the target label is once the source label is known."),
    "nleep": ("N-LEEP", "Clusters the features with a Gaussian mixture and applies LEEP to the cluster "
              "posteriors instead of the source classifier: label likelihood through feature clusters."),
    "otce": ("OTCE", "Optimal-transport based: aligns source and target feature distributions with optimal "
             "transport and combines the domain difference with the conditional entropy of the labels."),
    "pactran": ("PACTran", "PAC-Bayesian bound of a linear classifier on the features with a Dirichlet "
                "prior: a generalisation-bound estimate of how well a trained head will do."),
    "gbc": ("GBC", "Gaussian Bhattacharyya coefficient: models each class as a Gaussian in feature space "
            "and penalises the overlap between every pair of classes."),
    "lfc": ("LFC", "Label-feature correlation: compares the similarity structure of the features with the "
            "similarity structure of the labels (same class or not) over pairs of samples."),
    "h_score_shrinkage": ("H-score (shrinkage)", "H-score with a shrinkage estimate of the feature "
                          "covariance, stable when the feature dimension is large compared with the "
                          "number of samples."),
}

# column spellings in the published tables -> estimator names above
SOURCE_COLUMNS: dict[str, str] = {
    "H-Score": "h_score", "LEEP": "leep", "LogME": "logme", "NCE": "nce", "NLEEP": "nleep",
    "OTCE": "otce", "PACTranDirichlet": "pactran", "GBC": "gbc", "LFC": "lfc",
}

_DATASET_ALIASES = {"pet": "pets", "oxfordpets": "pets", "oxfordiiitpets": "pets", "fgvcaircraft": "aircraft",
                    "stanfordcars": "cars", "food101": "food", "flowers102": "flowers", "voc": "voc2007",
                    "describabletextures": "dtd"}


def dataset_key(name: str) -> str:
    """One key per dataset whatever the source spelling: lower case, alphanumerics only, aliases
    resolved (``'Pet'`` -> ``'pets'``, ``'CIFAR-10'`` -> ``'cifar10'``)."""
    k = re.sub(r"[^a-z0-9]", "", str(name).lower())
    return _DATASET_ALIASES.get(k, k)


def estimator_text(name: str) -> str:
    """The text the encoder reads for an estimator: its label and description."""
    label, desc = ESTIMATORS[name]
    return f"{label}: {desc}"
