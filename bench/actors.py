"""The `actors` table of a real archive, row by row, with automatic checks.

    python bench/actors.py ARCHIVE_DIR                       # ingest into a temporary database
    python bench/actors.py ARCHIVE_DIR --keep /tmp/a.db      # keep it (reused when it exists)
    python bench/actors.py --db /tmp/a.db --top 100 --anonymous 30

Ingests the folder (``--jobs 1`` by default: the machine may be shared), then prints the top
named actors with kind, role and statement count, and a count of rows failing these checks:

- ``pronoun``: the name is a pronoun, determiner, quantifier or number ("that", "some", "two");
- ``common``: a named actor whose name starts lowercase (a common noun: "spokesman", "mPs");
- ``role-word``: a one-word role that is not a title noun ("Defiant", "USA", "ordinator");
- ``role-verb``: a role containing a finite verb ("as they eye captain");
- ``role-quote``: a role with a quote mark or bracket in it (`parasite” director`).

The checks cannot tell a right answer from a plausible wrong one, so the table is printed for a
reader to judge too; the summary line gives the counts.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

_NOT_NAMES = frozenset(
    """i me we us you he him she her it they them this that these those who whom which what
    some many several few most all both others other another any each none one two three four
    five six seven eight nine ten no nobody everyone someone somebody anyone everybody
    something anything nothing everything there here a an the""".split()  # noqa: SIM905
)
_AGENT = ("er", "or", "ist", "ian", "man", "woman", "eer")
_QUOTES = re.compile(r"[\"“”„«»()\[\]]|‘|(?<!\w)’|’(?!\w)")


def title_nouns() -> frozenset[str]:
    """The title nouns a one-word role may be ("manager", "chairman"), from factcli itself."""
    from factcli.roles import TITLE_NOUNS

    return TITLE_NOUNS


def check(row: dict[str, object], nlp: object, titles: frozenset[str]) -> list[str]:
    """The names of the checks `row` fails."""
    name = str(row["name"])
    role = str(row["role"] or "")
    fails = []
    if (name.casefold() in _NOT_NAMES and not name.isupper()) or name.replace(",", "").replace(
        ".", ""
    ).isdigit():
        fails.append("pronoun")
    if name[:1].islower():
        fails.append("common")
    if role:
        words = role.split()
        word = words[0].casefold().strip(".").replace("-", "")
        if len(words) == 1 and word not in titles and not word.endswith(_AGENT):
            fails.append("role-word")
        doc = nlp("the " + role + " said")  # type: ignore[operator]
        if any(t.tag_ in ("VBD", "VBP", "VBZ", "MD") for t in list(doc)[1:-1]):
            fails.append("role-verb")
        if _QUOTES.search(role):
            fails.append("role-quote")
    return fails


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archive", type=Path, nargs="?", help="folder of articles to ingest")
    parser.add_argument("--db", type=Path, help="an archive database already ingested")
    parser.add_argument("--keep", type=Path, help="ingest into this database and keep it")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default: 1)")
    parser.add_argument("--top", type=int, default=100, help="named actors to show")
    parser.add_argument("--anonymous", type=int, default=0, help="anonymous groups to show")
    parser.add_argument("--quiet", action="store_true", help="only the failing rows")
    args = parser.parse_args()
    if args.db is None and args.archive is None:
        parser.error("give an archive folder or --db")

    factcli = [sys.executable, "-m", "factcli"]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or args.keep or Path(tmp) / "archive.db"
        if args.archive is not None and not (args.keep and args.keep.exists()):
            subprocess.run(
                [*factcli, "ingest", str(args.archive), "--db", str(db), "--jobs", str(args.jobs)],
                check=True,
                stderr=subprocess.DEVNULL,
            )
        listing = subprocess.run(
            [*factcli, "actors", "--db", str(db), "--limit", str(args.top), "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
        rows = json.loads(listing.stdout)
        anonymous = []
        if args.anonymous:
            listing = subprocess.run(
                [*factcli, "actors", "--db", str(db), "--anonymous", "--json", "--limit",
                 str(args.top + args.anonymous)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            anonymous = [r for r in json.loads(listing.stdout) if r["kind"] == "anonymous"]
            anonymous = anonymous[: args.anonymous]
        stats = json.loads(
            subprocess.run(
                [*factcli, "stats", "--db", str(db), "--json"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )

    from factcli import nlp as factcli_nlp

    nlp = factcli_nlp.load()
    titles = title_nouns()
    counts: dict[str, int] = {}
    failing = 0
    for rank, row in enumerate(rows, start=1):
        fails = check(row, nlp, titles)
        for name in fails:
            counts[name] = counts.get(name, 0) + 1
        failing += bool(fails)
        if fails or not args.quiet:
            role = row["role"] or "-"
            flag = ("  !" + ",".join(fails)) if fails else ""
            print(f"{rank:4} {row['statements']:5}  {row['kind'] or '?':12} {row['name']:30.30} "
                  f"{role:.45}{flag}")  # fmt: skip
    for row in anonymous:
        org = row.get("organisation") or "-"
        print(f"anon {row['statements']:5}  {row['name']:30.30} org: {org}")
    share = stats.get("anonymous_share")
    print(
        f"summary: {failing} of {len(rows)} named actors fail a check "
        + json.dumps(counts, sort_keys=True)
        + (f"; anonymous share of statements {share}" if share is not None else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
