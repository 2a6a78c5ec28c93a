"""Quotes with speakers, on the AFP seed and on small invented sentences."""

import pandas as pd
import pytest

from newsflow.config import default_spacy_model
from newsflow.nlp.enrich import enrich_batch
from newsflow.nlp.model import load_nlp
from newsflow.nlp.quotes import Mention, candidate_passages, extract_quotes, load_parser, passages_of
from tests.helpers import seed_rows

INVENTED = {
    "said_x": "Mary Jones runs the port authority. “The harbour will reopen next week,” said Jones.",
    "x_said": "Peter Novak, the mayor, spoke on Monday. Novak said that the budget would be balanced by June.",
    "according_to": "Prices of rice rose sharply in March, according to the Food and Agriculture Organization.",
    "quoted_as_saying": "Angela Merkel was quoted as saying “we will manage this together” at the summit.",
    "pronoun": "Yoon Suk Yeol visited the border town. He said the troops were ready to respond at once.",
    "no_speaker": "The banner read “peace in our time, whatever the cost” above the square.",
    "finding": "Exports to Europe fell by a fifth in October, the Korea International Trade Association reported.",
    "clause": "Olga Petrova, the chancellor, praised the union's “deep and lasting commitment to fairness” on Monday.",
    "pronoun_after_quote": (
        "Ivan Sokolov met Anna Berg in Oslo. “The talks went well for both sides,” said Sokolov. "
        "He added that a second round would follow in the spring."
    ),
    "states": "The United States and Canada signed the accord in Ottawa on Tuesday after long talks.",
    "in_a_statement": "The Harbour Authority said in a statement that the quay would reopen on Friday.",
    "warned": "The nurses' union warned that wards would close unless more staff were hired.",
    "urged": "The Food Standards Agency urged shoppers not to eat the recalled cheese.",
    "appositive": "Henrik Dahl's spokeswoman, Ida Moe, said the minister would not resign.",
    "spokesman_for": "A spokesman for Vesta Energy said the plant had been shut for repairs.",
    "the_agency": "The Civil Aviation Agency grounded two jets. The agency said the checks would take a week.",
    "question": "Sofia Lind declined to say whether the company would cut jobs.",
    "dateline": "OSLO, May 3 (Newswire) - Fjord Air is cancelling 40 flights after a strike, the airline said.",
}


@pytest.fixture(scope="module")
def quoted():
    rows = seed_rows()
    rows += [{"article_id": key, "text": text, "language": "en"} for key, text in INVENTED.items()]
    articles = pd.DataFrame(rows)
    tables = enrich_batch(articles, default_spacy_model())
    names = tables["entities"].set_index("entity_id")["name"]
    quotes = tables["quotes"].assign(speaker=lambda f: f["speaker_entity_id"].map(names))
    return articles.set_index("article_id")["text"], quotes


def speaker_of(quotes: pd.DataFrame, article_id: str, words: str) -> str | None:
    [row] = quotes[(quotes.article_id == article_id) & quotes.quote.str.contains(words, regex=False)].itertuples()
    return row.speaker if isinstance(row.speaker, str) else None


def test_kims_quote_is_attributed_to_kim_jong_un(quoted):
    _, quotes = quoted
    assert speaker_of(quotes, "afp", "It is an exercise of the right to self-defence for Russia") == "Kim Jong Un"


def test_hong_mins_analysis_is_attributed_to_hong_min(quoted):
    _, quotes = quoted
    assert speaker_of(quotes, "afp", "long-term strategies for securing weapons") == "Hong Min"
    assert speaker_of(quotes, "afp", "Belousov is well-placed to help with such arrangements") == "Hong Min"


def test_offsets_give_the_quote_without_its_marks(quoted):
    texts, quotes = quoted
    for row in quotes.itertuples():
        assert texts[row.article_id][row.start_char : row.end_char] == row.quote
    kim = quotes[quotes.quote.str.startswith("It is an exercise")].iloc[0]
    assert texts["afp"][kim.start_char - 1] == "“" and kim.quote.endswith("pay the price")


def test_scare_quotes_are_not_quotes(quoted):
    _, quotes = quoted
    assert not quotes.quote.isin(["threat", "without delay"]).any()


