from modellens_core.build.canonical import DatasetNamer, ModelNamer, dataset_id, slug
from modellens_core.common.metric_names import canonical_metric, higher_is_better


def test_bare_and_display_names_meet_their_hub_id():
    namer = ModelNamer(["meta-llama/Meta-Llama-3-8B-Instruct", "Meta-Llama-3-8B-Instruct",
                        "meta-llama/Llama-2-70b-hf", "Llama 2 (70B)"])
    assert namer.canonical("Meta-Llama-3-8B-Instruct") == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert namer.canonical("meta-llama/meta-llama-3-8b-instruct") == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert namer.canonical("Llama 2 (70B)") == "meta-llama/Llama-2-70b-hf"


def test_ambiguous_bare_name_goes_to_the_clearly_most_popular_repo():
    # "Frobnet" has no official org in registry_data: only popularity can decide
    names = ["org-a/Frobnet-7B-v0.1", "org-b/Frobnet-7B-v0.1", "Frobnet-7B-v0.1"]
    namer = ModelNamer(names, popularity={"org-b/Frobnet-7B-v0.1": 1e6, "org-a/Frobnet-7B-v0.1": 10})
    assert namer.canonical("Frobnet-7B-v0.1") == "org-b/Frobnet-7B-v0.1"
    undecided = ModelNamer(names)  # no popularity: no guess, a slug of its own
    assert undecided.canonical("Frobnet-7B-v0.1") == "frobnet-7b-v0.1"


def test_api_names_become_vendor_ids():
    namer = ModelNamer(["GPT-4 (0613)", "gpt-4-0613"])
    assert namer.canonical("GPT-4 (0613)") == namer.canonical("gpt-4-0613") == "openai/gpt-4-0613"
    assert slug("  Claude 3.5 Sonnet ") == "claude-3.5-sonnet"


def test_one_dataset_id_across_sources():
    assert dataset_id("FGVC Aircraft") == dataset_id("fgvc_aircraft") == dataset_id("aircraft") == "fgvc-aircraft"
    assert dataset_id("MMLU") == dataset_id("hendrycksTest") == "mmlu"
    assert dataset_id("Oxford-IIIT Pet") == dataset_id("pets") == "oxford-pets"
    assert dataset_id("ArguAna") == "arguana"


def test_zero_shot_tasks_are_their_base_dataset_with_a_protocol():
    dn = DatasetNamer(["CIFAR10", "Food101", "hellaswag"])
    assert dn.resolve("CIFAR10ZeroShot", "mteb", "zero-shot-image-classification") == ("cifar10", "zero-shot", "")
    assert dn.resolve("ESC50_ZeroShot", "mteb", "audio-classification")[:2] == ("esc50", "zero-shot")
    assert dn.resolve("CIFAR10", "mteb", "image-classification")[:2] == ("cifar10", "linear-probe")
    assert dn.resolve("CIFAR10", "open_clip", "zero-shot-image-classification")[:2] == ("cifar10", "zero-shot")
    assert dn.resolve("Food101Classification", "mteb", "image-classification")[:2] == ("food101", "linear-probe")
    assert dn.resolve("vtab/pets", "clip_benchmark", "linear-probe-classification")[:2] == ("oxford-pets", "linear-probe")
    assert dn.resolve("cifar100", "benchbench_socialfoundations", "image-classification",
                      "benchbench-vtab")[:2] == ("cifar100", "fine-tune")


def test_one_id_never_holds_two_datasets():
    dn = DatasetNamer()
    # DBpedia: ontology classification vs entity retrieval
    assert dn.resolve("DBPedia", "mteb", "retrieval")[0] == "dbpedia-entity"
    assert dn.resolve("dbpedia", "pwc_sota_extractor", "text-classification")[0] == "dbpedia-14"
    assert dn.resolve("DBpediaClassification", "mteb", "text-classification")[0] == "dbpedia-14"
    # RAR-b re-formulations keep the dataset id, with their own protocol
    for name in ("HellaSwag", "WinoGrande", "ARCChallenge", "PIQA"):
        ds, protocol, _ = dn.resolve(name, "mteb", "retrieval")
        assert ds == dataset_id(name) and protocol == "retrieval-reformulation"
        assert dn.resolve(name, "epoch_benchmark_stitching", "reasoning")[1] == "standard"
    assert dn.resolve("alphanli", "mteb", "retrieval")[0] != dn.resolve("ANLI", "epoch", "nli")[0]
    # splits of one dataset are subsets, not ids
    assert dn.resolve("librispeech WER testclean", "pwc_sota_extractor", "asr") == ("librispeech", "standard", "test-clean")
    assert dn.resolve("ms-marco-trec", "benchbench_ibm", "reranking", "helm-classic") == (
        "ms-marco-passage", "standard", "helm-classic/trec-dl-2019")


def test_metric_names_and_directions():
    assert canonical_metric("Acc@1") == "accuracy"
    assert canonical_metric("ndcg_at_10") == "ndcg@10"
    assert higher_is_better("wer") is False and higher_is_better("WER") is False
    assert higher_is_better("top1_err") is False and higher_is_better("perplexity") is False
    assert higher_is_better("accuracy") is True and higher_is_better("elo") is True
    assert higher_is_better("Time horizon") is True
    assert higher_is_better("frobnication") is None
