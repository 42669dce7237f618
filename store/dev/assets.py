"""Build the stylesheets (static/scss/*.scss by libsass into static/css/) and, when npm is
installed, the storefront scripts (frontend/ by Vite into static/dist/)."""

import shutil
import subprocess

import sass

from store.config import ROOT

MANIFEST = ROOT / "static" / "dist" / ".vite" / "manifest.json"


def build_css() -> None:
    """Compile every top-level SCSS file (partials start with an underscore)."""
    sass.compile(dirname=(str(ROOT / "static" / "scss"), str(ROOT / "static" / "css")),
                 output_style="compressed")


def scripts_missing(manifest=MANIFEST) -> bool:
    """Whether the storefront scripts are not built (static/dist/ has no manifest)."""
    return not manifest.exists()


def build_scripts(*, npm=None) -> str:
    """`npm ci` when node_modules is missing, then `npx vite build`; what happened, in words.

    The shop works without its scripts (every page has a no-script path), so a machine
    without npm gets a message instead of an error.
    """
    npm = npm or shutil.which("npm")
    if not npm:
        return ("npm is not installed: the storefront runs without its scripts. Install "
                "Node.js 20 and run `make build` to add them.")
    try:
        if not (ROOT / "node_modules" / ".package-lock.json").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
        subprocess.run([npm, "exec", "--", "vite", "build"], cwd=ROOT, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"The storefront scripts could not be built ({exc}); the shop runs without them."
    return "Built the storefront scripts (static/dist/)."


if __name__ == "__main__":
    build_css()
    print("CSS built in static/css/")
