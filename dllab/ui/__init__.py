"""The Streamlit app's shared parts: the only package that imports streamlit.

Every page starts with :func:`page`; pages then read state, call dllab and draw
with the helpers here. Module map: ``layout`` (page frame, sidebar), ``state``
(session keys), ``data`` (loading and editing data), ``run`` (settings, cached
comparison, progress, stop), ``results`` (drawing a comparison), ``tables``
(pure helpers, no streamlit), ``curves`` (the Data size page), ``subgroups``
(the Subgroups page), ``explain`` (the Explain page), ``verdict`` (the Verdict page and report
downloads), ``workshop`` (the Workshop page).
"""

from .curves import curve, curve_settings, show_curve
from .explain import ROW_CHOICES, explanation_for, needed_comparison, show_explanation
from .data import builtin_cards, builtin_picker, dataset_overview, edit_panel, upload_panel
from .layout import PAGES, PageInfo, page
from .results import show_comparison
from .run import comparison, run_settings
from .state import dataset, require_dataset, show_flash
from .subgroups import show_subgroups, subgroup_comparison, subgroup_report_for
from .verdict import show_verdict
from .workshop import show_workshop

__all__ = ["PAGES", "PageInfo", "page", "dataset", "require_dataset", "show_flash", "builtin_cards",
           "builtin_picker", "dataset_overview", "upload_panel", "edit_panel", "run_settings", "comparison", "show_comparison",
           "curve_settings", "curve", "show_curve", "subgroup_comparison", "subgroup_report_for", "show_subgroups",
           "ROW_CHOICES", "needed_comparison", "explanation_for", "show_explanation", "show_verdict", "show_workshop"]
