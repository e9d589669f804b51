"""One actor per real person or organisation across the whole corpus.

Each article names its speakers its own way: "Defense Secretary Pete Hegseth" in one,
"Secretary Hegseth" or just "Hegseth" in the next. The extractor resolves mentions within an
article to one `Actor` (the fullest name, a role, aliases); this module matches that actor
against the actors already stored, when the article is saved:

1. a manual merge (``factcli actors --merge``) of that name wins;
2. the same name (any case) is the same actor, whatever its role: roles change over time;
3. a person is matched by surname when nothing says otherwise: "Hegseth" joins "Pete Hegseth",
   but "Tomas Voss" never joins "Clara Voss" (given names conflict), nor does "Voss, a dairy
   farmer" join "Voss, the interior minister" (roles share no word); with several people of
   that surname, only the one whose given name or role agrees is taken, or none;
4. an organisation, group or place is matched by its name without case, articles,
   punctuation and company suffixes ("Microsoft Corp." is "Microsoft");
5. a surname alone ("Obama") with several people of that surname goes to the one quoted far
   more often than the others, or to none.

A manual split (``factcli actors --split``) keeps a name away from an actor for good. When a
fuller name joins a shorter one ("Pete Hegseth" after "Hegseth"), the actor takes the fuller
name and keeps the other as an alias, so the result does not depend on ingest order.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from factcli.errors import FactcliError
from factcli.models import Actor
from factcli.roles import is_country, organisation_key

if TYPE_CHECKING:
    from sqlite_utils import Database

_HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "sir",
        "dame",
        "lord",
        "lady",
        "rev",
        "reverend",
        "fr",
        "sen",
        "senator",
        "rep",
        "representative",
        "gov",
        "governor",
        "president",
        "vice",
        "secretary",
        "minister",
        "chancellor",
        "premier",
        "mayor",
        "judge",
        "justice",
        "chief",
        "general",
        "gen",
        "lt",
        "col",
        "capt",
        "adm",
        "sgt",
        "officer",
        "ambassador",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "saint",
        "st",
    ]
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})
_ROLE_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "for",
        "and",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "near",
        "former",
        "acting",
        "deputy",
        "then",
        "new",
        "s",
        "u.s",
        "us",
        "uk",
        "eu",
    ]
)
_WORD = re.compile(r"[\w.'’-]+")
_NORMAL = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class PersonName:
    """A person's name split for matching: given name (if any) and surname, both casefolded."""

    given: str | None
    surname: str
    suffix: str | None = field(default=None, compare=False)
    """ "jr" of "Donald Trump Jr.": it tells father and son apart when both are known."""
    middle: str | None = field(default=None, compare=False)
    """ "w" of "George W. Bush": "George P. Bush" is someone else."""


def person_name(name: str) -> PersonName | None:
    """``"Pete Hegseth"`` → (pete, hegseth); ``"Hegseth"`` → (None, hegseth); a lowercase
    description ("the minister") → None. Leading titles ("Sen.", "Secretary") and trailing
    suffixes ("Jr.") are not names; "Gen Nakatani" keeps Gen, a given name without a period."""
    tokens = _WORD.findall(name.replace("’", "'"))
    while len(tokens) > 1 and (
        tokens[0].casefold().rstrip(".") in _HONORIFICS
        and (tokens[0].endswith(".") or tokens[0].casefold() not in {"gen", "king"})
    ):
        tokens = tokens[1:]
    suffix = None
    while len(tokens) > 1 and tokens[-1].casefold().strip(".,") in _SUFFIXES:
        suffix = suffix or tokens[-1].casefold().strip(".,")
        tokens = tokens[:-1]
    if not tokens or not tokens[-1][:1].isupper():
        return None
    surname = tokens[-1].casefold().removesuffix("'s").strip(".'-")
    if not surname:
        return None
    given = tokens[0].casefold().strip(".'") if len(tokens) > 1 else None
    middle = "".join(t.casefold().strip(".") for t in tokens[1:-1]) if len(tokens) > 2 else None
    return PersonName(given or None, surname, suffix, middle or None)


