-- WITH RECURSIVE up(id, ancestor) AS (SELECT id, parent_id FROM departments UNION SELECT up.id, d.parent_id FROM up JOIN departments d ON d.id = up.ancestor) SELECT id, ancestor FROM up WHERE ancestor IS NOT NULL
-- full load
SELECT pgtrickle.pg_trickle_row_id_of(CAST(q."id" AS pg_catalog.int4), CAST(q."ancestor" AS pg_catalog.int4)) AS "__pgt_row_id", q."id", q."ancestor" FROM (SELECT s."id" AS "id", s."ancestor" AS "ancestor" FROM (SELECT * FROM (WITH RECURSIVE "__pgt_rows" AS (SELECT s."id" AS "id", s."ancestor" AS "ancestor" FROM (SELECT s."id" AS "id", s."parent_id" AS "ancestor" FROM "public"."departments" s) s UNION SELECT CAST(x."id" AS pg_catalog.int4) AS "id", CAST(x."parent_id" AS pg_catalog.int4) AS "ancestor" FROM (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM (SELECT l."id" AS "id", l."ancestor" AS "ancestor", r."id" AS "id_1", r."parent_id" AS "parent_id" FROM "__pgt_rows" l JOIN (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM "public"."departments" s) r ON (r."id" OPERATOR(pg_catalog.=) l."ancestor")) s) x) SELECT * FROM "__pgt_rows") s WHERE (s."ancestor" IS NOT NULL)) s) q;
-- state table "state_n7"
SELECT pgtrickle.pg_trickle_row_id_of(CAST(d."id" AS pg_catalog.int4), CAST(d."ancestor" AS pg_catalog.int4)) AS "__pgt_row_id", d."id", d."ancestor", CAST(1 AS pg_catalog.int8) AS "__pgt_count" FROM (WITH RECURSIVE "__pgt_rows" AS (SELECT s."id" AS "id", s."ancestor" AS "ancestor" FROM (SELECT s."id" AS "id", s."parent_id" AS "ancestor" FROM "public"."departments" s) s UNION SELECT CAST(x."id" AS pg_catalog.int4) AS "id", CAST(x."parent_id" AS pg_catalog.int4) AS "ancestor" FROM (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM (SELECT l."id" AS "id", l."ancestor" AS "ancestor", r."id" AS "id_1", r."parent_id" AS "parent_id" FROM "__pgt_rows" l JOIN (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM "public"."departments" s) r ON (r."id" OPERATOR(pg_catalog.=) l."ancestor")) s) x) SELECT * FROM "__pgt_rows") d;
-- refresh
WITH
-- Δpublic.departments: captured changes
"s0_changes_departments" AS (
SELECT c."id", c."name", c."parent_id", c."__pgt_w" FROM "changes"."departments" c
),
-- n1: map — π(Δ), consolidated
"d1_map" AS (
SELECT c."id", c."ancestor", CAST(pg_catalog.sum(c."__pgt_w") AS pg_catalog.int8) AS "__pgt_w" FROM (SELECT s."id" AS "id", s."parent_id" AS "ancestor", s."__pgt_w" FROM "s0_changes_departments" s) c GROUP BY c."id", c."ancestor" HAVING (pg_catalog.sum(c."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- n4: map — π(Δ), consolidated
"d4_map" AS (
SELECT c."id", c."parent_id", CAST(pg_catalog.sum(c."__pgt_w") AS pg_catalog.int8) AS "__pgt_w" FROM (SELECT s."id" AS "id", s."parent_id" AS "parent_id", s."__pgt_w" FROM "s0_changes_departments" s) c GROUP BY c."id", c."parent_id" HAVING (pg_catalog.sum(c."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- n5: inner join — ΔL⋈R + L⋈ΔR − ΔL⋈ΔR
"d5_join" AS (
SELECT l."id" AS "id", l."ancestor" AS "ancestor", r."id" AS "id_1", r."parent_id" AS "parent_id", r."__pgt_w" AS "__pgt_w" FROM (SELECT * FROM (SELECT t."id", t."ancestor" FROM "state_n7" t) s WHERE s."ancestor" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT o."id" FROM "d4_map" o)) OFFSET 0) l JOIN "d4_map" r ON (r."id" OPERATOR(pg_catalog.=) l."ancestor")
),
-- n6: map — π(Δ)
"d6_map" AS (
SELECT s."id" AS "id", s."parent_id" AS "parent_id", s."__pgt_w" FROM "d5_join" s
),
-- n7: recursive — ΔB + S(R, Δsources), R held still
"d7_first" AS (
SELECT s."id" AS "id", s."ancestor" AS "ancestor", s."__pgt_w", 0 AS "__pgt_term" FROM "d1_map" s UNION ALL SELECT CAST(s."id" AS pg_catalog.int4) AS "id", CAST(s."parent_id" AS pg_catalog.int4) AS "ancestor", s."__pgt_w", 1 AS "__pgt_term" FROM "d6_map" s
),
-- n7: D — stored rows that lost a derivation, and what they derive
"d7_overdeleted" AS (
WITH RECURSIVE "__pgt_rows" AS (SELECT s."id", s."ancestor" FROM (SELECT s."id", s."ancestor" FROM "d7_first" s WHERE ((s."__pgt_w" OPERATOR(pg_catalog.<) 0) AND EXISTS (SELECT 1 FROM "state_n7" t WHERE (t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id_of(CAST(s."id" AS pg_catalog.int4), CAST(s."ancestor" AS pg_catalog.int4)))))) s UNION SELECT y.* FROM "__pgt_rows" p CROSS JOIN LATERAL (SELECT CAST(x."id" AS pg_catalog.int4) AS "id", CAST(x."parent_id" AS pg_catalog.int4) AS "ancestor" FROM (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM (SELECT l."id" AS "id", l."ancestor" AS "ancestor", r."id" AS "id_1", r."parent_id" AS "parent_id" FROM (SELECT p."id" AS "id", p."ancestor" AS "ancestor") l JOIN (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM "public"."departments" s) r ON (r."id" OPERATOR(pg_catalog.=) l."ancestor")) s) x) y WHERE EXISTS (SELECT 1 FROM "state_n7" t WHERE (t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id_of(CAST(y."id" AS pg_catalog.int4), CAST(y."ancestor" AS pg_catalog.int4))))) SELECT pgtrickle.pg_trickle_row_id_of(CAST(r."id" AS pg_catalog.int4), CAST(r."ancestor" AS pg_catalog.int4)) AS "__pgt_row_id", r.* FROM "__pgt_rows" r
),
-- n7: seeds of N — new rows of B, rows new source rows derive, rows of D still derived
"d7_seeds" AS (
SELECT g."id", g."ancestor" FROM (SELECT s."id", s."ancestor", s."__pgt_term" FROM "d7_first" s GROUP BY s."id", s."ancestor", s."__pgt_term" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.>) 0)) g WHERE ((g."__pgt_term" OPERATOR(pg_catalog.=) 0) OR (NOT EXISTS (SELECT 1 FROM "d7_overdeleted" o))) UNION SELECT b."id", b."ancestor" FROM (SELECT s."id" AS "id", s."ancestor" AS "ancestor" FROM (SELECT s."id" AS "id", s."parent_id" AS "ancestor" FROM "public"."departments" s) s) b WHERE (pgtrickle.pg_trickle_row_id_of(CAST(b."id" AS pg_catalog.int4), CAST(b."ancestor" AS pg_catalog.int4)) IN (SELECT o."__pgt_row_id" FROM "d7_overdeleted" o)) UNION SELECT k."id", k."ancestor" FROM (SELECT CAST(x."id" AS pg_catalog.int4) AS "id", CAST(x."parent_id" AS pg_catalog.int4) AS "ancestor" FROM (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM (SELECT l."id" AS "id", l."ancestor" AS "ancestor", r."id" AS "id_1", r."parent_id" AS "parent_id" FROM (SELECT t."id", t."ancestor" FROM "state_n7" t WHERE (NOT EXISTS (SELECT 1 FROM "d7_overdeleted" o WHERE (o."__pgt_row_id" OPERATOR(pg_catalog.=) t."__pgt_row_id")))) l JOIN (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM "public"."departments" s) r ON (r."id" OPERATOR(pg_catalog.=) l."ancestor")) s) x) k WHERE (EXISTS (SELECT 1 FROM "d7_overdeleted" o) AND (pgtrickle.pg_trickle_row_id_of(CAST(k."id" AS pg_catalog.int4), CAST(k."ancestor" AS pg_catalog.int4)) IN (SELECT o."__pgt_row_id" FROM "d7_overdeleted" o UNION ALL SELECT pgtrickle.pg_trickle_row_id_of(CAST(g."id" AS pg_catalog.int4), CAST(g."ancestor" AS pg_catalog.int4)) FROM (SELECT s."id", s."ancestor", s."__pgt_term" FROM "d7_first" s GROUP BY s."id", s."ancestor", s."__pgt_term" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.>) 0)) g WHERE (g."__pgt_term" OPERATOR(pg_catalog.=) 1))))
),
-- n7: N — the seeds and what they derive outside R − D
"d7_rederived" AS (
WITH RECURSIVE "__pgt_rows" AS (SELECT s."id", s."ancestor" FROM (SELECT * FROM "d7_seeds" y WHERE (NOT EXISTS (SELECT 1 FROM "state_n7" t WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id_of(CAST(y."id" AS pg_catalog.int4), CAST(y."ancestor" AS pg_catalog.int4))) AND (NOT EXISTS (SELECT 1 FROM "d7_overdeleted" o WHERE (o."__pgt_row_id" OPERATOR(pg_catalog.=) t."__pgt_row_id"))))))) s UNION SELECT y.* FROM "__pgt_rows" p CROSS JOIN LATERAL (SELECT CAST(x."id" AS pg_catalog.int4) AS "id", CAST(x."parent_id" AS pg_catalog.int4) AS "ancestor" FROM (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM (SELECT l."id" AS "id", l."ancestor" AS "ancestor", r."id" AS "id_1", r."parent_id" AS "parent_id" FROM (SELECT p."id" AS "id", p."ancestor" AS "ancestor") l JOIN (SELECT s."id" AS "id", s."parent_id" AS "parent_id" FROM "public"."departments" s) r ON (r."id" OPERATOR(pg_catalog.=) l."ancestor")) s) x) y WHERE (NOT EXISTS (SELECT 1 FROM "state_n7" t WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id_of(CAST(y."id" AS pg_catalog.int4), CAST(y."ancestor" AS pg_catalog.int4))) AND (NOT EXISTS (SELECT 1 FROM "d7_overdeleted" o WHERE (o."__pgt_row_id" OPERATOR(pg_catalog.=) t."__pgt_row_id"))))))) SELECT pgtrickle.pg_trickle_row_id_of(CAST(r."id" AS pg_catalog.int4), CAST(r."ancestor" AS pg_catalog.int4)) AS "__pgt_row_id", r.* FROM "__pgt_rows" r
),
-- n7: rows of D not in N leave, rows of N not in D arrive
"d7_counts" AS (
SELECT o.*, CAST(0 AS pg_catalog.int8) AS "__pgt_count", false AS "__pgt_visible" FROM "d7_overdeleted" o WHERE (NOT EXISTS (SELECT 1 FROM "d7_rederived" f WHERE (f."__pgt_row_id" OPERATOR(pg_catalog.=) o."__pgt_row_id"))) UNION ALL SELECT f.*, 1, true FROM "d7_rederived" f WHERE (NOT EXISTS (SELECT 1 FROM "d7_overdeleted" o WHERE (o."__pgt_row_id" OPERATOR(pg_catalog.=) f."__pgt_row_id")))
),
-- n7: recursive — the change of its rows
"d7_recursive" AS (
SELECT c."id", c."ancestor", CASE WHEN c."__pgt_visible" THEN 1 ELSE -1 END AS "__pgt_w" FROM "d7_counts" c
),
-- n8: filter — σ(Δ)
"d8_filter" AS (
SELECT * FROM "d7_recursive" s WHERE (s."ancestor" IS NOT NULL)
),
-- n9: map — π(Δ)
"d9_map" AS (
SELECT s."id" AS "id", s."ancestor" AS "ancestor", s."__pgt_w" FROM "d8_filter" s
),
-- the net change of the stream table
"__pgt_delta" AS (
SELECT DISTINCT ON ("__pgt_row_id") * FROM (SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."id" AS pg_catalog.int4), CAST(s."ancestor" AS pg_catalog.int4)) AS "__pgt_row_id", s."id", s."ancestor", pg_catalog.sum(s."__pgt_w") AS "__pgt_w" FROM "d9_map" s GROUP BY s."id", s."ancestor" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.<>) 0)) s ORDER BY "__pgt_row_id", "__pgt_w" DESC
),
-- delete rows whose key disappeared
"__pgt_del" AS (
DELETE FROM "st" t USING "__pgt_delta" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND (d."__pgt_w" OPERATOR(pg_catalog.<) 0)) RETURNING 1
),
-- update rows whose key remains
"__pgt_upd" AS (
UPDATE "st" t SET "id" = d."id", "ancestor" = d."ancestor" FROM "__pgt_delta" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND (d."__pgt_w" OPERATOR(pg_catalog.>) 0)) RETURNING 1
),
-- insert rows new to the stream table
"__pgt_ins" AS (
INSERT INTO "st" ("__pgt_row_id", "id", "ancestor") SELECT d."__pgt_row_id", d."id", d."ancestor" FROM "__pgt_delta" d WHERE ((d."__pgt_w" OPERATOR(pg_catalog.>) 0) AND (NOT EXISTS (SELECT 1 FROM "st" t WHERE (t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id")))) RETURNING 1
),
-- delete groups that became empty or fail HAVING
"n7_del" AS (
DELETE FROM "state_n7" t USING "d7_counts" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND (NOT d."__pgt_visible") AND t."__pgt_row_id" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_row_id" FROM "d7_counts" d))) RETURNING 1
),
-- update changed groups
"n7_upd" AS (
UPDATE "state_n7" t SET "id" = d."id", "ancestor" = d."ancestor", "__pgt_count" = d."__pgt_count" FROM "d7_counts" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND t."__pgt_row_id" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_row_id" FROM "d7_counts" d)) AND d."__pgt_visible" AND (ROW(t."id", t."ancestor", t."__pgt_count") IS DISTINCT FROM ROW(d."id", d."ancestor", d."__pgt_count"))) RETURNING 1
),
-- insert groups new to the table
"n7_ins" AS (
INSERT INTO "state_n7" ("__pgt_row_id", "id", "ancestor", "__pgt_count") SELECT d."__pgt_row_id", d."id", d."ancestor", d."__pgt_count" FROM "d7_counts" d WHERE (d."__pgt_visible" AND (NOT EXISTS (SELECT 1 FROM "state_n7" t WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND t."__pgt_row_id" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_row_id" FROM "d7_counts" d)))))) RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM "__pgt_ins") AS "inserted", (SELECT pg_catalog.count(*) FROM "__pgt_del") AS "deleted", (SELECT pg_catalog.count(*) FROM "__pgt_upd") AS "updated";
