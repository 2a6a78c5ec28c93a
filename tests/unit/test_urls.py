from newsflow.ingest.urls import normalise_url


def test_tracking_parameters_host_prefix_and_fragment_are_dropped():
    url = "HTTP://www.DailyMeridian.example/world/2024/11/27/strike/?utm_source=rss&utm_medium=feed&id=7#top"
    assert normalise_url(url) == "https://dailymeridian.example/world/2024/11/27/strike?id=7"


def test_amp_and_mobile_variants_match_the_canonical_page():
    canonical = normalise_url("https://www.example.org/news/story-1")
    assert normalise_url("https://m.example.org/news/story-1/amp") == canonical
    assert normalise_url("https://amp.example.org/news/story-1.amp") == canonical
    assert normalise_url("https://example.org/news/story-1?fbclid=abc") == canonical


def test_remaining_parameters_are_sorted_but_kept():
    assert normalise_url("https://a.example/p?b=2&a=1") == "https://a.example/p?a=1&b=2"
    assert normalise_url("https://a.example/p?a=1") != normalise_url("https://a.example/p?a=2")


def test_titles_lose_outlet_and_section_parts():
    from newsflow.ingest.urls import normalise_title

    assert normalise_title("Opinion | Kim meets Belousov - The New York Times") == "kim meets belousov"
    assert normalise_title("Kim meets Belousov | Harbor Post", "Harbor Post") == normalise_title("Kim Meets Belousov!")
    assert normalise_title("Hokkaido quake: fishing fleets hold back") == "hokkaido quake fishing fleets hold back"