def given_names_agree(a: str, b: str, *, nicknames: bool = True) -> bool:
    """Pete / Peter, P. / Pete, Dan / Daniel agree, and with `nicknames` Joe / Joseph and
    Bob / Robert; Clara / Tomas do not."""
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and long.startswith(short):
        return True
    return nicknames and (b in _nicknames(a) or a in _nicknames(b))


@lru_cache(maxsize=4096)
def _nicknames(name: str) -> frozenset[str]:
    """The nicknames of a given name ("joe" of "joseph"), from the `nicknames` dataset."""
    return frozenset(_nicknamer().nicknames_of(name))


@lru_cache(maxsize=1)
def _nicknamer() -> Any:
    from nicknames import NickNamer

    return NickNamer()


def role_words(role: str | None) -> frozenset[str]:
    if not role:
        return frozenset()
    words = {w.casefold().removesuffix("'s").strip(".'-") for w in _WORD.findall(role)}
    return frozenset(w for w in words if w and w not in _ROLE_STOPWORDS)


def roles_agree(role: str | None, known: list[str]) -> bool | None:
    """True when the roles share a word ("Minister" and "interior minister"), False when both
    are known and share none ("dairy farmer" and "interior minister"), None when unknown."""
    words = role_words(role)
    known_words = [role_words(k) for k in known if role_words(k)]
    if not words or not known_words:
        return None
    return any(words & k for k in known_words)


def name_key(name: str) -> str:
    """ "The Regional Water Authority" and "regional water authority" give one key."""
    words = _NORMAL.sub(" ", name.casefold()).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def index_actor(db: Database, actor_id: int, name: str, kind: str | None) -> None:
    """Record the keys an actor is found by: its normalised name and, for a person, surname."""
    keys = {"name:" + name_key(name)}
    if kind not in (None, "person", "unknown"):
        keys.add("name:" + organisation_key(name))
    if kind in (None, "person"):
        parsed = person_name(name)
        if parsed is not None:
            keys.add("surname:" + parsed.surname)
    db.conn.executemany(
        "INSERT OR IGNORE INTO actor_keys (key, actor_id) VALUES (?, ?)",
        [(key, actor_id) for key in keys],
    )


def resolve(db: Database, actor: Actor) -> int:
    """The id of the stored actor this article's `actor` is, created if there is none."""
    merged = db.execute(
        "SELECT actor_id FROM actor_rules WHERE rule = 'merge' AND name = ? ORDER BY id DESC",
        [actor.name],
    ).fetchone()
    if merged is not None:
        return _update(db, int(merged[0]), actor)
    blocked = {
        int(r[0])
        for r in db.execute(
            "SELECT actor_id FROM actor_rules WHERE rule = 'split' AND name = ?", [actor.name]
        )
    }
    exact = db.execute("SELECT id FROM actors WHERE name = ?", [actor.name]).fetchone()
    if exact is not None:
        fuller = _fuller_for_surname(db, int(exact[0]), actor, blocked)
        return _update(db, fuller if fuller is not None else int(exact[0]), actor)
    if _surname_alone(actor):
        # "Trump" tagged as an organisation in an article that never gave his full name
        person = _match(db, replace(actor, kind="person"), blocked)
        if person is not None and _statement_count(db, person) >= 5:
            return _update(db, person, replace(actor, kind="person"))
    match = _match(db, actor, blocked)
    if match is not None:
        return _update(db, match, actor)
    actor_id = db.execute(
        "INSERT INTO actors (name, role, kind, aliases) VALUES (?, ?, ?, ?)",
        [actor.name, actor.role, actor.kind, _aliases_json(actor.name, [], actor.aliases)],
    ).lastrowid
    assert actor_id is not None
    index_actor(db, actor_id, actor.name, actor.kind)
    return actor_id


def resolve_name(db: Database, name: str) -> int:
    """A statement naming an actor the extraction did not list: exact name, else a new actor
    whose kind is unknown (no surname matching without a kind to go on)."""
    row = db.execute("SELECT id FROM actors WHERE name = ?", [name]).fetchone()
    if row is not None:
        return int(row[0])
    actor_id = db.execute("INSERT INTO actors (name, aliases) VALUES (?, '[]')", [name]).lastrowid
    assert actor_id is not None
    index_actor(db, actor_id, name, "unknown")
    return actor_id


