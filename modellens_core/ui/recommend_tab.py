"""Recommend tab: describe a dataset, get ranked models; CSV download, shareable link, and the
pool builder. Named endpoints: ``recommend`` and ``pool``.

The shareable link carries the inputs as query parameters (``description``, ``task``, ``metric``,
``size``, ``unknown_size``, ``families``, ``modalities``, ``open_weights``, ``candidates``,
``top_k``, ``fit_modality``, ``subset``); opening it fills the inputs and runs the ranking. Malformed
parameters are ignored with a notice, never an error.
"""
from __future__ import annotations

import gradio as gr

from ..serving.inputs import (
    MAX_DESCRIPTION_CHARS,
    MAX_SUBSET_CHARS,
    InputError,
    choice,
    name_lines,
)
from ..serving.pool import propose_replacements
from ..serving.request import (
    DEFAULT_TOP_K,
    MAX_TOP_K,
    SIZE_MAX,
    SIZE_PRESETS,
    Filters,
    RankRequest,
)
from .render import (
    empty_frame,
    fmt_params,
    md_escape,
    round_floats,
    user_facing,
    warn_line,
)
from .state import recommender, shared
from .tables import (
    EXTRA_RESULT_COLUMNS,  # noqa: F401  (part of this module's table vocabulary)
    POOL_HEADERS,
    POOL_WIDTHS,
    RESULT_COLUMNS,
    RESULT_WIDTHS,
    TABLE_CLASS,
    narrow,
    results_display,
    results_from_csv,
    write_csv,
)

INFER = "infer from description"
MAX_FAMILY_CHOICES = 300      # the real catalog has thousands of families; the picker lists the largest
TABLE_HEADERS = RESULT_COLUMNS   # the default view; "All columns" adds EXTRA_RESULT_COLUMNS (the CSV has them all)
TABLE_LEGEND = ("*Columns:* rows are ordered by the ranking score = (prior + residual) / τ, where the *prior* "
                "comes from size and family alone and the *residual* from this dataset: its description, task and "
                "subset, and how each model scored on the nearest known datasets and across the task (shrunk for "
                "unseen models, whose residual rests on their name and metadata alone); *predicted z* = predicted "
                "relative performance (within-benchmark standard score, higher is better, 0 = an average model); "
                "*observed* = score on a matching known dataset; *evidence* = nearest known datasets it was scored "
                "on; *unseen* = no leaderboard record of this model was used in training; *params* = parameters "
                "(M = million, B = billion). *prior* and *residual* are in the *All columns* view and the CSV.")
COLUMN_WIDTHS = RESULT_WIDTHS
EXAMPLES = (  # description, task, metric, size preset
    ("Speech recognition benchmark: read English audiobook recordings at 16 kHz, transcribed to text and "
     "scored by word error rate.", "any"),
    ("English movie reviews labelled positive or negative (binary sentiment classification).", "gpu8"),
    ("Python code generation benchmark: write a function from its docstring; scored by the unit tests it "
     "passes (pass@1).", "35b"),
    ("Fine-grained image classification: photographs of 200 bird species, a few dozen images per class.", "any"),
    ("Japanese reading comprehension: answer questions about Wikipedia paragraphs written in Japanese.", "80b"),
    ("Multilingual passage retrieval: find the Wikipedia passages that answer a query, in 18 languages.", "any"),
)


