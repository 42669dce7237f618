"""Product search behind one function (matching_products): SQLite FTS5 or PostgreSQL
full-text search over name, category, SKUs, variant options and description, ranked.

Every word must match, as a prefix ("harb" finds "harbour") or by its English stem
("tees" finds "tee", "hoodies" a hoodie). A word that matches nothing at all is taken for a
typo and replaced by the closest word of the index ("hodie" finds hoodies), found in one
more query. The index itself and its triggers are in store.catalog.search_index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import (
    Float,
    Integer,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)

from store.catalog.search_index import (  # noqa: F401 - re-exported for migrations, tests
    ACCENTED,
    INDEX_TABLE,
    PLAIN,
    WORDS_TABLE,
    create_search_index,
    drop_search_index,
    is_search_table,
)
from store.extensions import db
from store.models import Product

MAX_TERMS = 8
# Words shorter than this are never "corrected": too many short words are one edit apart.
MIN_TYPO_LENGTH = 4

# Search words are runs of letters and digits; everything else separates them. SKUs such as
# "TEE-NAVY-M" are found by their parts.
_WORD = re.compile(r"\w+", re.UNICODE)

_sqlite_index = table(INDEX_TABLE, column("rowid", Integer))
_sqlite_words = table(WORDS_TABLE, column("term"))
_pg_index = table(INDEX_TABLE, column("product_id", Integer), column("document"))
_pg_words = table(WORDS_TABLE, column("word"))


def fold_accents(word: str) -> str:
    """PostgreSQL's configurations keep accents; fold the common ones on both sides."""
    return word.translate(str.maketrans(ACCENTED, PLAIN))


def search_terms(query: str) -> list[str]:
    """The words of a query, lower-cased, at most MAX_TERMS (punctuation ignored)."""
    words = _WORD.findall((query or "").lower().replace("_", " "))
    return list(dict.fromkeys(words))[:MAX_TERMS]


def _condition(dialect: str, terms: list[str]):
    """The WHERE clause for index rows matching every one of `terms`."""
    if dialect == "postgresql":
        query = None
        for term in (fold_accents(t) for t in terms):
            either = func.to_tsquery("simple", f"'{term}':*").op("||")(
                func.plainto_tsquery("english", term))
            query = either if query is None else query.op("&&")(either)
        return _pg_index.c.document.op("@@")(query), query
    match = " ".join(f'"{t}"*' for t in terms)
    return literal_column(INDEX_TABLE).op("MATCH")(match), None


def _index_table(dialect: str):
    return _pg_index if dialect == "postgresql" else _sqlite_index


def _found_terms(dialect: str, terms: list[str]) -> set[int]:
    """Which of the terms match something in the index (one query for all of them)."""
    index = _index_table(dialect)
    checks = [select(literal(n)).where(select(literal(1)).select_from(index)
                                      .where(_condition(dialect, [term])[0]).exists())
              for n, term in enumerate(terms)]
    statement = checks[0] if len(checks) == 1 else union_all(*checks)
    return set(db.session.scalars(statement))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, with a swap of two neighbours counting as one edit."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _allowed_edits(term: str) -> int:
    return 1 if len(term) < 7 else 2


def closest_word(term: str, words: list[str]) -> str | None:
    """The index word nearest a misspelt term, if it is near enough.

    SQLite's words are stems ("hoodi"), so a term also counts as near when it is after
    dropping one or two letters of an ending ("hodie" -> "hodi", one edit from "hoodi").
    """
    forms = [(term, 0)] + [(term[:-n], 1) for n in (1, 2) if len(term) - n >= MIN_TYPO_LENGTH - 1]
    best = None
    for word in words:
        for form, penalty in forms:
            distance = edit_distance(form, word)
            if distance <= _allowed_edits(term):
                key = (distance, penalty, abs(len(word) - len(term)), word)
                best = key if best is None or key < best else best
    return best[-1] if best else None


def _typo_candidates(dialect: str, terms: list[str]) -> list[str]:
    """Index words that could be what the misspelt terms meant (one query for all)."""
    words = _pg_words.c.word if dialect == "postgresql" else _sqlite_words.c.term
    # A range on the first letter, not LIKE: SQLite's fts5vocab and PostgreSQL's primary key
    # both answer it from their sorted words instead of reading them all. One SELECT per
    # term in a UNION ALL (fts5vocab answers an OR of ranges wrongly), still one query.
    parts = [select(words).where(words >= term[0], words < chr(ord(term[0]) + 1),
                                 func.length(words).between(len(term) - 3, len(term) + 2))
             for term in dict.fromkeys(terms)]
    statement = parts[0] if len(parts) == 1 else union_all(*parts)
    return list(dict.fromkeys(db.session.scalars(statement.limit(5000))))


def corrected_terms(dialect: str, terms: list[str]) -> dict[str, str]:
    """For each term that matches nothing, the closest index word (when there is one)."""
    if not terms:
        return {}
    found = _found_terms(dialect, terms)
    missing = [t for n, t in enumerate(terms) if n not in found
               and len(t) >= MIN_TYPO_LENGTH and t.isalpha()]
    if not missing:
        return {}
    folded = [fold_accents(t) for t in missing]
    candidates = _typo_candidates(dialect, folded)
    corrections = {}
    for term, plain in zip(missing, folded, strict=True):
        word = closest_word(plain, candidates)
        if word:
            corrections[term] = word
    return corrections


@dataclass
class Matches:
    """Products matching a query: a subquery of ids and how to order by relevance."""

    terms: list[str]
    dialect: str
    #: Misspelt words of the query and the index word searched for instead.
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def searched(self) -> list[str]:
        """The words really searched for: the query's, with typos corrected."""
        return [self.corrections.get(t, t) for t in self.terms]

    def _ranked(self, with_rank: bool = True):
        """(product id, rank) rows, lower rank is better, for every matching product."""
        condition, query = _condition(self.dialect, self.searched)
        if self.dialect == "postgresql":
            columns = [_pg_index.c.product_id.label("id")]
            if with_rank:
                columns.append((-func.ts_rank(_pg_index.c.document, query)).label("rank"))
            return select(*columns).where(condition)
        columns = [_sqlite_index.c.rowid.label("id")]
        if with_rank:
            # bm25 weights per column: name, category, skus, options, description.
            columns.append(func.bm25(literal_column(INDEX_TABLE), 10.0, 4.0, 6.0, 3.0, 1.0,
                                     type_=Float).label("rank"))
        return select(*columns).where(condition)

    def subquery_ids(self):
        """A SELECT of the matching product ids, for `Product.id.in_(...)`."""
        if not self.terms:
            return select(Product.id).where(false())
        return self._ranked(with_rank=False)

    def order(self, stmt):
        """Order a product SELECT by relevance, best first."""
        if not self.terms:
            return stmt.order_by(Product.name, Product.id)
        ranked = self._ranked().subquery("ranked")
        return stmt.join(ranked, ranked.c.id == Product.id).order_by(ranked.c.rank, Product.id)


def matching_products(query: str) -> Matches:
    """The products matching every word of a query (each word also as a prefix or stem)."""
    dialect = db.engine.dialect.name
    terms = search_terms(query)
    return Matches(terms=terms, dialect=dialect, corrections=corrected_terms(dialect, terms))
