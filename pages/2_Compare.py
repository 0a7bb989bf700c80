"""Compare: deep net vs XGBoost vs linear model on the same splits, with the baseline, intervals, cost, tests
and diagnostics."""

import streamlit as st

from dllab import ui

ui.page("Compare")
st.title("Compare", anchor=False)
ui.show_flash()
st.caption("Every model family is trained and scored on the same cross-validation splits, beside a baseline "
           "that ignores the columns.")
ds = ui.require_dataset()
config, submitted = ui.run_settings(ds)
cmp = ui.comparison(ds, config, submitted=submitted)
if cmp is not None:
    ui.show_comparison(cmp)
