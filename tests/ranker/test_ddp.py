"""Multi-process training through ``torchrun`` (DDP, gloo backend, 2 CPU processes) on the
synthetic fixture corpus: the same CLI as a single-process run, one checkpoint written by rank 0."""
import json
import os
import subprocess
import sys

import numpy as np

from modellens_core.build.corpus import Corpus
from modellens_core.evaluation.harness import evaluate_setting
from tests.conftest import TINY


def test_torchrun_two_gloo_processes_train_one_checkpoint(synthetic_assets, tmp_path):
    cfg = tmp_path / "ddp.json"
    cfg.write_text(json.dumps({**TINY, "hidden": list(TINY["hidden"]), "setting": "completion", "epochs": 3}))
    out = tmp_path / "ck"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MASTER_ADDR": "127.0.0.1"}
    run = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nnodes", "1", "--nproc_per_node", "2",
         "-m", "modellens_core", "train", "--config", str(cfg), "--assets", str(synthetic_assets), "--out", str(out)],
        capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    meta = json.loads((out / "config.json").read_text())["training"]
    assert meta["world_size"] == 2 and meta["device"] == "cpu"
    assert 1 <= meta["epochs_run"] <= 3 and np.isfinite(meta["best_val_tau_w"])
    # rank 0 alone saved and reported; the saved weights rank like a trained model
    assert run.stdout.count("trained [completion]") == 1
    eval_root = tmp_path / "eval_root"
    (eval_root / "eval").mkdir(parents=True)
    (eval_root / "eval" / "completion").symlink_to(out)
    res = evaluate_setting(Corpus(synthetic_assets), "completion", eval_root, log=lambda *_: None)
    assert res["modellens"]["tau_w"] > res["random"]["tau_w"] + 0.2
