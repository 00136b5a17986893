"""The model registry's rules on small fixtures (issue 15, item 1): official orgs, popularity,
paper methods, closed API models, packaging copies, MoE and architecture sizes, renames, and
names that must never merge."""
import pandas as pd

from modellens_core.build import registry
from modellens_core.build.canonical import ModelNamer
from modellens_core.build.catalog import model_facts

HUB = ["meta-llama/Meta-Llama-3-8B-Instruct", "meta-llama/Meta-Llama-3-8B", "AI-Sweden-Models/Llama-3-8B-instruct",
       "meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-13b", "TheBloke/Llama-2-13B-GPTQ", "TheBloke/Llama-2-13B-fp16",
       "NousResearch/Meta-Llama-3-8B-Instruct", "fblgit/una-cybertron-7b-v2-bf16", "facebook/opt-1.3b",
       "facebook/opt-13b", "CohereForAI/c4ai-command-r-plus", "CohereForAI/c4ai-command-r-v01",
       "facebook/SONAR", "google/gemma-2-27b-it", "google/gemma-2-27b", "bigscience/bloom", "Miniproject/BERT",
       "ev3/evolution", "khairi/gcn", "gpt2", "openai-community/gpt2", "meta-llama/Meta-Llama-3.1-8B-Instruct"]


def _namer(**kw):
    names = HUB + ["claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022", "o4-mini-2025-04-16",
                   "gpt-4o-2024-05-13", "gpt-4o-2024-08-06", "torchvision/ResNet50_Weights.IMAGENET1K_V1",
                   "torchvision/ResNet50_Weights.IMAGENET1K_V2"]
    return ModelNamer(names, **kw)


def test_bare_name_maps_only_to_the_official_org():
    n = _namer()
    # the Swedish fine-tune has the same match key, but Meta's org owns the Llama family
    assert n.resolve("Llama-3-8B-Instruct") == ("meta-llama/Meta-Llama-3-8B-Instruct", "hub-model")
    assert n.canonical("Llama 3 (8B)") == "meta-llama/Meta-Llama-3-8B"  # HELM display name, base model
    assert n.canonical("Gemma 2 Instruct (27B)") == "google/gemma-2-27b-it"  # same tokens, other order
    assert n.canonical("Gemma 2 (27B)") == "google/gemma-2-27b"
    assert n.canonical("BLOOM (176B)") == "bigscience/bloom"  # a size annotation the repo omits
    assert n.canonical("AI-Sweden-Models/Llama-3-8B-instruct") == "AI-Sweden-Models/Llama-3-8B-instruct"


def test_popularity_threshold_decides_unowned_names():
    names = ["org-a/Frobnet-7B", "org-b/Frobnet-7B"]
    strong, margin = registry.POPULAR_MIN_DOWNLOADS, registry.POPULAR_MARGIN
    assert ModelNamer(names, popularity={"org-a/Frobnet-7B": strong}).canonical("Frobnet-7B") == "org-a/Frobnet-7B"
    below = ModelNamer(names, popularity={"org-a/Frobnet-7B": strong - 1})
    assert below.canonical("Frobnet-7B") == "frobnet-7b"  # not clearly used: its own entry
    close = ModelNamer(names, popularity={"org-a/Frobnet-7B": strong, "org-b/Frobnet-7B": strong / margin * 2})
    assert close.canonical("Frobnet-7B") == "frobnet-7b"  # not 10x ahead of the next repo
    liked = ModelNamer(names, likes={"org-b/Frobnet-7B": registry.POPULAR_MIN_LIKES})
    assert liked.canonical("Frobnet-7B") == "org-b/Frobnet-7B"
    # a unique but obscure repo is not enough: "BERT" never lands on Miniproject/BERT
    assert _namer().resolve("Evolution") == ("evolution", "unlinked")


