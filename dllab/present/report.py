"""Results as files: the comparison as JSON (the CLI's contract) and CSV tables, the combined JSON
document of every analysis, and the single-file HTML report.

``comparison_json``/``*_csv`` return ``bytes`` ready for a download button or a file write;
:func:`report_json` returns a plain dict and :func:`html_report` a self-contained HTML string.
They only reshape what the result objects hold.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .. import families as registry

__all__ = ["to_json_ready", "to_json_bytes", "comparison_json", "comparison_csv", "split_scores_csv", "report_json",
           "html_report", "library_versions", "reproduce_command", "leaderboard", "paired_tests_table", "needs_in_words"]


def _plain(value):
    # json.dumps fallback for numpy scalars and arrays; NaN/inf become null.
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        v = float(value)
        return v if np.isfinite(v) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"internal error: {type(value).__name__} is not JSON serialisable")


def _finite(obj):
    # Python floats NaN/inf are valid for json.dumps but not JSON; make them null.
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def to_json_ready(obj):
    """``obj`` with numpy values made plain and NaN/inf made None: safe for strict JSON.

    Examples
    --------
    >>> to_json_ready({"a": np.float64(0.5), "b": [float("nan"), np.int64(2)]})
    {'a': 0.5, 'b': [None, 2]}
    """
    return json.loads(json.dumps(_finite(obj), default=_plain, allow_nan=False))


def to_json_bytes(obj, *, indent: int | None = 2) -> bytes:
    """``obj`` as UTF-8 JSON (numpy values plain, NaN/inf as null): what every download and ``--json`` writes."""
    return json.dumps(_finite(obj), indent=indent, default=_plain, allow_nan=False,
                      ensure_ascii=False).encode("utf-8")


def comparison_json(cmp, *, indent: int = 2) -> bytes:
    """``cmp.to_dict()`` as UTF-8 JSON: the same document as ``python -m dllab compare --json``.

    Examples
    --------
    >>> class Stub:
    ...     def to_dict(self):
    ...         return {"metric": "accuracy", "models": [{"mean": float("nan")}]}
    >>> comparison_json(Stub(), indent=None)
    b'{"metric": "accuracy", "models": [{"mean": null}]}'
    """
    return to_json_bytes(cmp.to_dict(), indent=indent)


def comparison_csv(cmp) -> bytes:
    """One row per family: every metric's mean and 95% CI, timings, device, status and reason.

    Columns: ``family``, ``label``, then ``<metric>``, ``<metric>_ci_low``,
    ``<metric>_ci_high`` for each of ``cmp.metric_names``, then ``fit_seconds``,
    ``predict_seconds`` (mean per split), ``device``, ``status``, ``reason``.
    """
    rows = []
    for fam in cmp.families:
        r = cmp.overall.loc[fam]
        row = {"family": fam, "label": registry.label(fam)}
        for m in cmp.metric_names:
            row[m], row[f"{m}_ci_low"], row[f"{m}_ci_high"] = r[m], r[f"{m}_low"], r[f"{m}_high"]
        row.update(fit_seconds=r["fit_seconds"], predict_seconds=r["predict_seconds"], device=r["device"],
                   status=r["status"], reason=r["reason"])
        rows.append(row)
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


def split_scores_csv(cmp) -> bytes:
    """One row per (family, split): repeat, fold and every metric (empty where the fit failed)."""
    scores = cmp.scores.copy()
    labels = [cmp.splits.label(int(i)) for i in scores["split"]]
    scores.insert(2, "repeat", [r + 1 for r, _ in labels])
    scores.insert(3, "fold", [f + 1 for _, f in labels])
    return scores.to_csv(index=False).encode("utf-8")


# ======================================================================================
# The combined JSON document and the single-file HTML report
# ======================================================================================
_REPORT_PACKAGES = ("torch", "xgboost", "scikit-learn", "shap", "streamlit", "plotly", "numpy", "pandas")
_SECTION_IDS = {"Compare": "compare", "Data size": "data-size", "Subgroups": "subgroups", "Explain": "explain"}
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1100px;
padding:1.5rem 2rem;color:#1f2328;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.25rem;margin-top:2.2rem}
.verdict{border:2px solid #0072B2;border-radius:8px;padding:1rem 1.25rem;background:#f3f8fc}
.verdict.undecided{border-color:#9E9E9E;background:#f6f6f6}
.headline{font-size:1.35rem;font-weight:600;margin:0 0 .5rem 0}
.muted{color:#57606a;font-size:.9rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,pre{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
pre{padding:.6rem;overflow-x:auto;white-space:pre-wrap}
"""


