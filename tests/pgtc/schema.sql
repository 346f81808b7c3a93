-- The held-out schema of the pgtc cases: customers / orders / products / events.
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text, country text, segment text);
CREATE TABLE products (sku text PRIMARY KEY, title text, category text, price numeric(10,2), active boolean);
CREATE TABLE orders (
    id bigint PRIMARY KEY, customer_id int, sku text, quantity int, amount numeric(12,2),
    discount double precision, ordered_on date, status text);
CREATE TABLE events (kind text, customer_id int, payload text, at timestamp, weight int);  -- keyless
CREATE VIEW paid_orders AS SELECT * FROM orders WHERE status = 'paid';
