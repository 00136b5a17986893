from modellens_core.build.canonical import ModelNamer, dataset_id, slug
from modellens_core.common.metric_names import canonical_metric, higher_is_better


def test_bare_and_display_names_meet_their_hub_id():
    namer = ModelNamer(["meta-llama/Meta-Llama-3-8B-Instruct", "Meta-Llama-3-8B-Instruct",
                        "meta-llama/Llama-2-70b-hf", "Llama 2 (70B)"])
    assert namer.canonical("Meta-Llama-3-8B-Instruct") == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert namer.canonical("meta-llama/meta-llama-3-8b-instruct") == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert namer.canonical("Llama 2 (70B)") == "meta-llama/Llama-2-70b-hf"


def test_ambiguous_bare_name_goes_to_the_clearly_most_popular_repo():
    names = ["org-a/Mistral-7B-v0.1", "mistralai/Mistral-7B-v0.1", "Mistral-7B-v0.1"]
    namer = ModelNamer(names, popularity={"mistralai/Mistral-7B-v0.1": 1e6, "org-a/Mistral-7B-v0.1": 10})
    assert namer.canonical("Mistral-7B-v0.1") == "mistralai/Mistral-7B-v0.1"
    undecided = ModelNamer(names)  # no popularity: no guess, a slug of its own
    assert undecided.canonical("Mistral-7B-v0.1") == "mistral-7b-v0.1"


def test_api_names_become_stable_slugs():
    namer = ModelNamer(["GPT-4 (0613)", "gpt-4-0613"])
    assert namer.canonical("GPT-4 (0613)") == namer.canonical("gpt-4-0613") == "gpt-4-0613"
    assert slug("  Claude 3.5 Sonnet ") == "claude-3.5-sonnet"


def test_one_dataset_id_across_sources():
    assert dataset_id("FGVC Aircraft") == dataset_id("fgvc_aircraft") == dataset_id("aircraft") == "fgvc-aircraft"
    assert dataset_id("MMLU") == dataset_id("hendrycksTest") == "mmlu"
    assert dataset_id("Oxford-IIIT Pet") == dataset_id("pets") == "oxford-pets"
    assert dataset_id("ArguAna") == "arguana"


def test_metric_names_and_directions():
    assert canonical_metric("Acc@1") == "accuracy"
    assert canonical_metric("ndcg_at_10") == "ndcg@10"
    assert higher_is_better("wer") is False and higher_is_better("WER") is False
    assert higher_is_better("top1_err") is False and higher_is_better("perplexity") is False
    assert higher_is_better("accuracy") is True and higher_is_better("elo") is True
    assert higher_is_better("Time horizon") is True
    assert higher_is_better("frobnication") is None
