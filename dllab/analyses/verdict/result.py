"""What the verdict returns: the :class:`Verdict` and its :class:`Reason` objects, and their vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ... import families as registry
from .needs import THRESHOLDS, Needs

__all__ = ["Reason", "Verdict", "NextRun", "RECOMMENDATIONS", "CONFIDENCES", "EVIDENCE_PAGES", "NOT_ENOUGH"]

RECOMMENDATIONS = ("deep", "gbm", "linear", "undecided")
CONFIDENCES = ("low", "medium", "high")
EVIDENCE_PAGES = ("Compare", "Data size", "Subgroups", "Explain")
#: What an "undecided" verdict asks for; the rule ends its evidence reasons with it.
NOT_ENOUGH = "not enough evidence to decide: collect more data"


@dataclass(frozen=True)
class Reason:
    """One reason: a short sentence with its number, what kind of evidence, and the page that shows it.

    ``kind`` is one of ``score``, ``cost``, ``requirement``, ``evidence``, ``curve``,
    ``subgroup``, ``shift``, ``explanation``, ``modality``, ``confidence`` (the last
    reason: why the confidence is what it is); ``evidence_page`` one of
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
class NextRun:
    """The run that would decide an undecided (or unconfirmed) verdict: more repeats of the same folds.

    Only the new repeats are fitted (the current ones are its first repeats), and only for ``families``.
    ``seconds`` is estimated from the families' measured mean fit times (NaN if unknown).
    """

    families: tuple
    n_folds: int
    repeats: int
    new_fits: int
    seconds: float

    @property
    def text(self) -> str:
        """E.g. 'run 3 folds x 4 repeats of boosting and the deep net (9 more fits, about 40 s)'."""
        nouns = [registry.noun(f) for f in self.families]
        names = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " and " + nouns[-1]
        secs = f", about {_duration(self.seconds)}" if np.isfinite(self.seconds) else ""
        return f"run {self.n_folds} folds x {self.repeats} repeats of {names} ({self.new_fits} more fits{secs})"

    def to_dict(self) -> dict:
        return {"families": list(self.families), "n_folds": self.n_folds, "repeats": self.repeats,
                "new_fits": self.new_fits, "seconds": _finite(self.seconds), "text": self.text}


def _duration(s: float) -> str:
    s = max(float(s), 1.0)
    return f"{s:.0f} s" if s < 90 else f"{s / 60:.0f} min"


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
    answer : str
        The answer to the lab's question in a clause: where the deep net stands against the best
        simpler family ("1.6 points behind boosting (not significant), 38x slower to train").
    next_run : NextRun or None
        When the evidence is too weak: the run that would decide it.
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
    answer: str = ""
    next_run: NextRun | None = None

    @property
    def headline(self) -> str:
        """The recommendation and the deep net's standing in one line.

        E.g. ``"Use gradient boosting (XGBoost) (confidence: high). Deep learning: 1.6 points behind
        boosting (not significant), 38x slower to train."``
        """
        if self.recommendation == "undecided":
            what = f"to decide, {self.next_run.text}" if self.next_run is not None else NOT_ENOUGH
            head = f"Undecided (confidence: {self.confidence}): {what}"
        else:
            fam = registry.get(self.family).headline if self.family in registry.names() else self.family
            head = f"Use {fam} (confidence: {self.confidence})"
        return f"{head}. Deep learning: {self.answer}." if self.answer else head

    def statements(self) -> list[str]:
        return [r.text for r in self.reasons]

    def to_dict(self) -> dict:
        """The ``verdict`` block of the JSON report."""
        return {"recommendation": self.recommendation, "confidence": self.confidence,
                "reasons": self.statements(), "family": self.family, "headline": self.headline,
                "reason_details": [r.to_dict() for r in self.reasons], "metric": self.metric,
                "min_difference": _finite(self.min_difference), "needs": self.needs.to_dict(),
                "thresholds": dict(self.thresholds),
                "families": [{"name": f, "kind": registry.get(f).kind} for f in self.families],
                "answer": self.answer, "next_run": None if self.next_run is None else self.next_run.to_dict()}

    def __repr__(self):
        return (f"Verdict(recommendation={self.recommendation!r}, confidence={self.confidence!r}, "
                f"reasons={len(self.reasons)})")


def _finite(v):
    return float(v) if v is not None and np.isfinite(v) else None
