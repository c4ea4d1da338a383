#!/usr/bin/env python3
"""Generate a synthetic corpus of GA resolutions in the ODS plain-text layout, for benchmarks.

    python bench/gen_corpus.py N OUT_DIR [--seed S] [--shape F]
    python bench/gen_corpus.py --measure /work/shared/corpus/akn4un/ga75   # refresh the stats

Writes N files `A_RES_<session>_<number>.txt` laid out like the ODS export the parser reads
(tests/data/seed/A_RES_67_185.txt: heading lines, tab-indented paragraphs, closing meeting and
date, the footnotes, then the page furniture) and `manifest.json`, which says, per file, what
was planted: the clauses by kind, the footnotes, every citation (kind, target, the clause that
carries it, the date printed with it) and every opening phrase.

What makes it realistic (numbers from `bench/corpus_stats.json`, measured on the 342 works of
the ga75 AKN4UN corpus by `--measure`): paragraph counts, clause lengths and the sub-paragraph
rate follow the real distributions (counts scaled by `--shape`, so that a built resolution has
about 430 triples, the shape the issue's figures were measured on); opening phrases are drawn
with their real frequencies; cited resolutions follow a long-tail (Zipf) popularity; resolutions
come in topic series that recall their predecessors across sessions ("Recalling its
resolutions 63/12 of 5 December 2008 and 64/15 of …"), always earlier ones with their true
dates; footnotes cite treaties of the real register (resgraph/patterns/treaties.json) as
"United Nations, Treaty Series, vol. N, No. M." with "Ibid., vol. …" chains, declarations by
their adopting resolution, reports by symbol and the Official Records with "Ibid." chains; a
few citations go to real older resolutions of the Assembly, the Council and others.

Same seed, same bytes: every document draws from its own generator seeded by (seed, index),
the corpus plan from (seed, "plan"). Nothing generated belongs in the repository.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATS_PATH = Path(__file__).resolve().parent / "corpus_stats.json"
REGISTER_PATH = ROOT / "resgraph" / "patterns" / "treaties.json"
PHRASES_PATH = ROOT / "resgraph" / "patterns" / "clause_phrases.json"

DEFAULT_SHAPE = 0.46
"""Paragraph and footnote counts are the ga75 ones times this: about 430 triples a resolution."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MONTHS = _words(
    "January February March April May June July August September October November December"
)

# --- vocabulary of the filler text ---------------------------------------------------------
# Plain UN drafting words. Nothing here may look like a citation to the parser: no numbers,
# no "resolution", "Convention", "Protocol", "Declaration", "Charter", "Treaty", "Agreement",
# "decision", "paragraph", "annex", "report", "Supplement", no capitalised names of bodies.

NOUNS = _words(
    "cooperation capacity-building implementation development assistance participation "
    "coordination protection prevention access accountability transparency resilience "
    "awareness partnership dialogue follow-up monitoring financing support inclusion "
    "empowerment sustainability security stability recovery reconstruction governance "
    "integration mobilization engagement consultation exchange dissemination evaluation "
    "investment education health nutrition employment innovation connectivity infrastructure "
    "justice equality safety mediation outreach research training assessment planning"
)
PLURAL_NOUNS = _words(
    "efforts measures policies programmes activities initiatives commitments challenges "
    "priorities strategies mechanisms institutions capacities resources practices needs "
    "obligations rights responsibilities communities victims women children youth "
    "stakeholders authorities entities actors frameworks networks services systems "
    "opportunities risks gaps achievements lessons experiences data statistics"
)
ADJECTIVES = _words(
    "effective comprehensive national regional international sustainable coordinated "
    "inclusive timely adequate appropriate relevant concrete practical long-term "
    "multidimensional integrated coherent predictable voluntary transparent accountable "
    "gender-responsive evidence-based technical financial institutional human "
    "humanitarian economic social environmental global local meaningful full"
)
ACTORS = (
    "Member States",
    "all States",
    "the Secretary-General",
    "the relevant United Nations entities",
    "the United Nations system",
    "the international community",
    "regional and subregional organizations",
    "the international financial institutions",
    "civil society",
    "non-governmental organizations",
    "the private sector",
    "donor countries",
    "developing countries",
    "the specialized agencies",
    "national human rights institutions",
    "the funds and programmes of the United Nations",
)
VERBS = _words(
    "strengthen promote enhance support ensure continue improve develop facilitate "
    "consider pursue address implement advance coordinate mobilize foster share expand "
    "integrate prioritize review assess protect increase reinforce sustain encourage"
)
LINKS = (
    ", including",
    ", in particular",
    " and",
    ", as well as",
    " through",
    ", inter alia,",
    " with a view to",
    " in order to",
    ", taking into account",
    " in accordance with",
    ", especially",
    " at all levels, and",
)
ADVERBS = frozenset(_words("also further again likewise once more moreover furthermore"))
ORDINAL_WORDS = _words(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
)
TENS_WORDS = _words("twenty thirty forty fifty sixty seventy eighty ninety")

