-- SELECT upper(status) AS s, count(*) AS n, sum(amount) AS total, max(amount) AS top FROM orders WHERE amount > 0 GROUP BY upper(status)
-- an inserted row: update of a stored group that stays
WITH
-- Δpublic.orders: captured changes
"s0_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM (SELECT $1 AS id, $2 AS customer_id, $3 AS amount, $4 AS status, 1::pg_catalog.int8 AS __pgt_w) c
),
-- n1: filter — σ(Δ)
"d1_filter" AS (
SELECT * FROM "s0_changes_orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))
),
-- n2: change per touched group
"changed_groups" AS (
SELECT pg_catalog.upper(s."status") AS "__pgt_g0", CAST(1 AS pg_catalog.int8) AS "__pgt_dcount", CAST(1 AS pg_catalog.int8) AS "__pgt_d0", CAST(CAST(s."amount" AS pg_catalog.numeric) AS pg_catalog.numeric) AS "__pgt_d1", CASE WHEN (s."amount" IS NOT NULL) THEN CAST(1 AS pg_catalog.int8) ELSE 0 END AS "__pgt_d1_nn", CASE WHEN ((CAST(1 AS pg_catalog.int8) OPERATOR(pg_catalog.>) 0) AND (s."amount" IS NOT NULL)) THEN s."amount" END AS "__pgt_d2_ins", CASE WHEN (s."amount" IS NOT NULL) THEN (CAST(1 AS pg_catalog.int8) OPERATOR(pg_catalog.<) 0) END AS "__pgt_d2_del" FROM "d1_filter" s
)
UPDATE "st" t SET "s" = d."__pgt_g0", "n" = (t."n" OPERATOR(pg_catalog.+) d."__pgt_dcount"), "total" = CASE WHEN ((t."__pgt_a1_nn" OPERATOR(pg_catalog.+) d."__pgt_d1_nn") OPERATOR(pg_catalog.>) 0) THEN (COALESCE(t."total", 0) OPERATOR(pg_catalog.+) COALESCE(d."__pgt_d1", 0)) END, "top" = CASE WHEN (true AND (NOT COALESCE(d."__pgt_d2_del", false))) THEN GREATEST(t."top", d."__pgt_d2_ins") ELSE (SELECT pg_catalog.max(s."amount") FROM (SELECT * FROM "public"."orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))) s WHERE ((pg_catalog.upper(s."status") OPERATOR(pg_catalog.=) d."__pgt_g0") OR ((pg_catalog.upper(s."status") IS NULL) AND (d."__pgt_g0" IS NULL)))) END, "__pgt_a1_nn" = (t."__pgt_a1_nn" OPERATOR(pg_catalog.+) d."__pgt_d1_nn") FROM "changed_groups" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id(CAST(d."__pgt_g0" AS pg_catalog.text))) AND ((t."n" OPERATOR(pg_catalog.+) d."__pgt_dcount") OPERATOR(pg_catalog.>) 0));
-- otherwise
WITH
-- Δpublic.orders: captured changes
"s0_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM (SELECT $1 AS id, $2 AS customer_id, $3 AS amount, $4 AS status, 1::pg_catalog.int8 AS __pgt_w) c
),
-- n1: filter — σ(Δ)
"d1_filter" AS (
SELECT * FROM "s0_changes_orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))
),
-- n2: change per touched group
"changed_groups" AS (
SELECT pg_catalog.upper(s."status") AS "__pgt_g0", CAST(1 AS pg_catalog.int8) AS "__pgt_dcount", CAST(1 AS pg_catalog.int8) AS "__pgt_d0", CAST(CAST(s."amount" AS pg_catalog.numeric) AS pg_catalog.numeric) AS "__pgt_d1", CASE WHEN (s."amount" IS NOT NULL) THEN CAST(1 AS pg_catalog.int8) ELSE 0 END AS "__pgt_d1_nn", CASE WHEN ((CAST(1 AS pg_catalog.int8) OPERATOR(pg_catalog.>) 0) AND (s."amount" IS NOT NULL)) THEN s."amount" END AS "__pgt_d2_ins", CASE WHEN (s."amount" IS NOT NULL) THEN (CAST(1 AS pg_catalog.int8) OPERATOR(pg_catalog.<) 0) END AS "__pgt_d2_del" FROM "d1_filter" s
)
MERGE INTO "st" t USING "changed_groups" d ON (t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id(CAST(d."__pgt_g0" AS pg_catalog.text))) WHEN MATCHED AND (NOT ((t."n" OPERATOR(pg_catalog.+) d."__pgt_dcount") OPERATOR(pg_catalog.>) 0)) THEN DELETE WHEN MATCHED THEN UPDATE SET "s" = d."__pgt_g0", "n" = (t."n" OPERATOR(pg_catalog.+) d."__pgt_dcount"), "total" = CASE WHEN ((t."__pgt_a1_nn" OPERATOR(pg_catalog.+) d."__pgt_d1_nn") OPERATOR(pg_catalog.>) 0) THEN (COALESCE(t."total", 0) OPERATOR(pg_catalog.+) COALESCE(d."__pgt_d1", 0)) END, "top" = CASE WHEN (true AND (NOT COALESCE(d."__pgt_d2_del", false))) THEN GREATEST(t."top", d."__pgt_d2_ins") ELSE (SELECT pg_catalog.max(s."amount") FROM (SELECT * FROM "public"."orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))) s WHERE ((pg_catalog.upper(s."status") OPERATOR(pg_catalog.=) d."__pgt_g0") OR ((pg_catalog.upper(s."status") IS NULL) AND (d."__pgt_g0" IS NULL)))) END, "__pgt_a1_nn" = (t."__pgt_a1_nn" OPERATOR(pg_catalog.+) d."__pgt_d1_nn") WHEN NOT MATCHED AND ((COALESCE(CAST(NULL AS pg_catalog.int8), 0) OPERATOR(pg_catalog.+) d."__pgt_dcount") OPERATOR(pg_catalog.>) 0) THEN INSERT ("__pgt_row_id", "s", "n", "total", "top", "__pgt_a1_nn") VALUES (pgtrickle.pg_trickle_row_id(CAST(d."__pgt_g0" AS pg_catalog.text)), d."__pgt_g0", (COALESCE(CAST(NULL AS pg_catalog.int8), 0) OPERATOR(pg_catalog.+) d."__pgt_dcount"), CASE WHEN ((COALESCE(CAST(NULL AS pg_catalog.int8), 0) OPERATOR(pg_catalog.+) d."__pgt_d1_nn") OPERATOR(pg_catalog.>) 0) THEN (COALESCE(CAST(NULL AS pg_catalog.numeric), 0) OPERATOR(pg_catalog.+) COALESCE(d."__pgt_d1", 0)) END, CASE WHEN (true AND (NOT COALESCE(d."__pgt_d2_del", false))) THEN GREATEST(CAST(NULL AS pg_catalog.numeric), d."__pgt_d2_ins") ELSE (SELECT pg_catalog.max(s."amount") FROM (SELECT * FROM "public"."orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))) s WHERE ((pg_catalog.upper(s."status") OPERATOR(pg_catalog.=) d."__pgt_g0") OR ((pg_catalog.upper(s."status") IS NULL) AND (d."__pgt_g0" IS NULL)))) END, (COALESCE(CAST(NULL AS pg_catalog.int8), 0) OPERATOR(pg_catalog.+) d."__pgt_d1_nn"));
-- a row of unknown weight: update
WITH
-- Δpublic.orders: captured changes
"s0_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM (SELECT $1 AS id, $2 AS customer_id, $3 AS amount, $4 AS status, $5 AS __pgt_w) c
),
-- n1: filter — σ(Δ)
"d1_filter" AS (
SELECT * FROM "s0_changes_orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))
),
-- n2: change per touched group
"changed_groups" AS (
SELECT pg_catalog.upper(s."status") AS "__pgt_g0", s."__pgt_w" AS "__pgt_dcount", s."__pgt_w" AS "__pgt_d0", CAST(CASE WHEN (s."__pgt_w" OPERATOR(pg_catalog.=) CAST(1 AS pg_catalog.int8)) THEN CAST(s."amount" AS pg_catalog.numeric) WHEN (s."__pgt_w" OPERATOR(pg_catalog.=) CAST(-1 AS pg_catalog.int8)) THEN (OPERATOR(pg_catalog.-) CAST(s."amount" AS pg_catalog.numeric)) ELSE (CAST(s."__pgt_w" AS pg_catalog.numeric) OPERATOR(pg_catalog.*) CAST(s."amount" AS pg_catalog.numeric)) END AS pg_catalog.numeric) AS "__pgt_d1", CASE WHEN (s."amount" IS NOT NULL) THEN s."__pgt_w" ELSE 0 END AS "__pgt_d1_nn", CASE WHEN ((s."__pgt_w" OPERATOR(pg_catalog.>) 0) AND (s."amount" IS NOT NULL)) THEN s."amount" END AS "__pgt_d2_ins", CASE WHEN (s."amount" IS NOT NULL) THEN (s."__pgt_w" OPERATOR(pg_catalog.<) 0) END AS "__pgt_d2_del" FROM "d1_filter" s
)
UPDATE "st" t SET "s" = d."__pgt_g0", "n" = (t."n" OPERATOR(pg_catalog.+) d."__pgt_dcount"), "total" = CASE WHEN ((t."__pgt_a1_nn" OPERATOR(pg_catalog.+) d."__pgt_d1_nn") OPERATOR(pg_catalog.>) 0) THEN (COALESCE(t."total", 0) OPERATOR(pg_catalog.+) COALESCE(d."__pgt_d1", 0)) END, "top" = CASE WHEN (true AND (NOT COALESCE(d."__pgt_d2_del", false))) THEN GREATEST(t."top", d."__pgt_d2_ins") ELSE (SELECT pg_catalog.max(s."amount") FROM (SELECT * FROM "public"."orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))) s WHERE ((pg_catalog.upper(s."status") OPERATOR(pg_catalog.=) d."__pgt_g0") OR ((pg_catalog.upper(s."status") IS NULL) AND (d."__pgt_g0" IS NULL)))) END, "__pgt_a1_nn" = (t."__pgt_a1_nn" OPERATOR(pg_catalog.+) d."__pgt_d1_nn") FROM "changed_groups" d WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id(CAST(d."__pgt_g0" AS pg_catalog.text))) AND ((t."n" OPERATOR(pg_catalog.+) d."__pgt_dcount") OPERATOR(pg_catalog.>) 0));
-- a row updated within its group
WITH
-- Δpublic.orders: captured changes
"s0_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM (SELECT $1 AS id, $2 AS customer_id, $3 AS amount, $4 AS status, -1::pg_catalog.int8 AS __pgt_w) c
),
-- n1: filter — σ(Δ)
"d1_filter" AS (
SELECT * FROM "s0_changes_orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))
),
-- n2: change of the group, by the row's old version
"changed_groups" AS (
SELECT pg_catalog.upper(s."status") AS "__pgt_g0", CAST(-1 AS pg_catalog.int8) AS "__pgt_dcount", CAST(-1 AS pg_catalog.int8) AS "__pgt_d0", CAST((OPERATOR(pg_catalog.-) CAST(s."amount" AS pg_catalog.numeric)) AS pg_catalog.numeric) AS "__pgt_d1", CASE WHEN (s."amount" IS NOT NULL) THEN CAST(-1 AS pg_catalog.int8) ELSE 0 END AS "__pgt_d1_nn", CASE WHEN ((CAST(-1 AS pg_catalog.int8) OPERATOR(pg_catalog.>) 0) AND (s."amount" IS NOT NULL)) THEN s."amount" END AS "__pgt_d2_ins", CASE WHEN (s."amount" IS NOT NULL) THEN (CAST(-1 AS pg_catalog.int8) OPERATOR(pg_catalog.<) 0) END AS "__pgt_d2_del" FROM "d1_filter" s
),
-- Δpublic.orders: captured changes
"new_s0_changes_orders" AS (
SELECT c."id", c."customer_id", c."amount", c."status", c."__pgt_w" FROM (SELECT $5 AS id, $6 AS customer_id, $7 AS amount, $8 AS status, 1::pg_catalog.int8 AS __pgt_w) c
),
-- n1: filter — σ(Δ)
"new_d1_filter" AS (
SELECT * FROM "new_s0_changes_orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))
),
-- n2: change of the group, by the row's new version
"new_changed_groups" AS (
SELECT pg_catalog.upper(s."status") AS "__pgt_g0", CAST(1 AS pg_catalog.int8) AS "__pgt_dcount", CAST(1 AS pg_catalog.int8) AS "__pgt_d0", CAST(CAST(s."amount" AS pg_catalog.numeric) AS pg_catalog.numeric) AS "__pgt_d1", CASE WHEN (s."amount" IS NOT NULL) THEN CAST(1 AS pg_catalog.int8) ELSE 0 END AS "__pgt_d1_nn", CASE WHEN ((CAST(1 AS pg_catalog.int8) OPERATOR(pg_catalog.>) 0) AND (s."amount" IS NOT NULL)) THEN s."amount" END AS "__pgt_d2_ins", CASE WHEN (s."amount" IS NOT NULL) THEN (CAST(1 AS pg_catalog.int8) OPERATOR(pg_catalog.<) 0) END AS "__pgt_d2_del" FROM "new_d1_filter" s
)
UPDATE "st" t SET "s" = b."__pgt_g0", "n" = (t."n" OPERATOR(pg_catalog.+) (a."__pgt_dcount" OPERATOR(pg_catalog.+) b."__pgt_dcount")), "total" = CASE WHEN ((t."__pgt_a1_nn" OPERATOR(pg_catalog.+) (a."__pgt_d1_nn" OPERATOR(pg_catalog.+) b."__pgt_d1_nn")) OPERATOR(pg_catalog.>) 0) THEN (COALESCE(t."total", 0) OPERATOR(pg_catalog.+) COALESCE((COALESCE(a."__pgt_d1", 0) OPERATOR(pg_catalog.+) COALESCE(b."__pgt_d1", 0)), 0)) END, "top" = CASE WHEN (true AND (NOT COALESCE(b."__pgt_d2_del", false))) THEN GREATEST(CASE WHEN (true AND (NOT COALESCE(a."__pgt_d2_del", false))) THEN GREATEST(t."top", a."__pgt_d2_ins") ELSE (SELECT pg_catalog.max(s."amount") FROM (SELECT * FROM "public"."orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))) s WHERE ((pg_catalog.upper(s."status") OPERATOR(pg_catalog.=) b."__pgt_g0") OR ((pg_catalog.upper(s."status") IS NULL) AND (b."__pgt_g0" IS NULL)))) END, b."__pgt_d2_ins") ELSE (SELECT pg_catalog.max(s."amount") FROM (SELECT * FROM "public"."orders" s WHERE (s."amount" OPERATOR(pg_catalog.>) CAST('0' AS pg_catalog.int4))) s WHERE ((pg_catalog.upper(s."status") OPERATOR(pg_catalog.=) b."__pgt_g0") OR ((pg_catalog.upper(s."status") IS NULL) AND (b."__pgt_g0" IS NULL)))) END, "__pgt_a1_nn" = (t."__pgt_a1_nn" OPERATOR(pg_catalog.+) (a."__pgt_d1_nn" OPERATOR(pg_catalog.+) b."__pgt_d1_nn")) FROM "changed_groups" a, "new_changed_groups" b WHERE ((t."__pgt_row_id" OPERATOR(pg_catalog.=) pgtrickle.pg_trickle_row_id(CAST(a."__pgt_g0" AS pg_catalog.text))) AND ((a."__pgt_g0" OPERATOR(pg_catalog.=) b."__pgt_g0") OR ((a."__pgt_g0" IS NULL) AND (b."__pgt_g0" IS NULL))));
