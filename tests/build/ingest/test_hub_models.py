"""HF Hub model listing adapter, and the name heuristics in family_guess."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from modellens_core.build.ingest import hub_models
from modellens_core.build.ingest.base import MODEL_COLUMNS, SourceFileError
from modellens_core.build.ingest.family_guess import guess_family, params_from_name


@pytest.fixture()
def listing(tmp_path):
    rows = [
        ("bert-base-uncased", "huggingface", "2018-11-14 23:35:08", 31924518.0, True, "fill-mask", "nlp"),
        ("meta-llama/Llama-2-7b-hf", "meta-llama", "2023-07-13 16:00:00", 1000.0, True, "text-generation", "nlp"),
        ("openai/whisper-large", "openai", "2022-09-26 06:00:00", 50.0, True,
         "automatic-speech-recognition", "audio"),
        ("google/vit-base-patch16-224", "google", "2021-03-24 10:00:00", 0.0, True, "image-classification",
         "computer_vision"),
        ("someone/opt-350m-finetuned", "someone", None, 3.0, False, "unknown", "unknown"),
        ("someone/ppo-LunarLander-v2", "someone", "2022-05-01 00:00:00", 1.0, False, "reinforcement-learning",
         "reinfocement_learning"),
        ("bert-base-uncased", "huggingface", "2018-11-14 23:35:08", 1.0, True, "fill-mask", "nlp"),  # repeat
        (None, "ghost", "2022-01-01 00:00:00", 1.0, False, "unknown", "unknown"),                      # no id
    ]
    df = pd.DataFrame(rows, columns=["modelId", "author", "creation_time", "downloads", "has_modelcard",
                                     "task_category", "task_domain"])
    df["creation_time"] = pd.to_datetime(df["creation_time"], utc=True)
    df.to_parquet(tmp_path / "model_info.parquet")
    return hub_models.load(tmp_path)


def test_models_frame(listing):
    assert listing.source == "hf_hub_models" and listing.records.empty and listing.datasets.empty
    m = listing.models.set_index("model")
    assert list(listing.models.columns) == MODEL_COLUMNS
    assert len(m) == 6 and m.index.is_unique
    bert = m.loc["bert-base-uncased"]
    assert bert.organization == "huggingface" and bert.release_date == "2018-11-14"
    assert bert.popularity == 31924518.0 and bert.pipeline_tag == "fill-mask" and bert.modality == "text"
    assert bert.family == "bert" and pd.isna(bert.params_b) and bert.description == ""
    llama = m.loc["meta-llama/Llama-2-7b-hf"]
    assert llama.family == "llama" and math.isclose(llama.params_b, 7.0)
    assert m.loc["openai/whisper-large", "modality"] == "speech"
    assert m.loc["google/vit-base-patch16-224", "modality"] == "vision"
    opt = m.loc["someone/opt-350m-finetuned"]
    assert math.isclose(opt.params_b, 0.35) and pd.isna(opt.release_date) and pd.isna(opt.pipeline_tag)
    assert pd.isna(m.loc["someone/ppo-LunarLander-v2", "modality"])


def test_report_counts_rows_and_drops(listing):
    assert listing.report.rows_read == 8
    assert listing.report.dropped["duplicate"] == 1 and listing.report.dropped["nan"] == 1


def test_missing_file(tmp_path):
    with pytest.raises(SourceFileError, match="model_info.parquet"):
        hub_models.load(tmp_path)


@pytest.mark.parametrize("name, family", [
    ("bert-base-uncased", "bert"), ("roberta-large", "roberta"), ("meta-llama/Llama-2-7b-hf", "llama"),
    ("Meta-Llama-3-8B-Instruct", "llama"), ("xlm-roberta-base", "xlm-roberta"),
    ("distilbert-base-uncased", "distilbert"), ("intfloat/e5-mistral-7b-instruct", "e5"),
    ("Qwen/Qwen2.5-1.5B-Instruct", "qwen"), ("google/flan-t5-xl", "t5"), ("gpt2-medium", "gpt2"),
    ("timm/resnet50d.a1_in1k", "resnet"), ("facebook/dinov2-base", "dino"),
    ("sentence-transformers/all-MiniLM-L6-v2", "minilm"), ("Jean-Baptiste/camembert-ner", "camembert"),
    ("openai/text-embedding-3-large", None),
])
def test_guess_family(name, family):
    assert guess_family(name) == family


@pytest.mark.parametrize("name, params", [
    ("Llama-2-7b-hf", 7.0), ("Llama-2-70B-chat", 70.0), ("Qwen2.5-1.5b", 1.5), ("facebook/opt-350m", 0.35),
    ("bigscience/bloom-7b1", 7.1), ("mistralai/Mixtral-8x7B-v0.1", 56.0), ("Qwen/Qwen3-30B-A3B", 30.0),
    ("bert-base-uncased", None), ("timm/resnet50", None), ("BAAI/bge-m3", None),
    ("skops-ci/test-6be58e32-dabb-488b-aa8a-155dee56aaaa", None), ("x/tts-69081b", None), ("x/model-0b", None),
])
def test_params_from_name(name, params):
    got = params_from_name(name)
    assert got == params if params is None else math.isclose(got, params)