# topic titles: "<Head> <object>" ("Strengthening of international cooperation on …")
TITLE_HEADS = (
    "Strengthening of",
    "Promoting",
    "Towards",
    "Implementation of the outcomes on",
    "International cooperation on",
    "Follow-up to the commitments on",
    "Enhancing",
    "Measures to improve",
    "The role of the United Nations in",
    "Assistance for",
    "Protection of",
    "Coordination of efforts on",
)
TITLE_OBJECTS = (
    "{adj} {noun}",
    "{adj} {noun} and {noun}",
    "{noun} for {adj} development",
    "the {plural} of {adj} {plural}",
    "{adj} {noun} in {adj} {plural}",
    "{noun}, {noun} and {adj} {noun}",
)
COMMITTEES = (
    ("First Committee", 1),
    ("Second Committee", 2),
    ("Third Committee", 3),
    ("Fourth Committee", 4),
    ("Fifth Committee", 5),
    ("Sixth Committee", 6),
)

# real resolutions of other bodies and older Assembly ones, with their real dates: what a
# generated text may cite besides the generated corpus (target as resgraph normalises it)
REAL_RESOLUTIONS: tuple[tuple[str, str, date], ...] = (
    ("its resolution 1514 (XV)", "A/RES/1514(XV)", date(1960, 12, 14)),
    ("its resolution 2200 A (XXI)", "A/RES/2200(XXI)A", date(1966, 12, 16)),
    ("its resolution 3281 (XXIX)", "A/RES/3281(XXIX)", date(1974, 12, 12)),
    ("its resolution 46/182", "A/RES/46/182", date(1991, 12, 19)),
    ("its resolution 60/1", "A/RES/60/1", date(2005, 9, 16)),
    ("Security Council resolution 1325 (2000)", "S/RES/1325(2000)", date(2000, 10, 31)),
    ("Security Council resolution 1540 (2004)", "S/RES/1540(2004)", date(2004, 4, 28)),
    ("Security Council resolution 2250 (2015)", "S/RES/2250(2015)", date(2015, 12, 9)),
    ("Economic and Social Council resolution 1996/31", "E/RES/1996/31", date(1996, 7, 25)),
    ("Human Rights Council resolution 5/1", "A/HRC/RES/5/1", date(2007, 6, 18)),
)


# --- statistics -----------------------------------------------------------------------------


def quantiles(values: Sequence[float], points: int = 21) -> list[float]:
    """`points` evenly spaced quantiles (0 … 1) of `values`.

    >>> quantiles([1, 2, 3, 4, 5], 3)
    [1, 3, 5]
    """
    xs = sorted(values)
    return [xs[round(k * (len(xs) - 1) / (points - 1))] for k in range(points)]


def draw(q: Sequence[float], rng: random.Random) -> float:
    """A value drawn from the distribution given by its evenly spaced quantiles.

    >>> draw([0, 10], random.Random(1)) <= 10
    True
    """
    u = rng.random() * (len(q) - 1)
    k = min(int(u), len(q) - 2)
    return q[k] + (q[k + 1] - q[k]) * (u - k)


def measure(akn_dir: Path) -> dict[str, Any]:
    """The statistics the generator draws from, measured on real resolutions (AKN4UN XML)."""
    sys.path.insert(0, str(ROOT))
    from resgraph.parse.segment import match_phrase
    from resgraph.pipeline import parse_document

    pp: list[int] = []
    op: list[int] = []
    fn: list[int] = []
    subs: list[int] = []
    chars: dict[str, list[int]] = {"preambular": [], "operative": [], "subparagraph": []}
    phrases: dict[str, Counter[str]] = {"preambular": Counter(), "operative": Counter()}
    works = 0
    for path in sorted(akn_dir.glob("*.xml")):
        res = parse_document(path)
        works += 1
        for unit in res.parts or (res,):
            if not unit.clauses:
                continue
            pp.append(sum(c.kind == "preambular" for c in unit.clauses))
            op.append(sum(c.kind == "operative" for c in unit.clauses))
            fn.append(len(unit.footnotes))
            for c in unit.clauses:
                if c.kind in chars:
                    chars[c.kind].append(len(c.text))
                if c.kind == "operative":
                    subs.append(sum(1 for s in unit.clauses if s.parent == c.key))
                # the phrase as the text parser reads it (the XML's italics may hold more)
                m = match_phrase(c.text, c.kind, anywhere=False)
                if c.kind in phrases and m is not None:
                    phrases[c.kind][" ".join(m.phrase.split())] += 1
    with_subs = [n for n in subs if n]
    return {
        "#": f"Measured by bench/gen_corpus.py --measure on {works} AKN4UN works ({akn_dir.name})",
        "preambular_count": quantiles(pp),
        "operative_count": quantiles(op),
        "footnote_count": quantiles(fn),
        "clause_chars": {k: quantiles(v) for k, v in chars.items()},
        "operative_with_subparagraphs": round(len(with_subs) / max(1, len(subs)), 4),
        "subparagraph_count": quantiles(with_subs),
        "phrases": {
            k: [[p, n] for p, n in sorted(v.items(), key=lambda x: (-x[1], x[0])) if n >= 2]
            for k, v in phrases.items()
        },
    }


