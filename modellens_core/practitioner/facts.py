"""What the practitioner evaluation knows about a listed model (one implementation each):
the tasks it has records on, its modality, its languages, which listed rows are one underlying
model, and whether anyone can obtain it.

* tasks: the tasks of the model's records in the corpus (``corpus.records``);
* modality fit (lenient): the model's catalog modality is one :data:`MODALITY_FIT` allows for the
  set's labelled modality (text -> text; code -> text, code; vision -> vision; speech -> speech;
  multimodal -> multimodal; graph -> graph; tabular and time-series: none);
* languages: :func:`..common.languages.model_languages` (a model it leaves out, or gives no
  language, is of unknown language);
* one underlying model: two names are one model when their keys meet, the key being the name
  with its precision/packaging variant split off (:func:`..build.registry.split_variant`), its
  org dropped and lower-cased; a catalog ``variant_of`` adds the key of the model it varies
  (so "TheBloke/Llama-2-7B-GPTQ", "meta-llama/Llama-2-7b" and a variant_of link all meet);
* obtainable: catalog ``kind`` "paper-method" (a row of a paper's table), and "unlinked" (a name
  tied to no repo) unless the catalog knows open weights for it, are paper-only: nobody can
  obtain them. "api-model" is obtainable only through an API, counted apart.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..build.registry import split_variant

MODALITY_FIT: dict[str, tuple[str, ...]] = {
    "text": ("text",), "code": ("text", "code"), "vision": ("vision",), "speech": ("speech",),
    "multimodal": ("multimodal",), "graph": ("graph",), "tabular": (), "time-series": (),
}
PAPER_ONLY = frozenset({"paper-method", "unlinked"})
API_ONLY = frozenset({"api-model"})
MULTILINGUAL = "multilingual"


def underlying_key(name: str) -> str:
    """The name of the one underlying model: variant suffixes split off, org dropped, lower-cased."""
    base = split_variant(str(name))[0]
    return base.rsplit("/", 1)[-1].strip().lower()


def count_duplicates(names, variant_of: dict | None = None) -> int:
    """Listed rows minus the distinct underlying models among ``names`` (rows are one model when
    they share a key: their own :func:`underlying_key` or that of their ``variant_of``)."""
    names = list(names)
    variant_of = variant_of or {}
    parent = list(range(len(names)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        keys = {underlying_key(n)}
        v = variant_of.get(n)
        if isinstance(v, str) and v:
            keys.add(underlying_key(v))
        for k in keys:
            if k in seen:
                parent[find(i)] = find(seen[k])
            else:
                seen[k] = i
    return len(names) - len({find(i) for i in range(len(names))})


def load_model_languages(records: pd.DataFrame, datasets: pd.DataFrame) -> dict:
    """model -> frozenset of ISO 639-1 codes, from the project's one implementation."""
    from ..common.languages import model_languages
    return dict(model_languages(records, datasets))


class ModelFacts:
    """Per-model facts of a corpus, looked up by model name (a name outside the catalog: no
    tasks, modality "unknown", unknown language, obtainable)."""

    def __init__(self, records: pd.DataFrame, models: pd.DataFrame, languages: dict | None):
        by_model = records.groupby("model", observed=True)["task"].unique()
        self.tasks = {m: frozenset(map(str, t)) for m, t in by_model.items()}
        m = models.set_index("model")
        self.modality = m["modality"].astype(str).to_dict()
        self.kind = m["kind"].astype(str).to_dict() if "kind" in m else {}
        self.open_weights = m["open_weights"].eq(True).to_dict() if "open_weights" in m else {}
        self.variant_of = m["variant_of"].dropna().astype(str).to_dict() if "variant_of" in m else {}
        self.languages = {k: frozenset(v) for k, v in (languages or {}).items() if v}

    def task_fit(self, names, tasks) -> np.ndarray:
        ok = set(tasks)
        return np.array([bool(self.tasks.get(n, frozenset()) & ok) for n in names], bool)

    def modality_fit(self, names, modality: str) -> np.ndarray:
        ok = set(MODALITY_FIT.get(modality, ()))
        return np.array([self.modality.get(n, "unknown") in ok for n in names], bool)

    def language_of(self, name) -> frozenset | None:
        return self.languages.get(name)

    def paper_only(self, names) -> np.ndarray:
        return np.array([self.kind.get(n) in PAPER_ONLY and not self.open_weights.get(n, False) for n in names], bool)

    def api_only(self, names) -> np.ndarray:
        return np.array([self.kind.get(n) in API_ONLY for n in names], bool)

    def duplicates(self, names) -> int:
        return count_duplicates(names, self.variant_of)

    def row_facts(self, names, item) -> dict:
        """Fit counts of one item's listed rows (``item``: tasks, modality, languages); the
        language counts only for items whose labelled languages are named (not multilingual,
        not language-free)."""
        names = list(names)
        langs = set(item.languages)
        named = bool(langs) and MULTILINGUAL not in langs
        known = [self.language_of(n) for n in names]
        fit = [lg is not None and langs <= lg for lg in known]
        return {
            "rows": len(names),
            "task_fit": int(self.task_fit(names, item.tasks).sum()),
            "modality_fit": int(self.modality_fit(names, item.modality).sum()),
            "language_known": sum(lg is not None for lg in known) if named else 0,
            "language_fit": sum(fit) if named else 0,
            "language_unknown": sum(lg is None for lg in known) if named else 0,
            "duplicates": self.duplicates(names),
            "paper_only": int(self.paper_only(names).sum()),
            "api_only": int(self.api_only(names).sum()),
        }
