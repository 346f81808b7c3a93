-- Queries whose core shapes pgtc must lower (exit 0): one block per shape.
-- expect 0 maintenance: keyed
SELECT id, amount * quantity AS gross, upper(status) AS status FROM orders WHERE amount > 10 AND status IN ('paid', 'sent')
-- expect 0 maintenance: aggregate
SELECT country, count(*) AS n, count(email) AS with_email, sum(id) AS s, avg(id) AS a, min(name) AS first, max(name) AS last
FROM customers GROUP BY country
-- expect 0 min[rescan group on delete]
SELECT sku, min(amount) AS lo, max(amount) AS hi, bool_and(quantity > 0) AS all_positive FROM orders GROUP BY sku
-- expect 0 maintenance: aggregate
SELECT status, count(*) FILTER (WHERE amount > 100) AS big, sum(amount) FILTER (WHERE discount IS NOT NULL) AS discounted
FROM orders GROUP BY status HAVING count(*) > 2
-- expect 0 round
SELECT customer_id, round(avg(amount), 2) AS avg_amount, sum(amount) / count(*) AS mean FROM orders GROUP BY customer_id
-- expect 0 join
SELECT c.name, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id
-- expect 0 join
SELECT c.name, p.title, o.quantity FROM orders o JOIN customers c ON c.id = o.customer_id JOIN products p USING (sku)
-- expect 0 join
SELECT c.name, o.id FROM customers c, orders o WHERE o.customer_id = c.id AND c.country = 'NZ'
-- expect 0 left join
SELECT c.name, count(o.id) AS orders, COALESCE(sum(o.amount), 0) AS spent FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.name
-- expect 0 full join
SELECT p.sku, o.id FROM products p FULL JOIN orders o ON o.sku = p.sku
-- expect 0 maintenance: distinct
SELECT DISTINCT country, segment FROM customers
-- expect 0 maintenance: bag
SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM events
-- expect 0 maintenance: distinct
SELECT customer_id FROM orders UNION SELECT customer_id FROM events
-- expect 0 maintenance: aggregate
WITH big AS (SELECT * FROM orders WHERE amount > 100) SELECT status, count(*) AS n FROM big GROUP BY status
-- expect 0 aggregate
SELECT n, count(*) AS customers FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) per GROUP BY n
-- expect 0 keyed
SELECT id, CASE WHEN amount > 100 THEN 'big' WHEN amount IS NULL THEN 'unknown' ELSE 'small' END AS size,
       COALESCE(discount, 0) AS discount, NULLIF(status, '') AS status, GREATEST(quantity, 1) AS q
FROM orders
-- expect 0 maintenance: aggregate
SELECT segment, count(*) AS n, sum(CASE WHEN email IS NULL THEN 1 ELSE 0 END) AS missing FROM customers GROUP BY segment
-- expect 0 maintenance: bag
SELECT kind, weight FROM events WHERE weight IS NOT NULL
-- expect 0 maintenance: aggregate
SELECT kind, count(*) AS n, sum(weight) AS w FROM events GROUP BY kind
-- expect 0 keyed
SELECT id, amount FROM paid_orders WHERE amount BETWEEN 1 AND 50
-- expect 0 maintenance: aggregate
SELECT count(*) AS orders, sum(amount) AS revenue FROM orders
-- expect 0 Sublink EXISTS
SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
-- expect 0 Intersect
SELECT customer_id FROM orders INTERSECT SELECT customer_id FROM events
-- expect 0 Sublink SCALAR
SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c
-- expect 0 Sublink ANY
SELECT id FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM events)
-- expect 0 Sublink ALL
SELECT id FROM orders WHERE amount > ALL (SELECT amount FROM orders o2 WHERE o2.customer_id = 3) ORDER BY amount DESC LIMIT 10
-- expect 0 ANY
SELECT id, ARRAY[quantity, customer_id] AS pair, (ARRAY[quantity, customer_id])[2] AS second, sku SIMILAR TO 'a%' AS a_sku
FROM orders WHERE status = ANY ('{paid,sent}') AND customer_id <> ALL (ARRAY[1, 2]) AND (sku, status) <> ('x', 'y')
