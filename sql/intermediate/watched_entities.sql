-- grain: one row per entity on the analysts' watchlist (entity_id), as this refresh reads the
-- list (staging.entity_lists): the id enrichment gives the entry's name and label (entity_id():
-- newsflow.nlp.entities.entity_id; a table, since readers' connections lack that function).
-- staging.mentions flags the mentions of these entities, so an edited watchlist applies to
-- every batch already loaded.
-- reads: staging.entity_lists
{{ config(materialized='table') }}
select distinct entity_id(name, label) as entity_id
from {{ ref('entity_lists') }}
where list = 'watchlist'
