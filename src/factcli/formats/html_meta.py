"""An HTML page's headline and publication date, as a reader would name them.

A page's ``<title>`` is written for browser tabs and search engines: "Berlin confronts
Germany's colonial past with new initiative | DW | 19.01.2020" carries the site's name and a
date besides the headline. `clean_title` keeps the headline. A page also often gives several
dates (published, modified, one in the title); `published_date` picks the publication date
and names the field it came from, so a wrong date can be traced to the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from factcli.formats.dates import to_iso_date

_SEPARATOR = re.compile(r"\s+(\||–|—|-|::|·|»|«|/)\s+")
_PIPE_LIKE = {"|", "::", "·", "»", "«", "/"}
"""Separators that, unlike a dash, almost never occur inside a headline."""
_SHORT_SITE = 3
"""Words in a trailing pipe-separated part taken for a site's name when the site is unknown."""

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publish-date",
    "publish_date",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
    "date",
)
"""``<meta>`` names and properties of a publication date, most specific first; modification
dates (``article:modified_time``, ``dateModified``) are never taken for it."""


def clean_title(title: str | None, site_names: Iterable[str | None] = ()) -> str | None:
    """The headline in `title`: leading and trailing parts that are the site's name (or its
    initials, or its host name) or a date are dropped; so is a short last part after a pipe.

    "Water deal struck - The Valley Herald" with the site "The Valley Herald" gives "Water
    deal struck"; a dash inside a headline ("Mid-term polls - what to expect") stays.
    """
    if not title:
        return title
    parts = _SEPARATOR.split(title.strip())
    texts, seps = parts[0::2], parts[1::2]
    sites = _site_keys(site_names)
    changed = True
    while changed and len(texts) > 1:
        changed = False
        if _is_noise(texts[-1], sites) or (
            seps[-1] in _PIPE_LIKE
            and len(texts[-1].split()) <= _SHORT_SITE
            and len(texts[-1]) < len(" ".join(texts[:-1]))
        ):
            texts, seps = texts[:-1], seps[:-1]
            changed = True
        elif len(texts) > 1 and _is_noise(texts[0], sites):
            texts, seps = texts[1:], seps[1:]
            changed = True
    out = texts[0]
    for sep, text in zip(seps, texts[1:], strict=True):
        out += f" {sep} {text}"
    return out.strip() or title


def title_date(title: str | None) -> str | None:
    """A date written as a part of the title ("... | DW | 19.01.2020"), as ISO."""
    if not title:
        return None
    for part in _SEPARATOR.split(title)[0::2]:
        found = _as_date(part)
        if found:
            return found
    return None


def published_date(html: Any, title: str | None = None) -> tuple[str | None, str | None]:
    """(ISO date, the field it came from) for the page's publication date, or (None, None).

    `html` is the page parsed by lxml. The order: ``<meta>`` publication fields, JSON-LD
    ``datePublished``, a ``<time>`` marked as the publication time, then a date in the title.
    """
    metas: dict[str, str] = {}
    for meta in html.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").casefold()
        content = meta.get("content")
        if key and content and key not in metas:
            metas[key] = content
    for key in PUBLISHED_META:
        found = to_iso_date(metas.get(key))
        if found:
            return found, f"meta {key}"
    for script in html.iter("script"):
        if (script.get("type") or "").casefold() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for value in _json_ld_values(data, "datePublished"):
            found = to_iso_date(value)
            if found:
                return found, "json-ld datePublished"
    for time in html.iter("time"):
        marked = time.get("itemprop") == "datePublished" or time.get("pubdate") is not None
        found = to_iso_date(time.get("datetime")) if marked else None
        if found:
            return found, "time datePublished"
    found = title_date(title)
    if found:
        return found, "title"
    return None, None


def _json_ld_values(data: Any, key: str) -> Iterator[Any]:
    if isinstance(data, dict):
        if key in data:
            yield data[key]
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _json_ld_values(value, key)
    elif isinstance(data, list):
        for item in data:
            yield from _json_ld_values(item, key)


def _site_keys(names: Iterable[str | None]) -> set[str]:
    keys: set[str] = set()
    for name in names:
        if not name:
            continue
        plain = name.casefold().strip()
        keys.add(plain)
        host = re.sub(r"^(https?://)?(www\d?\.)?", "", plain).split("/")[0]
        keys.add(host)
        keys.add(host.split(".")[0])
        words = re.findall(r"\w+", plain)
        if len(words) > 1:
            keys.add("".join(w[0] for w in words))
    keys.discard("")
    return keys


def _is_noise(part: str, sites: set[str]) -> bool:
    return part.casefold().strip() in sites or _as_date(part) is not None


def _as_date(part: str) -> str | None:
    text = part.strip()
    if not re.search(r"\d", text) or len(text.split()) > 5:
        return None
    return to_iso_date(text)