# ----------------------------------------------------------------------------- inputs
def _as_list(value) -> list:
    """A multiselect value as a list: an API caller may send one string ("a" or "a,b")."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",")]
    return list(value)


def _top_k(value, notices: list) -> int:
    try:
        k = int(float(value))
    except (TypeError, ValueError):
        notices.append(f"Number of models '{value}' is not a number; showed {DEFAULT_TOP_K}.")
        return DEFAULT_TOP_K
    if not 1 <= k <= MAX_TOP_K:
        notices.append(f"Number of models must be between 1 and {MAX_TOP_K}; used {min(max(k, 1), MAX_TOP_K)}.")
    return min(max(k, 1), MAX_TOP_K)


# ----------------------------------------------------------------------------- ranking
def request_of(description, task=INFER, metric=INFER, size="any", include_unknown_size=True, families=None,
               modalities=None, open_weights_only=False, candidates="", top_k=DEFAULT_TOP_K, fit_modality=True,
               subset="", notices: list | None = None) -> RankRequest:
    """The widgets' values as the core's request (raises InputError for an unknown size preset)."""
    notices = [] if notices is None else notices
    if size not in SIZE_MAX:
        raise InputError(f"Unknown size preset {size!r}; choose one of: {', '.join(SIZE_MAX)}.")
    filters = Filters(max_params_b=SIZE_MAX[size], include_unknown_size=bool(include_unknown_size),
                      families=tuple(_as_list(families)), modalities=tuple(_as_list(modalities)),
                      open_weights_only=bool(open_weights_only), fit_modality=bool(fit_modality))
    names = name_lines(candidates)
    return RankRequest(description, choice(task), choice(metric), subset or "", tuple(names) if names else None,
                       _top_k(top_k, notices), filters)


def rank(*values, all_columns: bool = False):
    """Ranked table (display columns; every column when ``all_columns``) and the Markdown status.
    Raises InputError for bad input."""
    notices = []
    request = request_of(*values, notices=notices)
    ranking = recommender().recommend(request)
    return results_display(ranking.table, all_columns), _status(ranking, request, notices)


def _status(ranking, request: RankRequest, notices: list) -> str:
    a = ranking.understood()
    parts = [f"**Task:** {md_escape(a['task'])}" + (" (inferred from the description)" if a["task_inferred"] else ""),
             f"**Metric:** {md_escape(a['metric'])}" + (" (inferred)" if a["metric_inferred"] else ""),
             f"**Domain:** {md_escape(a['domain'])}"]
    if a["subset"]:
        parts.append(f"**Subset:** {md_escape(a['subset'])}")
    lines = [" · ".join(parts)]
    if a["match"]:
        lines.append(f"Matches the known dataset **{md_escape(a['match'])}** (observed scores shown).")
    if a["neighbours"]:
        lines.append("Nearest known datasets: " + ", ".join(
            f"{md_escape(n['name'] or n['dataset'])} ({n['similarity']:.2f})" for n in a["neighbours"]))
    auto = [m for m in a["modalities"] if m not in request.filters.modalities]
    if auto:
        lines.append(f"Showing {', '.join(auto)} models only (they fit a {md_escape(a['domain'])} task); untick "
                     "*only modalities that fit the task* to rank every model.")
    if request.candidates:
        lines.append(f"Ranked your {len(request.candidates)} candidate name(s).")
    preset = request.filters.size_preset
    if preset and preset != "any":
        lines.append(f"Size limit: {next(label for label, v, _ in SIZE_PRESETS if v == preset)}.")
    lines += [warn_line(n) for n in [*a["notices"], *notices]]
    if len(ranking.table):
        lines.append(f"Showing {len(ranking.table)} model(s). Scores are predictions from leaderboard records, not "
                     "runs on your data; click a model's name to open its profile.")
    return "\n\n".join(lines)


# ----------------------------------------------------------------------------- shareable link
def share_query(*values) -> str:
    """The inputs as a URL query string (the core request's own link form)."""
    try:
        return request_of(*values).to_query_params()
    except InputError:
        return ""


def page_base(request: gr.Request | None) -> str:
    """The app's page URL without a query (from the browser's Referer, else the request URL)."""
    if request is None:
        return ""
    headers = {k.lower(): v for k, v in dict(getattr(request, "headers", {}) or {}).items()}
    ref = headers.get("referer", "")
    if ref.startswith(("http://", "https://")):
        return ref.split("?")[0].split("#")[0]
    url = str(getattr(request, "url", "") or "")
    return url.split("/gradio_api")[0].split("?")[0].rstrip("/") + "/" if url.startswith("http") else ""


def parse_query(qp: dict, known_tasks, known_metrics, known_modalities) -> tuple[dict, list[str]]:
    """Widget values from link parameters (only those the link sets), and notices for the ones
    ignored (never raises): the core's request, mapped back to the widgets."""
    request, notes = RankRequest.from_query_params(qp, known_tasks, known_metrics, known_modalities)
    f = request.filters
    given = {k for k in (qp or {}) if not any(f"'{k}'" in n for n in notes)}   # the parameters not ignored
    out = {"description": request.description} if "description" in given else {}
    for key, value in (("task", request.task), ("metric", request.metric)):
        if value:
            out[key] = value
    if given & {"size", "max_params"}:
        if f.size_preset:
            out["size"] = f.size_preset
        else:
            notes.append("The link's size limit is not one of the presets: showing any size.")
    for key, name, value in (("unknown_size", "include_unknown_size", f.include_unknown_size),
                             ("open_weights", "open_weights_only", f.open_weights_only),
                             ("fit_modality", "fit_modality", f.fit_modality),
                             ("families", "families", list(f.families)), ("modalities", "modalities", list(f.modalities)),
                             ("subset", "subset", request.subset), ("top_k", "top_k", request.top_k)):
        if key in given or (key in ("families", "modalities") and key in (qp or {})):   # the valid part of a list
            out[name] = value
    if request.candidates is not None:
        out["candidates"] = "\n".join(request.candidates)
    return out, notes


# ----------------------------------------------------------------------------- UI
def _empty_outputs(message: str):
    return empty_frame(TABLE_HEADERS), warn_line(message), None, ""


def render(demo: gr.Blocks) -> None:
    rec = recommender()
    fam_counts = rec.catalog["family"].astype(str).value_counts()
    family_choices = sorted(fam_counts[fam_counts.index != ""].head(MAX_FAMILY_CHOICES).index)
    modality_choices = sorted(rec.catalog["modality"].astype(str).unique())

    with gr.Row():
        description = gr.Textbox(label="Dataset description", lines=4, max_length=MAX_DESCRIPTION_CHARS, scale=3,
                                 elem_id="recommend-description",
                                 placeholder="What are the inputs, what is predicted, domain and language? "
                                             "e.g. 'English product reviews labelled positive or negative'")
        with gr.Column(scale=2):
            task = gr.Dropdown([INFER, *rec.known_tasks], value=INFER, label="Task", allow_custom_value=True,
                               info="Leave on 'infer' to take it from the nearest known datasets.")
            metric = gr.Dropdown([INFER, *rec.known_metrics], value=INFER, label="Metric", allow_custom_value=True)
            subset = gr.Textbox(label="Languages / subset (optional)", max_length=MAX_SUBSET_CHARS,
                                elem_id="recommend-subset", placeholder="e.g. hin_Deva-eng_Latn, fra, 5-shot",
                                info="The language pair or configuration, in leaderboard spelling.")
    with gr.Row():
        size = gr.Radio([(label, value) for label, value, _ in SIZE_PRESETS], value="any", label="Model size",
                        elem_id="recommend-size",
                        scale=3)
        include_unknown = gr.Checkbox(True, label="Show models of unknown size", scale=1)
    with gr.Accordion("Filters and your own candidates", open=False):
        with gr.Row():
            families = gr.Dropdown(family_choices, multiselect=True, allow_custom_value=True, label="Families",
                                   info="Empty = all families.")
            modalities = gr.Dropdown(modality_choices, multiselect=True, label="Modalities", allow_custom_value=True,
                                     info="Empty = the modalities that fit the task (see below).")
        with gr.Row():
            fit_modality = gr.Checkbox(True, label="Only modalities that fit the task",
                                       info="The ranker learns from per-benchmark scores, which never compare a "
                                            "text-only model with a speech model: this rule does.")
            open_weights = gr.Checkbox(False, label="Open weights only")
        candidates = gr.Textbox(label="Candidate models (optional, one name per line; names not in the catalog "
                                      "are ranked from their name alone)", lines=4)
    top_k = gr.Slider(1, MAX_TOP_K, value=DEFAULT_TOP_K, step=1, label="Number of models to show",
                      elem_id="recommend-topk")
    run = gr.Button("Rank models", variant="primary")
    inputs = [description, task, metric, size, include_unknown, families, modalities, open_weights, candidates,
              top_k, fit_modality, subset]
    # outputs are created first (unrendered) so the examples, placed above them, can run the ranking
    status = gr.Markdown(elem_id="recommend-status", render=False)
    table = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, label="Ranked models",
                         column_widths=COLUMN_WIDTHS, elem_id="recommend-table", elem_classes=[TABLE_CLASS],
                         max_height=600, render=False)
    all_columns = gr.Checkbox(False, label="All columns (adds the prior and residual)", render=False,
                              elem_id="recommend-all-columns")
    # always shown (empty until a ranking exists): answers then carry only its file, never a change of
    # its properties, which would make Gradio rebuild the component's config (and API schema) per request
    csv = gr.DownloadButton("Download CSV", value=None, scale=1, render=False)
    link = gr.Textbox(label="Shareable link (opens this app with these inputs)", buttons=["copy"],
                      interactive=False, scale=4, elem_id="share-link", render=False)
    outputs = [table, status, csv, link]

    @user_facing(_empty_outputs)
    def recommend(description, task=INFER, metric=INFER, size="any", include_unknown_size=True, families=None,
                  modalities=None, open_weights_only=False, candidates=None, top_k=DEFAULT_TOP_K, fit_modality=True,
                  subset=None, request: gr.Request = None):
        """Rank pretrained models for a dataset description. size: edge | gpu8 | 35b | 80b | any;
        candidates: one model name per line (empty = the whole catalog); subset: languages or
        configuration evaluated ("hin_Deva-eng_Latn", "fra"; empty = none). The table has the
        default columns; the CSV has every column (also the prior and residual)."""
        values = (description, task, metric, size, include_unknown_size, families, modalities, open_weights_only,
                  candidates, top_k, fit_modality, subset)
        full, md = rank(*values, all_columns=True)
        path = write_csv(full)
        url = page_base(request) + "?" + share_query(*values)
        return narrow(full), md, path, url

    # wired before the examples, whose run-on-click event would otherwise take the name "recommend"
    # the "All columns" view is drawn from the last answer's CSV (every column; never recomputed), so
    # /recommend's API is the same whichever view the page shows
    def widen(path, wide):
        full = results_from_csv(path) if wide else None
        return full if full is not None else gr.skip()

    run.click(recommend, inputs, outputs, api_name="recommend", concurrency_id="ranker").then(
        widen, [csv, all_columns], table, api_visibility="private", queue=False)
    csv.change(widen, [csv, all_columns], table, api_visibility="private", queue=False)
    # an example sets every input (filters back to their defaults, so the result is reproducible)
    gr.Examples([[text, INFER, INFER, preset, True, [], [], False, "", DEFAULT_TOP_K, True, ""]
                 for text, preset in EXAMPLES], inputs=inputs, outputs=outputs, fn=recommend, run_on_click=True,
                cache_examples=False, label="Examples (click one to run it)", visible_columns=[0, 3],
                api_visibility="private")
    status.render()
    table.render()
    all_columns.render()

    def redraw(path, wide):
        full = results_from_csv(path)
        return gr.skip() if full is None else full if wide else narrow(full)

    all_columns.input(redraw, [csv, all_columns], table, api_visibility="private", queue=False)
    gr.Markdown(TABLE_LEGEND)
    with gr.Row():
        csv.render()
        link.render()
    shared(demo)["recommend_table"] = table

    def from_link(request: gr.Request):
        qp = dict(getattr(request, "query_params", {}) or {}) if request else {}
        values, notes = parse_query(qp, rec.known_tasks, rec.known_metrics, modality_choices)
        keys = ["description", "task", "metric", "size", "include_unknown_size", "families", "modalities",
                "open_weights_only", "candidates", "top_k", "fit_modality", "subset"]
        updates = [values[k] if k in values else gr.skip() for k in keys]
        return *updates, notes

    link_notes = gr.State([])

    def run_from_link(*args, request: gr.Request = None):
        *values, notes = args
        if not str(values[0] or "").strip():
            return (gr.skip(), "\n\n".join(warn_line(n) for n in notes) if notes else gr.skip(), gr.skip(), gr.skip())
        shown, md, dl, url = recommend(*values, request=request)
        return shown, "\n\n".join([*(warn_line(n) for n in notes), md]), dl, url

    demo.load(from_link, None, [*inputs, link_notes], api_visibility="private", queue=False).then(
        run_from_link, [*inputs, link_notes], outputs, api_visibility="private", concurrency_id="ranker")

    _render_pool(description, task, metric, open_weights, families, modalities)


