-- grain: one row per gazetteer place the loaded articles name (place_id, the GeoNames id):
-- its name, kind (country, admin, city, region), country_code (ISO 3166-1 alpha-2, null for
-- regions spanning countries) and coordinates (null where the gazetteer has none: US states).
-- reads: staging.mention_places
select
    place_id,
    any_value(place_name order by place_name) as name,
    any_value(kind order by kind) as kind,
    any_value(country_code order by country_code) as country_code,
    any_value(latitude order by latitude) as latitude,
    any_value(longitude order by longitude) as longitude
from {{ ref('mention_places') }}
where place_id is not null
group by place_id