def load_stats() -> dict[str, Any]:
    """bench/corpus_stats.json."""
    data: dict[str, Any] = json.loads(STATS_PATH.read_text(encoding="utf-8"))
    return data


# --- the corpus plan ------------------------------------------------------------------------


@dataclass
class Doc:
    """One generated resolution as the plan knows it (before its text exists)."""

    index: int  # position in adoption order
    session: int
    number: int
    adopted: date
    distributed: date
    meeting: int
    title: str
    topic: int
    committee: int  # 0: plenary, 1..6: Main Committee
    agenda: str
    job: str
    weight: float  # popularity (Zipf)

    @property
    def symbol(self) -> str:
        return f"A/RES/{self.session}/{self.number}"

    @property
    def short(self) -> str:
        return f"{self.session}/{self.number}"

    @property
    def file_name(self) -> str:
        return f"A_RES_{self.session}_{self.number}.txt"


@dataclass
class Plan:
    """Every document of the corpus, in adoption order, and the cumulative popularity."""

    docs: list[Doc]
    cumulative: list[float] = field(default_factory=list)
    by_topic: dict[int, list[int]] = field(default_factory=dict)


def session_year(session: int) -> int:
    """The calendar year in which a regular session opens (the first opened in 1946).

    >>> session_year(67)
    2012
    """
    return 1945 + session


