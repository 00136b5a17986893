"""What a user asks: :class:`RankRequest` (description, task, metric, subset, candidates, top k
and :class:`Filters`), the same for the Python API, the CLI, every tab and the shareable link.

The link carries a request as URL query parameters (:meth:`RankRequest.to_query_params`;
defaults left out, the candidate list dropped first when the link gets too long) and
:meth:`RankRequest.from_query_params` reads one back, ignoring malformed parameters with a
notice (never an error).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import quote, urlencode

from ..common.metric_names import canonical_metric
from .inputs import MAX_SUBSET_CHARS, choice, clean_text, name_lines, size_bounds, top_k

# (label, key, largest size in billions of parameters): what the size presets mean
SIZE_PRESETS = (("edge device: ≤ 3B parameters", "edge", 3.0),
                ("single consumer GPU: ≤ 8B", "gpu8", 8.0),
                ("≤ 35B (one large GPU)", "35b", 35.0),
                ("≤ 80B (a multi-GPU node)", "80b", 80.0),
                ("any size", "any", None))
SIZE_MAX = {key: cap for _, key, cap in SIZE_PRESETS}
DEFAULT_TOP_K, MAX_TOP_K = 20, 200
MAX_LINK_CHARS = 6000   # longer links break in chat tools
_BOOL = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


@dataclass(frozen=True)
class Filters:
    """Which models may appear. Sizes in billions of parameters (None = unbounded)."""
    max_params_b: float | None = None
    min_params_b: float | None = None
    include_unknown_size: bool = True
    families: tuple[str, ...] = ()          # empty = all (case-insensitive)
    modalities: tuple[str, ...] = ()        # empty = all, or the fitting ones when fit_modality
    open_weights_only: bool = False
    with_records_only: bool = False
    fit_modality: bool = True               # catalog-wide: only modalities that can serve the task's domain

    def __post_init__(self):
        lo, hi = size_bounds(self.min_params_b, self.max_params_b)   # InputError on bad bounds
        object.__setattr__(self, "min_params_b", lo)
        object.__setattr__(self, "max_params_b", hi)
        for key in ("families", "modalities"):
            value = getattr(self, key) or ()
            items = [value] if isinstance(value, str) else list(value)
            object.__setattr__(self, key, tuple(str(v).strip() for v in items if str(v).strip()))

    @property
    def size_preset(self) -> str:
        """The preset key whose cap is ``max_params_b`` with no minimum ("" when none is)."""
        hit = [k for k, cap in SIZE_MAX.items() if cap == self.max_params_b]
        return hit[0] if hit and self.min_params_b is None else ""


@dataclass(frozen=True)
class RankRequest:
    description: str
    task: str | None = None         # None: inferred from the description
    metric: str | None = None       # None: inferred
    subset: str = ""                # languages / configuration evaluated ("hin_Deva-eng_Latn", "fra", "5-shot")
    candidates: tuple[str, ...] | None = None   # None: the whole catalog
    top_k: int | None = DEFAULT_TOP_K            # None: every candidate
    filters: Filters = field(default_factory=Filters)

    def __post_init__(self):
        for key in ("task", "metric"):   # as given (notices quote it), None when the description decides
            object.__setattr__(self, key, str(getattr(self, key)).strip() if choice(getattr(self, key)) else None)
        object.__setattr__(self, "subset", "" if self.subset is None else str(self.subset))
        if self.candidates is not None:
            object.__setattr__(self, "candidates", tuple(name_lines(self.candidates)))
        object.__setattr__(self, "top_k", top_k(self.top_k))

    def with_(self, **changes) -> "RankRequest":
        return replace(self, **changes)

    # --- the shareable link -----------------------------------------------------------------------
    def to_query_params(self, max_chars: int = MAX_LINK_CHARS) -> str:
        """The request as a URL query string: defaults left out; the candidate list dropped when
        the link would be longer than ``max_chars``."""
        f = self.filters
        params = {"description": clean_text(self.description)[0]}
        params.update({k: v for k, v in (("task", self.task), ("metric", self.metric)) if v})
        preset = f.size_preset
        if preset and preset != "any":
            params["size"] = preset
        elif not preset:
            params.update({k: f"{v:g}" for k, v in (("max_params", f.max_params_b), ("min_params", f.min_params_b))
                           if v is not None})
        for key, value, default in (("unknown_size", f.include_unknown_size, True),
                                    ("open_weights", f.open_weights_only, False),
                                    ("records_only", f.with_records_only, False),
                                    ("fit_modality", f.fit_modality, True)):
            if value != default:
                params[key] = "1" if value else "0"
        params.update({k: ",".join(v) for k, v in (("families", f.families), ("modalities", f.modalities)) if v})
        if self.subset.strip():
            params["subset"] = self.subset.strip()[:MAX_SUBSET_CHARS]
        if self.top_k != DEFAULT_TOP_K and self.top_k is not None:
            params["top_k"] = str(self.top_k)
        with_names = dict(params, candidates="\n".join(self.candidates)) if self.candidates else params
        query = urlencode(with_names, quote_via=quote)
        return query if len(query) <= max_chars else urlencode(params, quote_via=quote)

    @classmethod
    def from_query_params(cls, qp: dict, known_tasks, known_metrics, known_modalities) -> tuple["RankRequest", list[str]]:
        """A request from link parameters, and notices for the ones ignored (never raises).
        Parameters that are not ours (e.g. Gradio's ``__theme``) are left alone silently."""
        req, flt, notes = {}, {}, []

        def bad(key, why):
            notes.append(f"Ignored the link parameter '{key}' ({why}).")

        for key, raw in (qp or {}).items():
            value = str(raw)
            if key == "description":
                req["description"] = clean_text(value)[0]
            elif key == "subset":
                req["subset"] = clean_text(value, MAX_SUBSET_CHARS)[0]
            elif key in ("task", "metric"):
                v = value.strip() if key == "task" else canonical_metric(value.strip())
                if v in (known_tasks if key == "task" else known_metrics):
                    req[key] = v
                else:
                    bad(key, f"unknown {key} {value[:60]!r}")
            elif key == "size":
                if value in SIZE_MAX:
                    flt["max_params_b"] = SIZE_MAX[value]
                else:
                    bad(key, f"expected one of {', '.join(SIZE_MAX)}")
            elif key in ("max_params", "min_params"):
                try:
                    flt[key + "_b"] = size_bounds(value, None)[0]
                except ValueError as exc:
                    bad(key, str(exc))
            elif key in ("unknown_size", "open_weights", "records_only", "fit_modality"):
                name = {"unknown_size": "include_unknown_size", "open_weights": "open_weights_only",
                        "records_only": "with_records_only"}.get(key, key)
                if value.strip().lower() in _BOOL:
                    flt[name] = _BOOL[value.strip().lower()]
                else:
                    bad(key, "expected 1 or 0")
            elif key in ("families", "modalities"):
                items = [v for v in (clean_text(v, 100)[0] for v in value.split(",")) if v][:50]
                if key == "modalities":
                    unknown = [v for v in items if v not in known_modalities]
                    if unknown:
                        bad(key, "unknown modality " + ", ".join(repr(u[:30]) for u in unknown[:3]))
                    items = [v for v in items if v in known_modalities]
                flt[key] = tuple(items)
            elif key == "candidates":
                req["candidates"] = tuple(name_lines(value))
            elif key == "top_k":
                try:
                    k = int(value)
                except ValueError:
                    bad(key, "not a whole number")
                    continue
                if 1 <= k <= MAX_TOP_K:
                    req["top_k"] = k
                else:
                    bad(key, f"must be between 1 and {MAX_TOP_K}")
        try:
            filters = Filters(**flt)
        except ValueError as exc:   # e.g. a minimum above the maximum
            bad("min_params", str(exc))
            filters = Filters(**{k: v for k, v in flt.items() if k != "min_params_b"})
        return cls(req.pop("description", ""), filters=filters, **req), notes
