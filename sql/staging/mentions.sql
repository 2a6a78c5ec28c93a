-- grain: one row per entity mention (article_id, start_char). Offsets are character offsets
-- into staging.articles.text; sentence_index counts sentences from 0. entity_id and label are
-- the entity after the corpus-wide label vote (intermediate.entity_identities), model_label what
-- the NER model said here (until the next refresh, a newly loaded mention keeps enrichment's
-- entity; a lone short form is the full name it stands for: intermediate.entity_short_forms);
-- watched: the entity is on the analyst's watchlist as the last refresh read it
-- (intermediate.watched_entities); listed: the watchlist or alias table named the entity (and
-- its label) at enrichment, so the vote leaves it alone.
-- reads: staging.enriched_mentions, intermediate.entity_identities, intermediate.entity_short_forms,
--        intermediate.watched_entities
select
    mentions.article_id,
    {{ identified_entity_id('mentions') }} as entity_id,
    mentions.text,
    coalesce(identities.label, mentions.label) as label,
    mentions.model_label,
    mentions.start_char,
    mentions.end_char,
    mentions.sentence_index,
    {{ identified_entity_id('mentions') }} in (select watched.entity_id from {{ ref('watched_entities') }} as watched)
        as watched,
    mentions.listed
from {{ ref('enriched_mentions') }} as mentions
{{ join_entity_identity('mentions') }}
