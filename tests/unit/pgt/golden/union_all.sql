-- SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM events
-- full load
SELECT pgtrickle.pg_trickle_row_id_of(CAST(q."customer_id" AS pg_catalog.int4)) AS "__pgt_row_id", q."customer_id" FROM (SELECT CAST(s."customer_id" AS pg_catalog.int4) AS "customer_id" FROM (SELECT s."customer_id" AS "customer_id" FROM "public"."orders" s) s UNION ALL SELECT CAST(s."customer_id" AS pg_catalog.int4) AS "customer_id" FROM (SELECT s."customer_id" AS "customer_id" FROM "public"."events" s) s) q;
-- refresh
WITH
-- Δpublic.orders: captured changes
"s0_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM "changes"."orders" c
),
-- n1: map — π(Δ), consolidated
"d1_map" AS (
SELECT c."customer_id", CAST(pg_catalog.sum(c."__pgt_w") AS pg_catalog.int8) AS "__pgt_w" FROM (SELECT s."customer_id" AS "customer_id", s."__pgt_w" FROM "s0_changes_orders" s) c GROUP BY c."customer_id" HAVING (pg_catalog.sum(c."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- Δpublic.events: captured changes
"s1_changes_events" AS (
SELECT c."kind", c."customer_id", c."__pgt_w" FROM "changes"."events" c
),
-- n3: map — π(Δ), consolidated
"d3_map" AS (
SELECT c."customer_id", CAST(pg_catalog.sum(c."__pgt_w") AS pg_catalog.int8) AS "__pgt_w" FROM (SELECT s."customer_id" AS "customer_id", s."__pgt_w" FROM "s1_changes_events" s) c GROUP BY c."customer_id" HAVING (pg_catalog.sum(c."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- n4: union all — Δ₁ + Δ₂ + …
"d4_union_all" AS (
SELECT CAST(s."customer_id" AS pg_catalog.int4) AS "customer_id", s."__pgt_w" FROM "d1_map" s UNION ALL SELECT CAST(s."customer_id" AS pg_catalog.int4) AS "customer_id", s."__pgt_w" FROM "d3_map" s
),
-- the net change of the stream table
"__pgt_delta" AS (
SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."customer_id" AS pg_catalog.int4)) AS "__pgt_row_id", s."customer_id", pg_catalog.sum(s."__pgt_w") AS "__pgt_w" FROM "d4_union_all" s GROUP BY s."customer_id" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- delete |w| copies of removed rows
"__pgt_del" AS (
DELETE FROM "st" t WHERE t."ctid" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT x."sc" FROM "__pgt_delta" d CROSS JOIN LATERAL (SELECT s."ctid" AS "sc" FROM "st" s WHERE ((s."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND (((s."customer_id" IS NULL) OPERATOR(pg_catalog.=) (d."customer_id" IS NULL)) AND (COALESCE(s."customer_id", CAST(0 AS pg_catalog.int4)) OPERATOR(pg_catalog.=) COALESCE(d."customer_id", CAST(0 AS pg_catalog.int4))))) LIMIT CAST((OPERATOR(pg_catalog.-) d."__pgt_w") AS pg_catalog.int8)) x WHERE (d."__pgt_w" OPERATOR(pg_catalog.<) 0))) RETURNING 1
),
-- insert w copies of added rows
"__pgt_ins" AS (
INSERT INTO "st" ("__pgt_row_id", "customer_id") SELECT d."__pgt_row_id", d."customer_id" FROM "__pgt_delta" d CROSS JOIN LATERAL pg_catalog.generate_series(1, d."__pgt_w") WHERE (d."__pgt_w" OPERATOR(pg_catalog.>) 0) RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM "__pgt_ins") AS "inserted", (SELECT pg_catalog.count(*) FROM "__pgt_del") AS "deleted", 0 AS "updated";
