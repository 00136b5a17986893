"""Which models may appear: the one filter implementation (catalog rows and names outside the
catalog alike) and the modality-fit rule.

The ranker is trained on within-benchmark z scores, and a leaderboard group only holds models of
the modality its benchmark accepts, so the ranker never learns that a text-only model cannot
transcribe speech: the order across modalities is unsupervised. :func:`fitting_modalities` is
the explicit rule applied instead, catalog-wide, unless the user names modalities or turns the
rule off (``Filters.fit_modality``). A candidate list is ranked as given (no modality rule).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .request import Filters

# task domain -> model modalities that can be evaluated on it ("other": no rule, no filter)
DOMAIN_MODALITIES: dict[str, tuple[str, ...]] = {
    "text": ("text", "multimodal", "code", "embedding"),
    "code": ("code", "text", "multimodal"),
    "vision": ("vision", "multimodal"),
    "speech": ("speech",),          # vision-language "multimodal" models do not take audio
    "multimodal": ("multimodal", "vision"),
}
UNKNOWN = -1   # family / modality code of a name outside the catalog: passes the modality filter


def fitting_modalities(domain: str, available) -> tuple[str, ...] | None:
    """Modalities among ``available`` (the catalog's) that fit ``domain``; None = no filter
    (unknown domain, or no catalog model would fit and the filter would empty the ranking)."""
    rule = DOMAIN_MODALITIES.get(domain)
    if rule is None:
        return None
    fit = tuple(m for m in rule if m in set(available))
    return fit or None


def applied_modalities(filters: Filters, domain: str, available, candidate_list: bool) -> tuple[tuple | None, list]:
    """The modalities a request keeps (None = all) and notices: the user's known modalities, else
    the task's fitting ones (catalog-wide, when ``fit_modality``)."""
    notices = []
    unknown = [m for m in filters.modalities if m not in set(available)]
    if unknown:
        notices.append("Unknown modality ignored: " + ", ".join(unknown)[:200]
                       + f" (known: {', '.join(sorted(available))}).")
    named = tuple(m for m in filters.modalities if m in set(available))
    if named:
        return named, notices
    if filters.fit_modality and not candidate_list:
        return fitting_modalities(domain, available), notices
    return None, notices


@dataclass(frozen=True)
class CandidateFacts:
    """What the filters read, one entry per candidate: sizes in billions of parameters (NaN =
    unknown), family and modality codes (``UNKNOWN`` outside the catalog), open weights, records."""
    params_b: np.ndarray
    family: np.ndarray
    modality: np.ndarray
    open_weights: np.ndarray
    has_records: np.ndarray

    def take(self, rows) -> "CandidateFacts":
        return CandidateFacts(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def size_mask(params_b: np.ndarray, lo, hi, include_unknown: bool) -> np.ndarray:
    """Rows within [lo, hi] billions of parameters; unknown sizes pass unless excluded."""
    known = np.isfinite(params_b)
    keep = np.ones(len(params_b), bool)
    if lo is not None:
        keep &= ~known | (params_b >= lo)
    if hi is not None:
        keep &= ~known | (params_b <= hi)
    if not include_unknown:
        keep &= known
    return keep


def keep_mask(facts: CandidateFacts, filters: Filters, family_ids: dict, modality_ids: dict,
              modalities: tuple | None) -> np.ndarray:
    """Boolean mask of the candidates that pass ``filters`` with the ``modalities`` applied."""
    keep = size_mask(facts.params_b, filters.min_params_b, filters.max_params_b, filters.include_unknown_size)
    if filters.families:
        codes = [family_ids[f] for f in {f.lower() for f in filters.families} if f in family_ids]
        keep &= np.isin(facts.family, codes)
    if modalities:
        codes = [modality_ids[m] for m in modalities if m in modality_ids]
        keep &= np.isin(facts.modality, codes) | (facts.modality == UNKNOWN)
    if filters.open_weights_only:
        keep &= facts.open_weights
    if filters.with_records_only:
        keep &= facts.has_records
    return keep
