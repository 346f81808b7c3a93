#pragma once
/// \file
/// Generated SQL as a typed tree: expressions, queries (SELECT, set operations, WITH) and
/// data-modifying statements are built as nodes and spelled by one renderer (render()). An
/// operator or function is resolved to its schema when its node is built — pg_catalog unless
/// the caller names another — so that the rendered SQL means the same whatever the session's
/// search_path; identifiers are quoted and compound expressions parenthesised by the renderer.
///
/// SQL that another part of the compiler has already rendered (a CTE's name, a node's relation,
/// an expression of the defining query rendered by sql::render) enters a tree as `rendered`.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/types.hpp"

namespace pgt::sql::tree {

struct expr_node;
struct query_node;
struct relation_node;

/// A value expression.
class expr {
public:
    explicit expr(std::shared_ptr<const expr_node> n) : node(std::move(n)) {}
    std::shared_ptr<const expr_node> node;
};

/// A query: a SELECT or a set operation of queries, with its WITH list if any.
class query {
public:
    explicit query(std::shared_ptr<const query_node> n) : node(std::move(n)) {}
    std::shared_ptr<const query_node> node;
};

/// A FROM item: a relation with its alias, a subquery, a join.
class relation {
public:
    explicit relation(std::shared_ptr<const relation_node> n) : node(std::move(n)) {}
    std::shared_ptr<const relation_node> node;
};

/// A type as a CAST spells it: a sql_type, or one of pg_catalog's by name (int8, bool, …).
struct type_name {
    type_name(const sql_type& t) : spelling(t.name) {} // NOLINT(google-explicit-constructor)
    static type_name catalog(std::string_view name) { return type_name("pg_catalog." + std::string(name)); }
    std::string spelling; ///< empty: no spelling (an unresolved literal), CAST leaves the value alone
private:
    explicit type_name(std::string s) : spelling(std::move(s)) {}
};

// ---- expressions ----------------------------------------------------------------------------

/// SQL rendered elsewhere (by this renderer, sql::builder or sql::render), used as it is.
expr rendered(std::string sql);
/// `alias."name"` (`"name"` without an alias).
expr col(std::string_view alias, std::string_view name);
/// `alias.*`.
expr all(std::string_view alias);
expr integer(std::int64_t v);
expr text(std::string_view v);
expr boolean(bool v);
expr null();
/// `$n`.
expr param(int n);

/// `(a OPERATOR(schema.o) b)`, pg_catalog's operator unless another schema is named.
expr op(std::string_view o, expr a, expr b, std::string_view schema = "pg_catalog");
expr eq(expr a, expr b);
expr ne(expr a, expr b);
expr lt(expr a, expr b);
expr le(expr a, expr b);
expr gt(expr a, expr b);
expr ge(expr a, expr b);
expr plus(expr a, expr b);
expr minus(expr a, expr b);
expr times(expr a, expr b);
/// `(OPERATOR(pg_catalog.-) x)`.
expr negate(expr x);
/// `(a o b)` for two values of `type`: pg_catalog's operator where the compiler knows the type
/// (sql::compared), else the bare operator found along the owner's pinned search_path.
expr compare(std::string_view o, expr a, expr b, const sql_type& type);

/// `schema.name(args…)`: pg_catalog's function unless another schema is named.
expr fn(std::string_view name, std::vector<expr> args, std::string_view schema = "pg_catalog");
/// `pg_catalog.count(*)`.
expr count_all();

/// A sort key: `value [ASC|DESC] [NULLS FIRST|LAST]`.
struct order_item {
    order_item(expr v, bool desc = false, std::optional<bool> nulls = std::nullopt, bool asc = false) // NOLINT
        : value(std::move(v)), descending(desc), nulls_first(nulls), ascending_spelled(asc) {}
    expr value;
    bool descending = false;
    std::optional<bool> nulls_first; ///< unset: the direction's default
    bool ascending_spelled = false;  ///< ASC written out
};

/// An aggregate's or window function's call: `name([DISTINCT] args [ORDER BY …])
/// [WITHIN GROUP (ORDER BY …)] [FILTER (WHERE …)] [OVER (PARTITION BY … ORDER BY …)]`.
struct call_options {
    bool star = false; ///< `name(*)`
    bool distinct = false;
    std::vector<order_item> order_by;
    bool within_group = false; ///< order_by as WITHIN GROUP (ordered-set aggregates)
    std::optional<expr> filter;
    bool window = false; ///< OVER (…), with the partition and window_order below
    std::vector<expr> partition;
    std::vector<order_item> window_order;
    std::string frame; ///< the window's frame clause as ir::frame_text spells it, if any
};
expr aggregate(std::string_view schema, std::string_view name, std::vector<expr> args, call_options options);
/// `CAST(x AS type)`; x unchanged when the type has no spelling.
expr cast(expr x, const type_name& type);

/// `(a AND b AND …)`, `(a OR b OR …)`; one operand stands alone.
expr all_of(std::vector<expr> items);
expr any_of(std::vector<expr> items);
expr negation(expr x);
expr is_null(expr x);
expr is_not_null(expr x);
/// `x` is (is not) the null value itself. `IS NULL` is true of a composite whose fields are
/// all NULL and `IS NOT NULL` false of one with some: for a type pg_trickle does not know
/// (composites among them), `x IS [NOT] DISTINCT FROM NULL`, which PostgreSQL's parser makes a
/// null test of the value itself (one an index can answer).
expr is_null(expr x, const sql_type& type);
expr is_not_null(expr x, const sql_type& type);
expr is_distinct(expr a, expr b);
expr is_not_distinct(expr a, expr b);
/// `(x IS NOT TRUE)`, `(x IS NOT FALSE)`: NULL counts as the other truth value.
expr is_not_true(expr x);
/// `(x IS TRUE)`: NULL counts as false.
expr is_true(expr x);
expr is_not_false(expr x);
/// `COALESCE(…)`, `GREATEST(…)`, `LEAST(…)`: SQL syntax, not functions a schema could shadow.
expr coalesce(std::vector<expr> items);
expr greatest(std::vector<expr> items);
expr least(std::vector<expr> items);
/// `(x AT TIME ZONE zone)`.
expr at_time_zone(expr x, expr zone);
/// `ROW(…)`.
expr row(std::vector<expr> items);
/// `CASE WHEN c₁ THEN v₁ … ELSE e END`.
struct when_then {
    expr when, then;
};
expr case_when(std::vector<when_then> branches);
expr case_when(std::vector<when_then> branches, expr otherwise);

/// `EXISTS (q)`, `x IN (q)`, `(q)` as a value.
expr exists(query q);
expr in(expr x, query q);
expr scalar(query q);
/// `x = ANY (ARRAY(values))` as sql::among spells it: a few keys an index serves.
expr among(expr x, query values, const sql_type& type);
/// `x OPERATOR(pg_catalog.=) ANY (ARRAY(values))`, for a type pg_catalog compares (tid, oid, …).
expr equals_any(expr x, query values);
/// `(a OPERATOR(schema.o) ANY (q))`, or `ALL (q)`: a comparison quantified over a subquery.
expr quantified(std::string_view o, expr a, bool any, query q, std::string_view schema = "pg_catalog");
/// The same over an array value: `(a OPERATOR(schema.o) ANY (array))`.
expr quantified(std::string_view o, expr a, bool any, expr array, std::string_view schema = "pg_catalog");

// ---- queries ---------------------------------------------------------------------------------

struct select_item {
    select_item(expr v) : value(std::move(v)) {} // NOLINT(google-explicit-constructor)
    select_item(expr v, std::string n) : value(std::move(v)), name(std::move(n)) {}
    expr value;
    std::string name; ///< `AS "name"` when not empty
};
/// `value AS "name"`.
inline select_item as(expr value, std::string name) { return {std::move(value), std::move(name)}; }

enum class join_kind { inner, left, right, full, cross };

/// A relation rendered elsewhere (a table or CTE name, a parenthesised SELECT) as `alias`;
/// `LATERAL (SELECT …) alias` when lateral.
relation from(std::string rendered_relation, std::string alias, bool lateral = false);
/// The same with its columns renamed: `relation alias("c₁", …)`.
relation from_renamed(std::string rendered_relation, std::string alias, std::vector<std::string> columns);
/// `(q) alias`; `LATERAL (q) alias` when lateral.
relation from(query q, std::string alias, bool lateral = false);
/// `function(…) alias`: a set-returning function's rows (it may read earlier FROM items);
/// `LATERAL function(…) alias` when lateral (the same: LATERAL is optional before a function).
relation from_function(expr call, std::string alias, bool lateral = false);
/// `[LATERAL] ROWS FROM (calls…) [WITH ORDINALITY] AS alias(columns…)`.
relation rows_from(std::vector<expr> calls, bool ordinality, std::string alias, std::vector<std::string> columns, bool lateral);
/// `[LATERAL] function AS alias(columns…)` for a table function rendered elsewhere (JSON_TABLE).
relation table_function(std::string rendered, std::string alias, std::vector<std::string> columns, bool lateral);
/// `left kind JOIN right ON condition` (`CROSS JOIN right` without one).
relation join(relation left, join_kind kind, relation right, std::optional<expr> condition = std::nullopt);
inline relation cross_join(relation left, relation right) { return join(std::move(left), join_kind::cross, std::move(right)); }

/// A SELECT, built field by field or through the chained setters.
struct select {
    select() = default;
    explicit select(std::vector<select_item> list) : items(std::move(list)) {}

