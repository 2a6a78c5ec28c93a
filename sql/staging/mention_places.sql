-- grain: one row per place mention (article_id, start_char), the place link of
-- staging.mentions (same offsets): GPE/LOC/FAC mentions and NORP country adjectives. Resolved
-- rows carry place_id (GeoNames id; null for areas and landmarks placed by country only),
-- place_name, kind (country, admin, city, region, local), country_code (ISO 3166-1 alpha-2)
-- and country_name (the gazetteer's name of that country), coordinates and how they were
-- found (method); unresolved rows keep the mention with a reason. via_adjective flags a NORP
-- adjective's link ("Russian" -> RU), kept apart from places the article names. label: the
-- NER model's label at the mention (staging.mentions.model_label), not the entity's vote.
-- reads: raw.mention_places, staging.articles
{{ current_version_rows('mention_places', [
    'start_char', 'end_char', 'text', 'label', 'place_id', 'place_name', 'kind',
    'country_code', 'country_name', 'latitude', 'longitude', 'method', 'via_adjective',
    'reason'
]) }}
