"""Data size: how each family improves with more rows, and where the deep net would catch up."""

import streamlit as st

from dllab import ui

ui.page("Data size")
st.title("Data size", anchor=False)
st.caption("Do you have enough data for deep learning? Every family is trained on growing subsamples of the "
           "training rows of Compare's splits and scored on their held-out rows (by default the largest size is "
           "Compare's own result); a curve fitted to the points says what more data might buy, as an extrapolation.")
ds = ui.require_dataset()
request, submitted = ui.curve_settings(ds)
lc = ui.curve(ds, request, submitted=submitted)
if lc is not None:
    ui.show_curve(lc)
