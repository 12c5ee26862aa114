"""alt-profanity-check's model, read from its own package without importing scikit-learn.

The package pickles a scikit-learn TF-IDF vectoriser and five sigmoid-calibrated linear SVMs;
importing it imports scikit-learn and SciPy, about a second of every run's start-up. Here the
same files are unpickled with scikit-learn's classes replaced by plain records (joblib reads
the arrays), and a text's probability is computed with the same operations in the same order
as scikit-learn: lower-cased word tokens (`(?u)\\b\\w\\w+\\b`) counted per vocabulary entry
in column order, times idf, divided by the row's L2 norm, one dot product per SVM plus its
intercept, the sigmoid calibration `1 / (1 + exp(a * d + b))`, and the mean over the five. The
probabilities equal `profanity_check.predict_prob` bit for bit (tests/test_profanity_model.py).
A model file with another layout is refused with one line, not read wrongly.
"""

from __future__ import annotations

import importlib.util
import math
import pickle
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from moderation.errors import ConfigError

PACKAGE = "profanity_check"
FILES = ("vectorizer.joblib", "model.joblib")
_BLOCK = 256  # texts per block of the arithmetic
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_VECTORIZER = {
    "analyzer": "word",
    "binary": False,
    "lowercase": True,
    "ngram_range": (1, 1),
    "norm": "l2",
    "preprocessor": None,
    "strip_accents": None,
    "sublinear_tf": False,
    "token_pattern": _TOKEN.pattern,
    "tokenizer": None,
    "use_idf": True,
}


@lru_cache(maxsize=1)
def model() -> ProfanityModel:
    """The installed package's model, loaded once per process."""
    return ProfanityModel.from_package()


def data_dir() -> Path:
    """The package's data folder, found without importing the package (its import loads sklearn)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("alt-profanity-check is not installed (pip install alt-profanity-check)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


class _Record:
    """Stands in for a scikit-learn class: keeps the pickled state as attributes."""

    _class = ""

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def _load(path: Path) -> Any:
    from joblib.numpy_pickle import NumpyUnpickler

    class Unpickler(NumpyUnpickler):
        def find_class(self, module: str, name: str) -> Any:
            if module == "sklearn" or module.startswith("sklearn."):
                return type(name, (_Record,), {"_class": f"{module}.{name}"})
            return super().find_class(module, name)

    with path.open("rb") as handle:
        return Unpickler(str(path), handle, True).load()


class ProfanityModel:
    """`predict_prob(texts)`: the probability that each text is offensive."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, svms: list[tuple[np.ndarray, float, float, float]]):
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self.svms = svms  # (coefficients, intercept, calibration a, calibration b)

    @classmethod
    def from_package(cls, folder: Path | None = None) -> ProfanityModel:
        folder = folder or data_dir()
        try:
            vectorizer, model = (_load(folder / name) for name in FILES)
        except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError, pickle.UnpicklingError) as exc:
            raise ConfigError(f"cannot read alt-profanity-check's model in {folder}: {exc}") from None
        try:
            return cls._from_state(vectorizer, model)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"alt-profanity-check's model in {folder} has a layout this reader does not know ({exc})"
            ) from None

    @classmethod
    def _from_state(cls, vectorizer: Any, model: Any) -> ProfanityModel:
        if vectorizer._class != "sklearn.feature_extraction.text.TfidfVectorizer":
            raise ValueError(f"vectoriser {vectorizer._class}")
        for key, want in _VECTORIZER.items():
            got = getattr(vectorizer, key)
            if (tuple(got) if isinstance(got, list) else got) != want:
                raise ValueError(f"vectoriser {key}={got!r}")
        if model._class != "sklearn.calibration.CalibratedClassifierCV" or model.method != "sigmoid":
            raise ValueError(f"model {model._class} ({getattr(model, 'method', None)})")
        if [int(c) for c in model.classes_] != [0, 1]:
            raise ValueError(f"classes {model.classes_!r}")
        svms = []
        for calibrated in model.calibrated_classifiers_:
            svm, (calibration,) = calibrated.estimator, calibrated.calibrators
            if svm._class != "sklearn.svm._classes.LinearSVC" or svm.coef_.shape[0] != 1:
                raise ValueError(f"classifier {svm._class} {svm.coef_.shape}")
            svms.append(
                (
                    np.asarray(svm.coef_[0], dtype=np.float64),
                    float(svm.intercept_[0]),
                    float(calibration.a_),
                    float(calibration.b_),
                )
            )
        vocabulary = {str(term): int(column) for term, column in vectorizer.vocabulary_.items()}
        return cls(vocabulary, vectorizer._tfidf.idf_, svms)

    def predict_prob(self, texts: Sequence[str]) -> list[float]:
        """Each text's probability. Texts of similar length go through the arithmetic together
        as one padded matrix; every sum adds its terms in scikit-learn's order."""
        rows = [self._counts(text) for text in texts]
        out = [0.0] * len(rows)
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        for start in range(0, len(order), _BLOCK):
            block = order[start : start + _BLOCK]
            for i, p in zip(block, self._block([rows[i] for i in block]), strict=True):
                out[i] = p
        return out

    def _block(self, rows: list[dict[int, int]]) -> list[float]:
        lengths = np.fromiter((len(r) for r in rows), dtype=np.intp, count=len(rows))
        width = max(int(lengths.max()), 1)  # at least one (zero) column: every sum starts at 0.0
        filled = np.arange(width) < lengths[:, None]  # row-major: each row's columns in order
        columns = np.zeros((len(rows), width), dtype=np.intp)
        values = np.zeros((len(rows), width), dtype=np.float64)
        ordered = [sorted(r.items()) for r in rows]
        columns[filled] = [j for r in ordered for j, _ in r]
        values[filled] = [float(k) for r in ordered for _, k in r]
        values *= self.idf[columns]  # padding: 0 * idf = 0, which adds nothing below
        # np.add.accumulate sums left to right, one term at a time, as scikit-learn's loops do
        norm = np.add.accumulate(values * values, axis=1)[:, -1]
        nonzero = norm != 0.0
        values[nonzero] /= np.sqrt(norm[nonzero])[:, None]
        total = [0.0] * len(rows)
        for coef, intercept, a, b in self.svms:
            decision = np.add.accumulate(values * coef[columns], axis=1)[:, -1] + intercept
            total = [p + _expit(-(a * d + b)) for p, d in zip(total, decision.tolist(), strict=True)]
        return [p / len(self.svms) for p in total]

    def _counts(self, text: str) -> dict[int, int]:
        counts: dict[int, int] = {}
        for column in map(self.vocabulary.get, _TOKEN.findall(text.lower())):
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        return counts


def _expit(x: float) -> float:
    """SciPy's expit for doubles: 1 / (1 + exp(-x)), with exp from the C library."""
    try:
        return 1.0 / (1.0 + math.exp(-x))
    except OverflowError:  # exp(-x) beyond a double: the sigmoid is 0
        return 0.0
