"""Copy the browser libraries `npm ci` installed into web/static/web/vendor/ (not committed).

The pages load KaTeX, CodeMirror and htmx from our own static files: nothing is
fetched from elsewhere at run time, and no third-party code is committed. Each
library's licence is copied beside it.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
TARGET = ROOT / "web" / "static" / "web" / "vendor"

# (package, paths inside it, folder under vendor/)
FILES = [
    ("katex", ["dist/katex.min.js", "dist/katex.min.css", "dist/fonts", "LICENSE"], "katex"),
    ("codemirror", ["lib/codemirror.js", "lib/codemirror.css", "mode/python/python.js", "LICENSE"], "codemirror"),
    ("htmx.org", ["dist/htmx.min.js", "LICENSE"], "htmx"),
]


def main() -> int:
    if not MODULES.is_dir():
        print("vendor_assets: node_modules/ is missing: run `npm ci` first", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    for package, paths, folder in FILES:
        destination = TARGET / folder
        destination.mkdir(parents=True, exist_ok=True)
        for relative in paths:
            source = MODULES / package / relative
            if source.is_dir():
                # KaTeX's stylesheet names its fonts as fonts/<file>, relative to itself.
                shutil.copytree(source, destination / source.name)
            elif source.is_file():
                shutil.copy2(source, destination / source.name)
            else:
                print(f"vendor_assets: {package} has no {relative}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
