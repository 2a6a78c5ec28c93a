"""News vocabulary that VADER's lexicon lacks, and the cue words that scope sentiment.

VADER's lexicon was rated on social-media text: it knows "drop", "fallen" and "killing"
but not "falls", "rose", "deaths", "corruption" or "bankruptcy", which carry most of the
tone of news copy.  ``NEWS_LEXICON`` fills those gaps on VADER's own scale (-4..+4, a
mean human rating), and is only consulted for words VADER does not rate itself.

Valences follow two rules so the list stays general rather than fitted: an inflection of a
word VADER rates gets VADER's value for it ("bribes" = "bribe", "crashes" = "crash"), and
a new word gets a value near VADER words of like meaning and strength ("corruption"
-2.6 near "fraud" -2.8, "massacre" -3.0 near "killing" -3.4).  Market verbs ("rises", "plunges") are
rated for what they say about their subject, which is how news readers take them.
"""

from __future__ import annotations


def _family(valence: float, *words: str) -> dict[str, float]:
    return dict.fromkeys(words, valence)


# Movement words, rated for what they say about their subject ("Infosys rises", "Nifty
# plunges") like VADER's "drop" (-1.1), "falling"/"fallen" (-0.6/-1.5) and "gain" (2.4).
# Their subject can turn them: "losses rise" and "profit falls" are bad news, "inflation
# falls" is good (see :data:`MOVEMENTS`).
RISING: dict[str, float] = {
    **_family(1.2, "rise", "rises", "rose", "risen", "rising", "climb", "climbs", "climbed", "climbing"),
    **_family(1.0, "advance", "advances", "higher", "recover", "recovers", "recovered"),
    **_family(1.4, "jump", "jumps", "jumped", "jumping", "rebound", "rebounds", "rebounded"),
    **_family(1.6, "surge", "surges", "surged", "surging", "rally", "rallies", "rallied", "rallying"),
    **_family(1.6, "zoom", "zooms", "zoomed"),
    **_family(1.9, "soar", "soars", "soared", "soaring", "skyrocket", "skyrockets", "skyrocketed"),
}
FALLING: dict[str, float] = {
    **_family(-1.1, "fall", "falls", "fell", "drops", "dropped", "dropping"),
    **_family(-1.1, "decline", "declines", "declined", "declining", "slip", "slips", "slipped", "slipping"),
    **_family(-0.8, "dip", "dips", "dipped", "dipping"),
    **_family(-1.2, "slide", "slides", "slid", "sliding", "sink", "sinks", "sank", "sinking", "shrink", "shrinks"),
    **_family(-1.6, "slump", "slumps", "slumped", "tumble", "tumbles", "tumbled"),
    **_family(-2.0, "plunge", "plunges", "plunged", "plummet", "plummets", "plummeted", "nosedive", "nosedives"),
    **_family(-1.7, "crashes", "crashed", "crashing"),
}
# Movement words of either list or of VADER's own lexicon; "up" and "down" count only next to
# a figure ("Net up 26%", "closes 2.3% down"), elsewhere they are mostly particles ("set up").
_VADER_MOVEMENTS = ("drop", "falling", "fallen", "gain", "gains", "gained", "increase", "increased", "lower")
MOVEMENTS = frozenset(RISING) | frozenset(FALLING) | frozenset(_VADER_MOVEMENTS)
UP_DOWN = {"up": 1.0, "down": -1.0}

NEWS_LEXICON: dict[str, float] = {
    **RISING,
    **FALLING,
    # Markets and the economy.
    **_family(1.6, "boom", "booms", "booming", "upturn", "upswing", "uptrend", "recovery"),
    **_family(1.5, "bullish", "upbeat", "buoyed", "outperform", "outperforms", "outperformed", "outperformer"),
    **_family(1.2, "upgrade", "upgrades", "upgraded", "upside", "gainer", "gainers"),
    **_family(0.8, "expansion", "expanded"),
    **_family(-0.8, "pullback", "profit-booking", "profit-taking"),
    **_family(-1.6, "slowdown", "downturn"),
    **_family(-1.7, "selloff", "sell-off", "rout"),
    **_family(-1.5, "bearish", "underperform", "underperforms", "underperformed", "downgrade", "downgrades"),
    **_family(-1.3, "downgraded", "deteriorate", "deteriorates", "deteriorated", "volatile"),
    **_family(-0.8, "subdued", "volatility", "contraction", "inflation"),
    **_family(-1.5, "default", "defaults", "defaulted", "fined"),
    **_family(-1.9, "layoff", "layoffs"),
    **_family(-2.6, "bankruptcy", "insolvency"),
    # Crime, courts and governance: rated like "fraud" (-2.8), "arrested" (-2.1), "bribe" (-0.8).
    **_family(-2.6, "corruption", "corrupt", "bribery"),
    **_family(-0.8, "bribes", "bribed"),
    **_family(-1.2, "allegation", "allegations", "probe", "probes", "raid", "raids", "sanction", "sanctions"),
    **_family(-1.8, "indict", "indicted", "indictment", "convicted", "misconduct", "crackdown", "censorship"),
    **_family(-2.2, "dictator", "dictatorship", "coup", "tyrant", "tyranny", "tyrannies"),
    **_family(-3.0, "barbaric", "barbarism", "atrocity", "atrocities", "massacre", "massacres"),
    # War, disasters and hardship: rated like "death" (-2.9), "bomb" (-2.2), "injured" (-1.7).
    **_family(-2.9, "deaths", "bombing", "bombings"),
    **_family(-2.2, "wounded", "casualties", "invasion", "invaded", "shelling", "airstrike", "airstrikes"),
    **_family(-2.2, "hostage", "hostages", "explosion", "explosions", "famine", "extinction", "extinct"),
    **_family(-1.8, "earthquake", "flood", "floods", "flooding", "drought", "outbreak", "epidemic", "pandemic"),
    **_family(-1.8, "homeless", "homelessness", "addicted", "addiction", "pollution", "vandalism", "vandals"),
    **_family(-1.2, "flee", "fled", "clash", "clashes", "clashed"),
    # Praise and progress: rated like "commend" (1.9), "improvement" (2.0).
    **_family(1.9, "commendable", "commendably", "laudable", "lauded", "breakthrough", "achievement", "achieved"),
    **_family(1.5, "milestone", "cooperation", "ceasefire", "truce"),
}

# "but"-like words: what follows them outweighs what precedes them (VADER weighs 0.5 / 1.5).
CONTRASTS = frozenset({"but", "yet", "however"})
# Words that open a new clause, so that tone on one side says less about a name on the other.
CLAUSE_OPENERS = CONTRASTS | {"although", "though", "while", "whereas", "despite"}
