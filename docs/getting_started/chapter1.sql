-- Chapter 1 of docs/GETTING_STARTED.md: a stream table before and after a change.
-- Re-runnable: it drops what an earlier run created.
\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_trickle;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables WHERE pgt_schema = 'public' AND pgt_name = 'category_summary') THEN
        PERFORM pgtrickle.drop_stream_table('category_summary');
    END IF;
END $$;
DROP TABLE IF EXISTS products;
RESET client_min_messages;

CREATE TABLE products (
    id SERIAL PRIMARY KEY,
    category TEXT NOT NULL,
    price NUMERIC(10,2) NOT NULL,
    in_stock BOOLEAN NOT NULL DEFAULT true
);
INSERT INTO products (category, price) VALUES
    ('Electronics', 299.99),
    ('Electronics', 49.99),
    ('Books', 14.99),
    ('Books', 24.99),
    ('Books', 9.99);

SELECT pgtrickle.create_stream_table(
    name => 'category_summary',
    query => $$
        SELECT
            category,
            COUNT(*) AS product_count,
            ROUND(AVG(price), 2) AS avg_price,
            MIN(price) AS min_price,
            MAX(price) AS max_price,
            COUNT(*) FILTER (WHERE in_stock) AS in_stock_count
        FROM products
        GROUP BY category
    $$,
    schedule => '1s'
) \gset

\echo
\echo 'category_summary, populated by the initial full refresh:'
SELECT category, product_count, avg_price, min_price, max_price, in_stock_count
FROM category_summary ORDER BY category;

\echo 'INSERT INTO products (category, price) VALUES (''Books'', 39.99); then refresh:'
INSERT INTO products (category, price) VALUES ('Books', 39.99);
SELECT pgtrickle.refresh_stream_table('category_summary') \gset
SELECT category, product_count, avg_price, min_price, max_price, in_stock_count
FROM category_summary ORDER BY category;

\echo 'UPDATE products SET price = 19.99 WHERE price = 299.99; then refresh:'
UPDATE products SET price = 19.99 WHERE price = 299.99;
SELECT pgtrickle.refresh_stream_table('category_summary') \gset
SELECT category, product_count, avg_price, min_price, max_price, in_stock_count
FROM category_summary ORDER BY category;

\echo 'How it was refreshed:'
SELECT action, status, rows_inserted, rows_deleted
FROM pgtrickle.refresh_timeline(10) WHERE action <> 'NO_DATA' ORDER BY start_time;
