"""``explain``'s Markdown links only http(s) URLs (and ``doi:``, through https://doi.org/): a
``javascript:``, ``data:`` or ``file:`` URL in a source is shown as inert text, whatever renders
the brief."""

from __future__ import annotations

import json

from markdown_it import MarkdownIt

from helpers import TWO_ACTORS, invoke, write_data

ENTITIES = TWO_ACTORS
RELATIONS = """
sources:
  js: {title: Script, url: "javascript:alert(document.cookie)"}
  js2: {title: Script again, url: " JavaScript:alert(2)"}
  data: {title: Data, url: "data:text/html,<script>alert(3)</script>"}
  file: {title: File, url: "file:///etc/passwd"}
  doi: {title: Paper, url: "doi:10.1000/182"}
  web: {title: Web, url: "https://example.org/a b"}
relations:
  - {id: ab, from: aa, to: bb, type: alliance, since: "2001", sources: [js, js2, data, file, doi, web]}
"""


def _hrefs(markdown: str) -> list[str]:
    """Every link a permissive renderer would make (no scheme filter of its own)."""
    md = MarkdownIt("commonmark")
    md.validateLink = lambda url: True  # as a renderer that trusts its input would
    hrefs = []
    for tok in md.parse(markdown):
        for child in tok.children or ():
            if child.type == "link_open":
                hrefs.append(child.attrs["href"])
    return hrefs


def test_only_web_and_doi_urls_are_linked(tmp_path):
    data = write_data(tmp_path / "d", ENTITIES, RELATIONS)
    proc = invoke("explain", "aa", "bb", "--data", str(data), "--json")
    assert proc.returncode == 0, proc.stderr
    markdown = json.loads(proc.stdout)["markdown"]
    hrefs = _hrefs(markdown)
    assert sorted(hrefs) == ["https://doi.org/10.1000/182", "https://example.org/a%20b"], hrefs
    assert "javascript:alert\\(document.cookie\\)" in markdown  # shown, inert
    assert "<javascript:" not in markdown.lower() and "<data:" not in markdown and "<file:" not in markdown
    html = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in html and 'href="javascript' not in html.lower()
