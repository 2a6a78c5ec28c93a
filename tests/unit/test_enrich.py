"""Enrichment with the real spaCy model on the seed articles."""

import pandas as pd
import pytest

from newsflow.config import DEFAULT_ALIASES, default_spacy_model
from newsflow.nlp.aliases import EntityEntry, EntityList, load_entity_list
from newsflow.nlp.enrich import MIN_CHUNK, chunk_sizes, enrich_batch
from newsflow.nlp.entities import entity_id
from tests.helpers import seed_rows


@pytest.fixture(scope="module")
def seeds_enriched():
    rows = seed_rows()
    rows.append({"article_id": "de", "text": "Der Minister traf sich mit dem Staatschef.", "language": "de"})
    articles = pd.DataFrame(rows)
    return articles, enrich_batch(articles, default_spacy_model(), aliases=load_entity_list(DEFAULT_ALIASES))


def names(tables, article_id, label):
    mentions = tables["mentions"]
    entities = tables["entities"].set_index("entity_id")
    found = mentions[(mentions.article_id == article_id) & (mentions.label == label)]
    return set(entities.loc[found.entity_id, "name"])


@pytest.mark.parametrize("article_id", ["afp", "rewrite"])
def test_both_seeds_name_kim_jong_un_and_kcna(seeds_enriched, article_id):
    _, tables = seeds_enriched
    assert "Kim Jong Un" in names(tables, article_id, "PERSON")
    assert "Andrei Belousov" in names(tables, article_id, "PERSON")
    assert "KCNA" in names(tables, article_id, "ORG")
    assert {"Russia", "Ukraine", "North Korea"} <= names(tables, article_id, "GPE")


def test_possessives_fold_into_one_entity(seeds_enriched):
    _, tables = seeds_enriched
    mentions = tables["mentions"]
    korea = mentions[mentions.text.isin(["North Korea’s", "North Korea's", "North Korea"]) & (mentions.label == "GPE")]
    assert korea.text.nunique() >= 2
    assert korea.entity_id.nunique() == 1


def test_offsets_point_at_the_mention_and_sentences_count_up(seeds_enriched):
    articles, tables = seeds_enriched
    texts = articles.set_index("article_id")["text"]
    for row in tables["mentions"].itertuples():
        assert texts[row.article_id][row.start_char : row.end_char] == row.text
    per_article = tables["mentions"].groupby("article_id")["sentence_index"]
    assert (per_article.min() >= 0).all()
    assert per_article.max()["afp"] > 10


def test_only_people_organisations_places_and_groups_are_kept(seeds_enriched):
    _, tables = seeds_enriched
    assert set(tables["mentions"].label) <= {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"}
    assert not tables["mentions"].text.str.fullmatch(r"Saturday|Friday|June|two").any()


def test_sentiment_per_article_and_non_english_is_skipped(seeds_enriched):
    _, tables = seeds_enriched
    sentiment = tables["article_sentiment"].set_index("article_id")
    assert list(sentiment.index) == ["afp", "rewrite"]
    assert sentiment.loc["afp", "word_count"] > 400
    assert -1 <= sentiment.loc["afp", "compound"] <= 1
    assert sentiment.loc["afp", "polarity"] == pytest.approx(
        sentiment.loc["afp", "positive"] + sentiment.loc["afp", "negative"], abs=1e-3
    )
    assert "de" not in set(tables["mentions"].article_id)


def test_sentences_break_at_paragraphs_and_after_closing_quotes():
    from newsflow.nlp.model import load_nlp

    doc = load_nlp(default_spacy_model())(
        "He said: “It is over.” Then he left. Mr. Kim went to the U.S. on Monday!\n\nNew one"
    )
    assert [s.text.strip() for s in doc.sents] == [
        "He said: “It is over.”",
        "Then he left.",
        "Mr. Kim went to the U.S. on Monday!",
        "New one",
    ]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("", []),
        ("Hello", ["Hello"]),
        # A break waits past spaces and closers for the next token that can start a sentence.
        ("Hi.\n\n”Yes,” he said. (Really.) [Sure!] Ok", ["Hi.\n\n”", "Yes,” he said.", "(Really.)", "[Sure!]", "Ok"]),
        ("” Next. Done", ["” Next.", "Done"]),
        ("A \n B\tC.\n\n\nD", ["A \n ", "B\tC.\n\n\n", "D"]),
    ],
)
def test_sentence_rule_edges(text, sentences):
    import spacy

    from newsflow.nlp.model import mark_sentences

    doc = mark_sentences(spacy.blank("en").make_doc(text))
    assert ([s.text for s in doc.sents] if len(doc) else []) == sentences


