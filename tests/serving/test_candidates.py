"""Name resolution on a small hand-made catalog: the spellings people type find the entry people mean."""
import pandas as pd

from modellens_core.serving.candidates import NameResolver

CATALOG = pd.DataFrame({
    "model": ["dog/resnet50", "microsoft/resnet-50", "timm/convnext_tiny.fb_in22k", "timm/convnext_tiny.fb_in1k",
              "google/vit-base-patch16-224", "glasses/vit_base_patch16_224"],
    "aliases": [[], ["resnet50"], [], [], [], []],
    "n_records": [0, 113, 0, 12, 14, 0],
    "popularity": [5.0, 103879.0, None, None, 4765754.0, 4.0],
})


def test_ambiguous_bare_names_resolve_to_the_most_used_entry():
    r = NameResolver(CATALOG)
    assert r.names[r.row("ResNet-50")] == "microsoft/resnet-50"       # not a third-party port
    assert r.names[r.row("vit_base_patch16_224")] == "google/vit-base-patch16-224"
    assert r.names[r.row("convnext_tiny")] == "timm/convnext_tiny.fb_in1k"   # a timm name without its tag
    assert r.names[r.row("dog/resnet50")] == "dog/resnet50"            # an exact id is kept as asked
    assert r.row("totally/unknown") is None


def test_the_answer_says_which_entry_was_chosen_and_suggests_for_typos():
    rows, unknown, notices, asked = NameResolver(CATALOG).resolve(["resnet50", "microsoft/resnet-50",
                                                                   "google/vit-bsae-patch16-224"])
    assert [CATALOG["model"][i] for i in rows] == ["microsoft/resnet-50"] and unknown == ["google/vit-bsae-patch16-224"]
    text = "\n".join(notices)
    assert "'resnet50' -> microsoft/resnet-50" in text and "duplicate" in text
    assert "did you mean: google/vit-base-patch16-224" in text
    assert asked == {"resnet50": 1, "microsoft/resnet-50": 1, "google/vit-bsae-patch16-224": "google/vit-bsae-patch16-224"}


def test_nothing_close_gets_no_suggestion():
    assert NameResolver(CATALOG).suggest("zzzz-qqqq-9000") == []
