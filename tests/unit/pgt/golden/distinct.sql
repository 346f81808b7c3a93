-- SELECT DISTINCT kind FROM events
-- full load
SELECT pgtrickle.pg_trickle_row_id_of(CAST(q."kind" AS pg_catalog.text)) AS "__pgt_row_id", q."kind", pg_catalog.count(*) AS "__pgt_count" FROM (SELECT s."kind" AS "kind" FROM "public"."events" s) q GROUP BY q."kind";
-- refresh
WITH
-- Δpublic.events: captured changes
"s0_changes_events" AS (
SELECT c."kind", c."customer_id", c."__pgt_w" FROM "changes"."events" c
),
-- n1: map — π(Δ)
"d1_map" AS (
SELECT s."kind" AS "kind", s."__pgt_w" FROM "s0_changes_events" s
),
-- the net change of the stream table
"__pgt_delta" AS (
SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."kind" AS pg_catalog.text)) AS "__pgt_row_id", s."kind", pg_catalog.sum(s."__pgt_w") AS "__pgt_w" FROM "d1_map" s GROUP BY s."kind" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- delete rows whose multiplicity drops to zero
"__pgt_del" AS (
DELETE FROM "st" t USING "__pgt_delta" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND ((t."__pgt_count" OPERATOR(pg_catalog.+) d."__pgt_w") OPERATOR(pg_catalog.<=) 0)) RETURNING 1
),
-- adjust multiplicities
"__pgt_upd" AS (
UPDATE "st" t SET "__pgt_count" = (t."__pgt_count" OPERATOR(pg_catalog.+) d."__pgt_w") FROM "__pgt_delta" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND ((t."__pgt_count" OPERATOR(pg_catalog.+) d."__pgt_w") OPERATOR(pg_catalog.>) 0)) RETURNING 1
),
-- insert rows new to the stream table
"__pgt_ins" AS (
INSERT INTO "st" ("__pgt_row_id", "kind", "__pgt_count") SELECT d."__pgt_row_id", d."kind", d."__pgt_w" FROM "__pgt_delta" d WHERE ((d."__pgt_w" OPERATOR(pg_catalog.>) 0) AND (NOT EXISTS (SELECT 1 FROM "st" t WHERE (t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id")))) RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM "__pgt_ins") AS "inserted", (SELECT pg_catalog.count(*) FROM "__pgt_del") AS "deleted", (SELECT pg_catalog.count(*) FROM "__pgt_upd") AS "updated";
