"""Source adapters: one module per schema family, each returning a SourceResult.

``ADAPTERS`` maps a folder under ``sources/`` to ``"module:function"``; the function takes the
folder's path and returns :class:`~modellens_core.build.ingest.base.SourceResult`. The order is the
merge priority: when the same score is reported twice, the earlier source keeps it.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from .base import SourceResult

ADAPTERS: dict[str, str] = {
    "mteb": "mteb:load",
    "open_llm_leaderboard": "open_llm:load",
    "timm_results": "specs_vision:load_timm",
    "torchvision_weights": "specs_vision:load_torchvision",
    "open_clip": "specs_vision:load_open_clip",
    "clip_benchmark": "specs_vision:load_clip_benchmark",
    "imagenet_testbed": "specs_vision:load_imagenet_testbed",
    "robustbench": "specs_vision:load_robustbench",
    "open_asr_leaderboard": "specs_vision:load_open_asr",
    "openmmlab_model_index": "model_index:load_openmmlab",
    "pwc_sota_extractor": "pwc:load",
    "obsscaling": "specs_llm:load_obsscaling",
    "sloth": "specs_llm:load_sloth",
    "epoch_benchmark_stitching": "specs_llm:load_epoch",
    "swallow": "specs_llm:load_swallow",
    "lmarena": "specs_boards:load_lmarena",
    "alpaca_eval": "specs_boards:load_alpaca_eval",
    "evalplus": "specs_boards:load_evalplus",
    "aider": "specs_boards:load_aider",
    "benchbench_ibm": "specs_benchbench:load_ibm",
    "benchbench_socialfoundations": "specs_benchbench:load_socialfoundations",
    "hf_hub_models": "hub_models:load",   # folder hf_hub_models_2023 (see SOURCE_FOLDERS)
    "hub_cards": "hub_cards:load_hub_cards",  # written by `ingest-hub`; optional
}
OPTIONAL_SOURCES = {"hub_cards"}  # read when the folder exists, silently absent otherwise
# source id -> folder name under sources/ (when they differ)
SOURCE_FOLDERS = {"hf_hub_models": "hf_hub_models_2023"}
SKIPPED_FOLDERS = {"transferability"}  # belongs to the transferability issue, not the corpus


def adapter(source: str):
    module, func = ADAPTERS[source].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), func)


def load_source(sources_dir: Path, source: str) -> SourceResult:
    folder = Path(sources_dir) / SOURCE_FOLDERS.get(source, source)
    return adapter(source)(folder)
