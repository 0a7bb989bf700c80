"""The CLI's ``report``, the workshop and the app's Verdict page give the same verdict and the same numbers
for the same data, settings and seed: all three go through one :class:`dllab.Study`."""

from __future__ import annotations

import json
import re

from apptools import APP, PAGES, TIMEOUT
from streamlit.testing.v1 import AppTest

from dllab import DataRecipe
from dllab.apps import workshop
from dllab.apps.cli import main
from dllab.ui.cache import study

RUN = "FormSubmitter:settings-Run comparison"


_RATIO = re.compile(r"trains (?:[\d.]+x (?:faster|slower)|in about the same time \([\d.]+x\))")


def _words(reasons):
    # Training-time ratios are measured on the clock of each run: the only part that may differ.
    return [_RATIO.sub("trains Nx", r.rstrip(".").lower()) for r in reasons]


def test_cli_workshop_and_app_agree(tmp_path):
    scenario = workshop.get("linear")  # the compare-only scenario: quick budget, 3 folds, 600 rows
    summary = workshop.run_scenario(scenario)

    out = tmp_path / "report.json"
    assert main(["report", scenario.dataset, "--budget", "quick", "--folds", "3", "--max-rows", str(scenario.max_rows),
                 "--seed", "0", "--skip", "curve,subgroups,explain", "--out", str(tmp_path / "report.html"),
                 "--json", str(out), "--quiet"]) == 0
    cli = json.loads(out.read_text())

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(PAGES["Compare"])
    recipe = DataRecipe(scenario.dataset, max_rows=scenario.max_rows)
    at.session_state["recipe"], at.session_state["dataset"] = recipe, recipe.build()
    at.run()
    at.button_group(key="budget").set_value("quick")
    at.number_input(key="folds").set_value(3)
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error
    at.switch_page(PAGES["Verdict"]).run()
    assert not at.exception
    ds = at.session_state["dataset"]
    app_cmp = study(ds, at.session_state["requested"][ds.sha256]).cached("comparison")

    # Same rows, same settings, same numbers.
    assert summary["dataset"]["sha256"] == ds.sha256 == cli["dataset"].get("sha256", ds.sha256)
    assert cli["config"] == summary["config"] == app_cmp.config
    cli_scores = {m["name"]: m["mean"] for m in cli["models"]}
    app_scores = {f: float(app_cmp.overall.loc[f, "mean"]) for f in app_cmp.families}
    assert cli_scores == summary["scores"] == app_scores
    # Same verdict, in the same words.
    headline = at.header[0].value
    assert _words([headline]) == _words([cli["verdict"]["headline"]]) == _words([summary["verdict"]["headline"]])
    assert _words(cli["verdict"]["reasons"]) == _words(summary["verdict"]["reasons"])
    shown = [m.value.split(". ", 1)[1] for m in at.markdown if re.match(r"\d+\. ", m.value)]
    assert _words(shown) == _words(cli["verdict"]["reasons"]) and len(shown) >= 2
