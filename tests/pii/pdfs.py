"""PDF files with real text, made with Typst (the text comes in through sys_inputs)."""

import json
from pathlib import Path

import typst

SOURCE = """
#set page(paper: "a4", margin: 2cm)
#set text(font: "Libertinus Serif", size: 11pt)
#let pages = json(bytes(sys.inputs.pages))
#for (i, body) in pages.enumerate() {
  if i > 0 { pagebreak() }
  for line in body.split("\\n") { par(line) }
}
"""


def text_pdf(tmp_path: Path, *pages: str) -> bytes:
    source = tmp_path / "piece.typ"
    source.write_text(SOURCE, encoding="utf-8")
    return typst.compile(str(source), sys_inputs={"pages": json.dumps(list(pages))})