def _config_dict(config) -> dict:
    if config is None:
        return {}
    return config.to_dict() if hasattr(config, "to_dict") else dict(config)


def report_json(*, dataset, config, comparison, verdict=None, curve=None, subgroups=None,
                explanation=None, recipe=None) -> dict:
    """Every analysis present as one JSON-ready dict (NaN as None).

    Keys: ``dataset`` (``Dataset.summary()``), ``config`` (the RunConfig, seed included),
    ``metric``, ``higher_is_better``, ``models``, ``tests``, ``splits``, ``runtime`` (the
    comparison's contract, see docs/ARCHITECTURE.md), ``recipe`` (how the data was made, when
    given: source, target, roles, row limit, sampling seed), then ``curve``, ``subgroups``,
    ``explanations`` and ``verdict`` for the analyses that are given.
    """
    doc = dict(comparison.to_dict())
    doc["dataset"] = dataset.summary() if hasattr(dataset, "summary") else dict(dataset or doc.get("dataset", {}))
    doc["config"] = _config_dict(config) or doc.get("config", {})
    if recipe is not None:
        doc["recipe"] = recipe.to_dict()
    for key, obj in (("curve", curve), ("subgroups", subgroups), ("explanations", explanation),
                     ("verdict", verdict)):
        if obj is not None:
            doc[key] = obj.to_dict()
    return to_json_ready(doc)


def library_versions() -> dict:
    """Versions of Python, dllab and the libraries the results depend on ("not installed" if absent)."""
    import platform
    from importlib import metadata

    from .. import __version__

    out = {"python": platform.python_version(), "dllab": __version__}
    for pkg in _REPORT_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def reproduce_command(dataset, config) -> str:
    """The CLI command line that recomputes this report (arguments shell-quoted).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> ds = NS(meta={"builtin": "wine"}, source="builtin:wine", name="wine", target="cultivar", task="multiclass")
    >>> reproduce_command(ds, {"budget": "quick", "seed": 3, "max_rows": 100000, "n_folds": 3, "repeats": 1,
    ...                        "families": ["linear", "gbm"], "device": "auto"})
    'python -m dllab report wine --target cultivar --task multiclass --budget quick --seed 3 --max-rows 100000 --folds 3 --repeats 1 --families linear,gbm --device auto --out report.html'
    """
    import shlex

    cfg = _config_dict(config)
    meta = getattr(dataset, "meta", {}) or {}
    source = str(getattr(dataset, "source", "") or "")
    data = meta.get("builtin") or (source if source and source not in ("upload",) and not source.startswith("builtin:")
                                   else (source[len("builtin:"):] if source.startswith("builtin:")
                                         else getattr(dataset, "name", "DATA")))
    args = ["python", "-m", "dllab", "report", str(data), "--target", str(dataset.target), "--task", str(dataset.task)]
    for key, flag in (("budget", "--budget"), ("seed", "--seed"), ("max_rows", "--max-rows"), ("n_folds", "--folds"),
                      ("repeats", "--repeats")):
        if cfg.get(key) is not None:
            args += [flag, str(cfg[key])]
        elif key == "max_rows" and getattr(dataset, "n_rows_total", None) not in (None, getattr(dataset, "n_rows", None)):
            args += [flag, str(dataset.n_rows)]  # the row limit is the data's: it was sampled to this many
    if cfg.get("families"):
        args += ["--families", ",".join(cfg["families"])]
    if cfg.get("device"):
        args += ["--device", str(cfg["device"])]
    args += ["--out", "report.html"]
    return " ".join(shlex.quote(a) for a in args)


