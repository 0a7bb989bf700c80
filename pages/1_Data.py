"""Data: upload a CSV or pick a built-in, then check the target, the task and every column's role, and load."""

import streamlit as st

from dllab import ui

ui.page("Data")
st.title("Data", anchor=False)
st.caption("Upload a CSV or pick a built-in dataset. Before anything is loaded or trained you see what the lab "
           "guessed (the target, the task, every column's role, and why) and can change any of it.")
ui.show_flash()

upload, builtin = st.columns(2)
with upload:
    ui.upload_panel(max_mb=st.get_option("server.maxUploadSize"))
with builtin:
    ui.builtin_picker()

ui.data_form()
