"""Subgroups: where each model fails, where the deep net and XGBoost disagree, and what happens under shift."""

import streamlit as st

from dllab import ui

ui.page("Subgroups")
st.title("Subgroups", anchor=False)
st.caption("One overall score can hide a group the model gets systematically wrong. The slices below are scored "
           "from the comparison's out-of-fold predictions: nothing is retrained.")
ds = ui.require_dataset()
cmp, config = ui.subgroup_comparison(ds)
if cmp is not None:
    ui.show_subgroups(ds, cmp, config)
