-- SELECT status, count(*) AS n, avg(amount) AS a, min(amount) AS lo FROM orders GROUP BY status HAVING count(*) > 1
-- full load
WITH
-- n2: aggregate output and state per group
"groups" AS (
SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."__pgt_g0" AS pg_catalog.text)) AS "__pgt_row_id", s."__pgt_g0" AS "status", s."__pgt_count" AS "count", CASE WHEN (s."__pgt_a1_nn" OPERATOR(pg_catalog.>) 0) THEN CASE WHEN (s."__pgt_a1_nan" OPERATOR(pg_catalog.>) 0) THEN CAST('NaN' AS pg_catalog.numeric) WHEN ((s."__pgt_a1_pinf" OPERATOR(pg_catalog.>) 0) AND (s."__pgt_a1_ninf" OPERATOR(pg_catalog.>) 0)) THEN CAST('NaN' AS pg_catalog.numeric) WHEN (s."__pgt_a1_pinf" OPERATOR(pg_catalog.>) 0) THEN CAST('Infinity' AS pg_catalog.numeric) WHEN (s."__pgt_a1_ninf" OPERATOR(pg_catalog.>) 0) THEN CAST('-Infinity' AS pg_catalog.numeric) ELSE (CAST(s."__pgt_a1_sum" AS pg_catalog.numeric) OPERATOR(pg_catalog./) CAST(s."__pgt_a1_nn" AS pg_catalog.numeric)) END END AS "avg", s."__pgt_a2" AS "min", s."__pgt_count", s."__pgt_a1_sum", s."__pgt_a1_nn", s."__pgt_a1_nan", s."__pgt_a1_pinf", s."__pgt_a1_ninf", s."__pgt_a2", (s."__pgt_count" OPERATOR(pg_catalog.>) 0) AS "__pgt_visible" FROM (SELECT s."status" AS "__pgt_g0", pg_catalog.count(*) AS "__pgt_count", pg_catalog.sum(s."amount") FILTER (WHERE (pg_catalog.scale(s."amount") IS NOT NULL)) AS "__pgt_a1_sum", pg_catalog.count(s."amount") AS "__pgt_a1_nn", pg_catalog.count(*) FILTER (WHERE ((s."amount" IS NOT NULL) AND (pg_catalog.scale(s."amount") IS NULL))) AS "__pgt_a1_nan", CAST(0 AS pg_catalog.int8) AS "__pgt_a1_pinf", CAST(0 AS pg_catalog.int8) AS "__pgt_a1_ninf", pg_catalog.min(s."amount") AS "__pgt_a2" FROM (SELECT s."amount" AS "amount", s."status" AS "status" FROM "public"."orders" s) s GROUP BY s."status") s
),
-- n3: HAVING — visibility
"post3" AS (
SELECT s."__pgt_row_id", s."status", s."count", s."avg", s."min", s."__pgt_count", s."__pgt_a1_sum", s."__pgt_a1_nn", s."__pgt_a1_nan", s."__pgt_a1_pinf", s."__pgt_a1_ninf", s."__pgt_a2", (s."__pgt_visible" AND COALESCE((s."count" OPERATOR(pg_catalog.>) CAST('1' AS pg_catalog.int4)), false)) AS "__pgt_visible" FROM "groups" s
),
-- n4: final expressions
"post4" AS (
SELECT s."__pgt_row_id", s."status" AS "status", s."count" AS "n", s."avg" AS "a", s."min" AS "lo", s."__pgt_count", s."__pgt_a1_sum", s."__pgt_a1_nn", s."__pgt_a1_nan", s."__pgt_a1_pinf", s."__pgt_a1_ninf", s."__pgt_a2", s."__pgt_visible" AS "__pgt_visible" FROM "post3" s
)
SELECT f."__pgt_row_id", f."status", f."n", f."a", f."lo", f."__pgt_a1_sum", f."__pgt_a1_nn", f."__pgt_a1_nan", f."__pgt_a1_pinf", f."__pgt_a1_ninf" FROM (SELECT s."__pgt_row_id", s."status", s."n", s."a", s."lo", s."__pgt_count", s."__pgt_a1_sum", s."__pgt_a1_nn", s."__pgt_a1_nan", s."__pgt_a1_pinf", s."__pgt_a1_ninf", s."__pgt_a2", s."__pgt_visible" FROM "post4" s) f WHERE f."__pgt_visible";
-- refresh
WITH
-- Δpublic.orders: captured changes
"s0_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM "changes"."orders" c
),
-- n1: map — π(Δ)
"d1_map" AS (
SELECT s."amount" AS "amount", s."status" AS "status", s."__pgt_w" FROM "s0_changes_orders" s
),
-- n2: change per touched group
"changed_groups" AS (
SELECT s."status" AS "__pgt_g0", CAST(pg_catalog.sum(s."__pgt_w") AS pg_catalog.int8) AS "__pgt_dcount", CAST(pg_catalog.sum(s."__pgt_w") AS pg_catalog.int8) AS "__pgt_d0", CAST(pg_catalog.sum(CASE WHEN (s."__pgt_w" OPERATOR(pg_catalog.=) CAST(1 AS pg_catalog.int8)) THEN CAST(s."amount" AS pg_catalog.numeric) WHEN (s."__pgt_w" OPERATOR(pg_catalog.=) CAST(-1 AS pg_catalog.int8)) THEN (OPERATOR(pg_catalog.-) CAST(s."amount" AS pg_catalog.numeric)) ELSE (CAST(s."__pgt_w" AS pg_catalog.numeric) OPERATOR(pg_catalog.*) CAST(s."amount" AS pg_catalog.numeric)) END) FILTER (WHERE ((s."amount" IS NOT NULL) AND (pg_catalog.scale(s."amount") IS NOT NULL))) AS pg_catalog.numeric) AS "__pgt_d1", CAST(pg_catalog.sum(s."__pgt_w") FILTER (WHERE (s."amount" IS NOT NULL)) AS pg_catalog.int8) AS "__pgt_d1_nn", CAST(pg_catalog.sum(s."__pgt_w") FILTER (WHERE ((s."amount" IS NOT NULL) AND (pg_catalog.scale(s."amount") IS NULL))) AS pg_catalog.int8) AS "__pgt_d1_nan", CAST(0 AS pg_catalog.int8) AS "__pgt_d1_pinf", CAST(0 AS pg_catalog.int8) AS "__pgt_d1_ninf", pg_catalog.min(s."amount") FILTER (WHERE ((s."amount" IS NOT NULL) AND (s."__pgt_w" OPERATOR(pg_catalog.>) 0))) AS "__pgt_d2_ins", pg_catalog.min(s."amount") FILTER (WHERE ((s."amount" IS NOT NULL) AND (s."__pgt_w" OPERATOR(pg_catalog.<) 0))) AS "__pgt_d2_del" FROM "d1_map" s GROUP BY s."status"
),
-- their stored state (the integral kept in "st")
"stored_groups" AS (
SELECT d.*, (t."__pgt_row_id" IS NOT NULL) AS "__pgt_existed", t."n" AS "__pgt_old__pgt_count", t."__pgt_a1_sum" AS "__pgt_old__pgt_a1_sum", t."__pgt_a1_nn" AS "__pgt_old__pgt_a1_nn", t."__pgt_a1_nan" AS "__pgt_old__pgt_a1_nan", t."__pgt_a1_pinf" AS "__pgt_old__pgt_a1_pinf", t."__pgt_a1_ninf" AS "__pgt_old__pgt_a1_ninf", t."lo" AS "__pgt_old__pgt_a2", t."ctid" AS "__pgt_ctid" FROM "changed_groups" d LEFT JOIN "st" t ON (t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id_of(CAST(d."__pgt_g0" AS pg_catalog.text)))
),
-- touched groups recomputed from the sources
"rescanned" AS (
SELECT s."status" AS "__pgt_rk0", true AS "__pgt_found", pg_catalog.count(*) AS "__pgt_rs0", pg_catalog.sum(s."amount") FILTER (WHERE (pg_catalog.scale(s."amount") IS NOT NULL)) AS "__pgt_rs1", pg_catalog.count(s."amount") AS "__pgt_rs2", pg_catalog.count(*) FILTER (WHERE ((s."amount" IS NOT NULL) AND (pg_catalog.scale(s."amount") IS NULL))) AS "__pgt_rs3", CAST(0 AS pg_catalog.int8) AS "__pgt_rs4", CAST(0 AS pg_catalog.int8) AS "__pgt_rs5" FROM (SELECT s."amount" AS "amount", s."status" AS "status" FROM "public"."orders" s) s WHERE (EXISTS (SELECT 1 FROM "stored_groups" c WHERE (c."__pgt_existed" IS NOT TRUE)) AND (s."status" OPERATOR(pg_catalog.=) ANY (SELECT c."__pgt_g0" FROM "stored_groups" c WHERE (c."__pgt_existed" IS NOT TRUE)))) GROUP BY s."status" UNION ALL SELECT s."status" AS "__pgt_rk0", true AS "__pgt_found", pg_catalog.count(*) AS "__pgt_rs0", pg_catalog.sum(s."amount") FILTER (WHERE (pg_catalog.scale(s."amount") IS NOT NULL)) AS "__pgt_rs1", pg_catalog.count(s."amount") AS "__pgt_rs2", pg_catalog.count(*) FILTER (WHERE ((s."amount" IS NOT NULL) AND (pg_catalog.scale(s."amount") IS NULL))) AS "__pgt_rs3", CAST(0 AS pg_catalog.int8) AS "__pgt_rs4", CAST(0 AS pg_catalog.int8) AS "__pgt_rs5" FROM (SELECT s."amount" AS "amount", s."status" AS "status" FROM "public"."orders" s) s WHERE (EXISTS (SELECT 1 FROM "stored_groups" c WHERE ((c."__pgt_existed" IS NOT TRUE) AND (c."__pgt_g0" IS NULL))) AND (s."status" IS NULL)) GROUP BY s."status"
),
-- what those aggregates give for no rows
"no_rows" AS (
SELECT pg_catalog.count(*) AS "__pgt_rs0", pg_catalog.sum(s."amount") FILTER (WHERE (pg_catalog.scale(s."amount") IS NOT NULL)) AS "__pgt_rs1", pg_catalog.count(s."amount") AS "__pgt_rs2", pg_catalog.count(*) FILTER (WHERE ((s."amount" IS NOT NULL) AND (pg_catalog.scale(s."amount") IS NULL))) AS "__pgt_rs3", CAST(0 AS pg_catalog.int8) AS "__pgt_rs4", CAST(0 AS pg_catalog.int8) AS "__pgt_rs5" FROM (SELECT s."amount" AS "amount", s."status" AS "status" FROM "public"."orders" s) s WHERE false
),
-- new state per touched group
"new_state" AS (
SELECT c."__pgt_g0", c."__pgt_existed", c."__pgt_ctid", (COALESCE(c."__pgt_old__pgt_count", 0) OPERATOR(pg_catalog.+) COALESCE(c."__pgt_dcount", 0)) AS "__pgt_count", (COALESCE(c."__pgt_old__pgt_a1_sum", 0) OPERATOR(pg_catalog.+) COALESCE(c."__pgt_d1", 0)) AS "__pgt_a1_sum", (COALESCE(c."__pgt_old__pgt_a1_nn", 0) OPERATOR(pg_catalog.+) COALESCE(c."__pgt_d1_nn", 0)) AS "__pgt_a1_nn", (COALESCE(c."__pgt_old__pgt_a1_nan", 0) OPERATOR(pg_catalog.+) COALESCE(c."__pgt_d1_nan", 0)) AS "__pgt_a1_nan", (COALESCE(c."__pgt_old__pgt_a1_pinf", 0) OPERATOR(pg_catalog.+) COALESCE(c."__pgt_d1_pinf", 0)) AS "__pgt_a1_pinf", (COALESCE(c."__pgt_old__pgt_a1_ninf", 0) OPERATOR(pg_catalog.+) COALESCE(c."__pgt_d1_ninf", 0)) AS "__pgt_a1_ninf", CASE WHEN (c."__pgt_existed" AND ((c."__pgt_d2_del" IS NULL) OR COALESCE((c."__pgt_d2_del" OPERATOR(pg_catalog.>) c."__pgt_old__pgt_a2"), false))) THEN LEAST(c."__pgt_old__pgt_a2", c."__pgt_d2_ins") ELSE (SELECT pg_catalog.min(s."amount") FROM (SELECT s."amount" AS "amount", s."status" AS "status" FROM "public"."orders" s) s WHERE ((s."status" OPERATOR(pg_catalog.=) c."__pgt_g0") OR ((s."status" IS NULL) AND (c."__pgt_g0" IS NULL)))) END AS "__pgt_a2" FROM "stored_groups" c WHERE (c."__pgt_existed" IS TRUE) UNION ALL SELECT c."__pgt_g0", c."__pgt_existed", c."__pgt_ctid", CASE WHEN (r."__pgt_found" IS NOT NULL) THEN r."__pgt_rs0" ELSE e."__pgt_rs0" END AS "__pgt_count", CASE WHEN (r."__pgt_found" IS NOT NULL) THEN r."__pgt_rs1" ELSE e."__pgt_rs1" END AS "__pgt_a1_sum", CASE WHEN (r."__pgt_found" IS NOT NULL) THEN r."__pgt_rs2" ELSE e."__pgt_rs2" END AS "__pgt_a1_nn", CASE WHEN (r."__pgt_found" IS NOT NULL) THEN r."__pgt_rs3" ELSE e."__pgt_rs3" END AS "__pgt_a1_nan", CASE WHEN (r."__pgt_found" IS NOT NULL) THEN r."__pgt_rs4" ELSE e."__pgt_rs4" END AS "__pgt_a1_pinf", CASE WHEN (r."__pgt_found" IS NOT NULL) THEN r."__pgt_rs5" ELSE e."__pgt_rs5" END AS "__pgt_a1_ninf", CASE WHEN (c."__pgt_existed" AND ((c."__pgt_d2_del" IS NULL) OR COALESCE((c."__pgt_d2_del" OPERATOR(pg_catalog.>) c."__pgt_old__pgt_a2"), false))) THEN LEAST(c."__pgt_old__pgt_a2", c."__pgt_d2_ins") ELSE (SELECT pg_catalog.min(s."amount") FROM (SELECT s."amount" AS "amount", s."status" AS "status" FROM "public"."orders" s) s WHERE ((s."status" OPERATOR(pg_catalog.=) c."__pgt_g0") OR ((s."status" IS NULL) AND (c."__pgt_g0" IS NULL)))) END AS "__pgt_a2" FROM "stored_groups" c LEFT JOIN "rescanned" r ON ((c."__pgt_g0" OPERATOR(pg_catalog.=) r."__pgt_rk0") OR ((c."__pgt_g0" IS NULL) AND (r."__pgt_rk0" IS NULL))) CROSS JOIN "no_rows" e WHERE (c."__pgt_existed" IS NOT TRUE)
),
-- n2: aggregate output and state per group
"groups" AS (
SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."__pgt_g0" AS pg_catalog.text)) AS "__pgt_row_id", s."__pgt_g0" AS "status", s."__pgt_count" AS "count", CASE WHEN (s."__pgt_a1_nn" OPERATOR(pg_catalog.>) 0) THEN CASE WHEN (s."__pgt_a1_nan" OPERATOR(pg_catalog.>) 0) THEN CAST('NaN' AS pg_catalog.numeric) WHEN ((s."__pgt_a1_pinf" OPERATOR(pg_catalog.>) 0) AND (s."__pgt_a1_ninf" OPERATOR(pg_catalog.>) 0)) THEN CAST('NaN' AS pg_catalog.numeric) WHEN (s."__pgt_a1_pinf" OPERATOR(pg_catalog.>) 0) THEN CAST('Infinity' AS pg_catalog.numeric) WHEN (s."__pgt_a1_ninf" OPERATOR(pg_catalog.>) 0) THEN CAST('-Infinity' AS pg_catalog.numeric) ELSE (CAST(s."__pgt_a1_sum" AS pg_catalog.numeric) OPERATOR(pg_catalog./) CAST(s."__pgt_a1_nn" AS pg_catalog.numeric)) END END AS "avg", s."__pgt_a2" AS "min", s."__pgt_count", s."__pgt_a1_sum", s."__pgt_a1_nn", s."__pgt_a1_nan", s."__pgt_a1_pinf", s."__pgt_a1_ninf", s."__pgt_a2", s."__pgt_existed", s."__pgt_ctid", (s."__pgt_count" OPERATOR(pg_catalog.>) 0) AS "__pgt_visible" FROM (SELECT * FROM "new_state" OFFSET 0) s
),
-- n3: HAVING — visibility
"post3" AS (
SELECT s."__pgt_row_id", s."status", s."count", s."avg", s."min", s."__pgt_count", s."__pgt_a1_sum", s."__pgt_a1_nn", s."__pgt_a1_nan", s."__pgt_a1_pinf", s."__pgt_a1_ninf", s."__pgt_a2", s."__pgt_existed", s."__pgt_ctid", (s."__pgt_visible" AND COALESCE((s."count" OPERATOR(pg_catalog.>) CAST('1' AS pg_catalog.int4)), false)) AS "__pgt_visible" FROM "groups" s
),
-- n4: final expressions
"post4" AS (
SELECT s."__pgt_row_id", s."status" AS "status", s."count" AS "n", s."avg" AS "a", s."min" AS "lo", s."__pgt_count", s."__pgt_a1_sum", s."__pgt_a1_nn", s."__pgt_a1_nan", s."__pgt_a1_pinf", s."__pgt_a1_ninf", s."__pgt_a2", s."__pgt_existed", s."__pgt_ctid", s."__pgt_visible" AS "__pgt_visible" FROM "post3" s
),
-- the net change of the stream table
"__pgt_delta" AS (
SELECT s."__pgt_row_id", s."status", s."n", s."a", s."lo", s."__pgt_count", s."__pgt_a1_sum", s."__pgt_a1_nn", s."__pgt_a1_nan", s."__pgt_a1_pinf", s."__pgt_a1_ninf", s."__pgt_a2", s."__pgt_existed", s."__pgt_ctid", s."__pgt_visible" FROM "post4" s
),
-- delete groups that became empty or fail HAVING
"__pgt_del" AS (
DELETE FROM "st" t USING "__pgt_delta" d WHERE (((t."ctid" OPERATOR(pg_catalog.=) d."__pgt_ctid") AND t."ctid" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_ctid" FROM "__pgt_delta" d))) AND (NOT d."__pgt_visible")) RETURNING 1
),
-- update changed groups
"__pgt_upd" AS (
UPDATE "st" t SET "status" = d."status", "n" = d."n", "a" = d."a", "lo" = d."lo", "__pgt_a1_sum" = d."__pgt_a1_sum", "__pgt_a1_nn" = d."__pgt_a1_nn", "__pgt_a1_nan" = d."__pgt_a1_nan", "__pgt_a1_pinf" = d."__pgt_a1_pinf", "__pgt_a1_ninf" = d."__pgt_a1_ninf" FROM "__pgt_delta" d WHERE (((t."ctid" OPERATOR(pg_catalog.=) d."__pgt_ctid") AND t."ctid" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d."__pgt_ctid" FROM "__pgt_delta" d))) AND d."__pgt_visible" AND (ROW(t."status", t."n", t."a", pg_catalog.scale(t."a"), t."lo", pg_catalog.scale(t."lo"), t."__pgt_a1_sum", pg_catalog.scale(t."__pgt_a1_sum"), t."__pgt_a1_nn", t."__pgt_a1_nan", t."__pgt_a1_pinf", t."__pgt_a1_ninf") IS DISTINCT FROM ROW(d."status", d."n", d."a", pg_catalog.scale(d."a"), d."lo", pg_catalog.scale(d."lo"), d."__pgt_a1_sum", pg_catalog.scale(d."__pgt_a1_sum"), d."__pgt_a1_nn", d."__pgt_a1_nan", d."__pgt_a1_pinf", d."__pgt_a1_ninf"))) RETURNING 1
),
-- insert groups new to the table
"__pgt_ins" AS (
INSERT INTO "st" ("__pgt_row_id", "status", "n", "a", "lo", "__pgt_a1_sum", "__pgt_a1_nn", "__pgt_a1_nan", "__pgt_a1_pinf", "__pgt_a1_ninf") SELECT d."__pgt_row_id", d."status", d."n", d."a", d."lo", d."__pgt_a1_sum", d."__pgt_a1_nn", d."__pgt_a1_nan", d."__pgt_a1_pinf", d."__pgt_a1_ninf" FROM "__pgt_delta" d WHERE (d."__pgt_visible" AND (NOT d."__pgt_existed")) RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM "__pgt_ins") AS "inserted", (SELECT pg_catalog.count(*) FROM "__pgt_del") AS "deleted", (SELECT pg_catalog.count(*) FROM "__pgt_upd") AS "updated";