# ----------------------------------------------------------------------------- pool builder
def pool_table(description, pool, tolerance=0.5, task=INFER, metric=INFER, fit_modality=True,
               open_weights_only=False, families=None, modalities=None):
    """Display table and Markdown status for the pool builder (raises InputError)."""
    filters = Filters(fit_modality=bool(fit_modality), open_weights_only=bool(open_weights_only),
                      families=tuple(_as_list(families)), modalities=tuple(_as_list(modalities)))
    out = propose_replacements(recommender(), description, pool, tolerance, choice(task), choice(metric), filters)
    shown = out.copy()
    shown["current_params_b"] = shown["current_params_b"].map(fmt_params)
    shown["replacement_params_b"] = shown["replacement_params_b"].map(fmt_params)
    shown = round_floats(shown, 2)
    shown.columns = POOL_HEADERS
    a = out.attrs
    n_new = int((out["replacement"] != out["current"]).sum())
    lines = [f"**Task:** {md_escape(a['task'])} · **Metric:** {md_escape(a['metric'])} · "
             f"size window ±{float(tolerance) * 100:.0f}% parameters · {n_new} of {len(out)} model(s) replaced; "
             f"mean gain {out['gain'].mean():+.2f} (ranking-score units, higher is better)."]
    lines += [warn_line(n) for n in a.get("notices", [])]
    return shown, "\n\n".join(lines)


