"""logreg.summary against statsmodels' Logit: every number of the table, the separable case, and bad input;
on a dummy-coded DataFrame, against statsmodels' formula logit, rows named by the columns."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from sklearn.datasets import make_classification

import logreg
from logreg.datasets import breast_cancer_names, load_breast_cancer, load_penguins


def statsmodels_fit(X, y):
    return sm.Logit(y, sm.add_constant(X)).fit(disp=False)


def assert_agrees_with_statsmodels(ours: logreg.Summary, theirs, alpha: float) -> None:
    np.testing.assert_allclose(ours.params, theirs.params, rtol=1e-6)
    np.testing.assert_allclose(ours.std_err, theirs.bse, rtol=1e-5)
    np.testing.assert_allclose(ours.z, theirs.tvalues, rtol=1e-5)
    np.testing.assert_allclose(ours.p_values, theirs.pvalues, rtol=1e-5, atol=1e-300)
    np.testing.assert_allclose(ours.conf_int, theirs.conf_int(alpha=alpha), rtol=1e-5)
    np.testing.assert_allclose(ours.odds_ratios, np.exp(theirs.params), rtol=1e-5)
    assert ours.log_likelihood == pytest.approx(theirs.llf, rel=1e-5)
    assert ours.null_log_likelihood == pytest.approx(theirs.llnull, rel=1e-5)
    assert ours.aic == pytest.approx(theirs.aic, rel=1e-5)
    assert ours.bic == pytest.approx(theirs.bic, rel=1e-5)


def test_marks_summary_is_statsmodels_logit(marks):
    X, y = marks
    ours = logreg.summary(X, y)
    theirs = statsmodels_fit(X, y)
    assert_agrees_with_statsmodels(ours, theirs, 0.05)
    assert ours.names == ("const", "x1", "x2") == tuple(theirs.model.exog_names)
    np.testing.assert_allclose(ours.params, [-25.161, 0.20623, 0.20147], rtol=5e-4)  # Ng's ex2 optimum


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01])
def test_breast_cancer_subset_with_names_and_other_levels(alpha):
    X, y = load_breast_cancer()
    columns = [0, 1, 4, 8]  # mean radius, texture, smoothness, symmetry: not separable
    names = [breast_cancer_names()[0][j] for j in columns]
    ours = logreg.summary(X[:, columns], y, alpha=alpha, feature_names=names)
    assert_agrees_with_statsmodels(ours, statsmodels_fit(X[:, columns], y), alpha)
    assert ours.names == ("const", "mean radius", "mean texture", "mean smoothness", "mean symmetry")
    assert ours.p_values[1] < 1e-10, "mean radius is a strong predictor: its Wald test must reject"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_summaries_agree(seed):
    X, y = make_classification(
        n_samples=400, n_features=6, n_informative=3, n_redundant=0, flip_y=0.2, random_state=seed
    )
    assert_agrees_with_statsmodels(logreg.summary(X, y), statsmodels_fit(X, y), 0.05)


def test_standard_errors_come_from_the_books_hessian(marks):
    X, y = marks
    ours = logreg.summary(X, y)
    design = logreg.add_intercept(X)
    fisher = len(y) * logreg.hessian(ours.params, design, y)  # the Hessian of the mean log loss, times n
    np.testing.assert_allclose(ours.std_err, np.sqrt(np.diag(np.linalg.inv(fisher))), rtol=1e-10)
    mle = logreg.newton(design, y).beta
    np.testing.assert_allclose(ours.params, mle, rtol=1e-10)
    assert ours.log_likelihood == pytest.approx(-len(y) * logreg.cost(mle, design, y), rel=1e-12)
    np.testing.assert_allclose(ours.conf_int.mean(axis=1), ours.params, rtol=1e-12)


def test_text_and_html_tables_show_every_coefficient(marks):
    X, y = marks
    ours = logreg.summary(X, y, feature_names=["exam <1>", "exam 2"])
    text = str(ours)
    for fragment in (
        "const",
        "exam <1>",
        "exam 2",
        "-25.1613",
        "0.2062",
        "[0.025",
        "0.975]",
        "odds ratio",
        "Log-likelihood: -20.3498",
        "AIC: 46.6995",
    ):
        assert fragment in text
    page = ours._repr_html_()
    assert page.startswith("<table") and page.count("<tr>") == 4 and "exam &lt;1&gt;" in page and "<1>" not in page
    assert "[0.05" in str(logreg.summary(X, y, alpha=0.1))


def test_summary_is_frozen(marks):
    X, y = marks
    ours = logreg.summary(X, y)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ours.aic = 0.0
    with pytest.raises(ValueError, match="read-only"):
        ours.params[0] = 0.0
    assert [field.name for field in dataclasses.fields(logreg.Summary)] == [
        "params",
        "std_err",
        "z",
        "p_values",
        "conf_int",
        "odds_ratios",
        "log_likelihood",
        "null_log_likelihood",
        "aic",
        "bic",
        "names",
    ]
    assert ours.conf_int.shape == (3, 2)


def test_separable_classes_have_no_maximum_likelihood_estimate():
    x = np.array([[-3.0], [-2.0], [-1.0], [1.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match="the classes are separable.*no maximum-likelihood estimate exists"):
        logreg.summary(x, [0, 0, 0, 1, 1, 1])
    X, y = load_breast_cancer()  # all 30 features separate benign from malignant
    with pytest.raises(ValueError, match="separable.*no maximum-likelihood estimate exists"):
        logreg.summary(X, y)


def test_quasi_separable_classes_are_reported_too():
    x = np.array([[-2.0], [-1.0], [0.0], [0.0], [1.0], [2.0]])
    with pytest.raises(ValueError, match="quasi-separable.*no maximum-likelihood estimate exists"):
        logreg.summary(x, [0, 0, 0, 1, 1, 1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": [[1.0], [np.nan], [2.0], [0.5]]}, "X contains NaN"),
        ({"y": [0, 1, 2, 1]}, "labels must be 0 or 1"),
        ({"y": [1, 1, 1, 1]}, "one class only"),
        ({"y": [0, 1, 1]}, "X has 4 rows but y has 3 labels"),
        ({"alpha": 0.0}, "alpha must be a number strictly between 0 and 1"),
        ({"alpha": 1.5}, "alpha must be a number strictly between 0 and 1"),
        ({"feature_names": ["a", "b"]}, "feature_names has 2 names but X has 1 columns"),
        ({"X": [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [0.5, 1.0]]}, "linearly dependent.*not identified"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    arguments = {"X": [[1.0], [2.0], [3.0], [0.5]], "y": [0, 1, 0, 1]} | kwargs
    X, y = arguments.pop("X"), arguments.pop("y")
    with pytest.raises(ValueError, match=message):
        logreg.summary(X, y, **arguments)


# --- tables: a DataFrame's columns name the rows, and dummy-coded fits equal statsmodels' formula fits ----------
def penguins_complete():
    """Complete cases of the Palmer penguins with sex as the 0/1 label ``male``."""
    table = load_penguins().dropna().reset_index(drop=True)
    return table.assign(male=(table["sex"] == "male").astype(float))


FORMULAS = {
    "male ~ C(species) + bill_length_mm + bill_depth_mm": ["species"],
    "male ~ C(species) + C(island) + bill_depth_mm + flipper_length_mm + body_mass_g": ["species", "island"],
}


@pytest.mark.parametrize("formula", FORMULAS)
def test_summary_of_a_dummy_coded_dataframe_is_statsmodels_formula_logit(formula):
    table = penguins_complete()
    categories = FORMULAS[formula]
    numeric = [term for term in formula.split("~")[1].replace(" ", "").split("+") if not term.startswith("C(")]
    X = pd.concat([pd.get_dummies(table[categories], drop_first=True), table[numeric]], axis=1)
    ours = logreg.summary(X, table["male"])
    theirs = smf.logit(formula, table).fit(disp=False, method="newton", tol=1e-12)
    assert_agrees_with_statsmodels(ours, theirs, 0.05)
    np.testing.assert_allclose(ours.params, theirs.params, rtol=1e-8)  # tighter than the 1e-6
    dummies = [f"{c}_{level}" for c in categories for level in sorted(table[c].unique())[1:]]
    assert ours.names == ("const", *dummies, *numeric)
    # statsmodels calls the same rows Intercept, C(species)[T.Chinstrap], ...
    as_formula = [f"C({name.split('_')[0]})[T.{name.split('_')[1]}]" for name in dummies]
    assert tuple(theirs.params.index) == ("Intercept", *as_formula, *numeric)
    assert "species_Chinstrap" in str(ours) and "<th>species_Gentoo</th>" in ours._repr_html_()


def test_feature_names_win_over_the_columns_and_labels_become_text():
    table = penguins_complete()
    X = table[["bill_length_mm", "bill_depth_mm"]]
    assert logreg.summary(X, table["male"]).names == ("const", "bill_length_mm", "bill_depth_mm")
    assert logreg.summary(X, table["male"], feature_names=["a", "b"]).names == ("const", "a", "b")
    assert logreg.summary(X.set_axis([3, 7], axis=1), table["male"]).names == ("const", "3", "7")
    assert logreg.summary(X.to_numpy(), table["male"]).names == ("const", "x1", "x2")


def test_the_dummy_trap_and_aliased_columns_are_named():
    table = penguins_complete()
    every_level = pd.concat([pd.get_dummies(table["species"]), table[["bill_depth_mm"]]], axis=1)
    with pytest.raises(ValueError, match="const, Adelie, Chinstrap, Gentoo combine to zero.*leave one level"):
        logreg.summary(every_level, table["male"])
    dummies = pd.get_dummies(table[["species", "island"]], drop_first=True, dtype=float)
    # Gentoo penguins live only on Biscoe: "Gentoo" and "Gentoo on Biscoe" are one column
    dummies["Gentoo_on_Biscoe"] = dummies["species_Gentoo"] * (table["island"] == "Biscoe")
    with pytest.raises(ValueError, match="rank 5 < 6; species_Gentoo, Gentoo_on_Biscoe combine to zero"):
        logreg.summary(dummies, table["male"])