def test_paper_methods_never_map_to_hub_repos():
    n = _namer(popularity={"Miniproject/BERT": 1e9, "khairi/gcn": 1e9})
    for name in ("BERT", "GCN", "Evolution", "RoBERTa"):
        mid, kind = n.resolve(name, "pwc_sota_extractor")
        assert kind == "paper-method" and mid.startswith("paper:") and mid.count("/") == 0
    assert n.canonical("GCN", "pwc_sota_extractor") != n.canonical("GCN+FLAG", "pwc_sota_extractor")


def test_closed_api_models_are_api_entries_not_open():
    n = _namer()
    assert n.resolve("Claude 3.5 Sonnet (20240620)") == ("anthropic/claude-3-5-sonnet-20240620", "api-model")
    assert n.canonical("Claude_3.5_Sonnet_(06/20)") == "anthropic/claude-3-5-sonnet-20240620"  # short date
    assert n.canonical("claude-3-5-sonnet-20241022") != n.canonical("claude-3-5-sonnet-20240620")
    assert n.canonical("o4-mini (high)") == "openai/o4-mini-2025-04-16"  # setting dropped, single snapshot
    assert n.canonical("gpt-4o") == "openai/gpt-4o"  # several snapshots: the undated alias
    assert n.canonical("davinci (175B)") == "openai/davinci"
    assert n.resolve("sonar") == ("perplexity/sonar", "api-model")
    assert n.resolve("SONAR")[0] == "facebook/SONAR"  # Meta's encoder, not Perplexity's API
    assert n.resolve("gpt-oss-120b")[1] != "api-model"  # open weights from a closed vendor
    assert n.resolve("someone/gpt-4-x-alpaca") == ("someone/gpt-4-x-alpaca", "hub-model")
    m = pd.DataFrame({"model": ["openai/gpt-4-0613", "openai/gpt-4-0613", "x/open-7b"],
                      "kind": ["api-model", "api-model", "hub-model"], "variant_of": None,
                      "params_b": None, "release_date": None, "source": "s",
                      "open_weights": [True, None, None], "license": [None, "MIT", "proprietary"]})
    facts = model_facts(m)
    assert facts.at["openai/gpt-4-0613", "open_weights"] is False or not facts.at["openai/gpt-4-0613", "open_weights"]
    assert facts.at["openai/gpt-4-0613", "release_date"] is None


def test_precision_and_packaging_copies_fold_into_their_base():
    n = _namer()
    base = "meta-llama/Llama-2-13b-hf"
    assert n.canonical("TheBloke/Llama-2-13B-GPTQ") == base
    assert n.canonical("TheBloke/Llama-2-13B-fp16") == base
    assert n.canonical("meta-llama/Llama-2-13b") == base  # original-format twin of the -hf repo
    assert n.canonical("NousResearch/Meta-Llama-3-8B-Instruct") == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert n.canonical("llama3:8b-instruct-q8_0") == "meta-llama/Meta-Llama-3-8B-Instruct"  # Ollama tag
    assert n.canonical("openai/text-embedding-3-large (embed_dim=512)") == "openai/text-embedding-3-large"
    # "-bf16" in an original model's own repo name: nothing to fold into, it stays itself
    assert n.canonical("fblgit/una-cybertron-7b-v2-bf16") == "fblgit/una-cybertron-7b-v2-bf16"
    assert registry.split_variant("Codestral-22B-v0.1-Q4_K_M") == ("Codestral-22B-v0.1", "q4_k_m")


def test_renames():
    n = _namer()
    assert n.canonical("gpt2") == "openai-community/gpt2"
    assert n.canonical("Meta-Llama-3.1-8B-Instruct") == "meta-llama/Llama-3.1-8B-Instruct"
    assert n.canonical("meta-llama/Meta-Llama-3.1-8B-Instruct") == "meta-llama/Llama-3.1-8B-Instruct"
    assert n.canonical("CohereForAI/c4ai-command-r-plus") == "CohereLabs/c4ai-command-r-plus"
    assert n.canonical("T5-3B") == "google-t5/t5-3b"
    assert n.canonical("chutes/DeepSeek-R1") == n.canonical("DeepSeek-R1")  # serving prefix dropped