    bool distinct = false;
    std::vector<expr> distinct_on; ///< DISTINCT ON (…) when not empty
    std::vector<select_item> items;
    std::vector<relation> from_items; ///< joined by commas
    std::optional<expr> where_condition;
    std::vector<expr> grouping;
    std::optional<expr> having_condition;
    std::vector<order_item> ordering;
    std::optional<expr> limit_count;
    std::optional<std::int64_t> offset_count;
    struct fetch {
        std::int64_t count;
        bool with_ties;
    };
    std::optional<fetch> fetch_first; ///< `OFFSET n ROWS FETCH FIRST m ROWS ONLY | WITH TIES`

    select& from(relation r) { from_items.push_back(std::move(r)); return *this; }
    select& from(std::string rendered_relation, std::string alias) { return from(tree::from(std::move(rendered_relation), std::move(alias))); }
    select& where(expr e) { where_condition = std::move(e); return *this; }
    select& group_by(std::vector<expr> keys) { grouping = std::move(keys); return *this; }
    select& having(expr e) { having_condition = std::move(e); return *this; }
    select& order_by(std::vector<order_item> keys) { ordering = std::move(keys); return *this; }
    select& limit(expr e) { limit_count = std::move(e); return *this; }
    select& offset(std::int64_t n) { offset_count = n; return *this; }
    operator query() const; // NOLINT(google-explicit-constructor)
};

/// `a UNION ALL b UNION ALL …` (UNION without `all`), `a EXCEPT ALL b`, `a INTERSECT ALL b`.
enum class set_kind { union_, except, intersect };
query set_operation(set_kind kind, bool all, std::vector<query> operands);
inline query union_all(std::vector<query> operands) { return set_operation(set_kind::union_, true, std::move(operands)); }

/// `VALUES (…), (…)` as a query.
query values(std::vector<std::vector<expr>> rows);
/// `(VALUES …) alias(c₁, …)` as a FROM item; `LATERAL (VALUES …)` when lateral.
relation from_values(std::vector<std::vector<expr>> rows, std::string alias, std::vector<std::string> columns, bool lateral = false);

struct with_item {
    with_item(std::string n, query b, std::string c = {}, bool m = false)
        : name(std::move(n)), body(std::move(b)), comment(std::move(c)), materialized(m) {}
    std::string name; ///< quoted, as the FROM items that read it spell it (sql::ident)
    query body;
    std::string comment;              ///< a `-- comment` line above it (the list is then one CTE a line)
    bool materialized = false;        ///< AS MATERIALIZED
    std::vector<std::string> columns; ///< `name (c₁, …)` when not empty
};
/// `WITH [RECURSIVE] name AS (body), … q`.
query with(std::vector<with_item> items, query q, bool recursive = false);

// ---- data-modifying statements -----------------------------------------------------------------

struct assignment {
    std::string column;
    expr value;
};

/// `INSERT INTO target (columns…) q [RETURNING …]`.
struct insert {
    std::string target; ///< rendered (qualified) relation name
    std::vector<std::string> columns;
    query rows;
    std::vector<select_item> returning;
};
/// `INSERT INTO target AS alias (columns…) q ON CONFLICT (arbiter…) DO UPDATE SET … [WHERE …]
/// [RETURNING …]`: `excluded` names the row that conflicted. Without `set`, `DO NOTHING`.
struct upsert {
    std::string target, alias;
    std::vector<std::string> columns;
    query rows;
    std::vector<std::string> arbiter; ///< the columns of the unique index rows conflict on
    std::vector<assignment> set;
    std::optional<expr> where_condition;
    std::vector<select_item> returning;
};
/// `UPDATE target alias SET … [FROM …] [WHERE …] [RETURNING …]`.
struct update {
    std::string target, alias;
    std::vector<assignment> set;
    std::vector<relation> from_items;
    std::optional<expr> where_condition;
    std::vector<select_item> returning;
};
/// `DELETE FROM target alias [USING …] [WHERE …] [RETURNING …]`.
struct delete_from {
    std::string target, alias;
    std::vector<relation> using_items;
    std::optional<expr> where_condition;
    std::vector<select_item> returning;
};

/// `MERGE INTO target alias USING source ON condition WHEN …`.
struct merge {
    struct when_matched {
        std::optional<expr> condition;
        std::vector<assignment> set; ///< THEN UPDATE SET …; empty: THEN DELETE
    };
    struct when_not_matched {
        std::optional<expr> condition;
        std::vector<std::string> columns;
        std::vector<expr> values; ///< THEN INSERT (columns) VALUES (values)
    };
    std::string target, alias;
    relation source;
    expr condition;
    std::vector<when_matched> matched;
    std::vector<when_not_matched> not_matched;
};

// ---- rendering ---------------------------------------------------------------------------------

/// `(q)`: a query as a relation or value for SQL kept as text (a CTE body, a node's relation).
std::string parenthesised(const query& q);
/// A query rendered elsewhere (by this renderer), used as it is: a CTE body kept as text.
query rendered_query(std::string sql);
/// Sort keys as ORDER BY (or an index definition) lists them.
std::string render(const std::vector<order_item>& keys);

std::string render(const expr& e);
std::string render(const query& q);
std::string render(const relation& r);
std::string render(const insert& s);
std::string render(const upsert& s);
std::string render(const update& s);
std::string render(const delete_from& s);
std::string render(const merge& s);
/// Expressions separated by commas.
std::string render(const std::vector<expr>& items);
/// Items as a select list renders them: `a AS "x", b`.
std::string render(const std::vector<select_item>& items);

} // namespace pgt::sql::tree
