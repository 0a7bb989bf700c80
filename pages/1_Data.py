"""Data: upload a CSV or pick a built-in, then check the target, the task and every column's role."""

import streamlit as st

from dllab import ui

ui.page("Data")
st.title("Data", anchor=False)
st.caption("Upload a CSV or pick a built-in dataset. Everything the lab inferred below can be changed.")
ui.show_flash()

upload, builtin = st.columns(2)
with upload:
    ui.upload_panel(max_mb=st.get_option("server.maxUploadSize"))
with builtin:
    ui.builtin_picker()

ds = ui.dataset()
if ds is None:
    st.info("No dataset loaded yet: upload a CSV file or pick a built-in above.", icon=":material/info:")
    st.stop()

st.divider()
ui.dataset_overview(ds)
ui.edit_panel(ds, st.session_state["recipe"])
st.markdown(f"**Preview** — the first {min(200, ds.n_rows)} of {ds.n_rows:,} rows")
st.dataframe(ds.frame.head(200), width="stretch", height=320)
st.page_link("pages/2_Compare.py", label="Next: compare the models", icon=":material/arrow_forward:")
