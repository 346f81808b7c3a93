-- SELECT n, count(*) AS c FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) s GROUP BY n
-- full load
WITH
-- n4: aggregate output and state per group
"groups" AS (
SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."__pgt_g0" AS pg_catalog.int8)) AS "__pgt_row_id", s."__pgt_g0" AS "n", s."__pgt_count" AS "count", s."__pgt_count", (s."__pgt_count" OPERATOR(pg_catalog.>) 0) AS "__pgt_visible" FROM (SELECT s."n" AS "__pgt_g0", pg_catalog.count(*) AS "__pgt_count" FROM (SELECT s."customer_id" AS "customer_id", s."count" AS "n" FROM (SELECT s."customer_id" AS "customer_id", pg_catalog.count(*) AS "count" FROM (SELECT s."customer_id" AS "customer_id" FROM "public"."orders" s) s GROUP BY s."customer_id") s) s GROUP BY s."n") s
),
-- n5: final expressions
"post5" AS (
SELECT s."__pgt_row_id", s."n" AS "n", s."count" AS "c", s."__pgt_count", s."__pgt_visible" AS "__pgt_visible" FROM "groups" s
)
SELECT f."__pgt_row_id", f."n", f."c" FROM (SELECT s."__pgt_row_id", s."n", s."c", s."__pgt_count", s."__pgt_visible" FROM "post5" s) f WHERE f."__pgt_visible";
-- refresh
WITH
-- Δpublic.orders: captured changes
"s0_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM "changes"."orders" c
),
-- n1: map — π(Δ)
"d1_map" AS (
SELECT s."customer_id" AS "customer_id", s."__pgt_w" FROM "s0_changes_orders" s
),
-- n2: groups touched by the change
"d2_groups" AS (
SELECT DISTINCT s."customer_id" AS "__pgt_k0" FROM "d1_map" s
),
-- n2: aggregate of touched groups, now
"d2_new" AS (
SELECT s."customer_id" AS "customer_id", pg_catalog.count(*) AS "__pgt_n", pg_catalog.count(*) AS "count" FROM (SELECT s."customer_id" AS "customer_id" FROM "public"."orders" s) s WHERE EXISTS (SELECT 1 FROM "d2_groups" t WHERE (((s."customer_id" IS NULL) OPERATOR(pg_catalog.=) (t."__pgt_k0" IS NULL)) AND (COALESCE(s."customer_id", CAST(0 AS pg_catalog.int4)) OPERATOR(pg_catalog.=) COALESCE(t."__pgt_k0", CAST(0 AS pg_catalog.int4))))) GROUP BY s."customer_id"
),
-- n2: the change's contribution per touched group
"d2_change" AS (
SELECT s."customer_id" AS "__pgt_k0", pg_catalog.sum(s."__pgt_w") AS "__pgt_n" FROM "d1_map" s GROUP BY s."customer_id"
),
-- n2: aggregate of touched groups, before (now minus the change)
"d2_old" AS (
SELECT d."__pgt_k0" AS "customer_id", CAST((COALESCE(n."count", 0) OPERATOR(pg_catalog.-) d."__pgt_n") AS pg_catalog.int8) AS "count" FROM "d2_change" d LEFT JOIN "d2_new" n ON (((n."customer_id" IS NULL) OPERATOR(pg_catalog.=) (d."__pgt_k0" IS NULL)) AND (COALESCE(n."customer_id", CAST(0 AS pg_catalog.int4)) OPERATOR(pg_catalog.=) COALESCE(d."__pgt_k0", CAST(0 AS pg_catalog.int4)))) WHERE ((COALESCE(n."__pgt_n", 0) OPERATOR(pg_catalog.-) d."__pgt_n") OPERATOR(pg_catalog.>) 0)
),
-- n2: aggregate — γ(new) − γ(old) on touched groups
"d2_aggregate" AS (
SELECT s."customer_id", s."count", 1 AS "__pgt_w" FROM "d2_new" s UNION ALL SELECT s."customer_id", s."count", -1 FROM "d2_old" s
),
-- n3: map — π(Δ)
"d3_map" AS (
SELECT s."customer_id" AS "customer_id", s."count" AS "n", s."__pgt_w" FROM "d2_aggregate" s
),
-- n4: change per touched group
"changed_groups" AS (
SELECT s."n" AS "__pgt_g0", CAST(pg_catalog.sum(s."__pgt_w") AS pg_catalog.int8) AS "__pgt_dcount", CAST(pg_catalog.sum(s."__pgt_w") AS pg_catalog.int8) AS "__pgt_d0" FROM "d3_map" s GROUP BY s."n"
),
-- their stored state (the integral kept in "st")
"stored_groups" AS (
SELECT d.*, (t."__pgt_row_id" IS NOT NULL) AS "__pgt_existed", t."c" AS "__pgt_old__pgt_count", t."ctid" AS "__pgt_ctid" FROM "changed_groups" d LEFT JOIN "st" t ON (t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id_of(CAST(d."__pgt_g0" AS pg_catalog.int8)))
),
-- new state per touched group
"new_state" AS (
SELECT c."__pgt_g0", c."__pgt_existed", c."__pgt_ctid", (COALESCE(c."__pgt_old__pgt_count", 0) OPERATOR(pg_catalog.+) COALESCE(c."__pgt_dcount", 0)) AS "__pgt_count" FROM "stored_groups" c
),
-- n4: aggregate output and state per group
"groups" AS (
SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."__pgt_g0" AS pg_catalog.int8)) AS "__pgt_row_id", s."__pgt_g0" AS "n", s."__pgt_count" AS "count", s."__pgt_count", s."__pgt_existed", s."__pgt_ctid", (s."__pgt_count" OPERATOR(pg_catalog.>) 0) AS "__pgt_visible" FROM (SELECT * FROM "new_state") s
),
-- n5: final expressions
"post5" AS (
SELECT s."__pgt_row_id", s."n" AS "n", s."count" AS "c", s."__pgt_count", s."__pgt_existed", s."__pgt_ctid", s."__pgt_visible" AS "__pgt_visible" FROM "groups" s
),
-- the net change of the stream table
"__pgt_delta" AS (
SELECT s."__pgt_row_id", s."n", s."c", s."__pgt_count", s."__pgt_existed", s."__pgt_ctid", s."__pgt_visible" FROM "post5" s
),
-- delete groups that became empty or fail HAVING
"__pgt_del" AS (
DELETE FROM "st" t USING "__pgt_delta" d WHERE (((t."ctid" OPERATOR(pg_catalog.=) d."__pgt_ctid") AND t."ctid" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_ctid" FROM "__pgt_delta" d))) AND (NOT d."__pgt_visible")) RETURNING 1
),
-- update changed groups
"__pgt_upd" AS (
UPDATE "st" t SET "n" = d."n", "c" = d."c" FROM "__pgt_delta" d WHERE (((t."ctid" OPERATOR(pg_catalog.=) d."__pgt_ctid") AND t."ctid" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_ctid" FROM "__pgt_delta" d))) AND d."__pgt_visible" AND (ROW(t."n", t."c") IS DISTINCT FROM ROW(d."n", d."c"))) RETURNING 1
),
-- insert groups new to the table
"__pgt_ins" AS (
INSERT INTO "st" ("__pgt_row_id", "n", "c") SELECT d."__pgt_row_id", d."n", d."c" FROM "__pgt_delta" d WHERE (d."__pgt_visible" AND (NOT d."__pgt_existed")) RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM "__pgt_ins") AS "inserted", (SELECT pg_catalog.count(*) FROM "__pgt_del") AS "deleted", (SELECT pg_catalog.count(*) FROM "__pgt_upd") AS "updated";
