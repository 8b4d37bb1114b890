"""Write templates/<style>/reference.docx for every style (or the styles named) from the `docx:` block of
its style.yaml. The output is byte for byte reproducible; tests/test_docx_styles.py checks that the
committed files are what this script makes.

    .venv/bin/python scripts/make_reference_docx.py [style …]
"""
from __future__ import annotations

import sys

from disclosure_gen.render import document as render, styles
from disclosure_gen.writers.docx import tweaks_from
from disclosure_gen.writers.docx_reference import build_reference


def reference_for(style: str) -> bytes:
    return build_reference(tweaks_from(render.load_style(style).get("docx")))


def main(argv: list[str]) -> int:
    for style in argv or render.available_styles():
        target = styles.get(style).folder / "reference.docx"
        data = reference_for(style)
        if target.is_file() and target.read_bytes() == data:
            print(f"{target}: unchanged")
            continue
        target.write_bytes(data)
        print(f"{target}: written ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