def _esc(v) -> str:
    import html

    return html.escape(str(v), quote=True)


def _table_html(frame: pd.DataFrame, *, index: bool = False) -> str:
    return frame.to_html(index=index, escape=True, border=0, na_rep="—")


def _kv_table(pairs) -> str:
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in pairs)
    return f"<table>{rows}</table>"


def _items(sentences) -> str:
    return "<ul>" + "".join(f"<li>{_esc(s)}</li>" for s in sentences) + "</ul>" if sentences else ""


class _Figures:
    """Embeds plotly figures: plotly.js inline with the first one only, nothing fetched from a network."""

    def __init__(self):
        self.count = 0

    def __call__(self, fig) -> str:
        include = self.count == 0
        self.count += 1
        return ('<div class="figure">' + fig.to_html(full_html=False, include_plotlyjs=include,
                                                      include_mathjax=False, config={"displaylogo": False})
                + "</div>")


def _importance_figure(explanation, *, top_k: int = 15):
    # Mean |SHAP| per column and family (plots.py has no explanation figure yet).
    import plotly.graph_objects as go


    imp = explanation.importance
    order = imp.max(axis=1).sort_values(ascending=False).index[:top_k][::-1]
    fig = go.Figure()
    for fam in imp.columns:
        fig.add_trace(go.Bar(y=[str(c) for c in order], x=imp.loc[order, fam].to_numpy(), orientation="h",
                             name=registry.label(fam), marker_color=registry.color(fam)))
    fig.update_layout(barmode="group", template="plotly_white", height=max(320, 28 * len(order) * len(imp.columns)),
                      title=dict(text=f"Mean |SHAP| per column (top {len(order)})", x=0),
                      xaxis_title=f"mean |SHAP| ({explanation.output_space})", margin=dict(l=160, r=30, t=60, b=50))
    return fig


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _verdict_html(v, dataset=None, config=None) -> str:
    def item(r):
        return (f'<li>{_esc(_sentence(r.text))} <a class="muted" href="#{_SECTION_IDS.get(r.evidence_page, "compare")}">'
                f"[{_esc(r.evidence_page)}]</a></li>")

    rest = [r for r in v.reasons if r.kind != "confidence"]
    conf = [r for r in v.reasons if r.kind == "confidence"]
    cls = "verdict undecided" if v.recommendation == "undecided" else "verdict"
    parts = [f'<section id="verdict" class="{cls}"><p class="headline">{_esc(v.headline)}</p>']
    if rest:
        parts.append(f"<h3>Deep learning here?</h3><ul>{item(rest[0])}</ul>")
    if rest[1:]:
        parts.append("<h3>Why this recommendation</h3><ol>" + "".join(item(r) for r in rest[1:]) + "</ol>")
    if conf:
        parts.append("<h3>Why this confidence</h3><ul>" + "".join(item(r) for r in conf) + "</ul>")
    if v.next_run is not None:
        cmd = reproduce_command(dataset, config).replace(" --out report.html", " --decide --out report.html") \
            if dataset is not None else "python -m dllab report ... --decide"
        parts.append(f"<p><b>To decide it</b>, {_esc(v.next_run.text)}: the app's Verdict page has a <i>Decide it</i> "
                     f"button, and the command line the <code>--decide</code> option (only the new fits are "
                     f"trained):</p><pre>{_esc(cmd)}</pre>")
    parts.append(f'<p class="muted">{_esc(needs_in_words(v))} The rule and its thresholds are described in the '
                 f"README, section <i>The verdict</i>.</p></section>")
    return "".join(parts)


