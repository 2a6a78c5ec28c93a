"""Same-story and wire-copy detection: candidate pairs from MinHash LSH and exact indexes,
a finer check on each pair, same-event groups by average-link clustering, then stories as
connected components of the links.

Copies (duplicate, syndicated, rewrite) are decided pair by pair: they share text.  Two
independent reports of one event share no text, only what they are about, and two events
of one kind (two earthquakes, two rehab stays) share most of their topic words too; a
pair's similarity alone cannot tell them apart, and single-link chaining of such pairs
merges both events into one story.  So reports are grouped by average-link clustering:
two groups become one event when the mean similarity over all their pairs is high, or
when it is moderate and the groups name the same people and places in their leads (who
and where; the event's actors are named in the headline and the first sentences, topic
words are everywhere).  One weak pair never merges two large groups.  A stray report that
average-link leaves alone joins the event core (several independent reports) it is clearly
closest to.

Cost grows about linearly with the number of articles: every article is hashed once,
candidates come from LSH buckets and inverted indexes (keys shared by too many
articles are boilerplate and skipped), and only candidate pairs are compared and clustered.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from datasketch import MinHash, MinHashLSH

from newsflow.nlp.citations import agency_of

LINK_KINDS = ("duplicate", "syndicated", "rewrite", "same_event")
COPY_KINDS = ("duplicate", "syndicated", "rewrite")
LEGACY_KINDS = {"related": "same_event"}  # links stored before same-event clustering
NUM_PERM = 64
SHINGLE = 4  # words per shingle: long enough to be specific, short enough to survive edits
WINDOW = timedelta(days=3)  # copies and rewrites: a wire story is picked up within days
EVENT_HORIZON = timedelta(hours=36)  # reports of one event follow it within about a day
MAX_POSTINGS = 50  # a key shared by more articles than this is boilerplate, not evidence
TOP_TERMS = 12  # distinctive words per article used to find same-event candidates
# Same-event clustering, tuned on half a of the ECB+ development topics (bench/stories_real.py)
# and checked on half b.  Mean TF-IDF cosine over all pairs of two groups of reports:
EVENT_SIMILARITY = 0.20  # at or above it the groups are one event on their words alone; below
# 0.19 two events of one kind in a topic merge, and different stories on one subject of the
# same days (bench/story_links.py) start to merge at 0.19 too.
WEAK_EVENT_SIMILARITY = 0.10  # below it, never one event; between the two, the leads must tell
# of the same event (Lead.same_event): reports of one event often share few words beyond names.
# Strays (_attach_strays): not tuned; every CORE from 2 to 5 with every margin from 1.0 to 2.0
# keeps pairwise F1 >= 0.97 dated and >= 0.85 with one timestamp on both ECB+ halves.
CORE = 3  # independent reports: a group with this many is an established event strays may join
STRAY_MARGIN = 1.3  # a stray joins the core it is this much closer to than to any other group
SAME_ACTORS = 0.45  # cosine of the groups' lead-entity centroids: most of the people, places
# and organisations their headlines and first sentences name are the same.
SHARED_ACTORS = 2  # who and where, or two of the people involved: an event, not only a subject
LEAD_WORDS = 80  # the headline and about the first three sentences: who, where, what happened
FIRST_SENTENCE_WORDS = 25  # a wire lead's first sentence: what happened (headlines may be missing)
ACTOR_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_CONTENT_WORD = re.compile(r"[a-z][a-z'’-]{2,}")
_QUOTE = re.compile(r"[“\"]([^”\"]{20,400})[”\"]")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[”\"’)]?\s+|\n+")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
SPECIFIC_LABELS = ("PERSON", "ORG", "FAC", "EVENT")
STOPWORDS = frozenset(
    """about above after again against all also among and any are around as at back be because been before
    being between both but by can could did does doing down during each even every few for from further had
    has have having he her here hers him his how however into its it's just last least less made make many
    may more most much must near new next not now off often once one only other our out over own per said
    same say says she should since some still such than that the their them then there these they this those
    though three through to too two under until upon very was way we week were what when where which while
    who whom whose why will with within without would year years yet you your told according including""".split()
)


@dataclass
class StoryArticle:
    """What linking needs to know of one article."""

    article_id: str
    outlet: str
    seen_at: datetime  # publication time, or ingestion time when the date is not trustworthy
    text: str
    content_hash: str
    title: str = ""  # normalised headline (see newsflow.ingest.urls.normalise_title)
    entities: set[tuple[str, str]] = field(default_factory=set)  # (label, canonical name)
    agency: str | None = None  # the agency the article credits (dateline, byline, sign-off)


@dataclass(frozen=True)
class Link:
    """A link from a later article to an earlier one it copies or reports alongside."""

    article_id: str
    other_article_id: str
    kind: str
    similarity: float


@dataclass
class _Features:
    shingles: set[int]
    sentences: set[int]
    quotes: set[int]
    anchors: set[str]  # specific entities and distinctive numbers
    terms: Counter[str]  # content-word counts
    actors: set[str]  # people, places and organisations named in the lead (see lead_actors)
    headline: set[str]  # content words of the headline and first sentence, not names: what happened
    minhash: MinHash


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _low_32_bits(data: bytes) -> int:
    """MinHash input hash: its inputs are already 64-bit hashes, so taking 32 bits suffices."""
    return int.from_bytes(data[:4], "little")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def distinctive_number(number: str) -> bool:
    """Decimals (a magnitude, a rate) and numbers of 20 and more, but not years."""
    plain = number.replace(",", "")
    if "." in plain:
        return True
    value = int(plain) if plain.isdigit() else 0
    return value >= 20 and not 1900 <= value <= 2100


def lead_actors(article: StoryArticle) -> set[str]:
    """Keys of the entities the headline and the first LEAD_WORDS words name.

    A person is keyed by the last word of the name, so "Jackman" in one report and "Hugh
    Jackman" in another are one actor (entity names are folded within an article only).
    """
    lead = " ".join([article.title, *article.text.split()[:LEAD_WORDS]]).casefold()
    lead_words = set(words(lead))
    found = set()
    for label, name in article.entities:
        parts = words(name)
        if label in ACTOR_LABELS and parts and parts[-1] in lead_words:
            found.add(f"{label}:{parts[-1] if label == 'PERSON' else ' '.join(parts)}")
    return found


def features(article: StoryArticle, template: MinHash) -> _Features:
    """Everything the pair check compares, computed once per article."""
    tokens = words(article.text)
    shingles = {_hash(" ".join(tokens[i : i + SHINGLE])) for i in range(max(1, len(tokens) - SHINGLE + 1))}
    sentences = {
        _hash(" ".join(ws)) for sentence in _SENTENCE_SPLIT.split(article.text) if len(ws := words(sentence)) >= 8
    }
    quotes = {_hash(" ".join(ws)) for q in _QUOTE.findall(article.text) if len(ws := words(q)) >= 5}
    anchors = {f"{label}:{name.casefold()}" for label, name in article.entities if label in SPECIFIC_LABELS}
    anchors.update(f"NUM:{n}" for n in _NUMBER.findall(article.text) if distinctive_number(n))
    terms = Counter(w.replace("’", "'") for w in _CONTENT_WORD.findall(article.text.lower()) if w not in STOPWORDS)
    minhash = template.copy()
    minhash.update_batch([s.to_bytes(8, "little") for s in shingles])
    actors = lead_actors(article)
    actor_words = {w for key in actors for w in words(key.split(":", 1)[1])}
    first = " ".join([article.title, *article.text.split()[:FIRST_SENTENCE_WORDS]]).lower()
    headline = {w for w in _CONTENT_WORD.findall(first) if w not in STOPWORDS | actor_words}
    return _Features(shingles, sentences, quotes, anchors, terms, actors, headline, minhash)


@dataclass(frozen=True)
class PairScores:
    """The finer check of a candidate pair."""

    jaccard: float  # shingle sets
    containment: float  # shared shingles over the smaller set
    shared_sentences: int
    shared_quotes: int
    topic: float  # TF-IDF cosine of content words, IDF from the articles indexed together
    hours_apart: float


def classify(scores: PairScores, same_hash: bool) -> tuple[str, float] | None:
    """Kind of copy link and its similarity in [0, 1], or None when neither copies the other.

    duplicate: the same text (equal content hash, or shingles 98 % alike: extraction noise);
    syndicated: most of the shorter text is the other's (a wire copy with light edits);
    rewrite: new prose that carries the other's quotes or sentences and is about the same
    thing.  Independent reports of one event (``same_event``) are not decided pair by pair
    but by clustering (:func:`event_groups`).
    """
    if same_hash or scores.jaccard >= 0.98:
        return "duplicate", 1.0 if same_hash else scores.jaccard
    if scores.containment >= 0.5:
        return "syndicated", scores.containment
    copied = scores.shared_quotes >= 1 or scores.shared_sentences >= 1 or scores.containment >= 0.1
    if copied and scores.topic >= 0.3:
        return "rewrite", scores.topic
    return None


def event_similarity(scores: PairScores) -> float:
    """How much a pair counts towards its groups being one event: its topic similarity,
    fading linearly with the time between the two to nothing at EVENT_HORIZON (reports of
    one event follow it within hours; a similar report a day later is more often a new
    development or a new event: the same minister's statement of the next day)."""
    return scores.topic * max(0.0, 1 - scores.hours_apart / (EVENT_HORIZON.total_seconds() / 3600))


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    dot = sum(w * b.get(k, 0.0) for k, w in a.items())
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


@dataclass
class Lead:
    """What the headline and first sentences of an article, or of a group of them, say."""

    actors: Counter[str]  # lead entities: an article's unit IDF vector, a group's sum of them
    headline: set[str]  # words of the headline and first sentence that are not names (see features)

    def absorb(self, other: Lead) -> None:
        self.actors.update(other.actors)
        self.headline |= other.headline

    def same_event(self, other: Lead) -> bool:
        """The leads name mostly the same actors (SAME_ACTORS), at least SHARED_ACTORS of them,
        and their headlines share a word for what happened: one agency and its region are a
        subject, not yet an event (the same agency's auction and its storage warning)."""
        return (
            len(self.actors.keys() & other.actors.keys()) >= SHARED_ACTORS
            and bool(self.headline & other.headline)
            and _cosine(self.actors, other.actors) >= SAME_ACTORS
        )


def event_groups(
    seeds: Iterable[set[str]],
    similarity: dict[tuple[str, str], float],
    leads: dict[str, Lead],
    score: Callable[[str, str], float] | None = None,
    report_of: dict[str, object] | None = None,
) -> list[set[str]]:
    """Average-link clustering of reports into events.

    ``seeds`` are groups known to be one story (copies, earlier stories) and cover every
    article; ``similarity`` holds the candidate pairs' similarity; ``score`` gives the
    similarity of any other pair, so the mean between two groups that the candidates make
    neighbours is over all their pairs (without it an unscored pair counts as 0);
    ``leads`` each article's lead (missing: nothing named); ``report_of`` the report each
    article is (an original and its copies are one report; missing: its own).  The pair of groups with the
    highest mean similarity over all their article pairs is merged first, while that mean
    is at least EVENT_SIMILARITY, or at least WEAK_EVENT_SIMILARITY with leads that tell
    of the same event (:meth:`Lead.same_event`).  Then strays join their event's core
    (:func:`_attach_strays`).  Returns the groups.
    """
    members: dict[int, set[str]] = {}
    group_of: dict[str, int] = {}
    for index, seed in enumerate(seeds):
        members[index] = set(seed)
        group_of.update(dict.fromkeys(seed, index))
    lead = {g: Lead(Counter(), set()) for g in members}
    for article_id, g in group_of.items():
        if article_id in leads:
            lead[g].absorb(leads[article_id])
    cross: dict[int, Counter[int]] = defaultdict(Counter)
    for (a, b), value in similarity.items():
        ga, gb = group_of[a], group_of[b]
        if ga != gb and value > 0:
            cross[ga][gb] += value
            cross[gb][ga] += value
    version = dict.fromkeys(members, 0)
    # Entries: (-mean, g, h, versions, exact); a mean from candidate pairs only is a lower
    # bound, made exact (every cross pair scored) when it comes first.
    heap: list[tuple[float, int, int, int, int, bool]] = []
    exact_sum: dict[tuple[int, int, int, int], float] = {}

    def push(g: int, h: int, exact: bool = False) -> None:
        total = exact_sum.get((g, h, version[g], version[h]), cross[g][h]) if exact else cross[g][h]
        mean = total / (len(members[g]) * len(members[h]))
        if mean >= WEAK_EVENT_SIMILARITY or (score and not exact):
            heapq.heappush(heap, (-mean, g, h, version[g], version[h], exact))

    scored: dict[tuple[str, str], float] = {}  # pairs outside the candidates, scored once

    def pair(a: str, b: str) -> float:
        value = similarity.get((a, b), similarity.get((b, a)))
        if value is None:
            key = (a, b) if a < b else (b, a)
            if key not in scored:
                scored[key] = score(a, b)
            value = scored[key]
        return value

    def all_pairs(g: int, h: int) -> float:
        return sum(pair(a, b) for a in members[g] for b in members[h])

    def merge(g: int, h: int) -> int:
        """Merge the smaller group into the larger; returns the one that remains."""
        if len(members[g]) < len(members[h]):
            g, h = h, g
        members[g] |= members.pop(h)
        lead[g].absorb(lead.pop(h))
        for other, value in cross.pop(h).items():
            del cross[other][h]
            if other != g:
                cross[g][other] += value
                cross[other][g] += value
        version[g] += 1
        return g

    for g in list(cross):
        for h in cross[g]:
            if g < h:
                push(g, h)
    while heap:
        negative_mean, g, h, version_g, version_h, exact = heapq.heappop(heap)
        if g not in members or h not in members or (version[g], version[h]) != (version_g, version_h):
            continue
        if score and not exact:
            exact_sum[(g, h, version_g, version_h)] = all_pairs(g, h)
            push(g, h, exact=True)
            continue
        if -negative_mean < EVENT_SIMILARITY and not lead[g].same_event(lead[h]):
            continue
        g = merge(g, h)
        for other in cross[g]:
            push(g, other)
    report = report_of or {}
    _attach_strays(
        members,
        cross,
        lambda g, h: all_pairs(g, h) if score else cross[g][h],
        merge,
        lambda g: len({report.get(a, a) for a in members[g]}),
    )
    return list(members.values())


def _attach_strays(
    members: dict[int, set[str]],
    cross: dict[int, Counter[int]],
    pair_sum: Callable[[int, int], float],
    merge: Callable[[int, int], int],
    reports: Callable[[int], int],
) -> None:
    """Join each stray (a group of fewer than CORE reports) to the core it is clearly about.

    A lone report of an event often shares fewer words with the others than they share
    among themselves (another angle, a short brief, a long feature), so average-link
    leaves it out.  It joins the event whose core it is closest to, a group of CORE
    independent reports or more (``reports``: an original and its copies are one report,
    one text's words; several outlets' own reports establish what the event is),
    when that mean similarity is at least WEAK_EVENT_SIMILARITY and at least
    STRAY_MARGIN times its mean to any other group near it: a report as close to two
    groups tells of neither for sure.  Strays closest to a core join first.
    """

    def best(g: int) -> tuple[float, int] | None:
        means = sorted(((pair_sum(g, h) / (len(members[g]) * len(members[h])), h) for h in cross[g]), reverse=True)
        if not means or reports(means[0][1]) < CORE or means[0][0] < WEAK_EVENT_SIMILARITY:
            return None
        if len(means) > 1 and means[0][0] < STRAY_MARGIN * means[1][0]:
            return None
        return means[0]

    heap = [(-found[0], g, found[1]) for g in members if len(members[g]) < CORE and (found := best(g))]
    heapq.heapify(heap)
    while heap:
        negative_mean, g, h = heapq.heappop(heap)
        if g not in members or len(members[g]) >= CORE:
            continue
        found = best(g)
        if found is None:
            continue
        if found != (-negative_mean, h):  # the groups changed since: try again with today's figures
            heapq.heappush(heap, (-found[0], g, found[1]))
            continue
        merge(g, h)


class StoryLinker:
    """Links the articles of a batch to each other and to earlier articles in the window."""

    def __init__(self, window: timedelta = WINDOW):
        self.window = window
        # One template: every signature shares its permutations, so signatures compare.
        self.template = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_low_32_bits)
        # A low threshold: LSH only proposes candidates, the pair check decides.
        self.text_lsh = MinHashLSH(threshold=0.1, num_perm=NUM_PERM)
        self.articles: dict[str, StoryArticle] = {}
        self.features: dict[str, _Features] = {}
        self.exact_index: dict[int | str, list[str]] = defaultdict(list)  # sentences, quotes, content hash
        self.term_df: Counter[str] = Counter()
        self.actor_df: Counter[str] = Counter()
        self._topic_index: dict[str, list[str]] | None = None
        self._vectors: dict[str, dict[str, float]] = {}

    def add(self, articles: Iterable[StoryArticle]) -> None:
        """Index articles (earlier ones from the warehouse and the batch alike)."""
        for article in articles:
            if article.article_id in self.articles:
                continue
            f = features(article, self.template)
            self.articles[article.article_id] = article
            self.features[article.article_id] = f
            self.text_lsh.insert(article.article_id, f.minhash, check_duplication=False)
            for key in self._exact_keys(article, f):
                self.exact_index[key].append(article.article_id)
            self.term_df.update(f.terms.keys())
            self.actor_df.update(f.actors)
        self._topic_index = None
        self._vectors.clear()

    @staticmethod
    def _exact_keys(article: StoryArticle, f: _Features) -> list[int | str]:
        """Keys that only copies share: long sentences, quotes, the content hash, a long headline."""
        keys: list[int | str] = [*f.sentences, *f.quotes, article.content_hash]
        if len(article.title.split()) >= 5:
            keys.append(f"title:{article.title}")
        return keys

    def _vector(self, article_id: str) -> dict[str, float]:
        """Unit TF-IDF vector of an article's content words (IDF over the indexed articles)."""
        if article_id not in self._vectors:
            n = len(self.articles)
            weights = {
                term: (1 + math.log(count)) * (1 + math.log((1 + n) / (1 + self.term_df[term])))
                for term, count in self.features[article_id].terms.items()
            }
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            self._vectors[article_id] = {term: w / norm for term, w in weights.items()}
        return self._vectors[article_id]

    def close(self) -> None:
        """Free the MinHash index now.  datasketch's MinHashLSH holds a bound method of itself
        (a reference cycle), so without this its tables outlive the linker until the next full
        garbage collection: hundreds of megabytes at 10,000 articles, in a process that goes on
        to validate and load."""
        vars(self.text_lsh).clear()

    def _event_similarity(self, a: str, b: str) -> float:
        """:func:`event_similarity` of any two indexed articles (0 beyond the window)."""
        if abs(self.articles[a].seen_at - self.articles[b].seen_at) > self.window:
            return 0.0
        return event_similarity(self.score(a, b))

    def _lead(self, article_id: str) -> Lead:
        """An article's lead: unit IDF vector of its lead entities (a name every report carries
        weighs nearly nothing) and its headline words."""
        n, f = len(self.articles), self.features[article_id]
        weights = {k: math.log((1 + n) / (1 + self.actor_df[k])) + 1e-3 for k in f.actors}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return Lead(Counter({k: w / norm for k, w in weights.items()}), set(f.headline))

    def _topic_keys(self, article_id: str) -> set[str]:
        vector = self._vector(article_id)
        top = sorted(vector, key=lambda t: (-vector[t], t))[:TOP_TERMS]
        return {f"TERM:{t}" for t in top} | self.features[article_id].anchors

    def _topics(self) -> dict[str, list[str]]:
        """Inverted index of each article's distinctive words and anchors (built once per link)."""
        if self._topic_index is None:
            index: dict[str, list[str]] = defaultdict(list)
            for article_id in self.articles:
                for key in self._topic_keys(article_id):
                    index[key].append(article_id)
            self._topic_index = index
        return self._topic_index

    def _candidates(self, article_id: str) -> set[str]:
        f = self.features[article_id]
        found = set(self.text_lsh.query(f.minhash))
        for key in self._exact_keys(self.articles[article_id], f):
            if len(postings := self.exact_index[key]) <= MAX_POSTINGS:
                found.update(postings)
        # Same-event candidates share at least two distinctive words or anchors.
        shared: Counter[str] = Counter()
        topics = self._topics()
        for key in self._topic_keys(article_id):
            if len(postings := topics[key]) <= MAX_POSTINGS:
                shared.update(postings)
        found.update(other for other, count in shared.items() if count >= 2)
        found.discard(article_id)
        return found

    def score(self, a: str, b: str) -> PairScores:
        fa, fb = self.features[a], self.features[b]
        shared = len(fa.shingles & fb.shingles)
        va, vb = self._vector(a), self._vector(b)
        if len(vb) < len(va):
            va, vb = vb, va
        return PairScores(
            jaccard=shared / (len(fa.shingles | fb.shingles) or 1),
            containment=shared / (min(len(fa.shingles), len(fb.shingles)) or 1),
            shared_sentences=len(fa.sentences & fb.sentences),
            shared_quotes=len(fa.quotes & fb.quotes),
            topic=sum(w * vb.get(t, 0.0) for t, w in va.items()),
            hours_apart=abs((self.articles[a].seen_at - self.articles[b].seen_at).total_seconds()) / 3600,
        )

    def link(self, article_ids: Iterable[str], earlier_links: Iterable[Link] = ()) -> list[Link]:
        """Links that involve the given (batch) articles, each pointing from later to earlier.

        Copies are linked pair by pair; reports of one event by :func:`event_groups` over
        the scored pairs, starting from the copies and from the stories that
        ``earlier_links`` (links among indexed articles of earlier batches) already make.
        A ``same_event`` link joins each scored pair that ends in one group.
        """
        batch = list(dict.fromkeys(article_ids))
        copies: dict[tuple[str, str], Link] = {}
        similarity: dict[tuple[str, str], float] = {}
        for article_id in batch:
            article = self.articles[article_id]
            for other_id in self._candidates(article_id):
                other = self.articles[other_id]
                if abs(article.seen_at - other.seen_at) > self.window:
                    continue
                later, earlier = sorted((article, other), key=lambda x: (x.seen_at, x.article_id), reverse=True)
                key = (later.article_id, earlier.article_id)
                if key in similarity:
                    continue
                scores = self.score(*key)
                similarity[key] = event_similarity(scores)
                verdict = classify(scores, later.content_hash == earlier.content_hash)
                if verdict:
                    copies[key] = Link(*key, verdict[0], round(min(1.0, float(verdict[1])), 4))
        involved = {a for pair in similarity for a in pair} | set(batch)
        known = [x for x in earlier_links if x.article_id in involved and x.other_article_id in involved]
        seeds = components(involved, [*known, *copies.values()])
        copied = [x for x in [*known, *copies.values()] if LEGACY_KINDS.get(x.kind, x.kind) in COPY_KINDS]
        report_of = {a: index for index, group in enumerate(components(involved, copied)) for a in group}
        leads = {a: self._lead(a) for a in involved}
        groups = event_groups(seeds, similarity, leads, self._event_similarity, report_of)
        group_of = {a: index for index, group in enumerate(groups) for a in group}
        links = dict(copies)
        for key, value in similarity.items():
            if key not in links and value > 0 and group_of[key[0]] == group_of[key[1]]:
                links[key] = Link(*key, "same_event", round(min(1.0, value), 4))
        return sorted(links.values(), key=lambda x: (x.article_id, x.other_article_id))


