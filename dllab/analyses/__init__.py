"""The analyses built on fitted models, each a result object computed once.

``comparison`` (scores, CIs, paired tests), ``curves`` (data-size curves),
``subgroups`` (failure slices and the shift test), ``explain`` (SHAP for every
family) and ``verdict`` (the rule that turns the evidence into a recommendation).
"""