def long_date(d: date) -> str:
    """The date as resolutions print it.

    >>> long_date(date(2012, 12, 20))
    '20 December 2012'
    """
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def ordinal(n: int) -> str:
    """`60th`, `1st`, `112th`.

    >>> [ordinal(n) for n in (1, 2, 3, 11, 12, 22, 103)]
    ['1st', '2nd', '3rd', '11th', '12th', '22nd', '103rd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ordinal_words(n: int) -> str:
    """`Sixty-seventh`, `Eightieth`, `Thirty-first`.

    >>> ordinal_words(67), ordinal_words(80), ordinal_words(31), ordinal_words(12)
    ('Sixty-seventh', 'Eightieth', 'Thirty-first', 'Twelfth')
    """
    if n < 20:
        return ORDINAL_WORDS[n - 1].capitalize()
    tens, unit = divmod(n, 10)
    if unit == 0:
        return TENS_WORDS[tens - 2][:-1].capitalize() + "ieth"
    return f"{TENS_WORDS[tens - 2].capitalize()}-{ORDINAL_WORDS[unit - 1]}"


RESERVED = frozenset(s for _, s, _ in REAL_RESOLUTIONS) | {
    "A/RES/55/2",
    "A/RES/70/1",
    "A/RES/61/295",
    "A/RES/41/128",
    "A/RES/76/181",
}
"""Real symbols the texts cite: never given to a generated resolution."""


def plan_corpus(n: int, seed: int, last_session: int = 80) -> Plan:
    """Symbols, dates, titles, topic series and popularity of `n` resolutions."""
    rng = random.Random(f"{seed}:plan")
    # about 250 a session; small corpora still span ten sessions (for the recall chains)
    sessions = max(1, min(last_session - 30, max(math.ceil(n / 250), min(n // 4, 10))))
    per_session = math.ceil(n / sessions)
    first = last_session - sessions + 1
    topics = max(1, n // 12)  # a series has a resolution every session or two
    titles = [_title(rng) for _ in range(topics)]
    docs: list[Doc] = []
    for s in range(first, last_session + 1):
        count = min(per_session, n - len(docs))
        if count <= 0:
            break
        year = session_year(s)
        # most resolutions are adopted in December; the rest spread over the session's year
        days = sorted(
            (date(year, 12, 1) + timedelta(days=rng.randint(0, 23)))
            if rng.random() < 0.8
            else (date(year, 9, 20) + timedelta(days=rng.randint(0, 350)))
            for _ in range(count)
        )
        number = 0
        meeting = 0
        last_day: date | None = None
        for day in days:
            number += 1
            while f"A/RES/{s}/{number}" in RESERVED:
                number += 1
            if day != last_day:
                meeting += rng.randint(1, 3)
                last_day = day
            topic = min(topics - 1, int(rng.paretovariate(0.9)) - 1 + rng.randrange(topics) // 2)
            if rng.random() < 0.5:
                topic = rng.randrange(topics)
            committee = rng.choices(range(7), weights=(35, 9, 13, 17, 8, 10, 8))[0]
            docs.append(
                Doc(
                    index=len(docs),
                    session=s,
                    number=number,
                    adopted=day,
                    distributed=day + timedelta(days=rng.randint(8, 80)),
                    meeting=meeting,
                    title=titles[topic],
                    topic=topic,
                    committee=committee,
                    agenda=str(rng.randint(7, 140))
                    + (f" ({'abcdefg'[rng.randrange(7)]})" if rng.random() < 0.2 else ""),
                    job=f"{year % 100:02d}-{rng.randint(10000, 99999)}",
                    weight=0.0,
                )
            )
    # long-tail popularity: a random rank for each, weight 1/rank^1.1
    ranks = list(range(1, len(docs) + 1))
    rng.shuffle(ranks)
    cumulative: list[float] = []
    total = 0.0
    for d, r in zip(docs, ranks, strict=True):
        d.weight = 1.0 / r**1.1
        total += d.weight
        cumulative.append(total)
    by_topic: dict[int, list[int]] = {}
    for d in docs:
        by_topic.setdefault(d.topic, []).append(d.index)
    return Plan(docs, cumulative, by_topic)


def _title(rng: random.Random) -> str:
    obj = rng.choice(TITLE_OBJECTS).format(
        adj=rng.choice(ADJECTIVES),
        noun=rng.choice(NOUNS),
        plural=rng.choice(PLURAL_NOUNS),
    )
    # the "{noun}" slots are filled with one word each, so repeat to vary them
    obj = re.sub(r"\b(\w+) and \1\b", lambda m: f"{m.group(1)} and {rng.choice(NOUNS)}", obj)
    return f"{rng.choice(TITLE_HEADS)} {obj}"


def earlier_popular(plan: Plan, doc: Doc, rng: random.Random) -> Doc | None:
    """A resolution adopted before `doc`, drawn by popularity."""
    k = bisect.bisect_left([d.adopted for d in plan.docs[: doc.index]], doc.adopted)
    if k == 0:
        return None
    u = rng.random() * plan.cumulative[k - 1]
    return plan.docs[min(k - 1, bisect.bisect_left(plan.cumulative, u))]


# --- the register ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Treaty:
    id: str
    name: str
    volume: int
    number: str
    in_force: date | None


def load_treaties() -> list[Treaty]:
    """Register treaties a footnote can cite unambiguously, most important first.

    Kept: one Treaty Series reference whose (volume, number) no other entry shares, and a
    name that contains no other entry's name (the parser would rightly find both).
    """
    data = json.loads(REGISTER_PATH.read_text(encoding="utf-8"))
    entries = data["treaties"]
    names = {
        e["id"]: [e["name"], *e.get("aliases", []), *e.get("short_names", [])] for e in entries
    }
    names.update({d["id"]: [d["name"], *d.get("aliases", [])] for d in data["declarations"]})
    pairs = Counter((u["volume"], u["number"]) for e in entries for u in e["unts"])
    out: list[Treaty] = []
    for e in entries:
        if len(e["unts"]) != 1:
            continue
        u = e["unts"][0]
        if u.get("series", "UNTS") != "UNTS" or pairs[(u["volume"], u["number"])] > 1:
            continue
        inner = [n for other, ns in names.items() if other != e["id"] for n in ns]
        if any(n in e["name"] for n in inner) or not e["name"][:1].isupper():
            continue
        eif = e.get("entry_into_force")
        out.append(
            Treaty(
                e["id"],
                e["name"],
                u["volume"],
                u["number"],
                date.fromisoformat(eif) if eif else None,
            )
        )
    return out


@dataclass(frozen=True)
class Declaration:
    id: str
    name: str
    footnote: str  # "Resolution 217 A (III)."
    target: str
    adopted: date


DECLARATIONS = (
    Declaration("udhr", "Universal Declaration of Human Rights", "Resolution 217 A (III).",
                "A/RES/217(III)A", date(1948, 12, 10)),
    Declaration("millennium-declaration", "United Nations Millennium Declaration",
                "Resolution 55/2.", "A/RES/55/2", date(2000, 9, 8)),
    Declaration("2030-agenda", "2030 Agenda for Sustainable Development", "Resolution 70/1.",
                "A/RES/70/1", date(2015, 9, 25)),
    Declaration("undrip", "United Nations Declaration on the Rights of Indigenous Peoples",
                "Resolution 61/295, annex.", "A/RES/61/295", date(2007, 9, 13)),
    Declaration("declaration-right-to-development", "Declaration on the Right to Development",
                "Resolution 41/128, annex.", "A/RES/41/128", date(1986, 12, 4)),
)  # fmt: skip


@dataclass(frozen=True)
class Phrases:
    preambular: tuple[list[str], list[float]]
    operative: tuple[list[str], list[float]]


def load_phrases(stats: dict[str, Any]) -> Phrases:
    """Opening phrases with their real frequencies; vocabulary labels never seen get one."""
    vocab = json.loads(PHRASES_PATH.read_text(encoding="utf-8"))["phrases"]
    out: dict[str, tuple[list[str], list[float]]] = {}
    for kind in ("preambular", "operative"):
        counts = {p: float(n) for p, n in stats["phrases"][kind]}
        for entry in vocab.values():
            if entry["kind"] == kind and entry["label"] not in counts:
                counts[entry["label"]] = 1.0
        items = sorted(counts.items())
        out[kind] = ([p for p, _ in items], [w for _, w in items])
    return Phrases(out["preambular"], out["operative"])


# --- one document ---------------------------------------------------------------------------


@dataclass
class Planted:
    kind: str
    target: str
    clause: str
    date: str | None = None


@dataclass
class Note:
    text: str
    clause: str


class Writer:
    """Builds one resolution's text and records what it plants."""

    def __init__(self, plan: Plan, doc: Doc, seed: int, ctx: Context) -> None:
        self.plan, self.doc, self.ctx = plan, doc, ctx
        self.rng = random.Random(f"{seed}:{doc.index}")
        self.notes: list[Note] = []
        self.cites: list[Planted] = []
        self.last_unts = False  # the previous footnote is a Treaty Series reference (Ibid.)
        self.last_records: int | None = None  # session of the previous Official Records note
        self.named: set[str] = set()  # treaties and declarations already named

    # filler text
    def np(self, depth: int = 0) -> str:
        r = self.rng
        choice = r.random()
        if choice < 0.4:
            s = f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)}"
        elif choice < 0.7:
            s = f"the {r.choice(PLURAL_NOUNS)} of {r.choice(ACTORS)}"
        elif choice < 0.85:
            s = f"{r.choice(ADJECTIVES)} {r.choice(PLURAL_NOUNS)}"
        else:
            s = f"the {r.choice(NOUNS)} of {r.choice(ADJECTIVES)} {r.choice(PLURAL_NOUNS)}"
        if depth < 1 and r.random() < 0.3:
            s += f" for {self.np(depth + 1)}"
        return s

    def filler(self, chars: int) -> str:
        r = self.rng
        parts = [self.np()]
        size = len(parts[0])
        while size < chars:
            link = r.choice(LINKS)
            if link.endswith(("to", "order to")):
                piece = f"{link} {r.choice(VERBS)} {self.np()}"
            else:
                piece = f"{link} {self.np()}"
            parts.append(piece)
            size += len(piece)
        return "".join(parts)

    def opening(self, kind: str) -> str:
        names, weights = getattr(self.ctx.phrases, kind)
        return str(self.rng.choices(names, weights=weights)[0])

    def continuation(self, phrase: str) -> str:
        """What follows an opening phrase, so that the parser reads the same phrase."""
        r = self.rng
        last = phrase.split()[-1].lower()
        that = f"that {self.np()} {r.choice(('is', 'remains'))} {r.choice(ADJECTIVES)} for"
        if last == "note":
            return "of"
        if phrase.lower().startswith(("express", "also express", "further express")):
            # the sentiment noun is part of the phrase up to a preposition or "that"
            return r.choice(("about", "for", that))
        if last in ADVERBS:
            # before a content word the adverb would be an adjective ("further efforts")
            return r.choice(("that", "the importance of", "the need for"))
        if last in {"concerned", "alarmed", "disturbed", "dismayed", "troubled"}:
            return r.choice(("about", that))
        if last in {"mindful", "aware", "conscious", "cognizant"}:
            return r.choice(("of", that))
        if last == "convinced":
            return that
        if last == "guided":
            return "by"
        if last in {"upon", "requests", "invites", "urges", "encourages", "calls"}:
            return f"{r.choice(ACTORS)} to {r.choice(VERBS)}"
        if last in {"decides", "determined", "resolved", "resolves"}:
            return f"to {r.choice(VERBS)}"
        if last in {"concern", "appreciation", "gratitude", "regret", "satisfaction", "support"}:
            return r.choice(("for", "about")) if last != "support" else "for"
        return r.choice(("", "", that, "the importance of"))

    def marker(self, text: str, clause: str) -> str:
        """A footnote marker for `text` (glued to the last word, before or after a comma)."""
        self.notes.append(Note(text, clause))
        return str(len(self.notes))

    # planted references
    def cite_resolution(self, clause: str, target: Doc, *, with_date: bool = True) -> str:
        self.cites.append(
            Planted(
                "resolution",
                target.symbol,
                clause,
                target.adopted.isoformat() if with_date else None,
            )
        )
        return f"{target.short} of {long_date(target.adopted)}" if with_date else target.short

    def recall_chain(self, clause: str) -> str | None:
        """ "Recalling its resolutions 63/12 of 5 December 2008 and 64/15 of …" (same topic)."""
        earlier = [
            self.plan.docs[i]
            for i in self.plan.by_topic[self.doc.topic]
            if self.plan.docs[i].adopted < self.doc.adopted
        ]
        if not earlier:
            return None
        chain = earlier[-self.rng.randint(1, 5) :]
        if len(chain) == 1:
            d = chain[0]
            return (
                f"its resolution {self.cite_resolution(clause, d)}, entitled \u201c{d.title}\u201d"
            )
        items = [self.cite_resolution(clause, d) for d in chain]
        return f"its resolutions {', '.join(items[:-1])} and {items[-1]}"

    def popular(self, clause: str) -> str | None:
        d = earlier_popular(self.plan, self.doc, self.rng)
        if d is None:
            return None
        return (
            f"its resolution {self.cite_resolution(clause, d, with_date=self.rng.random() < 0.6)}"
        )

    def real_resolution(self, clause: str) -> str | None:
        options = [r for r in REAL_RESOLUTIONS if r[2] < self.doc.adopted]
        if not options:
            return None
        text, target, when = self.rng.choice(options)
        self.cites.append(Planted("resolution", target, clause, when.isoformat()))
        return f"{text} of {long_date(when)}"

    def treaty(self, clause: str) -> str | None:
        options = [
            t for t in self.ctx.treaties
            if (t.in_force is None or t.in_force < self.doc.adopted) and t.id not in self.named
        ]  # fmt: skip
        if not options:
            return None
        k = min(len(options) - 1, int(self.rng.paretovariate(1.0)) - 1)
        t = options[k] if self.rng.random() < 0.7 else self.rng.choice(options)
        self.named.add(t.id)
        self.cites.append(Planted("treaty", t.id, clause))
        if self.last_unts and self.rng.random() < 0.8:
            note = f"Ibid., vol. {t.volume}, No. {t.number}."
        else:
            note = f"United Nations, Treaty Series, vol. {t.volume}, No. {t.number}."
        mark = self.marker(note, clause)
        self.last_unts, self.last_records = True, None
        return f"the {t.name}" + self.glue(mark)

    def declaration(self, clause: str) -> str | None:
        options = [
            d for d in DECLARATIONS if d.adopted < self.doc.adopted and d.id not in self.named
        ]
        if not options:
            return None
        d = self.rng.choice(options)
        self.named.add(d.id)
        self.cites.append(Planted("resolution", d.target, clause))
        mark = self.marker(d.footnote, clause)
        self.last_unts, self.last_records = False, None
        return f"the {d.name}" + self.glue(mark)

    def report(self, clause: str) -> str:
        """A report: of the Secretary-General (its symbol in the footnote) or in the Official
        Records ("See Official Records …, Supplement No. 53 (A/69/53)." then "Ibid., …")."""
        r = self.rng
        if r.random() < 0.5:
            symbol = f"A/{self.doc.session}/{r.randint(60, 420)}"
            note = f"{symbol}."
            self.last_records = None
            what = "the report of the Secretary-General"
            if r.random() < 0.3:
                # dated: the marker is glued to the year ("of 10 August 20163" = 2016 + note 3)
                when = self.doc.adopted - timedelta(days=r.randint(60, 140))
                what += f" of {long_date(when)}"
                self.cites.append(Planted("document", symbol, clause))
                self.last_unts = False
                return what + self.marker(note, clause) + ","
        else:
            s = r.randint(max(31, self.doc.session - 3), self.doc.session)
            supplement = r.choice((1, 7, 10, 11, 14, 18, 24, 40, 44, 53))
            symbol = f"A/{s}/{supplement}"
            where = f"{ordinal_words(s)} Session, Supplement No. {supplement} ({symbol})"
            if self.last_records is not None:
                note = f"Ibid., {where}."
            else:
                note = f"See Official Records of the General Assembly, {where}."
            self.last_records = s
            what = "the report of the " + r.choice(("Committee", "Commission", "Board"))
        self.cites.append(Planted("document", symbol, clause))
        self.last_unts = False
        return what + self.glue(self.marker(note, clause))

    def glue(self, mark: str) -> str:
        # the ODS export glues the marker to the word or puts it after the comma
        return f",{mark}" if self.rng.random() < 0.5 else f"{mark},"

    def reference(self, clause: str) -> str | None:
        """One planted reference, drawn by the kinds' real proportions."""
        kind = self.rng.choices(
            ("popular", "treaty", "report", "declaration", "real"), weights=(45, 25, 18, 6, 6)
        )[0]
        if kind == "treaty":
            return self.treaty(clause)
        if kind == "report":
            return self.report(clause)
        if kind == "declaration":
            return self.declaration(clause)
        if kind == "real":
            return self.real_resolution(clause)
        return self.popular(clause)

    def clause_text(self, kind: str, key: str, phrase: str, refs: int, end: str) -> str:
        chars = int(draw(self.ctx.stats["clause_chars"][kind], self.rng))
        text = " ".join(x for x in (phrase, self.continuation(phrase)) if x) + " "
        body = self.filler(max(20, chars - len(text)))
        pieces = [body]
        for _ in range(refs):
            ref = self.reference(key)
            if ref:
                lead = self.rng.choice(
                    (" in accordance with", ", recalling", " as set out in", ", bearing in mind",
                     " pursuant to", ", taking into account")
                )  # fmt: skip
                pieces.append(f"{lead} {ref} and {self.np()}")
        text += "".join(pieces)
        # a glued marker may have left "…,3," at the end: no double comma before the end mark
        return text.rstrip(",") + end