def test_names_that_must_not_merge():
    n = _namer()
    assert n.canonical("opt-1.3b") == "facebook/opt-1.3b" and n.canonical("opt-13b") == "facebook/opt-13b"
    assert n.canonical("Command R+") == "CohereLabs/c4ai-command-r-plus"
    assert n.canonical("Command R") == "CohereLabs/c4ai-command-r-v01"
    assert n.canonical("Llama 3 (8B)") != n.canonical("Llama-3-8B-Instruct")
    assert n.canonical("Qwen-Max") != n.canonical("Qwen2.5-Max")


def test_bare_classic_names_resolve_to_the_library_weights():
    n = _namer()
    assert n.resolve("resnet50") == ("torchvision/ResNet50_Weights.IMAGENET1K_V1", "library-weights")
    pins = registry.pin_weights("imagenet_testbed", {"se_resnet50": 77.64, "resnet50_lpf2": 77.0,
                                                     "efficientnet-b1": 77.9},
                                {"timm/legacy_seresnet50.in1k": 77.65, "timm/seresnet50.a1_in1k": 80.0,
                                 "timm/tf_efficientnet_b1.in1k": 78.5, "timm/resnet50.a1_in1k": 80.4})
    assert pins[("imagenet_testbed", "se_resnet50")] == "timm/legacy_seresnet50.in1k"  # same top-1
    assert pins[("imagenet_testbed", "resnet50_lpf2")] is None  # no weights of that accuracy
    assert pins[("imagenet_testbed", "efficientnet-b1")] == "timm/tf_efficientnet_b1.in1k"  # reviewed row


def test_moe_total_and_architecture_sizes():
    assert registry.moe_size("deepseek-ai/DeepSeek-V3") == (671.0, 37.0)
    assert registry.moe_size("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B") is None  # dense distillate
    assert registry.moe_size("mistralai/Mixtral-8x7B-v0.1") == (46.7, 12.9)
    assert registry.architecture_size("microsoft/resnet-50") == 0.0256
    assert registry.architecture_size("google/vit-base-patch16-224") == 0.0864
    assert registry.architecture_size("google-t5/t5-base") == 0.223
    assert registry.architecture_size("someone/t5-base-finetuned-xsum") is None  # whole name only
    m = pd.DataFrame({"model": ["deepseek-ai/DeepSeek-V3", "meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf",
                                "google/vit-base-patch16-224", "x/Foo-1.5B"],
                      "params_b": [37.0, 6.0, 6.74, None, None], "kind": "hub-model", "variant_of": None,
                      "release_date": None, "source": "s", "open_weights": None, "license": None})
    facts = model_facts(m)
    assert facts.at["deepseek-ai/DeepSeek-V3", "params_b"] == 671 and facts.at["deepseek-ai/DeepSeek-V3", "active_params_b"] == 37
    assert facts.at["meta-llama/Llama-2-7b-hf", "params_b"] == 6.74  # never floored
    assert facts.at["google/vit-base-patch16-224", "params_b"] == 0.0864
    assert facts.at["x/Foo-1.5B", "params_b"] == 1.5  # from the name


def test_release_date_prefers_trustworthy_sources():
    m = pd.DataFrame({"model": ["g", "g", "g", "openai/o1-2024-12-17"],
                      "source": ["open_llm_leaderboard", "hf_hub_models", "epoch_benchmark_stitching", "lmarena"],
                      "release_date": ["2024-02-09", "2019-02-18", "2019-02-14", "2024-08-06"],
                      "kind": ["hub-model", "hub-model", "hub-model", "api-model"], "variant_of": None,
                      "params_b": None, "open_weights": None, "license": None})
    facts = model_facts(m)
    assert facts.at["g", "release_date"] == "2019-02-14" and facts.at["g", "date_source"] == "release"
    assert facts.at["openai/o1-2024-12-17", "release_date"] == "2024-12-17"
    assert facts.at["openai/o1-2024-12-17", "date_source"] == "name"
