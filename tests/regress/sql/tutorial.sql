-- docs/GETTING_STARTED.md, both chapters, with manual refreshes in dependency order. The
-- outputs below are the ones the document shows.
-- Chapter 1: Hello world
CREATE TABLE products (
    id SERIAL PRIMARY KEY,
    category TEXT NOT NULL,
    price NUMERIC(10,2) NOT NULL,
    in_stock BOOLEAN NOT NULL DEFAULT true
);
INSERT INTO products (category, price) VALUES
    ('Electronics', 299.99), ('Electronics', 49.99), ('Books', 14.99), ('Books', 24.99), ('Books', 9.99);
SELECT pgtrickle.create_stream_table(
    name => 'category_summary',
    query => $$
        SELECT category, COUNT(*) AS product_count, ROUND(AVG(price), 2) AS avg_price,
               MIN(price) AS min_price, MAX(price) AS max_price,
               COUNT(*) FILTER (WHERE in_stock) AS in_stock_count
        FROM products GROUP BY category
    $$,
    schedule => '1s'
);
SELECT category, product_count, avg_price, min_price, max_price, in_stock_count
FROM category_summary ORDER BY category;
INSERT INTO products (category, price) VALUES ('Books', 39.99);
SELECT pgtrickle.refresh_stream_table('category_summary');
SELECT category, product_count, avg_price, min_price, max_price, in_stock_count
FROM category_summary WHERE category = 'Books';
UPDATE products SET price = 19.99 WHERE price = 299.99;
SELECT pgtrickle.refresh_stream_table('category_summary');
SELECT category, product_count, avg_price, min_price, max_price, in_stock_count
FROM category_summary WHERE category = 'Electronics';
SELECT pgtrickle.drop_stream_table('category_summary');
DROP TABLE products;

-- Chapter 2: joins, aggregates and chains
CREATE TABLE departments (id SERIAL PRIMARY KEY, name TEXT NOT NULL, parent_id INT REFERENCES departments(id));
CREATE TABLE employees (
    id SERIAL PRIMARY KEY, name TEXT NOT NULL,
    department_id INT NOT NULL REFERENCES departments(id), salary NUMERIC(10,2) NOT NULL);
INSERT INTO departments (id, name, parent_id) VALUES (1, 'Company', NULL);
INSERT INTO departments (id, name, parent_id) VALUES (2, 'Engineering', 1), (3, 'Sales', 1), (4, 'Operations', 1);
INSERT INTO departments (id, name, parent_id) VALUES (5, 'Backend', 2), (6, 'Frontend', 2), (7, 'Platform', 2);
INSERT INTO employees (name, department_id, salary) VALUES
    ('Alice', 5, 120000), ('Bob', 5, 115000), ('Charlie', 6, 110000), ('Diana', 7, 130000),
    ('Eve', 3, 95000), ('Frank', 3, 90000), ('Grace', 4, 100000);
SELECT pgtrickle.create_stream_table(
    name => 'department_tree',
    query => $$
        WITH RECURSIVE tree AS (
            SELECT id, name, parent_id, name AS path, 0 AS depth FROM departments WHERE parent_id IS NULL
            UNION ALL
            SELECT d.id, d.name, d.parent_id, tree.path || ' > ' || d.name AS path, tree.depth + 1
            FROM departments d JOIN tree ON d.parent_id = tree.id
        )
        SELECT id, name, parent_id, path, depth FROM tree
    $$,
    schedule => '1s'
);
SELECT id, name, parent_id, path, depth FROM department_tree ORDER BY path;
SELECT pgtrickle.create_stream_table(
    name => 'department_stats',
    query => $$
        SELECT t.id AS department_id, t.name AS department_name, t.path AS full_path, t.depth,
               COUNT(e.id) AS headcount, COALESCE(SUM(e.salary), 0) AS total_salary,
               COALESCE(AVG(e.salary), 0) AS avg_salary
        FROM department_tree t LEFT JOIN employees e ON e.department_id = t.id
        GROUP BY t.id, t.name, t.path, t.depth
    $$,
    schedule => 'calculated'
);
SELECT department_name, full_path, headcount, total_salary FROM department_stats ORDER BY full_path;
SELECT pgtrickle.create_stream_table(
    name => 'department_report',
    query => $$
        SELECT split_part(full_path, ' > ', 2) AS division, SUM(headcount) AS total_headcount,
               SUM(total_salary) AS total_payroll
        FROM department_stats WHERE depth >= 1 GROUP BY 1
    $$,
    schedule => '1s'
);
SELECT division, total_headcount, total_payroll FROM department_report ORDER BY division;
SELECT name, refresh_mode, schedule FROM pgtrickle.pgt_status();
-- 2.4a: an INSERT ripples through
INSERT INTO employees (name, department_id, salary) VALUES ('Heidi', 6, 105000);
SELECT pgtrickle.refresh_stream_table('department_stats');
SELECT pgtrickle.refresh_stream_table('department_report');
SELECT department_name, headcount, total_salary FROM department_stats WHERE department_name = 'Frontend';
-- 2.4b: a new department cascades through the whole DAG
INSERT INTO departments (id, name, parent_id) VALUES (8, 'DevOps', 2);
SELECT pgtrickle.refresh_stream_table('department_tree');
SELECT pgtrickle.refresh_stream_table('department_stats');
SELECT pgtrickle.refresh_stream_table('department_report');
SELECT id, name, depth, path FROM department_tree WHERE name = 'DevOps';
-- 2.4c: one rename cascades everywhere
UPDATE departments SET name = 'R&D' WHERE id = 2;
SELECT pgtrickle.refresh_stream_table('department_tree');
SELECT pgtrickle.refresh_stream_table('department_stats');
SELECT pgtrickle.refresh_stream_table('department_report');
SELECT name, path FROM department_tree WHERE path LIKE '%R&D%' ORDER BY depth, name;
-- 2.4d: a DELETE
DELETE FROM employees WHERE name = 'Bob';
SELECT pgtrickle.refresh_stream_table('department_stats');
SELECT pgtrickle.refresh_stream_table('department_report');
SELECT department_name, headcount, total_salary, avg_salary FROM department_stats WHERE department_name = 'Backend';
SELECT division, total_headcount, total_payroll FROM department_report ORDER BY division;
-- how each layer was refreshed
SELECT stream_table, action, status FROM pgtrickle.refresh_timeline(100) ORDER BY start_time, stream_table;
-- clean up, downstream first
SELECT pgtrickle.drop_stream_table('department_report');
SELECT pgtrickle.drop_stream_table('department_stats');
SELECT pgtrickle.drop_stream_table('department_tree');
DROP TABLE employees, departments;