@dataclass
class Context:
    stats: dict[str, Any]
    phrases: Phrases
    treaties: list[Treaty]
    shape: float


def write_document(plan: Plan, doc: Doc, seed: int, ctx: Context) -> tuple[str, dict[str, Any]]:
    """The ODS text of one resolution and its manifest entry."""
    w = Writer(plan, doc, seed, ctx)
    r, st = w.rng, ctx.stats
    n_pp = max(1, round(draw(st["preambular_count"], r) * ctx.shape))
    n_op = max(1, round(draw(st["operative_count"], r) * ctx.shape))
    n_refs = max(0, round(draw(st["footnote_count"], r) * ctx.shape))
    # where the references go: each a clause drawn at random (pp more often, as in the corpus)
    slots = Counter(
        r.choices(["pp"] * n_pp + ["op"] * n_op, weights=[3] * n_pp + [1] * n_op, k=n_refs)
    )
    pp_refs = [0] * n_pp
    op_refs = [0] * n_op
    for _ in range(slots["pp"]):
        pp_refs[r.randrange(n_pp)] += 1
    for _ in range(slots["op"]):
        op_refs[r.randrange(n_op)] += 1

    body: list[str] = ["\tThe General Assembly,"]
    phrases: list[tuple[str, str]] = []
    counts = Counter[str]()
    for k in range(1, n_pp + 1):
        key = f"pp/{k}"
        if k == 1 and (chain := w.recall_chain(key)):
            phrase = r.choice(("Recalling", "Reaffirming", "Recalling"))
            text = f"{phrase} {chain}, and {w.filler(60)},"
        elif k == 2 and r.random() < 0.15 and (real := w.real_resolution(key)):
            phrase = "Recalling also"
            text = f"{phrase} {real}, and {w.filler(80)},"
        else:
            phrase = w.opening("preambular")
            text = w.clause_text("preambular", key, phrase, pp_refs[k - 1], ",")
        phrases.append((key, phrase))
        counts["preambular"] += 1
        body.append(f"\t{text}")
    for k in range(1, n_op + 1):
        key = f"op/{k}"
        last = k == n_op
        phrase = w.opening("operative")
        subs = 0
        if not last and r.random() < st["operative_with_subparagraphs"] * 2:
            subs = max(2, round(draw(st["subparagraph_count"], r) * ctx.shape))
        if last and r.random() < 0.6:
            phrase = "Decides"
            text = (
                f"{phrase} to include in the provisional agenda of its "
                f"{ordinal_words(doc.session + 1).lower()} session the item entitled "
                f"\u201c{doc.title}\u201d."
            )
        else:
            end = ":" if subs else ("." if last else ";")
            text = w.clause_text("operative", key, phrase, op_refs[k - 1], end)
        phrases.append((key, phrase))
        counts["operative"] += 1
        body.append(f"\t{k}.\t{text}")
        for j in range(subs):
            letter = "abcdefghijklmnopqrstuvwxyz"[j]
            sub = w.filler(int(draw(st["clause_chars"]["subparagraph"], r)))
            end = "; and" if j == subs - 2 and r.random() < 0.5 else ";"
            body.append(f"\t({letter})\t{sub[:1].upper()}{sub[1:]}{end}")
            counts["subparagraph"] += 1

    head = ["[DU1]", f"Resolution adopted by the General Assembly on {long_date(doc.adopted)}"]
    if doc.committee:
        name = COMMITTEES[doc.committee - 1][0]
        para = f", para. {r.randint(6, 90)}" if r.random() < 0.7 else ""
        head.append(f"[on the report of the {name} (A/{doc.session}/{r.randint(400, 720)}{para})]")
    else:
        head.append(
            f"[without reference to a Main Committee (A/{doc.session}/L.{r.randint(1, 80)})]"
        )
    head += [f"{doc.short}.\t{doc.title}", "", ""]
    closing = ["", f"{ordinal(doc.meeting)} plenary meeting", long_date(doc.adopted), ""]
    notes = [f"{i} {n.text}" for i, n in enumerate(w.notes, 1)]
    job = doc.job.replace("-", "")
    tail = [
        f"[DU1]<<ODS JOB NO>>N{job}E<<ODS JOB NO>>",
        f"<<ODS DOC SYMBOL1>>{doc.symbol}<<ODS DOC SYMBOL1>>",
        "<<ODS DOC SYMBOL2>><<ODS DOC SYMBOL2>>",
        "_______________",
        "",
        "-" * 60,
        "",
        "3",
        "",
        f"United Nations{doc.symbol}General AssemblyDistr.: General",
        f"{long_date(doc.distributed)}{ordinal_words(doc.session)} session",
        f"Agenda item {doc.agenda}",
        "",
        doc.job,
        f"*{job}*Please recycle ",
        "",
        f"{doc.symbol}{doc.title}",
        "",
        "4/4",
        "",
    ]
    text = "\n".join([*head, *body, *closing, *notes, *tail])
    entry: dict[str, Any] = {
        "file": doc.file_name,
        "symbol": doc.symbol,
        "title": doc.title,
        "adopted": doc.adopted.isoformat(),
        "session": doc.session,
        "clauses": {k: counts[k] for k in ("preambular", "operative", "subparagraph")},
        "footnotes": len(w.notes),
        "footnote_anchors": [n.clause for n in w.notes],
        "phrases": dict(phrases),
        "citations": [vars(c) for c in w.cites],
    }
    return text, entry