def needs_in_words(v) -> str:
    """The needs the verdict used, as a sentence (no field names, no Python values).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> from dllab.analyses.verdict import Needs
    >>> needs_in_words(NS(needs=Needs(), metric="accuracy", min_difference=0.01))
    'Your needs: each decision explained to a customer or regulator: no; smallest difference that matters: 1.0 points (the default); longest acceptable training time per fit: no limit.'
    """
    from ..metrics import format_diff

    n = v.needs
    diff = format_diff(v.metric, v.min_difference) + ("" if n.min_difference is not None else " (the default)")
    secs = f"{n.max_fit_seconds:g} s" if n.max_fit_seconds is not None else "no limit"
    gpu = {None: "", True: "; a GPU will be available", False: "; no GPU will be available"}[n.gpu_available]
    return (f"Your needs: each decision explained to a customer or regulator: "
            f"{'yes' if n.explain_each_decision else 'no'}; smallest difference that matters: {diff}; longest "
            f"acceptable training time per fit: {secs}{gpu}.")


def leaderboard(cmp) -> pd.DataFrame:
    """Every family and the baseline, best first on the primary metric: each metric as the pages show it.

    Columns: Model, then for each metric its score and '95% CI', then fit and predict seconds.
    """
    from ..metrics import METRICS, format_interval, format_score

    rows = []
    for fam in [*cmp.families, "baseline"]:
        r = cmp.overall.loc[fam] if fam != "baseline" else cmp.baseline.loc[fam]
        row = {"Model": registry.label(fam) if fam != "baseline" else r["label"]}
        for m in cmp.metric_names:
            row[METRICS[m].label] = format_score(m, r[m])
            if m == cmp.metric:
                row["95% CI"] = format_interval(m, r[f"{m}_low"], r[f"{m}_high"])
        row["Fit time (s)"] = "—" if not np.isfinite(r["fit_seconds"]) else f"{r['fit_seconds']:.3g}"
        row["Predict time (s)"] = "—" if not np.isfinite(r["predict_seconds"]) else f"{r['predict_seconds']:.3g}"
        row["_key"] = float(r["mean"]) * (1 if cmp.higher_is_better else -1) if np.isfinite(r["mean"]) else -np.inf
        rows.append(row)
    out = pd.DataFrame(rows).sort_values("_key", ascending=False, kind="stable")
    return out.drop(columns="_key").reset_index(drop=True)


def paired_tests_table(cmp) -> pd.DataFrame:
    """Every paired test the verdict weighs, as the verdict reads it: the gain of the more complex family
    (positive: it is better), its 95% CI, p, whether it is significant, and how much longer it trains."""
    from ..analyses.comparison import format_p
    from ..analyses.verdict.wording import fit_ratio
    from ..metrics import format_diff, format_diff_interval

    sign = 1.0 if cmp.higher_is_better else -1.0
    rows = []
    for (a, b), t in cmp.tests.items():
        lo, hi = sorted((sign * t.ci_low, sign * t.ci_high)) if np.isfinite(t.ci_low) else (np.nan, np.nan)
        ta, tb = (float(cmp.overall.loc[f, "fit_seconds"]) for f in (a, b))
        rows.append({"More complex": registry.label(a), "Simpler": registry.label(b),
                     "Gain of the more complex": format_diff(cmp.metric, sign * t.difference, signed=True),
                     "95% CI": format_diff_interval(cmp.metric, lo, hi),
                     "p": format_p(t.p_value).removeprefix("p = ").removeprefix("p "),
                     "Significant": "yes" if t.significant else "no",
                     "The more complex trains": fit_ratio(ta, tb) or "—"})
    return pd.DataFrame(rows)


def _glossary_html(terms) -> str:
    from .glossary import help_for

    return ('<h2 id="terms">Terms</h2><dl>' + "".join(f"<dt><b>{_esc(t)}</b></dt><dd>{_esc(help_for(k))}</dd>"
                                                       for t, k in terms) + "</dl>")


def _value_in_words(v) -> str:
    if v is None:
        return "default"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ", ".join(registry.label(x) if x in registry.names() else str(x) for x in v) or "—"
    if isinstance(v, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_value_in_words(x)}" for k, x in v.items())
    return str(v)


