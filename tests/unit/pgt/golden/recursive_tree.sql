-- WITH RECURSIVE tree AS (SELECT id, name, parent_id, name AS path, 0 AS depth FROM departments WHERE parent_id IS NULL UNION ALL SELECT d.id, d.name, d.parent_id, tree.path || ' > ' || d.name, tree.depth + 1 FROM departments d JOIN tree ON d.parent_id = tree.id) SELECT id, path, depth FROM tree
-- full load
SELECT pgtrickle.pg_trickle_row_id_of(CAST(q."id" AS pg_catalog.int4), CAST(q."path" AS pg_catalog.text), CAST(q."depth" AS pg_catalog.int4)) AS "__pgt_row_id", q."id", q."path", q."depth" FROM (SELECT s."id" AS "id", s."path" AS "path", s."depth" AS "depth" FROM (SELECT d."id", d."name", d."parent_id", d."path", d."depth" FROM (WITH RECURSIVE "__pgt_rounds" AS (SELECT s."id", s."name", s."parent_id", s."path", s."depth", s."__pgt_w", 0 AS "__pgt_round" FROM (SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", s."path" AS "path", s."depth" AS "depth", 1 AS "__pgt_w" FROM (SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", s."name" AS "path", CAST('0' AS pg_catalog.int4) AS "depth" FROM (SELECT * FROM "public"."departments" s WHERE (s."parent_id" IS NULL)) s) s) s UNION ALL SELECT CAST(x."id" AS pg_catalog.int4) AS "id", CAST(x."name" AS pg_catalog.text) AS "name", CAST(x."parent_id" AS pg_catalog.int4) AS "parent_id", CAST(x."?column?" AS pg_catalog.text) AS "path", CAST(x."?column?_1" AS pg_catalog.int4) AS "depth", p."__pgt_w", CASE WHEN ((p."__pgt_round" OPERATOR(pg_catalog.<) CAST(pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth') AS pg_catalog.int4)) OR (CAST(pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth') AS pg_catalog.int4) OPERATOR(pg_catalog.=) 0)) THEN (p."__pgt_round" OPERATOR(pg_catalog.+) 1) ELSE pgtrickle.recursion_too_deep('tree', CAST(pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth') AS pg_catalog.int4)) END AS "__pgt_round" FROM "__pgt_rounds" p CROSS JOIN LATERAL (SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", ((s."path" OPERATOR(pg_catalog.||) CAST(' > ' AS pg_catalog.text)) OPERATOR(pg_catalog.||) s."name") AS "?column?", (s."depth" OPERATOR(pg_catalog.+) CAST('1' AS pg_catalog.int4)) AS "?column?_1" FROM (SELECT l."id" AS "id", l."name" AS "name", l."parent_id" AS "parent_id", r."id" AS "id_1", r."name" AS "name_1", r."parent_id" AS "parent_id_1", r."path" AS "path", r."depth" AS "depth" FROM "public"."departments" l JOIN (SELECT p."id" AS "id", p."name" AS "name", p."parent_id" AS "parent_id", p."path" AS "path", p."depth" AS "depth") r ON (l."parent_id" OPERATOR(pg_catalog.=) r."id")) s) x) SELECT r."id", r."name", r."parent_id", r."path", r."depth", r."__pgt_w" FROM "__pgt_rounds" r) d) s) q;
-- state table "state_n7"
SELECT pgtrickle.pg_trickle_row_id_of(CAST(d."id" AS pg_catalog.int4), CAST(d."name" AS pg_catalog.text), CAST(d."parent_id" AS pg_catalog.int4), CAST(d."path" AS pg_catalog.text), CAST(d."depth" AS pg_catalog.int4)) AS "__pgt_row_id", d."id", d."name", d."parent_id", d."path", d."depth", d."__pgt_w" AS "__pgt_count" FROM (SELECT s."id", s."name", s."parent_id", s."path", s."depth", CAST(pg_catalog.sum(s."__pgt_w") AS pg_catalog.int8) AS "__pgt_w" FROM (WITH RECURSIVE "__pgt_rounds" AS (SELECT s."id", s."name", s."parent_id", s."path", s."depth", s."__pgt_w", 0 AS "__pgt_round" FROM (SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", s."path" AS "path", s."depth" AS "depth", 1 AS "__pgt_w" FROM (SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", s."name" AS "path", CAST('0' AS pg_catalog.int4) AS "depth" FROM (SELECT * FROM "public"."departments" s WHERE (s."parent_id" IS NULL)) s) s) s UNION ALL SELECT CAST(x."id" AS pg_catalog.int4) AS "id", CAST(x."name" AS pg_catalog.text) AS "name", CAST(x."parent_id" AS pg_catalog.int4) AS "parent_id", CAST(x."?column?" AS pg_catalog.text) AS "path", CAST(x."?column?_1" AS pg_catalog.int4) AS "depth", p."__pgt_w", CASE WHEN ((p."__pgt_round" OPERATOR(pg_catalog.<) CAST(pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth') AS pg_catalog.int4)) OR (CAST(pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth') AS pg_catalog.int4) OPERATOR(pg_catalog.=) 0)) THEN (p."__pgt_round" OPERATOR(pg_catalog.+) 1) ELSE pgtrickle.recursion_too_deep('tree', CAST(pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth') AS pg_catalog.int4)) END AS "__pgt_round" FROM "__pgt_rounds" p CROSS JOIN LATERAL (SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", ((s."path" OPERATOR(pg_catalog.||) CAST(' > ' AS pg_catalog.text)) OPERATOR(pg_catalog.||) s."name") AS "?column?", (s."depth" OPERATOR(pg_catalog.+) CAST('1' AS pg_catalog.int4)) AS "?column?_1" FROM (SELECT l."id" AS "id", l."name" AS "name", l."parent_id" AS "parent_id", r."id" AS "id_1", r."name" AS "name_1", r."parent_id" AS "parent_id_1", r."path" AS "path", r."depth" AS "depth" FROM "public"."departments" l JOIN (SELECT p."id" AS "id", p."name" AS "name", p."parent_id" AS "parent_id", p."path" AS "path", p."depth" AS "depth") r ON (l."parent_id" OPERATOR(pg_catalog.=) r."id")) s) x) SELECT r."id", r."name", r."parent_id", r."path", r."depth", r."__pgt_w" FROM "__pgt_rounds" r) s GROUP BY s."id", s."name", s."parent_id", s."path", s."depth" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.<>) 0)) d;
-- refresh
WITH
-- Δpublic.departments: captured changes, consolidated
"s0_changes_departments" AS (
SELECT c."id", c."name", c."parent_id", CAST(pg_catalog.sum(c."__pgt_w") AS pg_catalog.int8) AS "__pgt_w" FROM "changes"."departments" c GROUP BY c."id", c."name", c."parent_id" HAVING (pg_catalog.sum(c."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- n1: filter — σ(Δ)
"d1_filter" AS (
SELECT * FROM "s0_changes_departments" s WHERE (s."parent_id" IS NULL)
),
-- n2: map — π(Δ)
"d2_map" AS (
SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", s."name" AS "path", CAST('0' AS pg_catalog.int4) AS "depth", s."__pgt_w" FROM "d1_filter" s
),
-- n5: inner join — ΔL⋈R + L⋈ΔR − ΔL⋈ΔR
"d5_join" AS (
SELECT l."id" AS "id", l."name" AS "name", l."parent_id" AS "parent_id", r."id" AS "id_1", r."name" AS "name_1", r."parent_id" AS "parent_id_1", r."path" AS "path", r."depth" AS "depth", l."__pgt_w" AS "__pgt_w" FROM "s0_changes_departments" l JOIN (SELECT * FROM (SELECT t."id", t."name", t."parent_id", t."path", t."depth" FROM "state_n7" t WHERE (t."__pgt_count" OPERATOR(pg_catalog.=) 1) UNION ALL SELECT t."id", t."name", t."parent_id", t."path", t."depth" FROM "state_n7" t CROSS JOIN pg_catalog.generate_series(CAST(1 AS pg_catalog.int8), t."__pgt_count") g WHERE (t."__pgt_count" OPERATOR(pg_catalog.>) 1)) s WHERE s."id" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT o."parent_id" FROM "s0_changes_departments" o)) OFFSET 0) r ON (l."parent_id" OPERATOR(pg_catalog.=) r."id")
),
-- n6: map — π(Δ)
"d6_map" AS (
SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", ((s."path" OPERATOR(pg_catalog.||) CAST(' > ' AS pg_catalog.text)) OPERATOR(pg_catalog.||) s."name") AS "?column?", (s."depth" OPERATOR(pg_catalog.+) CAST('1' AS pg_catalog.int4)) AS "?column?_1", s."__pgt_w" FROM "d5_join" s
),
-- n7: recursive — ΔB + S(R, Δsources), R held still
"d7_first" AS (
SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", s."path" AS "path", s."depth" AS "depth", s."__pgt_w", 0 AS "__pgt_term" FROM "d2_map" s UNION ALL SELECT CAST(s."id" AS pg_catalog.int4) AS "id", CAST(s."name" AS pg_catalog.text) AS "name", CAST(s."parent_id" AS pg_catalog.int4) AS "parent_id", CAST(s."?column?" AS pg_catalog.text) AS "path", CAST(s."?column?_1" AS pg_catalog.int4) AS "depth", s."__pgt_w", 1 AS "__pgt_term" FROM "d6_map" s
),
-- n7: the seeds, consolidated
"d7_seeds" AS (
SELECT s."id", s."name", s."parent_id", s."path", s."depth", CAST(pg_catalog.sum(s."__pgt_w") AS pg_catalog.int8) AS "__pgt_w" FROM "d7_first" s GROUP BY s."id", s."name", s."parent_id", s."path", s."depth" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- n7: the seeds and every row they derive, weighted
"d7_derived" AS (
SELECT s."id", s."name", s."parent_id", s."path", s."depth", CAST(pg_catalog.sum(s."__pgt_w") AS pg_catalog.int8) AS "__pgt_w" FROM (WITH RECURSIVE "__pgt_rounds" AS (SELECT s."id", s."name", s."parent_id", s."path", s."depth", s."__pgt_w", 0 AS "__pgt_round" FROM "d7_seeds" s UNION ALL SELECT CAST(x."id" AS pg_catalog.int4) AS "id", CAST(x."name" AS pg_catalog.text) AS "name", CAST(x."parent_id" AS pg_catalog.int4) AS "parent_id", CAST(x."?column?" AS pg_catalog.text) AS "path", CAST(x."?column?_1" AS pg_catalog.int4) AS "depth", p."__pgt_w", CASE WHEN ((p."__pgt_round" OPERATOR(pg_catalog.<) CAST(pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth') AS pg_catalog.int4)) OR (CAST(pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth') AS pg_catalog.int4) OPERATOR(pg_catalog.=) 0)) THEN (p."__pgt_round" OPERATOR(pg_catalog.+) 1) ELSE pgtrickle.recursion_too_deep('tree', CAST(pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth') AS pg_catalog.int4)) END AS "__pgt_round" FROM "__pgt_rounds" p CROSS JOIN LATERAL (SELECT s."id" AS "id", s."name" AS "name", s."parent_id" AS "parent_id", ((s."path" OPERATOR(pg_catalog.||) CAST(' > ' AS pg_catalog.text)) OPERATOR(pg_catalog.||) s."name") AS "?column?", (s."depth" OPERATOR(pg_catalog.+) CAST('1' AS pg_catalog.int4)) AS "?column?_1" FROM (SELECT l."id" AS "id", l."name" AS "name", l."parent_id" AS "parent_id", r."id" AS "id_1", r."name" AS "name_1", r."parent_id" AS "parent_id_1", r."path" AS "path", r."depth" AS "depth" FROM "public"."departments" l JOIN (SELECT p."id" AS "id", p."name" AS "name", p."parent_id" AS "parent_id", p."path" AS "path", p."depth" AS "depth") r ON (l."parent_id" OPERATOR(pg_catalog.=) r."id")) s) x) SELECT r."id", r."name", r."parent_id", r."path", r."depth", r."__pgt_w" FROM "__pgt_rounds" r) s GROUP BY s."id", s."name", s."parent_id", s."path", s."depth" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- n7: derivations per changed row, stored and new
"d7_counts" AS (
SELECT c.*, (c."__pgt_old" OPERATOR(pg_catalog.+) c."__pgt_w") AS "__pgt_count", ((c."__pgt_old" OPERATOR(pg_catalog.+) c."__pgt_w") OPERATOR(pg_catalog.>) 0) AS "__pgt_visible" FROM (SELECT c.*, o."__pgt_old" FROM (SELECT pgtrickle.pg_trickle_row_id_of(CAST(c."id" AS pg_catalog.int4), CAST(c."name" AS pg_catalog.text), CAST(c."parent_id" AS pg_catalog.int4), CAST(c."path" AS pg_catalog.text), CAST(c."depth" AS pg_catalog.int4)) AS "__pgt_row_id", c.* FROM "d7_derived" c) c CROSS JOIN LATERAL (SELECT CAST(COALESCE((SELECT t."__pgt_count" FROM "state_n7" t WHERE (t."__pgt_row_id" OPERATOR(pg_catalog.=) c."__pgt_row_id")), 0) AS pg_catalog.int8) AS "__pgt_old" OFFSET 0) o) c
),
-- n7: recursive — the change of its rows
"d7_recursive" AS (
SELECT c."id", c."name", c."parent_id", c."path", c."depth", c."__pgt_w" FROM "d7_counts" c
),
-- n8: map — π(Δ)
"d8_map" AS (
SELECT s."id" AS "id", s."path" AS "path", s."depth" AS "depth", s."__pgt_w" FROM "d7_recursive" s
),
-- the net change of the stream table
"__pgt_delta" AS (
SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."id" AS pg_catalog.int4), CAST(s."path" AS pg_catalog.text), CAST(s."depth" AS pg_catalog.int4)) AS "__pgt_row_id", s."id", s."path", s."depth", pg_catalog.sum(s."__pgt_w") AS "__pgt_w" FROM "d8_map" s GROUP BY s."id", s."path", s."depth" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- delete |w| copies of removed rows
"__pgt_del" AS (
DELETE FROM "st" t WHERE t."ctid" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT x."sc" FROM "__pgt_delta" d CROSS JOIN LATERAL (SELECT s."ctid" AS "sc" FROM "st" s WHERE ((s."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND (((s."id" IS NULL) OPERATOR(pg_catalog.=) (d."id" IS NULL)) AND (COALESCE(s."id", CAST(0 AS pg_catalog.int4)) OPERATOR(pg_catalog.=) COALESCE(d."id", CAST(0 AS pg_catalog.int4)))) AND (((s."path" IS NULL) OPERATOR(pg_catalog.=) (d."path" IS NULL)) AND (COALESCE(s."path", CAST('' AS pg_catalog.text)) OPERATOR(pg_catalog.=) COALESCE(d."path", CAST('' AS pg_catalog.text)))) AND (((s."depth" IS NULL) OPERATOR(pg_catalog.=) (d."depth" IS NULL)) AND (COALESCE(s."depth", CAST(0 AS pg_catalog.int4)) OPERATOR(pg_catalog.=) COALESCE(d."depth", CAST(0 AS pg_catalog.int4))))) LIMIT CAST((OPERATOR(pg_catalog.-) d."__pgt_w") AS pg_catalog.int8)) x WHERE (d."__pgt_w" OPERATOR(pg_catalog.<) 0))) RETURNING 1
),
-- insert w copies of added rows
"__pgt_ins" AS (
INSERT INTO "st" ("__pgt_row_id", "id", "path", "depth") SELECT d."__pgt_row_id", d."id", d."path", d."depth" FROM "__pgt_delta" d CROSS JOIN LATERAL pg_catalog.generate_series(1, d."__pgt_w") WHERE (d."__pgt_w" OPERATOR(pg_catalog.>) 0) RETURNING 1
),
-- delete groups that became empty or fail HAVING
"n7_del" AS (
DELETE FROM "state_n7" t USING "d7_counts" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND (NOT d."__pgt_visible") AND t."__pgt_row_id" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_row_id" FROM "d7_counts" d))) RETURNING 1
),
-- update changed groups
"n7_upd" AS (
UPDATE "state_n7" t SET "id" = d."id", "name" = d."name", "parent_id" = d."parent_id", "path" = d."path", "depth" = d."depth", "__pgt_count" = d."__pgt_count" FROM "d7_counts" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND t."__pgt_row_id" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_row_id" FROM "d7_counts" d)) AND d."__pgt_visible" AND (ROW(t."id", t."name", t."parent_id", t."path", t."depth", t."__pgt_count") IS DISTINCT FROM ROW(d."id", d."name", d."parent_id", d."path", d."depth", d."__pgt_count"))) RETURNING 1
),
-- insert groups new to the table
"n7_ins" AS (
INSERT INTO "state_n7" ("__pgt_row_id", "id", "name", "parent_id", "path", "depth", "__pgt_count") SELECT d."__pgt_row_id", d."id", d."name", d."parent_id", d."path", d."depth", d."__pgt_count" FROM "d7_counts" d WHERE (d."__pgt_visible" AND (NOT EXISTS (SELECT 1 FROM "state_n7" t WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND t."__pgt_row_id" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_row_id" FROM "d7_counts" d)))))) RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM "__pgt_ins") AS "inserted", (SELECT pg_catalog.count(*) FROM "__pgt_del") AS "deleted", 0 AS "updated";
