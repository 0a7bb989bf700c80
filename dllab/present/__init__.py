"""Presentation: plotly figures (``plots``) and the JSON/HTML report (``report``).

Nothing here computes a statistic; it draws and writes result objects.
"""
