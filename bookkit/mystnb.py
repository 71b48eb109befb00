"""The PDF's still of an interactive figure, with its caption: a myst-nb MIME renderer plugin.

myst-nb renders the PNG of an ``InteractiveFigure``'s MIME bundle in the LaTeX build (its priority for ``latex``
puts ``image/png`` before ``text/html``) as a bare image. This plugin, registered in pyproject.toml under the entry
point group ``myst_nb.mime_renderers``, puts that image in a figure with the caption the chapter gave
(``interactive_figure(..., caption=...)``, kept in the output's metadata), also its alt text.
Every other output is left to myst-nb (``None``).
"""

from __future__ import annotations

from typing import Any


class StillWithCaption:
    """myst-nb ``MimeRenderPlugin``: the PNG of a bookkit figure as a captioned figure."""

    mime_priority_overrides: tuple = ()

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list | None:
        metadata = data.output_metadata.get("bookkit") if isinstance(data.output_metadata, dict) else None
        if inline or data.mime_type != "image/png" or not isinstance(metadata, dict):
            return None
        from docutils import nodes

        caption = str(metadata.get("caption") or "")
        images = renderer.render_image(data)
        for image in images:
            image["alt"] = caption
        figure = nodes.figure("", *images, classes=["bookkit-still"])
        if caption:
            figure += nodes.caption(caption, caption)
        return [figure]