@pytest.mark.parametrize(
    ("article_id", "words", "speaker", "speaker_text"),
    [
        ("said_x", "The harbour will reopen next week", "Mary Jones", "Jones"),
        ("x_said", "the budget would be balanced by June", "Peter Novak", "Novak"),
        ("according_to", "Prices of rice rose sharply in March", "Food and Agriculture Organization", None),
        ("quoted_as_saying", "we will manage this together", "Angela Merkel", "Angela Merkel"),
        ("pronoun", "the troops were ready to respond at once", "Yoon Suk Yeol", "He"),
        ("no_speaker", "peace in our time, whatever the cost", None, None),
        ("finding", "Exports to Europe fell by a fifth in October", "Korea International Trade Association", None),
        ("clause", "deep and lasting commitment to fairness", "Olga Petrova", None),
        ("pronoun_after_quote", "a second round would follow in the spring", "Ivan Sokolov", "He"),
        ("in_a_statement", "the quay would reopen on Friday", "Harbour Authority", None),
        ("urged", "shoppers not to eat the recalled cheese", "Food Standards Agency", None),
        ("appositive", "the minister would not resign", "Ida Moe", None),
        ("spokesman_for", "the plant had been shut for repairs", "Vesta Energy", None),
        ("the_agency", "the checks would take a week", "Civil Aviation Agency", "The agency"),
    ],
)
def test_invented_attributions(quoted, article_id, words, speaker, speaker_text):
    _, quotes = quoted
    assert speaker_of(quotes, article_id, words) == speaker
    if speaker_text:
        said = quotes[(quotes.article_id == article_id) & quotes.quote.str.contains(words, regex=False)]
        assert said.speaker_text.iloc[0] == speaker_text


@pytest.mark.parametrize(
    ("article_id", "quote"),
    [
        ("in_a_statement", "the quay would reopen on Friday"),  # "that" and the statement's noun left out
        ("warned", "wards would close unless more staff were hired"),
        ("dateline", "Fjord Air is cancelling 40 flights after a strike"),  # the dateline is no speech
    ],
)
def test_a_reported_statement_is_its_content_only(quoted, article_id, quote):
    _, quotes = quoted
    assert quotes[quotes.article_id == article_id].quote.tolist() == [quote]


def test_an_indirect_question_is_no_statement(quoted):
    _, quotes = quoted
    assert quotes[quotes.article_id == "question"].empty


def test_only_sentences_with_quote_marks_or_reporting_verbs_are_parsed(quoted):
    text = "The sky is blue. “Rain soon,” she said. Markets fell. Prices, he added, rose."
    sentences = [(0, 16), (17, 39), (40, 53), (54, 78)]
    assert candidate_passages(text, sentences) == [(17, 39), (54, 78)]
    # A quote running over two sentences is parsed as one passage, the closing sentence included.
    assert candidate_passages("“One. Two,” he said.", [(0, 5), (6, 20)]) == [(0, 20)]
    assert candidate_passages("He said: “One. Two.” Three.", [(0, 14), (15, 20), (21, 27)]) == [(0, 20)]
    # "States" in a name is no reporting verb.
    assert candidate_passages(INVENTED["states"], [(0, len(INVENTED["states"]))]) == []
    _, quotes = quoted
    assert quotes[quotes.article_id == "states"].empty


def test_a_quote_going_on_in_the_next_sentence_keeps_its_speaker():
    text = (
        "Chae Jin-seo is a researcher.\n\n"
        "“Companies are postponing their investment decisions,” said Chae Jin-seo. "
        "“Uncertainty itself has become a cost.”"
        "\n\n“Nobody asked the workers about it,” a banner read."
    )
    tables = enrich_batch(
        pd.DataFrame({"article_id": ["a"], "text": [text], "language": ["en"]}), default_spacy_model()
    )
    quotes = tables["quotes"]
    [first, second, third] = quotes.itertuples()
    assert second.quote == "Uncertainty itself has become a cost"
    assert (second.speaker_text, second.speaker_entity_id) == (first.speaker_text, first.speaker_entity_id)
    assert isinstance(first.speaker_entity_id, str)
    assert pd.isna(third.speaker_entity_id)  # a new paragraph: the speaker does not carry over


def test_passages_reuse_the_ner_pipelines_tensor_and_parse_without_one_too():
    text = "Mary Jones runs the port. “The harbour will reopen next week,” said Jones. The sky is grey."
    model = default_spacy_model()
    [(offset, passage)] = passages_of(load_nlp(model)(text))
    assert (offset, passage.text) == (26, "“The harbour will reopen next week,” said Jones. ")
    assert passage.tensor.shape[0] == len(passage)
    bare = load_parser(model).make_doc(passage.text)
    mentions = {"a": [Mention("e1", "PERSON", "Mary Jones", 0, 10)]}
    for doc in (passage, bare):
        [quote] = extract_quotes(load_parser(model), [("a", offset, doc)], {"a": text}, mentions)
        assert (quote.quote, quote.speaker_text, quote.speaker_entity_id) == (
            "The harbour will reopen next week",
            "Jones",
            "e1",
        )