def generate(n: int, out_dir: Path, seed: int = 0, shape: float = DEFAULT_SHAPE) -> dict[str, Any]:
    """Write `n` resolutions and manifest.json into `out_dir`; return the manifest."""
    stats = load_stats()
    ctx = Context(stats, load_phrases(stats), load_treaties(), shape)
    plan = plan_corpus(n, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for doc in plan.docs:
        text, entry = write_document(plan, doc, seed, ctx)
        (out_dir / doc.file_name).write_text(text, encoding="utf-8")
        files.append(entry)
    manifest = {"generator": "bench/gen_corpus.py", "n": n, "seed": seed, "shape": shape,
                "files": files}  # fmt: skip
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, help="number of resolutions")
    parser.add_argument("out_dir", nargs="?", type=Path, help="output folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shape", type=float, default=DEFAULT_SHAPE,
                        help=f"paragraph counts times this (default {DEFAULT_SHAPE})")  # fmt: skip
    parser.add_argument("--measure", type=Path, metavar="AKN_DIR",
                        help="measure real AKN4UN files into corpus_stats.json")  # fmt: skip
    args = parser.parse_args(argv)
    if args.measure:
        stats = measure(args.measure)
        STATS_PATH.write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {STATS_PATH}")
        return 0
    if args.n is None or args.out_dir is None:
        parser.error("N and OUT_DIR are required")
    manifest = generate(args.n, args.out_dir, args.seed, args.shape)
    planted = sum(len(f["citations"]) for f in manifest["files"])
    count = len(manifest["files"])
    print(f"wrote {count} resolutions ({planted} planted citations) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
