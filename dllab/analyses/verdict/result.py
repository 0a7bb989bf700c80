"""What the verdict returns: the :class:`Verdict` and its :class:`Reason` objects, and their vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ... import families as registry
from .needs import THRESHOLDS, Needs

__all__ = ["Reason", "Verdict", "RECOMMENDATIONS", "CONFIDENCES", "EVIDENCE_PAGES", "NOT_ENOUGH"]

RECOMMENDATIONS = ("deep", "gbm", "linear", "undecided")
CONFIDENCES = ("low", "medium", "high")
EVIDENCE_PAGES = ("Compare", "Data size", "Subgroups", "Explain")
#: What an "undecided" verdict asks for; the rule ends its evidence reasons with it.
NOT_ENOUGH = "not enough evidence: collect more data / run the thorough budget"


@dataclass(frozen=True)
class Reason:
    """One reason: a short sentence with its number, what kind of evidence, and the page that shows it.

    ``kind`` is one of ``score``, ``cost``, ``requirement``, ``evidence``, ``curve``,
    ``subgroup``, ``shift``, ``explanation``, ``modality``; ``evidence_page`` one of
    :data:`EVIDENCE_PAGES`.
    """

    text: str
    kind: str
    evidence_page: str

    def __post_init__(self):
        assert self.evidence_page in EVIDENCE_PAGES, f"internal error: page {self.evidence_page!r}"

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "evidence_page": self.evidence_page}


@dataclass(frozen=True)
class Verdict:
    """The recommendation, how sure it is, and why.

    Attributes
    ----------
    recommendation : {"deep", "gbm", "linear", "undecided"}
    confidence : {"low", "medium", "high"}
    reasons : tuple of Reason
        Most important first.
    family : str or None
        The family recommended (``"transfer"`` is reported as ``"deep"``).
    metric : str
    min_difference : float
        The practical difference used, in the metric's units.
    needs : Needs
    thresholds : dict
        The constants of the rule.
    families : tuple of str
        The families the rule weighed, simplest first (:func:`dllab.families.by_simplicity`).
    """

    recommendation: str
    confidence: str
    reasons: tuple
    family: str | None
    metric: str
    min_difference: float
    needs: Needs = field(default_factory=Needs)
    thresholds: dict = field(default_factory=lambda: dict(THRESHOLDS))
    families: tuple = ()

    @property
    def headline(self) -> str:
        """The recommendation in words, e.g. ``"Use gradient boosting (XGBoost) (confidence: high)"``."""
        if self.recommendation == "undecided":
            return f"Undecided: {NOT_ENOUGH} (confidence: {self.confidence})"
        what = registry.get(self.family).headline if self.family in registry.names() else self.family
        return f"Use {what} (confidence: {self.confidence})"

    def statements(self) -> list[str]:
        return [r.text for r in self.reasons]

    def to_dict(self) -> dict:
        """The ``verdict`` block of the JSON report."""
        return {"recommendation": self.recommendation, "confidence": self.confidence,
                "reasons": self.statements(), "family": self.family, "headline": self.headline,
                "reason_details": [r.to_dict() for r in self.reasons], "metric": self.metric,
                "min_difference": _finite(self.min_difference), "needs": self.needs.to_dict(),
                "thresholds": dict(self.thresholds),
                "families": [{"name": f, "kind": registry.get(f).kind} for f in self.families]}

    def __repr__(self):
        return (f"Verdict(recommendation={self.recommendation!r}, confidence={self.confidence!r}, "
                f"reasons={len(self.reasons)})")


def _finite(v):
    return float(v) if v is not None and np.isfinite(v) else None
