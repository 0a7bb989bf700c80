"""Home: what the lab answers, how to read it, and the built-in datasets (`streamlit run app.py`)."""

import streamlit as st

from dllab import ui

ui.page("Home")
ui.show_flash()

st.title("DL Decision Lab", anchor=False)
st.markdown("#### Is deep learning worth it on *your* data? Find out with evidence, not hype.")
st.markdown(
    "The lab trains a **deep network**, **gradient boosting (XGBoost)** and a **linear model** on exactly the "
    "same cross-validation splits of your data, then shows how well each scores, what each costs to train, "
    "and whether the differences are larger than the noise.")

c1, c2, c3 = st.columns(3)
with c1.container(border=True):
    st.markdown("**:material/target: Accuracy, with error bars**")
    st.caption("Mean score per family over the splits with a 95% confidence interval. Overlapping intervals "
               "mean the data cannot tell the families apart.")
with c2.container(border=True):
    st.markdown("**:material/timer: Cost**")
    st.caption("Training time per split on the device used. A point of accuracy that costs 50× the training "
               "time may not be worth it.")
with c3.container(border=True):
    st.markdown("**:material/balance: A paired test**")
    st.caption("Deep net vs each baseline on the same splits, stated in words: how many points better or "
               "worse, and whether that is significant.")

st.subheader("Start here", anchor=False)
st.markdown(
    "1. **Load data**: click *Load* on a dataset below, or upload a CSV on the Data page.  \n"
    "2. **Check the data**: the target, the task and the role of every column are inferred; fix any guess.  \n"
    "3. **Compare**: start with the *quick* budget to explore, then *standard* before you decide.  \n"
    "4. **Read the tests**: *not significant* is an answer too: the simpler model is then the safer choice.")
c1, c2, _ = st.columns([1, 1, 3])
c1.page_link("pages/1_Data.py", label="Go to Data", icon=":material/table_chart:")
c2.page_link("pages/2_Compare.py", label="Go to Compare", icon=":material/leaderboard:")

st.subheader("Built-in datasets", anchor=False)
st.caption("Each one teaches a lesson about when deep learning pays off. One click loads it and opens the "
           "Data page.")
real, synthetic = st.tabs([":material/public: Real data", ":material/science: Synthetic scenarios"])
with real:
    ui.builtin_cards(kind="real", go_to="pages/1_Data.py")
with synthetic:
    st.caption("Generated data where the right answer is known in advance.")
    ui.builtin_cards(kind="synthetic", go_to="pages/1_Data.py")
