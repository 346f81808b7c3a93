-- Valid SQL that DIFFERENTIAL does not maintain: exit 2, the construct named.
-- expect 2 correlated reference in the FROM clause of a subquery
SELECT id FROM orders o WHERE EXISTS (SELECT 1 FROM customers c JOIN (orders o2 JOIN customers c2 ON c2.id = o2.customer_id AND o2.customer_id = o.customer_id) ON c.id = c2.id)
-- expect 2 read by another WITH query of its list
WITH RECURSIVE a(n) AS (SELECT id FROM customers UNION ALL SELECT n + 1 FROM b WHERE n < 5), b AS (SELECT n FROM a) SELECT n FROM a
-- expect 2 volatile function random()
SELECT id, random() AS r FROM orders
-- expect 2 ARRAY (subquery)
SELECT id, ARRAY(SELECT id FROM orders o WHERE o.customer_id = c.id) FROM customers c
-- expect 2 LIMIT or OFFSET that is not a constant
SELECT id FROM orders ORDER BY amount DESC LIMIT (SELECT 10)
