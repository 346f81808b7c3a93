-- SELECT id, amount * 2 AS doubled FROM orders WHERE status = 'paid'
-- full load
SELECT pgtrickle.pg_trickle_row_id_of(CAST(q."id" AS pg_catalog.int8)) AS "__pgt_row_id", q."id", q."doubled" FROM (SELECT s."id" AS "id", (s."amount" OPERATOR(pg_catalog.*) CAST('2' AS pg_catalog.int4)) AS "doubled" FROM (SELECT * FROM (SELECT s."id" AS "id", s."amount" AS "amount", s."status" AS "status" FROM "public"."orders" s) s WHERE (s."status" OPERATOR(pg_catalog.=) CAST('paid' AS pg_catalog.text))) s) q;
-- refresh
WITH
-- Δpublic.orders: captured changes
"s0_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM "changes"."orders" c
),
-- n1: map — π(Δ)
"d1_map" AS (
SELECT s."id" AS "id", s."amount" AS "amount", s."status" AS "status", s."__pgt_w" FROM "s0_changes_orders" s
),
-- n2: filter — σ(Δ)
"d2_filter" AS (
SELECT * FROM "d1_map" s WHERE (s."status" OPERATOR(pg_catalog.=) CAST('paid' AS pg_catalog.text))
),
-- n3: map — π(Δ)
"d3_map" AS (
SELECT s."id" AS "id", (s."amount" OPERATOR(pg_catalog.*) CAST('2' AS pg_catalog.int4)) AS "doubled", s."__pgt_w" FROM "d2_filter" s
),
-- the net change of the stream table
"__pgt_delta" AS (
SELECT DISTINCT ON ("__pgt_row_id") * FROM (SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."id" AS pg_catalog.int8)) AS "__pgt_row_id", s."id", s."doubled", pg_catalog.sum(s."__pgt_w") AS "__pgt_w" FROM "d3_map" s GROUP BY s."id", s."doubled", pg_catalog.scale(s."doubled") HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.<>) 0)) s ORDER BY "__pgt_row_id", "__pgt_w" DESC
),
-- delete rows whose key disappeared
"__pgt_del" AS (
DELETE FROM "st" t USING "__pgt_delta" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND (d."__pgt_w" OPERATOR(pg_catalog.<) 0)) RETURNING 1
),
-- update rows whose key remains
"__pgt_upd" AS (
UPDATE "st" t SET "id" = d."id", "doubled" = d."doubled" FROM "__pgt_delta" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND (d."__pgt_w" OPERATOR(pg_catalog.>) 0)) RETURNING 1
),
-- insert rows new to the stream table
"__pgt_ins" AS (
INSERT INTO "st" ("__pgt_row_id", "id", "doubled") SELECT d."__pgt_row_id", d."id", d."doubled" FROM "__pgt_delta" d WHERE ((d."__pgt_w" OPERATOR(pg_catalog.>) 0) AND (NOT EXISTS (SELECT 1 FROM "st" t WHERE (t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id")))) RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM "__pgt_ins") AS "inserted", (SELECT pg_catalog.count(*) FROM "__pgt_del") AS "deleted", (SELECT pg_catalog.count(*) FROM "__pgt_upd") AS "updated";
