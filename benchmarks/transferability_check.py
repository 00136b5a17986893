"""Sanity check on data never used in training: 11 ImageNet CNNs fine-tuned on 11 datasets
(SFDA / LogME protocol, ``transferability/sfda_supervised_cnn11_finetune_acc.csv``).

For each dataset we describe it in words (written before looking at the accuracies), rank the 11
CNNs with ``Recommender.recommend(description, candidates=[...])`` and report the weighted
Kendall tau (tau_w, higher is better) against the real fine-tuning accuracy, next to two
heuristics ranked the same way: ImageNet top-1 (from the corpus) and parameter count.

    python benchmarks/transferability_check.py [--sources ../shared/data/sources]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from modellens_core import Recommender  # noqa: E402
from modellens_core.common.metrics import tau_w  # noqa: E402

DESCRIPTIONS = {
    "aircraft": "FGVC-Aircraft: about 10,000 photographs of aircraft, fine-grained classification into 100 "
                "aircraft model variants (e.g. Boeing 737-400 vs 737-500).",
    "caltech101": "Caltech-101: about 9,000 photographs of objects in 101 everyday categories plus a background "
                  "class, mostly centred objects, image classification.",
    "cars": "Stanford Cars: 16,185 photographs of cars, fine-grained classification into 196 classes of "
            "make, model and year.",
    "cifar10": "CIFAR-10: 60,000 tiny 32x32 colour images in 10 classes (airplane, car, bird, cat, deer, dog, "
               "frog, horse, ship, truck), image classification.",
    "cifar100": "CIFAR-100: 60,000 tiny 32x32 colour images in 100 fine-grained object classes grouped in 20 "
                "superclasses, image classification.",
    "dtd": "Describable Textures Dataset: 5,640 images of textures in 47 categories such as striped, "
           "braided or bumpy, texture classification.",
    "flowers": "Oxford Flowers-102: photographs of flowers from 102 species found in the United Kingdom, "
               "fine-grained image classification.",
    "food": "Food-101: 101,000 photographs of dishes in 101 food categories, image classification.",
    "pets": "Oxford-IIIT Pets: photographs of cats and dogs, fine-grained classification into 37 breeds.",
    "sun397": "SUN397: scene recognition, about 100,000 photographs of 397 indoor and outdoor scene "
              "categories such as kitchen, beach or airport.",
    "voc2007": "PASCAL VOC 2007 classification: photographs of everyday scenes labelled with 20 object "
               "classes (person, car, dog, chair, ...), image classification.",
}
# the builders of the CSV -> their torchvision weights (V1: the weights of the protocol's era)
CANDIDATES = {
    "resnet34": "torchvision/ResNet34_Weights.IMAGENET1K_V1", "resnet50": "torchvision/ResNet50_Weights.IMAGENET1K_V1",
    "resnet101": "torchvision/ResNet101_Weights.IMAGENET1K_V1", "resnet152": "torchvision/ResNet152_Weights.IMAGENET1K_V1",
    "densenet121": "torchvision/DenseNet121_Weights.IMAGENET1K_V1",
    "densenet169": "torchvision/DenseNet169_Weights.IMAGENET1K_V1",
    "densenet201": "torchvision/DenseNet201_Weights.IMAGENET1K_V1",
    "mnasnet1_0": "torchvision/MNASNet1_0_Weights.IMAGENET1K_V1",
    "mobilenet_v2": "torchvision/MobileNet_V2_Weights.IMAGENET1K_V1",
    "googlenet": "torchvision/GoogLeNet_Weights.IMAGENET1K_V1",
    "inception_v3": "torchvision/Inception_V3_Weights.IMAGENET1K_V1",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "sources"))
    ap.add_argument("--write", default=str(Path(__file__).resolve().parent / "results" / "transferability_check.md"))
    ap.add_argument("--checkpoint", default=None, help="checkpoint folder (default: the shipped one)")
    args = ap.parse_args()
    truth = pd.read_csv(Path(args.sources) / "transferability" / "sfda_supervised_cnn11_finetune_acc.csv")
    rec = Recommender.load(checkpoint=args.checkpoint)
    recs = rec.corpus.records
    top1 = recs[(recs["dataset"] == "imagenet") & (recs["metric"] == "accuracy")
                & recs["model"].str.startswith("torchvision/")].groupby("model")["score"].max()
    params = rec.catalog.set_index("model")["params_b"]
    rows = []
    for ds, desc in DESCRIPTIONS.items():
        t = truth[truth["dataset"] == ds].set_index("model")["finetune_top1"]
        names = [CANDIDATES[m] for m in t.index]
        ranking = rec.recommend(desc, candidates=names)
        table = ranking.table.set_index("model")
        ranker = table["score"].reindex(names).to_numpy()
        rows.append({"dataset": ds, "inferred task": ranking.task,
                     "modellens": tau_w(t.to_numpy(), ranker),
                     "imagenet top-1": tau_w(t.to_numpy(), top1.reindex(names).to_numpy()),
                     "params": tau_w(t.to_numpy(), params.reindex(names).to_numpy())})
    df = pd.DataFrame(rows)
    mean = {"dataset": "**mean**", "inferred task": "",
            **{c: df[c].mean() for c in ("modellens", "imagenet top-1", "params")}}
    df = pd.concat([df, pd.DataFrame([mean])], ignore_index=True)
    md = df.to_markdown(index=False, floatfmt=".3f") if _has_tabulate() else _markdown(df)
    text = ("# Transferability sanity check (11 ImageNet CNNs x 11 fine-tuning datasets)\n\n"
            "tau_w = weighted Kendall tau between predicted order and real fine-tuning top-1 "
            "(higher is better; 1 = same order). Produced by `python benchmarks/transferability_check.py`. "
            "Descriptions are in the script; they were written before looking at the accuracies, and "
            "nothing was tuned to this table.\n\n" + md + "\n")
    Path(args.write).write_text(text)
    print(text)


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
        return True
    except ImportError:
        return False


def _markdown(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(f"{v:.3f}" if isinstance(v, (float, np.floating)) else str(v) for v in r) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
