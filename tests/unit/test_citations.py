from newsflow.nlp.citations import agency_of, credited_agency, find_citations


def kinds(text, author=None, orgs=None):
    return {(c.source, c.kind) for c in find_citations(text, author, orgs)}


def test_datelines_of_each_house_style():
    assert ("Reuters", "dateline") in kinds("SEOUL, Nov 30 (Reuters) - North Korea said on Saturday...")
    assert ("AP", "dateline") in kinds("SAPPORO, Japan (AP) — A magnitude 6.1 earthquake struck...")
    assert ("AFP", "dateline") in kinds("AFP – Russian Defence Minister Andrei Belousov met...")


def test_signoffs_and_bylines():
    assert ("AFP", "signoff") in kinds("Body of the story.\n\nAFP")
    assert ("AFP", "signoff") in kinds("Body of the story. — With AFP")
    assert ("Reuters", "signoff") in kinds("Body.\n\nReporting by Ana Silva; Editing by Tom Brown")
    assert ("AFP", "byline") in kinds("Body text.", author="By AFP staff, with Jane Doe")


def test_attributions_to_agencies_and_other_organisations():
    text = "Kim blasted the decision, according to KCNA. The Daily Planet reported that talks went on."
    start = text.index("Daily Planet")
    found = kinds(text, orgs=[("Daily Planet", start, start + len("Daily Planet"))])
    assert ("KCNA", "attribution") in found
    assert ("Daily Planet", "attribution") in found


def test_lower_case_words_are_not_agencies():
    assert kinds("The ap said nothing; an afp file was opened. Earnings rose with reuters-like speed.") == set()


def test_credited_agency_prefers_dateline_and_outlets_map_to_agencies():
    citations = find_citations("BRUSSELS (Reuters) - Talks. According to AFP, nothing.\n\nAFP")
    assert credited_agency(citations) == "Reuters"
    assert agency_of("Associated Press") == "AP" and agency_of("Harbor Post") is None
