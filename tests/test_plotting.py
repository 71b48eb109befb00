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


def test_points_under_legend_sees_covered_data_and_not_free_corners():
    import matplotlib.pyplot as plt
    import numpy as np

    with mpl.rc_context():
        plotting.use_book_style()
        x = np.linspace(0, 1, 201)
        fig, ax = plt.subplots()
        ax.plot(x, x, label="diagonal")
        ax.legend(loc="upper left")
        assert plotting.points_under_legend(ax) == 0  # y = x leaves the upper-left corner free
        ax.plot(x, np.full_like(x, 0.97), label="a line along the top")
        ax.legend(loc="upper left")
        assert plotting.points_under_legend(ax) > 0
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))  # outside the axes
        assert plotting.points_under_legend(ax) == 0
        ax.scatter([0.05], [0.05], label="a point in the lower left")
        ax.legend(loc="lower left")
        assert plotting.points_under_legend(ax) > 0
        ax.get_legend().remove()
        assert plotting.points_under_legend(ax) == 0
        plt.close(fig)

        fig, ax = plt.subplots()  # a straight line has two vertices, both outside the box, yet crosses it
        ax.plot([0, 1], [0, 1], label="two vertices")
        ax.legend(loc="center")
        assert plotting.points_under_legend(ax) > 0
        ax.lines[0].set_linestyle("none")  # markers only: nothing between the two points
        ax.lines[0].set_marker("o")
        assert plotting.points_under_legend(ax) == 0
        plt.close(fig)

        fig, ax = plt.subplots()
        grid = np.linspace(-1, 1, 41)
        ax.contour(grid, grid, np.add.outer(grid**2, grid**2), levels=[0.5, 1.0, 1.5])
        ax.plot([0], [0], marker="*", linestyle="none", label="centre")
        ax.legend(loc="upper right")
        assert plotting.points_under_legend(ax) > 0  # the level-1.5 contour passes through that corner
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
        assert plotting.points_under_legend(ax) == 0
        plt.close(fig)
