import pandas as pd


def _splits(assets, setting):
    return pd.read_parquet(assets / "corpus" / "splits" / f"{setting}.parquet")["split"].astype(str)


def test_new_datasets_test_shares_no_family_with_training(synthetic_assets):
    rec = pd.read_parquet(synthetic_assets / "corpus" / "records.parquet")
    ds = pd.read_parquet(synthetic_assets / "corpus" / "datasets.parquet").set_index("dataset")
    lab = _splits(synthetic_assets, "new_datasets")
    fam = rec["dataset"].map(ds["family"])
    test_fams, train_fams = set(fam[lab == "test"]), set(fam[lab == "train"])
    assert test_fams and not test_fams & train_fams


def test_completion_holds_out_models_only_in_big_groups(synthetic_assets):
    rec = pd.read_parquet(synthetic_assets / "corpus" / "records.parquet")
    lab = _splits(synthetic_assets, "completion")
    assert (lab == "test").any() and (lab == "val").any()
    assert (rec.loc[lab != "train", "group_size"] >= 20).all()


def test_new_models_are_the_newest(synthetic_assets):
    rec = pd.read_parquet(synthetic_assets / "corpus" / "records.parquet")
    models = pd.read_parquet(synthetic_assets / "corpus" / "models.parquet").set_index("model")
    lab = _splits(synthetic_assets, "new_models")
    date = pd.to_datetime(rec["model"].map(models["release_date"]))
    assert (lab == "test").any()
    assert date[lab == "test"].min() >= date[lab == "train"].max() or date[lab == "test"].min() >= date[lab == "val"].max()
    assert not set(rec.loc[lab == "test", "model"]) & set(rec.loc[lab == "train", "model"])
