import matplotlib as mpl

from logreg import plotting


def test_book_style_cycles_through_the_okabe_ito_palette():
    with mpl.rc_context():
        plotting.use_book_style()
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][:6] == [
            "#0072B2",
            "#E69F00",
            "#009E73",
            "#D55E00",
            "#CC79A7",
            "#56B4E9",
        ]
        assert mpl.rcParams["axes.grid"]
        assert mpl.rcParams["figure.dpi"] >= 100  # readable at the page's width
        width, height = mpl.rcParams["figure.figsize"]
        assert 600 <= width * mpl.rcParams["figure.dpi"] <= 800 and height < width
    assert len(set(plotting.OKABE_ITO)) == 8