def _match(db: Database, actor: Actor, blocked: set[int]) -> int | None:
    if actor.kind != "person":
        keys = list(dict.fromkeys([name_key(actor.name), organisation_key(actor.name)]))
        rows = db.execute(
            "SELECT DISTINCT ac.id FROM actor_keys k JOIN actors ac ON ac.id = k.actor_id"
            f" WHERE k.key IN ({','.join('?' * len(keys))}) AND ac.kind IS ?",
            [*("name:" + k for k in keys), actor.kind],
        ).fetchall()
        ids = [int(r[0]) for r in rows if int(r[0]) not in blocked]
        return ids[0] if len(ids) == 1 else None
    parsed = person_name(actor.name)
    if parsed is None:
        return None
    rows = db.execute(
        "SELECT ac.id, ac.name, ac.role, ac.statement_count FROM actor_keys k"
        " JOIN actors ac ON ac.id = k.actor_id"
        " WHERE k.key = ? AND (ac.kind = 'person' OR ac.kind IS NULL)",
        ["surname:" + parsed.surname],
    ).fetchall()
    same_given: list[int] = []
    same_suffix: list[int] = []
    surname_only: list[int] = []
    role_evidence: list[int] = []
    disagreeing: list[int] = []
    counts: dict[int, int] = {}
    for actor_id, name, role, count in rows:
        if actor_id in blocked:
            continue
        other = person_name(name)
        if other is None or other.surname != parsed.surname:
            continue
        if parsed.given and other.given and not given_names_agree(parsed.given, other.given):
            continue
        if parsed.middle and other.middle and not given_names_agree(parsed.middle, other.middle):
            continue
        if (
            parsed.given
            and other.given
            and parsed.suffix != other.suffix
            and parsed.middle == other.middle
        ):
            continue  # "Donald Trump Jr." is not "Donald Trump"; "James B. Comey Jr." is
            # "James Comey", whose middle initial the shorter form leaves out
        agree = roles_agree(actor.role, [*_roles(db, actor_id), *([role] if role else [])])
        if (
            parsed.given
            and other.given
            and not given_names_agree(parsed.given, other.given, nicknames=False)
            and not agree
        ):
            continue  # "Gary Johnson" is "Garrett Johnson" only when their roles agree too
        counts[actor_id] = int(count or 0)
        if agree is False and not (parsed.given and other.given):
            disagreeing.append(actor_id)
            continue  # "Voss, a farmer" is not "Voss, the minister"; "Ann Voss" is "Ann Voss"

        if parsed.given and other.given:
            same_given.append(actor_id)
            if other.suffix == parsed.suffix:
                same_suffix.append(actor_id)
        else:
            surname_only.append(actor_id)
        if agree:
            role_evidence.append(actor_id)
    if parsed.given:
        if len(same_given) == 1:
            return same_given[0]
        if len(same_suffix) == 1:
            return same_suffix[0]  # "Donald J. Trump" is "Donald Trump", not "Donald Trump Jr."
        if not same_given and len(surname_only) == 1:
            return surname_only[0]
        return None
    candidates = same_given + surname_only
    if len(candidates) == 1:
        return candidates[0]
    if len(role_evidence) == 1:
        return role_evidence[0]
    if not candidates and disagreeing:
        # roles drawn from one sentence ("Biden, a loyal Democratic lieutenant") say little
        # against a person quoted far more than anyone else of that surname
        found = _dominant(disagreeing, counts, at_least=20)
        return found if found is not None and _fuller_name(db, found) else None
    return _dominant(candidates, counts)


def _fuller_for_surname(db: Database, exact: int, actor: Actor, blocked: set[int]) -> int | None:
    """A bare surname stored as its own actor ("Biden", made before anyone of that name was
    well known) gives way to the full-named person now quoted far more often ("Joe Biden")."""
    parsed = person_name(actor.name) if actor.kind == "person" else None
    if parsed is None or parsed.given is not None:
        return None
    found = _match(db, actor, blocked | {exact})
    if found is None or not _fuller_name(db, found):
        return None
    mine = _statement_count(db, exact)
    theirs = _statement_count(db, found)
    return found if theirs >= 5 and theirs >= 3 * mine else None


