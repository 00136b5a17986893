"""Transferability tab: upload forward-pass outputs of your candidate models, get classic
transferability estimators fused with the ranker, and which estimator to trust for the dataset.

Endpoints: ``/transfer`` (description, files, weight, fuse_recommended -> results, status,
estimators ranked, recommendation, evidence) and ``/metric_selection`` (description -> estimators
ranked, recommendation, evidence). Scoring lives in :mod:`modellens_core.serving.feature_ranking` and
:mod:`modellens_core.transfer.metarank`; this module only renders.
"""
from __future__ import annotations

import gradio as gr
import pandas as pd

from ..serving.feature_ranking import FUSION_RULE, display_columns, feature_augmented_ranking
from ..serving.inputs import MAX_DESCRIPTION_CHARS, InputError, clean_text
from ..transfer import ESTIMATORS
from ..transfer.metarank import load_selector
from ..transfer.uploads import MAX_FILE_BYTES, MAX_FILES, next_upload_set, parse_uploads
from .render import md_escape, round_floats, user_facing, warn_line
from .state import recommender

SELECTION_HEADERS = ["rank", "estimator", "selector share", "mean tau_w (training)", "computed here",
                     "what it measures"]
BASE_HEADERS = ["fused rank", "model", "in catalog", "fused", "ranker pct", "estimator pct"]
HEADERS = {"fused_rank": "fused rank", "in_catalog": "in catalog", "ranker_score": "ranker score",
           "ranker_rank": "ranker rank", "ranker_pct": "ranker pct", "estimator_pct": "estimator pct"}
INTRO = (f"Run each candidate model on a labelled sample of your data and upload one `.npz` per model "
         f"(file name = model name; `org__name.npz` stands for `org/name`) with `features` [N, D], `labels` [N] "
         f"and optionally `probs` [N, Z] (the model's source-class probabilities, needed for LEEP and NCE); or "
         f"one CSV with a `model` column and one column per estimator ({', '.join(ESTIMATORS)}). At most "
         f"{MAX_FILES} files of {MAX_FILE_BYTES // 2**20} MB. Estimators are higher-is-better. Each upload "
         f"replaces the previous set unless you tick *Add new uploads to the current set*.")


def _describe(description) -> str:
    text, _ = clean_text(description)
    if not text:
        raise InputError("Please describe your dataset (inputs, labels, domain): both the ranker and the "
                         "estimator selector read the description.")
    return text


# ----------------------------------------------------------------------------- metric selection
def selection_view(description) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """Estimators ranked for the description, a Markdown recommendation, and the evidence table
    (tau_w per estimator per training dataset). Raises InputError."""
    sel = load_selector()
    ranked = sel.rank(_describe(description), recommender().encoder)
    shown = pd.DataFrame({
        "rank": ranked["rank"], "estimator": ranked["label"], "selector share": ranked["score"],
        "mean tau_w (training)": ranked["mean_tau_w"],
        "computed here": ["yes" if e in ESTIMATORS else "no" for e in ranked["estimator"]],
        "what it measures": ranked["description"]})
    return round_floats(shown), _recommendation(sel, ranked), _evidence(sel)


def _recommendation(sel, ranked: pd.DataFrame) -> str:
    top = ranked.iloc[0]
    here = ranked[ranked["estimator"].isin(list(ESTIMATORS))]
    lines = [f"**Trust {top['label']}** for this dataset (selector share {top['score']:.2f}; its mean tau_w over "
             f"the {len(sel.evidence)} training datasets is {top['mean_tau_w']:+.2f})."]
    if top["estimator"] not in ESTIMATORS and len(here):
        lines.append(f"{top['label']} is not computed by this app; the best-ranked one it computes is "
                     f"**{here.iloc[0]['label']}**.")
    near = ", ".join(f"{d} ({s:.2f})" for d, s in ranked.attrs.get("neighbours", []))
    lines.append(f"Nearest training datasets by description (cosine): {near}.")
    if sel.validation is not None:
        v = sel.validation
        lines.append(f"Held-out check (leave one dataset out, {len(v)} datasets): the selector's pick reached a "
                     f"mean tau_w of {v['metarank_tau_w'].mean():+.2f} against {v['baseline_tau_w'].mean():+.2f} "
                     f"for 'the estimator best on average' and {v['oracle_tau_w'].mean():+.2f} for the best in "
                     "hindsight. Eight training datasets are little evidence: treat this as a prior.")
    lines.append("tau_w = weighted Kendall tau between an estimator's ranking of ImageNet CNNs and their real "
                 "fine-tuning accuracy (1 = perfect order).")
    return "\n\n".join(lines)