def html_report(*, dataset, config, comparison, verdict=None, curve=None, subgroups=None,
                explanation=None) -> str:
    """One self-contained HTML page: the verdict first, then the evidence of every analysis given.

    plotly.js is embedded once, inline, so the file works offline (no CDN, no web fonts); every
    user-provided string (file and column names, slice descriptions) is HTML-escaped. The page also
    holds the config and seed, a data summary, library versions, the CLI command that reproduces
    it, and the :func:`report_json` document in a ``<script type="application/json">`` block.

    Parameters
    ----------
    dataset : Dataset
    config : RunConfig or dict
    comparison : Comparison
    verdict : Verdict, optional
        Default: :func:`dllab.analyses.verdict.verdict` of the analyses given, with default needs.
    curve : LearningCurve, optional
    subgroups : SubgroupReport, optional
    explanation : Explanation, optional

    Returns
    -------
    str
    """
    import datetime

    from . import plots
    from ..analyses import verdict as verdict_module
    from ..analyses.comparison import describe_test

    if verdict is None:
        verdict = verdict_module.verdict(comparison, curve=curve, subgroups=subgroups, explanation=explanation,
                                         dataset=dataset)
    fig = _Figures()
    name = getattr(dataset, "name", "data")
    cfg = _config_dict(config)
    parts = [f"<h1>DL Decision Lab report: {_esc(name)}</h1>",
             f'<p class="muted">Generated {_esc(datetime.datetime.now().isoformat(timespec="seconds"))} · '
             f"dataset sha256 {_esc(getattr(dataset, 'sha256', '')[:16])}… · seed {_esc(cfg.get('seed', ''))}</p>",
             "<h2>Verdict</h2>", _verdict_html(verdict, dataset, config)]

    # ---- Compare
    from ..metrics import METRICS, format_score

    base = comparison.baseline.loc["baseline"]
    parts += ['<h2 id="compare">Compare: scores and costs</h2>',
              f"<p>Primary metric: <b>{_esc(METRICS[comparison.metric].label)}</b> "
              f"({'higher' if comparison.higher_is_better else 'lower'} is better). Each score is the mean over "
              f"{len(comparison.splits)} splits ({comparison.splits.n_folds} folds x {comparison.splits.n_repeats} "
              f"repeat(s)) with its 95% confidence interval. {_esc(base['label'])}: "
              f"{_esc(format_score(comparison.metric, base['mean']))}, the floor every model must clear.</p>",
              _table_html(leaderboard(comparison)),
              "<h3>Is the difference real? Every pair the verdict weighs</h3>",
              _table_html(paired_tests_table(comparison)),
              _items([_sentence(describe_test(t, metric=comparison.metric)) for t in comparison.tests.values()]),
              '<p class="muted">Paired tests over the same test rows of the same splits, counting the variability of '
              "training as well as of the test rows (see Terms). Significant means p &lt; 0.05.</p>",
              fig(plots.comparison_figure(comparison)), fig(plots.cost_figure(comparison)),
              fig(plots.split_scores_figure(comparison))]
    diagnostics = getattr(plots, "diagnostics_figures", None)
    if diagnostics is not None:
        parts += ["<h3>Diagnostics</h3>"] + [fig(f) for f in diagnostics(comparison)]

    # ---- Data size
    if curve is not None:
        told = curve.conclusion_parts()
        parts += ['<h2 id="data-size">Data size: learning curves</h2>',
                  f'<p class="muted">{_esc(" ".join(curve.describe_design()))}</p>',
                  "<p><b>Measured.</b> " + _esc(" ".join(told["measured"])) + "</p>",
                  ("<p><b>Beyond the data</b> (extrapolated). " + _esc(" ".join(told["extrapolated"])) + "</p>")
                  if told["extrapolated"] else "",
                  _table_html(curve.table()), _items([f"note: {n}" for n in curve.notes]),
                  fig(plots.learning_curve_figure(curve)), fig(plots.fit_time_figure(curve))]

    # ---- Subgroups
    if subgroups is not None:
        from ..analyses.subgroups.tables import heatmap_table, shift_table, worst_table

        parts += ['<h2 id="subgroups">Subgroups: where each model fails</h2>', _items(subgroups.findings())]
        for fam in subgroups.families:
            worst = worst_table(subgroups, fam).head(5)
            if worst.empty:
                continue
            parts += [f"<h3>Worst slices: {_esc(registry.label(fam))}</h3>", _table_html(worst),
                      fig(plots.worst_slices_figure(subgroups, fam))]
        table = heatmap_table(subgroups, top=40, max_conditions=1)  # slices of 30 rows or more, as the app's
        if len(table):
            parts.append(fig(plots.slice_heatmap_figure(table, metric=subgroups.metric)))
        if subgroups.pair:
            parts.append(fig(plots.disagreement_figure(subgroups)))
        if any(r.get("status") == "ok" for r in subgroups.shift):
            parts += ["<h3>Population shift: trained without each group, tested on it</h3>",
                      _table_html(shift_table(subgroups.shift)), fig(plots.shift_figure(subgroups.shift))]

    # ---- Explain
    if explanation is not None:
        imp = explanation.importance
        top = imp.loc[imp.max(axis=1).sort_values(ascending=False).index[:15]]
        parts += ['<h2 id="explain">Explain: what each model relies on</h2>', _items(explanation.statements()),
                  f"<p class=\"muted\">SHAP values in the output space: {_esc(explanation.output_space)}; "
                  f"{explanation.rows_explained} rows explained.</p>",
                  _table_html(top.rename(columns=registry.label).round(4), index=True),
                  fig(_importance_figure(explanation))]
        if explanation.image_shape is not None and len(explanation.local_rows):
            parts += ["<h3>Which pixels mattered, for one image</h3>",
                      '<p class="muted">The first test image that every model explained, beside each model\'s '
                      "per-pixel SHAP values for the class it predicts (red: towards that class, blue: away; one "
                      "colour scale for every model). The app's Explain page shows any explained image and class.</p>",
                      fig(plots.pixel_map_figure(explanation, 0))]

    # ---- Data, config, versions, reproduce
    summary = dataset.summary() if hasattr(dataset, "summary") else {}
    parts += ['<h2 id="data">Data</h2>', _kv_table(
        [("name", summary.get("name", name)), ("source", getattr(dataset, "source", "")),
         ("rows used", f"{summary.get('rows', 0):,}"), ("rows in the data", f"{summary.get('rows_total', 0):,}"),
         ("feature columns", summary.get("columns")), ("target", summary.get("target")),
         ("task", summary.get("task")), ("modality", summary.get("modality")),
         ("classes", ", ".join(summary.get("classes") or []) or "—"), ("sha256", summary.get("sha256"))])]
    roles = summary.get("roles", {})
    if roles:
        parts.append("<details><summary>Column roles</summary>"
                     + _table_html(pd.DataFrame({"column": list(roles), "role": list(roles.values())}))
                     + "</details>")
    if summary.get("notices"):
        parts += ["<p>Notices:</p>", _items(summary["notices"])]
    parts += ['<h2 id="config">Run configuration</h2>',
              _kv_table((k.replace("_", " "), _value_in_words(v)) for k, v in sorted(cfg.items())),
              '<h2 id="versions">Library versions</h2>', _kv_table(library_versions().items()),
              '<h2 id="reproduce">Reproduce</h2>',
              f"<pre>{_esc(reproduce_command(dataset, cfg))}</pre>",
              _glossary_html([("95% confidence interval (CI)", "ci"), ("p-value", "p"), ("Paired test", "paired test"),
                              ("Practical difference", "practical difference"), ("Baseline", "baseline"),
                              ("Corrected test", "corrected test"), ("q-value", "q"), ("Beyond noise", "beyond noise"),
                              ("Extrapolated", "extrapolated"), ("MCC", "mcc"),
                              ("Contribution (SHAP value)", "shap")])]
    doc = report_json(dataset=dataset, config=config, comparison=comparison, verdict=verdict, curve=curve,
                      subgroups=subgroups, explanation=explanation)
    # '<', '>' and '&' as \u escapes: the JSON cannot close the script element, whatever the data holds.
    payload = (json.dumps(doc, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
               .replace("&", "\\u0026"))
    parts.append(f'<script type="application/json" id="dllab-report-json">{payload}</script>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>DL Decision Lab: {_esc(name)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(p for p in parts if p) + "\n</body></html>\n")