def _render_pool(description, task, metric, open_weights, families, modalities) -> None:
    with gr.Accordion("Pool builder: upgrade the models you route between", open=False):
        gr.Markdown("For each model of your current pool, the best-ranked model of comparable size for the "
                    "dataset described above (as in the ModelLens routing-pool experiment). Size window: "
                    "±50% parameters by default.")
        with gr.Row():
            pool = gr.Textbox(label="Current pool (one model per line)", lines=5, scale=3)
            with gr.Column(scale=1):
                tolerance = gr.Slider(0.1, 3.0, value=0.5, step=0.1, label="Size tolerance (fraction: 0.5 = ±50%)")
                fit = gr.Checkbox(True, label="Replacements only of modalities that fit the task")
                go = gr.Button("Propose replacements")
        pool_status = gr.Markdown(elem_id="pool-status")
        table = gr.Dataframe(headers=POOL_HEADERS, interactive=False, wrap=True, label="Proposed pool",
                             column_widths=POOL_WIDTHS, elem_id="pool-table", elem_classes=[TABLE_CLASS])

    @user_facing(lambda msg: (empty_frame(POOL_HEADERS), warn_line(msg)))
    def pool_fn(description, pool, tolerance=0.5, task=INFER, metric=INFER, fit_modality=True,
                open_weights_only=False, families=None, modalities=None):
        """Propose a replacement of comparable size (±tolerance × parameters) for each pool model,
        among the models the filters above allow (open weights, families, modalities)."""
        return pool_table(description, pool, tolerance, task, metric, fit_modality, open_weights_only, families,
                          modalities)

    go.click(pool_fn, [description, pool, tolerance, task, metric, fit, open_weights, families, modalities],
             [table, pool_status], api_name="pool",
             concurrency_id="ranker")