def _evidence(sel) -> pd.DataFrame:
    ev = sel.evidence
    out = ev.rename(columns={e: ESTIMATORS[e].label if e in ESTIMATORS else e for e in ev.columns})
    out = out.reset_index().rename(columns={"index": "dataset"})
    out.insert(1, "models", [int(ev.attrs.get("n_models", {}).get(d, 0)) for d in ev.index])
    return round_floats(out, 2)


# ----------------------------------------------------------------------------- fused ranking
def transfer_view(description, files, weight=0.5, fuse_recommended=False, all_columns=False):
    """(results table for display, Markdown status, full table) for uploaded files. Files that
    cannot be used are reported by name in the status while the others are ranked. Raises
    InputError (one line per problem) when nothing can be ranked."""
    text = _describe(description)
    try:
        uploads = parse_uploads(files)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    order = load_selector().rank(text, recommender().encoder)["estimator"].tolist() if fuse_recommended else None
    try:
        table = feature_augmented_ranking(recommender(), text, uploads, weight, fuse_first_of=order)
    except InputError:
        raise
    except ValueError as exc:  # the estimators' own checks
        raise InputError(str(exc)) from None
    return _results_frame(table, all_columns), _status(table), table


def _results_frame(table: pd.DataFrame, all_columns: bool = False) -> pd.DataFrame:
    """The columns :func:`display_columns` picks, with readable headers and rounded numbers."""
    shown = table[display_columns(table, all_columns)].rename(columns=HEADERS)
    for e in table.attrs.get("computed_estimators", []):
        label = ESTIMATORS[e].label
        shown = shown.rename(columns={e: label, f"{e}_rank": f"{label} rank", f"{e}_pct": f"{label} pct"})
    shown["in catalog"] = shown["in catalog"].map({True: "yes", False: "unseen"})
    return round_floats(shown, 4 if all_columns else 2)


def problem_lines(message: str) -> str:
    """Each line of a user-facing message (one per bad file) as its own escaped warning line."""
    return "\n\n".join(warn_line(m) for m in str(message).splitlines() if m.strip())


def _status(table: pd.DataFrame) -> str:
    a = table.attrs
    fused = ", ".join(ESTIMATORS[e].label for e in a["fused_estimators"]) or "none"
    lines = [f"**{len(table)} model(s)** · task {md_escape(a['task'])} · metric {md_escape(a['metric'])} · "
             f"weight {a['weight']:g} on the estimators ({fused})."]
    errors = a.get("file_errors", [])
    if errors:
        lines.append(f"**{len(errors)} file(s) left out** (the others are ranked):")
        lines += [warn_line(e) for e in errors]
    lines += [warn_line(n) for n in a.get("notices", [])]
    return "\n\n".join(lines)


def _empty_transfer(message: str):
    """An error: the message inline; every table keeps what it showed (``gr.skip``)."""
    return gr.skip(), problem_lines(message), gr.skip(), gr.skip(), gr.skip(), gr.skip()


def _empty_selection(message: str):
    """An error: the message where the recommendation goes; the tables keep what they showed."""
    return gr.skip(), problem_lines(message), gr.skip()


