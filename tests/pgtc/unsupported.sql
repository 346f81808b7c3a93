-- Valid SQL that DIFFERENTIAL does not maintain: exit 2, the construct named.
-- expect 2 window function
SELECT id, rank() OVER (ORDER BY amount) FROM orders
-- expect 2 WITH RECURSIVE
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r
-- expect 2 volatile function random()
SELECT id, random() AS r FROM orders
-- expect 2 EXISTS
SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
-- expect 2 INTERSECT
SELECT customer_id FROM orders INTERSECT SELECT customer_id FROM events
-- expect 2 LIMIT
SELECT id FROM orders ORDER BY amount DESC LIMIT 10
