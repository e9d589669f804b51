"""HTML pages: the article's main text, title, date, author and site, boilerplate dropped.

trafilatura finds the main text (menus, footers, share buttons and comments removed) and the
metadata (``<meta>`` tags, JSON-LD, bylines); its paragraphs come one per line, which is how
the extractor reads scraped news. The stored text is the title, a blank line and that main
text, so offsets point into exactly what `show` prints.
"""

from __future__ import annotations

import logging

from factcli.formats.dates import to_iso_date
from factcli.formats.html_meta import clean_title, published_date
from factcli.models import Article
from factcli.reader import InputError

_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")


def article_from_html(data: bytes, source: str) -> Article:
    """One page → `Article`; raises `InputError` when it holds no article text."""
    if not data.strip():
        raise InputError(source, "is empty")
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    import trafilatura

    doc = trafilatura.bare_extraction(
        data,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not body:
        raise InputError(source, "has no article text (no main content found in the HTML)")
    outlet = _clean(getattr(doc, "sitename", None)) or _clean(getattr(doc, "hostname", None))
    raw_title = _clean(getattr(doc, "title", None))
    title = clean_title(raw_title, [outlet, _clean(getattr(doc, "hostname", None))])
    published, published_from = _published(data, raw_title)
    if published is None:
        published = to_iso_date(getattr(doc, "date", None))
        published_from = "htmldate" if published else None
    if title and not body.startswith(title):
        text = f"{title}\n\n{body}\n"
        body_start = len(title) + 2
    else:
        text = body + "\n"
        body_start = len(title) if title else 0
        while body_start < len(text) and text[body_start].isspace():
            body_start += 1
    return Article(
        text=text,
        source=source,
        title=title or body.split("\n", 1)[0][:100],
        published=published,
        published_from=published_from,
        body_start=body_start,
        outlet=outlet,
        url=_clean(getattr(doc, "url", None)),
        author=_clean(getattr(doc, "author", None)),
    )


def _published(data: bytes, title: str | None) -> tuple[str | None, str | None]:
    """The publication date the page's own fields give, and which field gave it."""
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        return None, None
    page_title = _clean(tree.findtext(".//title"))
    found = published_date(tree, page_title)
    if found[0] is None and title != page_title:
        found = published_date(tree, title)
    return found


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None
