"""The Streamlit app's shared parts: the only package that imports streamlit.

Every page starts with :func:`page`; pages then read state, call dllab and draw
with the helpers here. Module map: ``layout`` (page frame, sidebar, the "results
for" line), ``state`` (session keys, resetting choices when the data changes),
``data`` (loading data), ``data_form`` (the Data page's form: target, task and
roles, checked and changed before loading), ``cache`` (the result store, per data
and, for uploads, per session), ``jobs`` (a run's life: asked, running, stopped),
``run`` (settings, cached comparison, progress, stop), ``results`` (drawing a
comparison), ``tables`` (pure helpers, no streamlit), ``curves`` (the Data size
page), ``subgroups`` (the Subgroups page), ``explain`` (the Explain page),
``verdict`` (the Verdict page and report downloads), ``workshop`` (the Workshop page).
"""

from .curves import curve, curve_settings, show_curve
from .explain import ROW_CHOICES, explanation_for, needed_comparison, show_explanation
from .data import builtin_cards, builtin_picker, dataset_overview, upload_panel
from .data_form import data_form
from .layout import PAGES, PageInfo, belongs_to, home_actions, page
from .results import show_comparison
from .run import comparison, run_settings
from .state import dataset, require_dataset, show_flash
from .subgroups import show_subgroups, subgroup_comparison, subgroup_report_for
from .verdict import show_verdict
from .workshop import show_workshop

__all__ = ["PAGES", "PageInfo", "page", "belongs_to", "home_actions", "dataset", "require_dataset", "show_flash", "builtin_cards",
           "builtin_picker", "dataset_overview", "upload_panel", "data_form", "run_settings", "comparison",
           "show_comparison",
           "curve_settings", "curve", "show_curve", "subgroup_comparison", "subgroup_report_for", "show_subgroups",
           "ROW_CHOICES", "needed_comparison", "explanation_for", "show_explanation", "show_verdict", "show_workshop"]