@pytest.mark.parametrize("total", [0, 1, 5, 200, 1000])
def test_chunks_shrink_towards_the_end_so_processes_finish_together(total):
    sizes = chunk_sizes(total, batch_size=32, n_process=2)
    assert sum(sizes) == total
    assert all(0 < size <= 32 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if total >= 200:
        # The last chunks are at most a few texts: no process waits long for the other's last one.
        assert sizes[0] == 32 and sizes[-1] <= MIN_CHUNK
    # One process has nothing to balance: whole batches.
    assert chunk_sizes(total, batch_size=32, n_process=1) == [32] * (total // 32) + ([total % 32] if total % 32 else [])


def test_entity_sentiment_has_one_row_per_entity_per_article_consistent_with_mentions(seeds_enriched):
    _, tables = seeds_enriched
    tones = tables["entity_sentiment"]
    counts = tables["mentions"].groupby(["article_id", "entity_id"]).size().rename("expected")
    joined = tones.set_index(["article_id", "entity_id"]).join(counts, how="outer")
    assert joined["mentions"].notna().all() and (joined["mentions"] == joined["expected"]).all()
    assert tones["compound"].between(-1, 1).all()
    expected_labels = tones["compound"].map(
        lambda c: "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"
    )
    assert (tones["label"] == expected_labels).all()
    assert "de" not in set(tones.article_id)


def test_entity_sentiment_reads_the_clauses_about_each_entity(seeds_enriched):
    _, tables = seeds_enriched
    names = tables["entities"].set_index("entity_id")["name"]
    afp = tables["entity_sentiment"].query("article_id == 'afp'").assign(name=lambda f: f.entity_id.map(names))
    tone = afp.groupby("name")["compound"].first()
    # Belousov agrees, praises and thanks; Ukraine appears with invasion, conflict and sanctions.
    assert tone["Andrei Belousov"] > 0.05 and tone["Ukraine"] < -0.05
    assert afp["label"].nunique() == 3


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("Kim Jong Un", "Kim"),
        ("Andrei Belousov", "Belousov"),
        ("Vladimir Putin", "Putin"),
        ("Yoon Suk Yeol", "Yoon"),
    ],
)
def test_people_are_one_entity_whatever_part_of_their_name_is_used(seeds_enriched, full, short):
    _, tables = seeds_enriched
    mentions = tables["mentions"]
    theirs = mentions[mentions.text.str.fullmatch(rf"({full}|{short})(’s|'s)?")]
    assert theirs.text.str.startswith(full).any()
    assert set(theirs.entity_id) == {entity_id(full, "PERSON")}
    assert short not in set(tables["entities"].name)
    if short != "Yoon":  # the seeds only ever call Yoon by his full name
        assert theirs.text.str.replace(r"(’s|'s)$", "", regex=True).eq(short).any()


def test_kyiv_is_a_place_though_the_model_says_person(seeds_enriched):
    _, tables = seeds_enriched
    kyiv = tables["mentions"].query("text == 'Kyiv'")
    assert len(kyiv) >= 2
    assert set(kyiv.label) == {"GPE"} and set(kyiv.model_label) == {"PERSON"}
    assert set(kyiv.entity_id) == {entity_id("Kyiv", "GPE")}


