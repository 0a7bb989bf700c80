"""Verdict: use deep learning here? The recommendation, its reasons and evidence, and the report."""

import streamlit as st

from dllab import ui

ui.page("Verdict")
st.title("Verdict", anchor=False)
st.caption("Everything the lab measured for this data, brought to one answer: the simplest model unless a more "
           "complex one is better by a difference that matters, with significance.")
ds = ui.require_dataset()
cmp, config = ui.needed_comparison(ds, what="The verdict", key="verdict-quick")
if cmp is not None:
    ui.show_verdict(ds, cmp, config)
