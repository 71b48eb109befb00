"""logreg: logistic regression from scratch to scikit-learn, the library behind the course book.

Functional API (``X`` carries the intercept column first, ``y`` holds 0/1 labels)::

    sigmoid, add_intercept, z_score, cost, gradient, hessian, gradient_descent, sgd, newton

(each takes ``sample_weight=None``, except ``sgd``), a scikit-learn compatible estimator,
:class:`LogisticRegression` (two classes, or the multinomial softmax model for more, as scikit-learn's default,
solved by :mod:`logreg.multinomial`; with ``class_weight`` and ``sample_weight``), and :func:`summary` (standard errors,
Wald tests and intervals of the unpenalised fit). L1 and elastic net: :func:`proximal_newton`, :func:`l1_path`,
:func:`critical_l1` (:mod:`logreg.sparse`). Softmax regression: :mod:`logreg.softmax`. Data:
:mod:`logreg.datasets`. Newton's method and an estimator on dask arrays and DataFrames:
:mod:`logreg.distributed` (imported on demand, so ``import logreg`` never imports dask). Muens's pure-Python
version: :mod:`logreg.scratch`.
"""

from logreg.estimator import LogisticRegression
from logreg.features import add_intercept, z_score
from logreg.inference import Summary, summary
from logreg.loss import cost, gradient, hessian
from logreg.optimize import FitResult, PerfectSeparationWarning, gradient_descent, newton
from logreg.sgd import sgd
from logreg.sigmoid import log_sigmoid, sigmoid
from logreg.softmax import fit_softmax, softmax, softmax_cost, softmax_gradient
from logreg.sparse import L1Path, critical_l1, l1_path, proximal_newton, soft_threshold

__all__ = [
    "FitResult",
    "L1Path",
    "critical_l1",
    "l1_path",
    "proximal_newton",
    "soft_threshold",
    "fit_softmax",
    "softmax",
    "softmax_cost",
    "softmax_gradient",
    "LogisticRegression",
    "PerfectSeparationWarning",
    "Summary",
    "add_intercept",
    "cost",
    "gradient",
    "gradient_descent",
    "hessian",
    "log_sigmoid",
    "newton",
    "sgd",
    "sigmoid",
    "summary",
    "z_score",
]
__version__ = "0.1.0"
