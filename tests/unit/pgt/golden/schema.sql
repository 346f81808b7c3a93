CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, amount numeric(12,2), status text);
CREATE TABLE events (kind text, customer_id int);
CREATE TABLE departments (id int PRIMARY KEY, name text NOT NULL, parent_id int);
