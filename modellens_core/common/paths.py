"""Where the shipped build outputs live: ``assets/`` (corpus, catalog, atlas, manifest) and
``checkpoints/`` (the trained ranker), both beside the package."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets"
CHECKPOINTS = ROOT / "checkpoints"
