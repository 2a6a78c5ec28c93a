"""Same-story detection: link quality and scaling on a corpus with known copies.

Builds a corpus of distinct synthetic articles (sentences drawn from the sample corpus's
word distribution, grouped by topic so that unrelated articles share topic words and
people), derives copies of some of them (duplicates; syndicated copies with sentences
dropped and a sign-off added; rewrites that keep quotes, names and figures but reorder,
drop and swap most other words), then links everything with newsflow's StoryLinker.

Prints pairwise precision/recall/F1 (pairs of articles in the same story, against the
known families; and of the direct links) and the time per 1,000 articles at each size.
Entities are given from the generator (NER is measured by bench/throughput.py).

Usage: python bench/story_links.py --sizes 1000 10000 50000
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import combinations

from newsflow.config import PROJECT_ROOT, load_settings
from newsflow.ingest.records import content_hash
from newsflow.ingest.sources import extract_articles
from newsflow.nlp.stories import StoryArticle, StoryLinker, build_stories

FIRST = "Anna Ben Carla Dmitri Elif Farid Grace Hiro Ines Jonas Kofi Lena Marek Nadia Omar Priya Rui Sofia".split()
LAST = "Akhtar Berg Costa Dubois Eriksen Fischer Garcia Haddad Ito Jansen Kowalski Lindqvist Moreau Novak".split()
PLACES = "Lisbon Gdansk Mombasa Busan Valparaiso Tromso Izmir Cebu Hobart Tangier Antwerp Manaus Dakar Osaka".split()
COMPANIES = "Norvalis Kestrel Arbor Quanta Helix Borealis Caldera Meridian Vantage Solace Tidewater Corvid".split()


def vocabulary() -> tuple[list[str], list[int]]:
    """Words of the bundled sample with their counts: a realistic Zipf-like distribution."""
    settings = load_settings(environ={}, overrides={"sources": [str(PROJECT_ROOT / "data" / "sample")]})
    counts = Counter(
        w
        for a in extract_articles(settings, datetime.now(tz=UTC)).articles
        for w in re.findall(r"[a-z]+", a.text.lower())
    )
    words = [w for w, _ in counts.most_common()]
    return words, [counts[w] for w in words]


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words, self.weights = vocabulary()
        self.topics: list[dict] = []

    def topic(self) -> dict:
        rng = self.rng
        names = {f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(6)}
        return {
            "words": rng.sample(self.words[200:4000], 30),
            "people": sorted(names),
            "orgs": [
                f"{rng.choice(COMPANIES)} {rng.choice(['Group', 'Holdings', 'Labs', 'Union', 'Agency'])}"
                for _ in range(3)
            ],
            "places": rng.sample(PLACES, 3),
        }

    def sentence(self, topic: dict, n: int) -> str:
        rng = self.rng
        words = rng.choices(self.words, weights=self.weights, k=n)
        # About 1 word in 12 is the topic's and 1 in 16 a topic name: same-topic articles then
        # reach the TF-IDF similarity that different stories on one subject reach in real copy
        # (0.15-0.3 in the bundled sample, e.g. two different Moorman or Norvatech stories).
        for i in rng.sample(range(n), k=max(1, n // 12)):
            words[i] = rng.choice(topic["words"])
        for i in rng.sample(range(n), k=max(1, n // 16)):
            words[i] = rng.choice(topic["people"] + topic["orgs"] + topic["places"])
        if rng.random() < 0.3:
            words.insert(rng.randrange(n), f"{rng.randrange(21, 9999):,}")
        return " ".join(words).capitalize() + "."

    def article(self, topic: dict) -> tuple[list[str], set[tuple[str, str]]]:
        rng = self.rng
        sentences = [self.sentence(topic, rng.randint(12, 28)) for _ in range(rng.randint(10, 22))]
        for _ in range(rng.randint(1, 3)):
            speaker = rng.choice(topic["people"])
            quote = self.sentence(topic, rng.randint(10, 20))[:-1]
            sentences.insert(rng.randrange(len(sentences)), f"“{quote},” {speaker} said.")
        text = " ".join(sentences)
        entities = {("PERSON", p) for p in topic["people"] if p in text} | {
            ("ORG", o) for o in topic["orgs"] if o in text
        }
        entities |= {("GPE", p) for p in topic["places"] if p in text}
        return sentences, entities

    def syndicated(self, sentences: list[str]) -> list[str]:
        keep = [s for s in sentences if self.rng.random() > 0.15] or sentences[:1]
        return [*keep, "— With agencies"]

    def rewrite(self, sentences: list[str], topic: dict) -> list[str]:
        """Quotes, names and figures survive; sentences are reordered, dropped and reworded."""
        rng = self.rng
        out = []
        for sentence in sentences:
            if "“" in sentence:
                out.append(sentence)
                continue
            if rng.random() < 0.25:
                continue
            tokens = sentence.split()
            for i, token in enumerate(tokens):
                keep = token[:1].isupper() or token[:1].isdigit()
                if not keep and rng.random() < 0.6:
                    tokens[i] = rng.choice(topic["words"]) if rng.random() < 0.3 else rng.choice(self.words[:3000])
            out.append(" ".join(tokens))
        rng.shuffle(out)
        return out


def build_corpus(size: int, seed: int = 11) -> tuple[list[StoryArticle], dict[str, int]]:
    """``size`` articles; families of an original and its copies; about one in three is a copy."""
    gen = Generator(seed)
    topics = [gen.topic() for _ in range(max(1, size // 40))]  # ~40 articles a topic: hard negatives
    start = datetime(2024, 1, 1, tzinfo=UTC)
    articles: list[StoryArticle] = []
    family: dict[str, int] = {}
    family_id = 0
    while len(articles) < size:
        topic = gen.rng.choice(topics)
        sentences, entities = gen.article(topic)
        when = start + timedelta(minutes=gen.rng.randrange(60 * 24 * 60))
        versions = [sentences]
        for _ in range(gen.rng.choice([0, 0, 0, 1, 1, 2, 3])):
            kind = gen.rng.choice(["duplicate", "syndicated", "syndicated", "rewrite", "rewrite"])
            versions.append(
                sentences
                if kind == "duplicate"
                else gen.syndicated(sentences)
                if kind == "syndicated"
                else gen.rewrite(sentences, topic)
            )
        for i, version in enumerate(versions):
            if len(articles) >= size:
                break
            text = " ".join(version)
            article_id = f"a{len(articles):06d}"
            articles.append(
                StoryArticle(
                    article_id=article_id,
                    outlet=f"outlet{gen.rng.randrange(60)}",
                    seen_at=when + timedelta(hours=gen.rng.uniform(0, 36)) * (i > 0),
                    text=text,
                    content_hash=content_hash(text),
                    entities={e for e in entities if e[1] in text},
                )
            )
            family[article_id] = family_id
        family_id += 1
    return articles, family


def pairs_by_group(groups: dict[str, object]) -> set[frozenset[str]]:
    members = defaultdict(list)
    for article_id, group in groups.items():
        members[group].append(article_id)
    return {frozenset(p) for ids in members.values() for p in combinations(sorted(ids), 2)}


def prf(predicted: set, truth: set) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    args = parser.parse_args()
    print(
        f"{'articles':>9} {'copies':>7} {'story P':>8} {'story R':>8} {'story F1':>8} {'link P':>7} "
        f"{'links':>7} {'s total':>8} {'s/1k art':>9}"
    )
    for size in args.sizes:
        corpus, family = build_corpus(size)
        truth = pairs_by_group(family)
        started = time.perf_counter()
        linker = StoryLinker()
        linker.add(corpus)
        links = linker.link(a.article_id for a in corpus)
        stories = build_stories({a.article_id: a for a in corpus}, links)
        seconds = time.perf_counter() - started
        predicted = pairs_by_group({m.article_id: m.story_id for m in stories})
        link_pairs = {frozenset((x.article_id, x.other_article_id)) for x in links}
        p, r, f1 = prf(predicted, truth)
        link_p = prf(link_pairs, truth)[0]
        copies = size - len(set(family.values()))
        print(
            f"{size:>9} {copies:>7} {p:>8.3f} {r:>8.3f} {f1:>8.3f} {link_p:>7.3f} {len(links):>7} "
            f"{seconds:>8.1f} {1000 * seconds / size:>9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