def _fuller_name(db: Database, actor_id: int) -> bool:
    row = db.execute("SELECT name FROM actors WHERE id = ?", [actor_id]).fetchone()
    parsed = person_name(str(row[0])) if row else None
    return parsed is not None and parsed.given is not None


def _statement_count(db: Database, actor_id: int) -> int:
    row = db.execute("SELECT statement_count FROM actors WHERE id = ?", [actor_id]).fetchone()
    return int(row[0]) if row else 0


def _surname_alone(actor: Actor) -> bool:
    """One capitalised word the tagger called an organisation or a place, which may be the
    surname of a person already known ("Trump", "Christie"), never a country."""
    words = actor.name.split()
    return (
        actor.kind in ("organisation", "place")
        and len(words) == 1
        and words[0][:1].isupper()
        and not words[0].isupper()
        and not is_country(actor.name)
    )


def _dominant(candidates: list[int], counts: dict[int, int], at_least: int = 5) -> int | None:
    """The candidate quoted at least three times as often as any other (and at least five
    times): a bare "Obama" in an archive of US politics is the president, not his wife."""
    ranked = sorted(candidates, key=lambda c: counts.get(c, 0), reverse=True)
    if len(ranked) < 2:
        return ranked[0] if ranked and counts.get(ranked[0], 0) >= at_least else None
    top, second = counts.get(ranked[0], 0), counts.get(ranked[1], 0)
    return ranked[0] if top >= at_least and top >= 3 * second else None


def _roles(db: Database, actor_id: int) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT role FROM article_actors WHERE actor_id = ? AND role IS NOT NULL",
            [actor_id],
        )
    ]


def _update(db: Database, actor_id: int, actor: Actor) -> int:
    """Fold the article's view into the stored actor: aliases accumulate, the newest role
    wins, the kind and the casing most articles give win, and a fuller name of the same person
    becomes the actor's name."""
    name, role, kind, aliases = db.execute(
        "SELECT name, role, kind, aliases FROM actors WHERE id = ?", [actor_id]
    ).fetchone()
    new_name = name
    new_kind = _majority_kind(db, actor_id, actor.kind) or kind
    if (
        new_kind in (None, "person")
        and _fuller(actor.name, name)
        and not db.execute(
            "SELECT 1 FROM actors WHERE name = ? AND id != ?", [actor.name, actor_id]
        ).fetchone()
    ):
        new_name = actor.name
    elif actor.name != name and actor.name.casefold() == name.casefold():
        new_name = _usual_casing(db, actor_id, name, actor.name)
    merged = _aliases_json(new_name, [*_load(aliases), name, actor.name], actor.aliases)
    db.execute(
        "UPDATE actors SET name = ?, role = ?, kind = ?, aliases = ? WHERE id = ?",
        [new_name, actor.role or role, new_kind, merged, actor_id],
    )
    if new_name != name:
        index_actor(db, actor_id, new_name, new_kind)
    return actor_id


_SPELLINGS = (
    "SELECT spelling, articles FROM actor_name_counts WHERE actor_id = ? AND name = ?",
    "SELECT name COLLATE BINARY, COUNT(*) FROM article_actors"
    " WHERE actor_id = ? AND name = ? GROUP BY name COLLATE BINARY",
)
"""An actor's spellings of a name and the number of articles of each: kept counts, and the
same counted from the rows (`_counted`)."""

_KINDS = (
    "SELECT kind, articles FROM actor_kind_counts WHERE actor_id = ? ORDER BY kind",
    "SELECT kind, COUNT(*) FROM article_actors WHERE actor_id = ? AND kind IS NOT NULL"
    " GROUP BY kind ORDER BY kind",
)
"""An actor's kinds, in order of their names (which breaks a tie), and the number of articles
of each: kept counts, and the same counted from the rows (`_counted`)."""


