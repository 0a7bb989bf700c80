"""Home: what the lab answers, the three ways in (your CSV, a built-in, the Workshop), and the built-ins."""

import streamlit as st

from dllab import ui
from dllab.present.glossary import help_for

ui.page("Home")
ui.show_flash()

st.title("DL Decision Lab", anchor=False)
st.markdown("#### Is deep learning worth it on *your* data? Find out with evidence, not hype.")
st.markdown(
    "The lab trains a **deep network**, **gradient boosting (XGBoost)** and a **linear model** on exactly the "
    "same cross-validation splits of your data, then shows how well each scores, what each costs to train, "
    "and whether the differences are larger than the noise.")

ui.home_actions()

st.subheader("What every comparison shows", anchor=False)
c1, c2, c3 = st.columns(3)
with c1.container(border=True):
    st.markdown("**:material/target: Accuracy, with error bars**", help=help_for("ci"))
    st.caption("Mean score per family over the splits with a 95% confidence interval. Overlapping intervals "
               "mean the data cannot tell the families apart.")
with c2.container(border=True):
    st.markdown("**:material/timer: Cost**")
    st.caption("Training time per split on the device used. A point of accuracy that costs 50× the training "
               "time may not be worth it.")
with c3.container(border=True):
    st.markdown("**:material/balance: A paired test**", help=help_for("paired test"))
    st.caption("Every pair of families on the same rows of the same splits, stated in words: how many points "
               "better or worse, and whether that is significant. The verdict cites only these tests.")

st.subheader("Start here", anchor=False)
st.markdown(
    "1. **Load data**: upload your CSV, or press *Load* on a built-in dataset below.  \n"
    "2. **Check the data**: the target, the task and the role of every column are inferred; fix any guess.  \n"
    "3. **Compare**: the *quick* budget (the default) to explore, then *standard* before you decide; each "
    "budget shows its expected time before you run it.  \n"
    "4. **Read the tests**: *not significant* is an answer too: the simpler model is then the safer choice.")

st.subheader("Built-in datasets", anchor="built-in-datasets")
st.caption("Each one teaches a lesson about when deep learning pays off. One click loads it and opens the "
           "Data page.")
real, synthetic = st.tabs([":material/public: Real data", ":material/science: Synthetic scenarios"])
with real:
    ui.builtin_cards(kind="real", go_to="pages/1_Data.py")
with synthetic:
    st.caption("Generated data where the right answer is known in advance.")
    ui.builtin_cards(kind="synthetic", go_to="pages/1_Data.py")
