import re
from dataclasses import fields
from pathlib import Path

import pytest

from modellens_core.ranker.config import RankerConfig

PACKAGE = Path(__file__).resolve().parents[2] / "modellens_core"


def test_unknown_key_and_wrong_types_fail():
    with pytest.raises(ValueError, match="unknown config key"):
        RankerConfig.from_dict({"epochs": 3, "learning_rate": 0.1})
    with pytest.raises(ValueError, match="epochs must be int"):
        RankerConfig.from_dict({"epochs": "3"})
    with pytest.raises(ValueError, match="lr must be a number"):
        RankerConfig.from_dict({"lr": True})
    with pytest.raises(ValueError, match="hidden"):
        RankerConfig.from_dict({"hidden": [64, "x"]})
    with pytest.raises(ValueError, match="setting"):
        RankerConfig.from_dict({"setting": "everything"})
    with pytest.raises(ValueError, match="items_per_group"):
        RankerConfig.from_dict({"items_per_group": 1})
    with pytest.raises(ValueError, match="dataset_weight_power"):
        RankerConfig.from_dict({"dataset_weight_power": 1.5})


def test_round_trip_and_shipped_configs_are_valid():
    cfg = RankerConfig.from_dict({"epochs": 3, "hidden": [64, 32], "lr": 1})
    assert cfg.hidden == (64, 32) and cfg.lr == 1.0
    assert RankerConfig.from_dict(cfg.to_dict()) == cfg
    for path in (PACKAGE / "ranker" / "configs").glob("*.json"):
        RankerConfig.from_json(path)


def test_every_config_key_is_used_outside_the_config_module():
    source = "\n".join(p.read_text() for p in PACKAGE.rglob("*.py") if p.name != "config.py")
    unused = [f.name for f in fields(RankerConfig) if not re.search(rf"\bcfg\.{f.name}\b", source)]
    assert not unused, f"config keys never read: {unused}"
