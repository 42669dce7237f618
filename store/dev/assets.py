"""Build the stylesheets: static/scss/*.scss compiled by libsass into static/css/."""

import sass

from store.config import ROOT


def build_css() -> None:
    """Compile every top-level SCSS file (partials start with an underscore)."""
    sass.compile(dirname=(str(ROOT / "static" / "scss"), str(ROOT / "static" / "css")),
                 output_style="compressed")


if __name__ == "__main__":
    build_css()
    print("CSS built in static/css/")
