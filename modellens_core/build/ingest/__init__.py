"""Source adapters: one module per schema family, each returning a SourceResult.

Modules are named by group: ``vision_*``/``speech_*`` (plain vision, vision-language and speech
tables), ``llm_*`` (LLM result collections), ``board_*`` (public leaderboards), ``benchbench_*``
(benchbench leaderboard collections) and ``mteb*``; a group's shared code lives in its
``*_helpers`` module (``mteb_tree``/``mteb_metadata`` for MTEB).

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
    "timm_results": "vision_timm:load_timm",
    "torchvision_weights": "vision_torchvision:load_torchvision",
    "open_clip": "vision_clip:load_open_clip",
    "clip_benchmark": "vision_clip:load_clip_benchmark",
    "imagenet_testbed": "vision_imagenet_testbed:load_imagenet_testbed",
    "robustbench": "vision_robustbench:load_robustbench",
    "open_asr_leaderboard": "speech_open_asr:load_open_asr",
    "openmmlab_model_index": "model_index:load_openmmlab",
    "pwc_sota_extractor": "pwc:load",
    "obsscaling": "llm_obsscaling:load_obsscaling",
    "sloth": "llm_sloth:load_sloth",
    "epoch_benchmark_stitching": "llm_epoch:load_epoch",
    "swallow": "llm_swallow:load_swallow",
    "lmarena": "board_lmarena:load_lmarena",
    "alpaca_eval": "board_alpaca_eval:load_alpaca_eval",
    "evalplus": "board_evalplus:load_evalplus",
    "aider": "board_aider:load_aider",
    "bfcl": "board_bfcl:load_bfcl",
    "ruler": "board_ruler:load_ruler",
    "benchbench_ibm": "benchbench_ibm:load_ibm",
    "benchbench_socialfoundations": "benchbench_socialfoundations:load_socialfoundations",
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