@dataclass(frozen=True)
class StoryMembership:
    """One article's place in its story."""

    story_id: str
    article_id: str
    is_origin: bool
    copy_kind: str | None  # the article's strongest link to an earlier article of its story
    is_copy: bool  # a duplicate, syndicated copy or rewrite: not original reporting
    agency: str | None  # the agency the story's articles credit


_KIND_RANK = {kind: rank for rank, kind in enumerate(LINK_KINDS)}


def components(article_ids: Iterable[str], links: Iterable[Link]) -> list[set[str]]:
    """Connected components of the links among ``article_ids`` (links to others are ignored)."""
    parent = {article_id: article_id for article_id in article_ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in links:
        if link.article_id in parent and link.other_article_id in parent:
            parent[find(link.article_id)] = find(link.other_article_id)
    groups: dict[str, set[str]] = defaultdict(set)
    for article_id in parent:
        groups[find(article_id)].add(article_id)
    return list(groups.values())


def build_stories(
    articles: dict[str, StoryArticle], links: Iterable[Link], touched: set[str] | None = None
) -> list[StoryMembership]:
    """Stories as connected components of the links; every article is in exactly one story.

    With ``touched``, only the stories holding a touched article (their every member).

    The story's agency is the one its articles credit most; its origin is that agency's
    own copy when present (the outlet is the agency), else the earliest article.
    """
    links = [x for x in links if x.article_id in articles and x.other_article_id in articles]
    strongest: dict[str, str] = {}
    for link in links:
        kind = LEGACY_KINDS.get(link.kind, link.kind)
        known = strongest.get(link.article_id)
        if known is None or _KIND_RANK[kind] < _KIND_RANK[known]:
            strongest[link.article_id] = kind
    memberships = []
    for group in components(articles, links):
        if touched is not None and not group & touched:
            continue
        members = [articles[a] for a in group]
        members.sort(key=lambda a: (a.seen_at, a.article_id))
        credited = Counter(a.agency for a in members if a.agency)
        agency = credited.most_common(1)[0][0] if credited else None
        own_copy = [a for a in members if agency and agency_of(a.outlet) == agency]
        origin = (own_copy or members)[0]
        story_id = hashlib.sha256(f"story:{members[0].article_id}".encode()).hexdigest()[:16]
        for a in members:
            is_origin = a.article_id == origin.article_id
            kind = None if is_origin else strongest.get(a.article_id)
            memberships.append(StoryMembership(story_id, a.article_id, is_origin, kind, kind in COPY_KINDS, agency))
    return memberships
