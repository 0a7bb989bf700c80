"""Explain: what each model relies on, whether they agree, one row explained by every model, and what if it changed."""

import streamlit as st

from dllab import ui
from dllab.ui.explain import rows_setting

ui.page("Explain")
st.title("Explain", anchor=False)
st.caption("How much each column moves each model's prediction, for every model on the same rows and in the same "
           "units: which columns each one relies on, whether the models agree, why each decided what it did for one "
           "row, and what it would decide if that row were different. Nothing is retrained.")
ds = ui.require_dataset()
cmp, config = ui.needed_comparison(ds, what="The explanation", key="explain-quick")
if cmp is not None:
    ui.belongs_to(cmp, what="Models explained, as trained for")
    ex = ui.explanation_for(ds, cmp, config, rows=rows_setting(cmp))
    if ex is not None:
        ui.show_explanation(ex, ds)
