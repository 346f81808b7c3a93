-- A small shop: keyed customers, orders and products; events is keyless and holds duplicates.
CREATE TABLE customers (
    id integer PRIMARY KEY,
    name text NOT NULL,
    email varchar(100),
    country char(2),
    created_at timestamptz NOT NULL
);

CREATE TABLE products (
    sku text,
    title text NOT NULL,
    price numeric(10,2) NOT NULL,
    weight real,
    PRIMARY KEY (sku)
);

CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    sku text NOT NULL,
    quantity smallint NOT NULL,
    amount numeric(12,2),
    discount double precision,
    ordered_on date NOT NULL,
    shipped_at timestamp,
    express boolean
);

CREATE TABLE events (
    customer_id integer,
    kind text,
    payload text,
    at timestamp
);

CREATE SCHEMA audit;
CREATE TABLE audit.log (
    id serial PRIMARY KEY,
    customer_id integer,
    note text
);

CREATE VIEW big_orders AS
    SELECT id, customer_id, amount FROM orders WHERE amount > 100;

CREATE VIEW customer_totals (customer, total) AS
    SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id;

-- Arrays and documents, for set-returning functions in FROM.
CREATE TABLE documents (
    id integer PRIMARY KEY,
    tags text[],
    attrs jsonb,
    pages integer NOT NULL
);
