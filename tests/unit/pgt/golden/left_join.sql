-- SELECT c.name, o.amount FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
-- full load
SELECT pgtrickle.pg_trickle_row_id_of(CAST(q."name" AS pg_catalog.text), CAST(pg_catalog.trim_scale(q."amount") AS pg_catalog.text)) AS "__pgt_row_id", q."name", q."amount" FROM (SELECT s."name" AS "name", s."amount" AS "amount" FROM (SELECT l."id" AS "id", l."name" AS "name", r."customer_id" AS "customer_id", r."amount" AS "amount" FROM "public"."customers" l LEFT JOIN (SELECT s."customer_id" AS "customer_id", s."amount" AS "amount" FROM "public"."orders" s) r ON (r."customer_id" OPERATOR(pg_catalog.=) l."id")) s) q;
-- refresh
WITH
-- Δpublic.customers: captured changes
"s0_changes_customers" AS (
SELECT c."id", c."name", c."__pgt_w" FROM "changes"."customers" c
),
-- Δpublic.orders: captured changes
"s1_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM "changes"."orders" c
),
-- n2: map — π(Δ)
"d2_map" AS (
SELECT s."customer_id" AS "customer_id", s."amount" AS "amount", s."__pgt_w" FROM "s1_changes_orders" s
),
-- n3: left join — ΔL⋈R + L⋈ΔR − ΔL⋈ΔR, and the change of unmatched rows
"d3_join" AS (
SELECT l."id" AS "id", l."name" AS "name", r."customer_id" AS "customer_id", r."amount" AS "amount", l."__pgt_w" AS "__pgt_w" FROM "s0_changes_customers" l JOIN (SELECT s."customer_id" AS "customer_id", s."amount" AS "amount" FROM "public"."orders" s) r ON (r."customer_id" OPERATOR(pg_catalog.=) l."id") UNION ALL SELECT l."id" AS "id", l."name" AS "name", r."customer_id" AS "customer_id", r."amount" AS "amount", r."__pgt_w" AS "__pgt_w" FROM "public"."customers" l JOIN "d2_map" r ON (r."customer_id" OPERATOR(pg_catalog.=) l."id") UNION ALL SELECT l."id" AS "id", l."name" AS "name", r."customer_id" AS "customer_id", r."amount" AS "amount", (OPERATOR(pg_catalog.-) (l."__pgt_w" OPERATOR(pg_catalog.*) r."__pgt_w")) AS "__pgt_w" FROM "s0_changes_customers" l JOIN "d2_map" r ON (r."customer_id" OPERATOR(pg_catalog.=) l."id") UNION ALL SELECT p."id" AS "id", p."name" AS "name", CAST(NULL AS pg_catalog.int4) AS "customer_id", CAST(NULL AS pg_catalog.numeric(12,2)) AS "amount", p."__pgt_w" AS "__pgt_w" FROM "s0_changes_customers" p WHERE (NOT EXISTS (SELECT 1 FROM (SELECT s."customer_id" AS "customer_id", s."amount" AS "amount" FROM "public"."orders" s) o WHERE (o."customer_id" OPERATOR(pg_catalog.=) p."id"))) UNION ALL SELECT * FROM (SELECT x."id" AS "id", x."name" AS "name", CAST(NULL AS pg_catalog.int4) AS "customer_id", CAST(NULL AS pg_catalog.numeric(12,2)) AS "amount", (x."__pgt_m" OPERATOR(pg_catalog.*) (CAST(CASE WHEN (x."__pgt_d" OPERATOR(pg_catalog.>) 0) THEN false ELSE (NOT EXISTS (SELECT 1 FROM (SELECT s."customer_id" AS "customer_id", s."amount" AS "amount" FROM "public"."orders" s) o WHERE (o."customer_id" OPERATOR(pg_catalog.=) x."id"))) END AS pg_catalog.int4) OPERATOR(pg_catalog.-) CAST(CASE WHEN (x."__pgt_d" OPERATOR(pg_catalog.<) 0) THEN false ELSE ((SELECT pg_catalog.count(*) FROM (SELECT 1 FROM (SELECT s."customer_id" AS "customer_id", s."amount" AS "amount" FROM "public"."orders" s) o WHERE (o."customer_id" OPERATOR(pg_catalog.=) x."id") LIMIT (CAST(x."__pgt_d" AS pg_catalog.int8) OPERATOR(pg_catalog.+) 1)) m) OPERATOR(pg_catalog.=) x."__pgt_d") END AS pg_catalog.int4))) AS "__pgt_w" FROM (SELECT x."id", x."name", x."__pgt_m", pg_catalog.sum(o."__pgt_w") AS "__pgt_d" FROM (SELECT x."id", x."name", pg_catalog.sum(x."__pgt_m") AS "__pgt_m" FROM (SELECT p."id", p."name", 1 AS "__pgt_m" FROM "public"."customers" p WHERE EXISTS (SELECT 1 FROM "d2_map" o WHERE (o."customer_id" OPERATOR(pg_catalog.=) p."id")) UNION ALL SELECT p."id", p."name", (OPERATOR(pg_catalog.-) p."__pgt_w") FROM "s0_changes_customers" p WHERE EXISTS (SELECT 1 FROM "d2_map" o WHERE (o."customer_id" OPERATOR(pg_catalog.=) p."id"))) x GROUP BY x."id", x."name") x JOIN "d2_map" o ON (o."customer_id" OPERATOR(pg_catalog.=) x."id") GROUP BY x."id", x."name", x."__pgt_m" HAVING (pg_catalog.sum(o."__pgt_w") OPERATOR(pg_catalog.<>) 0)) x) t WHERE (t."__pgt_w" OPERATOR(pg_catalog.<>) 0)
),
-- n4: map — π(Δ)
"d4_map" AS (
SELECT s."name" AS "name", s."amount" AS "amount", s."__pgt_w" FROM "d3_join" s
),
-- the net change of the stream table
"__pgt_delta" AS (
SELECT pgtrickle.pg_trickle_row_id_of(CAST(s."name" AS pg_catalog.text), CAST(pg_catalog.trim_scale(s."amount") AS pg_catalog.text)) AS "__pgt_row_id", s."name", s."amount", pg_catalog.sum(s."__pgt_w") AS "__pgt_w" FROM "d4_map" s GROUP BY s."name", s."amount" HAVING (pg_catalog.sum(s."__pgt_w") OPERATOR(pg_catalog.<>) 0)
),
-- delete |w| copies of removed rows
"__pgt_del" AS (
DELETE FROM "st" t WHERE t."ctid" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT x."sc" FROM "__pgt_delta" d CROSS JOIN LATERAL (SELECT s."ctid" AS "sc" FROM "st" s WHERE ((s."__pgt_row_id" OPERATOR(pg_catalog.=) d."__pgt_row_id") AND (((s."name" IS NULL) OPERATOR(pg_catalog.=) (d."name" IS NULL)) AND (COALESCE(s."name", CAST('' AS pg_catalog.text)) OPERATOR(pg_catalog.=) COALESCE(d."name", CAST('' AS pg_catalog.text)))) AND (((s."amount" IS NULL) OPERATOR(pg_catalog.=) (d."amount" IS NULL)) AND (COALESCE(s."amount", CAST(0 AS pg_catalog.numeric(12,2))) OPERATOR(pg_catalog.=) COALESCE(d."amount", CAST(0 AS pg_catalog.numeric(12,2)))))) LIMIT CAST((OPERATOR(pg_catalog.-) d."__pgt_w") AS pg_catalog.int8)) x WHERE (d."__pgt_w" OPERATOR(pg_catalog.<) 0))) RETURNING 1
),
-- insert w copies of added rows
"__pgt_ins" AS (
INSERT INTO "st" ("__pgt_row_id", "name", "amount") SELECT d."__pgt_row_id", d."name", d."amount" FROM "__pgt_delta" d CROSS JOIN LATERAL pg_catalog.generate_series(1, d."__pgt_w") WHERE (d."__pgt_w" OPERATOR(pg_catalog.>) 0) RETURNING 1
)
SELECT (SELECT pg_catalog.count(*) FROM "__pgt_ins") AS "inserted", (SELECT pg_catalog.count(*) FROM "__pgt_del") AS "deleted", 0 AS "updated";
