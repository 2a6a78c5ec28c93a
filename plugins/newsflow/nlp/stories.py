"""Same-story and wire-copy detection: candidate pairs from MinHash LSH and exact indexes,
a finer check on each pair, then stories as connected components of the links.

Cost grows about linearly with the number of articles: every article is hashed once,
candidates come from LSH buckets and inverted indexes (keys shared by too many
articles are boilerplate and skipped), and only candidate pairs are compared.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from datasketch import MinHash, MinHashLSH

from newsflow.nlp.citations import agency_of

LINK_KINDS = ("duplicate", "syndicated", "rewrite", "related")
COPY_KINDS = ("duplicate", "syndicated", "rewrite")
NUM_PERM = 64
SHINGLE = 4  # words per shingle: long enough to be specific, short enough to survive edits
WINDOW = timedelta(days=3)  # copies and rewrites: a wire story is picked up within days
NEWS_CYCLE = timedelta(hours=24)  # independent reports of one event appear within a day
MAX_POSTINGS = 50  # a key shared by more articles than this is boilerplate, not evidence
TOP_TERMS = 12  # distinctive words per article used to find same-event candidates
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
    return _Features(shingles, sentences, quotes, anchors, terms, minhash)


@dataclass(frozen=True)
class PairScores:
    """The finer check of a candidate pair."""

    jaccard: float  # shingle sets
    containment: float  # shared shingles over the smaller set
    shared_sentences: int
    shared_quotes: int
    topic: float  # TF-IDF cosine of content words, IDF from the articles indexed together
    shared_anchors: int  # shared specific people, organisations, facilities, events
    shared_figures: int  # shared distinctive numbers (a magnitude, a toll, an amount)
    hours_apart: float


def classify(scores: PairScores, same_hash: bool) -> tuple[str, float] | None:
    """Kind of link and its similarity in [0, 1], or None when the pair is not linked.

    duplicate: the same text (equal content hash, or shingles 98 % alike: extraction noise);
    syndicated: most of the shorter text is the other's (a wire copy with light edits);
    rewrite: new prose that carries the other's quotes or sentences and is about the same
    thing; related: the same event reported independently: same news cycle, same topic,
    and either a shared distinctive figure (a magnitude, a toll, an amount) with one more
    shared anchor, or three shared people/organisations.  Two stories about one company
    share its name and its chief; they rarely share the event's figures.
    """
    if same_hash or scores.jaccard >= 0.98:
        return "duplicate", 1.0 if same_hash else scores.jaccard
    if scores.containment >= 0.5:
        return "syndicated", scores.containment
    copied = scores.shared_quotes >= 1 or scores.shared_sentences >= 1 or scores.containment >= 0.1
    if copied and scores.topic >= 0.3:
        return "rewrite", scores.topic
    same_cycle = scores.hours_apart <= NEWS_CYCLE.total_seconds() / 3600
    anchored = scores.shared_figures >= 1 and scores.shared_anchors + scores.shared_figures >= 2
    if same_cycle and scores.topic >= 0.18 and (anchored or scores.shared_anchors >= 3):
        return "related", scores.topic
    return None


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
            shared_anchors=sum(1 for k in fa.anchors & fb.anchors if not k.startswith("NUM:")),
            shared_figures=sum(1 for k in fa.anchors & fb.anchors if k.startswith("NUM:")),
            hours_apart=abs((self.articles[a].seen_at - self.articles[b].seen_at).total_seconds()) / 3600,
        )

    def link(self, article_ids: Iterable[str]) -> list[Link]:
        """Links that involve the given (batch) articles, each pointing from later to earlier."""
        links: dict[tuple[str, str], Link] = {}
        for article_id in article_ids:
            article = self.articles[article_id]
            for other_id in self._candidates(article_id):
                other = self.articles[other_id]
                if abs(article.seen_at - other.seen_at) > self.window:
                    continue
                later, earlier = sorted((article, other), key=lambda x: (x.seen_at, x.article_id), reverse=True)
                key = (later.article_id, earlier.article_id)
                if key in links:
                    continue
                verdict = classify(self.score(*key), later.content_hash == earlier.content_hash)
                if verdict:
                    links[key] = Link(*key, verdict[0], round(min(1.0, float(verdict[1])), 4))
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


def build_stories(articles: dict[str, StoryArticle], links: Iterable[Link]) -> list[StoryMembership]:
    """Stories as connected components of the links; every article is in exactly one story.

    The story's agency is the one its articles credit most; its origin is that agency's
    own copy when present (the outlet is the agency), else the earliest article.
    """
    parent = {article_id: article_id for article_id in articles}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    strongest: dict[str, str] = {}
    for link in links:
        if link.article_id not in parent or link.other_article_id not in parent:
            continue
        parent[find(link.article_id)] = find(link.other_article_id)
        kind = strongest.get(link.article_id)
        if kind is None or _KIND_RANK[link.kind] < _KIND_RANK[kind]:
            strongest[link.article_id] = link.kind
    components: dict[str, list[StoryArticle]] = defaultdict(list)
    for article_id, article in articles.items():
        components[find(article_id)].append(article)
    memberships = []
    for members in components.values():
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
