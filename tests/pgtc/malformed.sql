-- Malformed queries: exit 1 with the parser's message and position, or the unknown name.
-- expect 1 syntax error
SELECT id FROM orders WHERE
-- expect 1 at line 1, column 1
SELEC id FROM orders
-- expect 1 relation "nope" does not exist
SELECT 1 FROM nope
-- expect 1 column "nope" does not exist
SELECT nope FROM orders
-- expect 1 LIMIT is not supported in defining queries without ORDER BY
SELECT id FROM orders LIMIT 3
-- expect 1 must appear in the GROUP BY clause
SELECT country, name FROM customers GROUP BY country