# ----------------------------------------------------------------------------- UI
def render(demo: gr.Blocks) -> None:
    gr.Markdown(INTRO)
    with gr.Row():
        description = gr.Textbox(label="Dataset description", lines=4, max_length=MAX_DESCRIPTION_CHARS, scale=3,
                                 placeholder="e.g. 'Photos of bird species taken by hobbyists; 200 species'",
                                 elem_id="transfer-description")
        files = gr.File(file_count="multiple", type="filepath", label="Uploads (.npz per model, or one .csv)",
                        scale=2, elem_id="transfer-files")
    with gr.Row():
        weight = gr.Slider(0.0, 1.0, value=0.5, step=0.05, label="Fusion weight on the estimators",
                           info="0 = ranker only, 1 = estimators only.", scale=3)
        fuse_recommended = gr.Checkbox(False, label="Fuse only the estimator recommended below (the best-ranked "
                                                           "one computed for these uploads)", scale=1)
        add_more = gr.Checkbox(False, label="Add new uploads to the current set", scale=1, elem_id="transfer-add",
                               info="Unticked: each upload replaces the previous files.")
    gr.Markdown(f"**Fusion rule:** {FUSION_RULE}")
    with gr.Row():
        run = gr.Button("Score and fuse", variant="primary")
        select = gr.Button("Which estimator to trust?")
    status = gr.Markdown(elem_id="transfer-status")
    all_columns = gr.Checkbox(False, label="All columns (raw estimator values, the ranker's score, every "
                                           "estimator's rank and percentile)", elem_id="transfer-all-columns")
    results = gr.Dataframe(headers=BASE_HEADERS, interactive=False, max_height=500,
                           label="Models: fused rank and percentiles (0 = worst, 1 = best) and each fused "
                                 "estimator's rank in the pool (1 = best)", elem_id="transfer-table",
                           elem_classes=["ml-table"])
    gr.Markdown("### Which estimator to trust for this dataset")
    recommendation = gr.Markdown(elem_id="transfer-recommendation")
    selection = gr.Dataframe(headers=SELECTION_HEADERS, interactive=False, wrap=True,
                             label="Estimators ranked by MetaRank for this description")
    with gr.Accordion("Evidence: tau_w of each estimator on each training dataset", open=False):
        evidence = gr.Dataframe(interactive=False, label="Weighted Kendall tau vs real fine-tuning accuracy "
                                                          "(higher = the estimator ordered the models better)")
    current = gr.State([])     # the upload set before the latest upload
    last = gr.State(None)      # the last good full results table (for the "all columns" view)

    @user_facing(_empty_transfer, toast=False)
    def transfer(description, files=None, weight=0.5, fuse_recommended=False, all_columns=False):
        """Compute transferability estimators for the uploaded models, fuse them with the ranker and
        recommend which estimator to trust for the described dataset. Problems are reported in the
        status (each bad file by name); the tables keep their last good content on an error."""
        try:
            ranked, rec_md, ev = selection_view(description)
        except InputError:
            ranked, rec_md, ev = gr.skip(), gr.skip(), gr.skip()
        try:
            table, md, full = transfer_view(description, files, weight, fuse_recommended, all_columns)
        except InputError as exc:
            return gr.skip(), problem_lines(str(exc)), ranked, rec_md, ev, gr.skip()
        return table, md, ranked, rec_md, ev, full

    @user_facing(_empty_selection, toast=False)
    def metric_selection(description):
        """Rank the transferability estimators for a dataset description (MetaRank)."""
        return selection_view(description)

    def on_upload(value, previous, add):
        chosen = next_upload_set(previous, value, bool(add))
        return chosen, chosen

    def redraw(full, show_all):
        return gr.skip() if full is None else _results_frame(full, bool(show_all))

    files.upload(on_upload, [files, current, add_more], [files, current], api_visibility="private", queue=False)
    gr.on([files.delete, files.clear], lambda v: list(v or []), files, current, api_visibility="private",
          queue=False)
    all_columns.change(redraw, [last, all_columns], results, api_visibility="private", queue=False)
    run.click(transfer, [description, files, weight, fuse_recommended, all_columns],
              [results, status, selection, recommendation, evidence, last], api_name="transfer",
              concurrency_id="ranker")
    select.click(metric_selection, [description], [selection, recommendation, evidence],
                 api_name="metric_selection", concurrency_id="ranker")
