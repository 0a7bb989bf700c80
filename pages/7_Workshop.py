"""Workshop: a guided sequence of scenarios. Guess which approach wins, run it, see the evidence."""

import streamlit as st

from dllab import ui

ui.page("Workshop")
st.title("Workshop", anchor=False)
st.caption("One lesson per step: read the setup, predict which approach wins, run it (each step says how long it "
           "takes here), and see the verdict with its evidence. No data to load: each step brings its own, and "
           "**Open in the lab** takes it to the main pages.")
ui.show_workshop()