def _counted(db: Database, queries: tuple[str, str], params: list[object]) -> list[Any]:
    """The kept counts (m015), else, on a schema without them (an older database brought
    forward by its migrations, which store before m015 comes), the rows counted."""
    kept, from_rows = queries
    try:
        return db.conn.execute(kept, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        return db.conn.execute(from_rows, params).fetchall()


def _usual_casing(db: Database, actor_id: int, name: str, seen: str) -> str:
    """The spelling most articles give a name that differs only in case ("Supreme Court" over
    one article's "Supreme court"); the stored one wins a tie. The spellings are counted by
    triggers (``actor_name_counts``), so a name of thousands of articles costs what a new one
    does."""
    counts = {str(n): int(c) for n, c in _counted(db, _SPELLINGS, [actor_id, name])}
    counts[seen] = counts.get(seen, 0) + 1
    return seen if counts[seen] > counts.get(name, 0) else name


def _majority_kind(db: Database, actor_id: int, kind: str | None) -> str | None:
    """The kind most articles gave the actor, this one included (the newest wins a tie): the
    tagger calling "Politico" a person in one article out of ten does not make it one. The
    kinds are counted by triggers (``actor_kind_counts``): one look-up however many articles
    named the actor."""
    counts = {str(k): float(n) for k, n in _counted(db, _KINDS, [actor_id])}
    if kind:
        counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return kind
    name = db.execute("SELECT name FROM actors WHERE id = ?", [actor_id]).fetchone()
    if name and len(str(name[0]).split()) == 1 and "person" in counts:
        # a one-word name is a person on weaker grounds: the tagger's guess for a word with no
        # given name ("Twitter") counts half against articles that show an organisation
        counts["person"] /= 2
    top = max(counts.values())
    return kind if kind and counts[kind] == top else max(counts, key=lambda k: counts[k])


def _fuller(candidate: str, current: str) -> bool:
    """ "Pete Hegseth" is a fuller name than "Hegseth" (a given name where there was none)."""
    new, old = person_name(candidate), person_name(current)
    return bool(new and old and new.surname == old.surname and new.given and not old.given)


def _load(value: str | None) -> list[str]:
    try:
        loaded = json.loads(value or "[]")
    except ValueError:
        return []
    return [a for a in loaded if isinstance(a, str)] if isinstance(loaded, list) else []


def _aliases_json(name: str, old: list[str], new: tuple[str, ...]) -> str:
    seen = {name.casefold()}
    merged: list[str] = []
    for alias in [*old, *new]:
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            merged.append(alias)
    return json.dumps(merged, ensure_ascii=False)


# Manual corrections -------------------------------------------------------------------------


def find_actor(db: Database, name: str) -> tuple[int, str]:
    """The actor called `name` (any case), else the one actor with that alias; an error that
    lists the candidates when the name is unknown or ambiguous."""
    row = db.execute("SELECT id, name FROM actors WHERE name = ?", [name.strip()]).fetchone()
    if row is not None:
        return int(row[0]), str(row[1])
    rows = db.execute(
        "SELECT id, name FROM actors WHERE EXISTS ("
        " SELECT 1 FROM json_each(actors.aliases) WHERE value = ? COLLATE NOCASE)",
        [name.strip()],
    ).fetchall()
    if len(rows) == 1:
        return int(rows[0][0]), str(rows[0][1])
    if rows:
        names = ", ".join(sorted(r[1] for r in rows))
        raise FactcliError(f"{name!r} is an alias of several actors ({names}); use a full name")
    raise FactcliError(f"no actor called {name!r}; see factcli actors")


def merge(db: Database, keep: str, other: str) -> dict[str, object]:
    """Make `other` part of `keep`: statements, article views and aliases move over, and every
    name `other` was seen under will resolve to `keep` when articles are ingested again."""
    from factcli.store import quotes
    from factcli.store.transactions import transaction

    keep_id, keep_name = find_actor(db, keep)
    other_id, other_name = find_actor(db, other)
    if keep_id == other_id:
        raise FactcliError(f"{keep!r} and {other!r} are already one actor ({keep_name})")
    with transaction(db):
        names = {other_name} | {
            r[0]
            for r in db.execute("SELECT name FROM article_actors WHERE actor_id = ?", [other_id])
        }
        moved = [
            int(r[0])
            for r in db.execute("SELECT id FROM statements WHERE actor_id = ?", [other_id])
        ]
        db.execute("UPDATE statements SET actor_id = ? WHERE actor_id = ?", [keep_id, other_id])
        db.execute("UPDATE article_actors SET actor_id = ? WHERE actor_id = ?", [keep_id, other_id])
        db.execute(
            "UPDATE OR IGNORE actor_rules SET actor_id = ? WHERE actor_id = ? AND rule = 'merge'",
            [keep_id, other_id],
        )
        aliases = db.execute(
            "SELECT aliases FROM actors WHERE id IN (?, ?) ORDER BY id = ? DESC",
            [keep_id, other_id, keep_id],
        ).fetchall()
        merged = _aliases_json(
            keep_name, [*_load(aliases[0][0]), other_name, *_load(aliases[1][0])], ()
        )
        db.execute("UPDATE actors SET aliases = ? WHERE id = ?", [merged, keep_id])
        db.execute("DELETE FROM actors WHERE id = ?", [other_id])
        now = _now()
        for name in sorted(names):
            db.execute(
                "DELETE FROM actor_rules WHERE rule = 'split' AND name = ? AND actor_id = ?",
                [name, keep_id],
            )
            db.execute(
                "INSERT OR IGNORE INTO actor_rules (rule, name, actor_id, created_at)"
                " VALUES ('merge', ?, ?, ?)",
                [name, keep_id, now],
            )
        quotes.regroup(db, moved)
    return {"actor": keep_name, "merged": other_name, "statements_moved": len(moved)}


def split(db: Database, actor: str, name: str) -> dict[str, object]:
    """Take the articles where `actor` was seen as `name` away from it, to an actor called
    `name`; that name will never be matched to `actor` again."""
    from factcli.store import quotes
    from factcli.store.transactions import transaction

    actor_id, actor_name = find_actor(db, actor)
    name = name.strip()
    if name.casefold() == actor_name.casefold():
        raise FactcliError(f"{name!r} is the actor's own name; split off one of its other names")
    views = db.execute(
        "SELECT article_id, role, kind FROM article_actors WHERE actor_id = ? AND name = ?"
        " ORDER BY article_id",
        [actor_id, name],
    ).fetchall()
    aliases = _load(db.execute("SELECT aliases FROM actors WHERE id = ?", [actor_id]).fetchone()[0])
    if not views and name.casefold() not in {a.casefold() for a in aliases}:
        raise FactcliError(f"{actor_name} was never called {name!r}; see factcli actor")
    with transaction(db):
        existing = db.execute("SELECT id FROM actors WHERE name = ?", [name]).fetchone()
        if existing is not None:
            new_id = int(existing[0])
        else:
            role = next((v[1] for v in reversed(views) if v[1]), None)
            kind = views[-1][2] if views else None
            new_id = int(
                db.execute(
                    "INSERT INTO actors (name, role, kind, aliases) VALUES (?, ?, ?, '[]')",
                    [name, role, kind],
                ).lastrowid
                or 0
            )
            index_actor(db, new_id, name, kind)
        moved: list[int] = []
        for article_id, _, _ in views:
            others = db.execute(
                "SELECT COUNT(*) FROM article_actors"
                " WHERE article_id = ? AND actor_id = ? AND name != ?",
                [article_id, actor_id, name],
            ).fetchone()[0]
            condition = "" if others == 0 else " AND speaker_mention = ? COLLATE NOCASE"
            params = [article_id, actor_id] + ([name] if others else [])
            moved += [
                int(r[0])
                for r in db.execute(
                    "SELECT id FROM statements WHERE article_id = ? AND actor_id = ?" + condition,
                    params,
                )
            ]
        db.conn.executemany(
            "UPDATE statements SET actor_id = ? WHERE id = ?", [(new_id, i) for i in moved]
        )
        db.execute(
            "UPDATE article_actors SET actor_id = ? WHERE actor_id = ? AND name = ?",
            [new_id, actor_id, name],
        )
        kept = [a for a in aliases if a.casefold() != name.casefold()]
        db.execute(
            "UPDATE actors SET aliases = ? WHERE id = ?",
            [json.dumps(kept, ensure_ascii=False), actor_id],
        )
        db.execute(
            "DELETE FROM actor_rules WHERE rule = 'merge' AND name = ? AND actor_id = ?",
            [name, actor_id],
        )
        db.execute(
            "INSERT OR IGNORE INTO actor_rules (rule, name, actor_id, created_at)"
            " VALUES ('split', ?, ?, ?)",
            [name, actor_id, _now()],
        )
        quotes.regroup(db, moved)
    return {"actor": actor_name, "split": name, "statements_moved": len(moved)}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
