"""Explain: what each model relies on, whether they agree, and one row explained by every model."""

import streamlit as st

from dllab import ui

ui.page("Explain")
st.title("Explain", anchor=False)
st.caption("SHAP values for every model on the same rows and in the same units: which columns each one relies on, "
           "whether the models agree, and why each decided what it did for one row. Nothing is retrained.")
ds = ui.require_dataset()
cmp, config = ui.needed_comparison(ds, what="The explanation", key="explain-quick")
if cmp is not None:
    ui.belongs_to(cmp, what="Models explained, as trained for")
    rows = st.segmented_control("Rows explained", ui.ROW_CHOICES, default=500, required=True, key="explain-rows",
                                help="A seeded sample of the first split's test rows (the deep net may explain "
                                     "fewer: its cost grows with the columns).")
    ex = ui.explanation_for(ds, cmp, config, rows=int(rows or 500))
    if ex is not None:
        ui.show_explanation(ex)