def test_alias_table_merges_spellings_of_the_united_states():
    text = "The U.S. and the United States Army. US officials met in the USA. America said so."
    articles = pd.DataFrame([{"article_id": "a", "text": text, "language": "en"}])
    tables = enrich_batch(articles, default_spacy_model(), aliases=load_entity_list(DEFAULT_ALIASES))
    usa = tables["mentions"][tables["mentions"].text.isin(["U.S.", "US", "USA", "America"])]
    assert len(usa) >= 3
    assert set(usa.entity_id) == {entity_id("United States", "GPE")}
    [entity] = tables["entities"].query("name == 'United States'").itertuples()
    assert set(usa.text) <= set(entity.aliases)


def test_watchlist_finds_names_ner_misses_and_flags_every_mention_of_them():
    text = (
        "Officials said skyforge dynamics would supply drones. Vladimir Putin praised SKYFORGE DYNAMICS. "
        "Putin also met officials in Moscow."
    )
    watchlist = EntityList(
        (EntityEntry("Skyforge Dynamics", "ORG"), EntityEntry("Vladimir Putin", "PERSON", ("Vlad Putin",)))
    )
    articles = pd.DataFrame([{"article_id": "a", "text": text, "language": "en"}])
    plain = enrich_batch(articles, default_spacy_model())["mentions"]
    assert not plain.text.str.casefold().eq("skyforge dynamics").any()  # NER alone misses the lower-case name
    tables = enrich_batch(articles, default_spacy_model(), watchlist=watchlist)
    mentions = tables["mentions"].set_index("text")
    skyforge = entity_id("Skyforge Dynamics", "ORG")
    assert mentions.loc["skyforge dynamics", "entity_id"] == skyforge
    assert mentions.loc["SKYFORGE DYNAMICS", "entity_id"] == skyforge
    assert mentions.loc["Putin", "entity_id"] == entity_id("Vladimir Putin", "PERSON")
    assert mentions.loc[["skyforge dynamics", "SKYFORGE DYNAMICS", "Vladimir Putin", "Putin"], "watched"].all()
    assert not mentions.loc["Moscow", "watched"]
    assert tables["entities"].set_index("entity_id").loc[skyforge, "name"] == "Skyforge Dynamics"


FRENCH_NEWS = (
    "L’Italie choisit ArcelorMittal pour reprendre la plus grande aciérie d’Europe. "
    "Nouvelles attaques de Donald Trump contre le maire de Londres. "
    "Emmanuel Macron a reçu Olaf Scholz à Paris pour parler de l'Union européenne et de la Russie."
)


def test_other_languages_get_entities_from_their_mapped_model_and_no_english_tone():
    pytest.importorskip("fr_core_news_sm")
    articles = pd.DataFrame(
        [
            {"article_id": "fr", "text": FRENCH_NEWS, "language": "fr"},
            {"article_id": "de", "text": "Der Minister traf Olaf Scholz in Berlin.", "language": "de"},
        ]
    )
    tables = enrich_batch(articles, default_spacy_model(), language_models={"fr": "fr_core_news_sm"})
    assert {"Emmanuel Macron", "Olaf Scholz", "Donald Trump"} <= names(tables, "fr", "PERSON")
    assert {"Paris", "Londres"} <= names(tables, "fr", "LOC")
    assert set(tables["mentions"]["article_id"]) == {"fr"}  # German: no model mapped, no rows
    assert tables["article_sentiment"].empty and tables["entity_sentiment"].empty and tables["quotes"].empty


def test_a_mapped_model_that_is_not_installed_leaves_its_articles_without_entities(caplog):
    articles = pd.DataFrame([{"article_id": "fr", "text": FRENCH_NEWS, "language": "fr"}])
    tables = enrich_batch(articles, default_spacy_model(), language_models={"fr": "fr_model_not_installed"})
    assert tables["mentions"].empty
    assert "fr_model_not_installed" in caplog.text
