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

__all__ = ["to_json_ready", "to_json_bytes", "comparison_json", "comparison_csv", "split_scores_csv", "report_json", "html_report", "library_versions",
           "reproduce_command"]


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


def _verdict_html(v) -> str:
    reasons = "".join(
        f'<li>{_esc(r.text)} <a class="muted" href="#{_SECTION_IDS.get(r.evidence_page, "compare")}">'
        f"[{_esc(r.evidence_page)}]</a></li>" for r in v.reasons)
    cls = "verdict undecided" if v.recommendation == "undecided" else "verdict"
    needs = ", ".join(f"{k} = {val}" for k, val in v.needs.to_dict().items())
    return (f'<section id="verdict" class="{cls}"><p class="headline">{_esc(v.headline)}</p>'
            f"<p>Recommendation: <b>{_esc(v.recommendation)}</b> · confidence: <b>{_esc(v.confidence)}</b> · "
            f"practical difference: {_esc(f'{v.min_difference:.4g}')} {_esc(v.metric)}</p>"
            f"<ol>{reasons}</ol><p class=\"muted\">Needs: {_esc(needs)}. The rule and its thresholds are "
            f"documented in <code>dllab.analyses.verdict</code>.</p></section>")


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
             "<h2>Verdict</h2>", _verdict_html(verdict)]

    # ---- Compare
    parts += ['<h2 id="compare">Compare: scores and costs</h2>',
              f"<p>Primary metric: <b>{_esc(comparison.metric)}</b> "
              f"({'higher' if comparison.higher_is_better else 'lower'} is better); mean of per-split scores with "
              f"95% CI (Nadeau-Bengio corrected) over {len(comparison.splits)} splits "
              f"({comparison.splits.n_folds}-fold x {comparison.splits.n_repeats}).</p>",
              _table_html(comparison.table()),
              _items([describe_test(t, metric=comparison.metric) for t in comparison.tests.values()]),
              fig(plots.comparison_figure(comparison)), fig(plots.cost_figure(comparison)),
              fig(plots.split_scores_figure(comparison))]

    # ---- Data size
    if curve is not None:
        parts += ['<h2 id="data-size">Data size: learning curves</h2>', f"<p>{_esc(curve.conclusion())}</p>",
                  _table_html(curve.table()), _items([f"note: {n}" for n in curve.notes]),
                  fig(plots.learning_curve_figure(curve)), fig(plots.fit_time_figure(curve))]

    # ---- Subgroups
    if subgroups is not None:
        from ..analyses.subgroups import slice_table

        parts += ['<h2 id="subgroups">Subgroups: where each model fails</h2>', _items(subgroups.findings())]
        for fam in subgroups.families:
            worst = subgroups.worst(fam, top_k=5)
            if worst.empty:
                continue
            cols = ["description", "size", "score", "ci_low", "ci_high", "gap", "q_value"]
            parts += [f"<h3>Worst slices: {_esc(registry.label(fam))}</h3>",
                      _table_html(worst[cols].round(4)), fig(plots.worst_slices_figure(subgroups, fam))]
        table = slice_table(subgroups, max_conditions=1)
        if len(table):
            parts.append(fig(plots.slice_heatmap_figure(table, metric=subgroups.metric)))
        if subgroups.pair:
            parts.append(fig(plots.disagreement_figure(subgroups)))
        if any(r.get("status") == "ok" for r in subgroups.shift):
            parts.append(fig(plots.shift_figure(subgroups.shift)))

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
    parts += ['<h2 id="config">Run configuration</h2>', _kv_table(sorted(cfg.items())),
              '<h2 id="versions">Library versions</h2>', _kv_table(library_versions().items()),
              '<h2 id="reproduce">Reproduce</h2>',
              f"<pre>{_esc(reproduce_command(dataset, cfg))}</pre>"]
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
