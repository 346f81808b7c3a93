// The statement tree's nodes and its one renderer: every keyword, operator and quote of the
// SQL pg_trickle generates from a tree is written here.
#include "pgt/sql/tree.hpp"

#include <variant>

#include "pgt/sql/builder.hpp"

namespace pgt::sql::tree {

namespace {
struct verbatim { std::string sql; };
struct column_ref { std::string alias, name; };
struct all_columns { std::string alias; };
struct constant { std::string sql; }; // a literal, already spelled
struct binary_op { std::string schema, name; expr a, b; };
struct negated { expr x; };
struct function_call { std::string schema, name; std::vector<expr> args; call_options options; };
struct cast_to { expr x; std::string type; };
struct connective { std::string word; std::vector<expr> items; };
struct not_op { expr x; };
struct postfix { expr x; std::string test; }; // IS NULL, IS NOT NULL
struct distinct_test { expr a, b; bool distinct; };
struct syntax_call { std::string word; std::vector<expr> items; }; // COALESCE, GREATEST, ROW, …
struct case_expr { std::vector<when_then> branches; std::optional<expr> otherwise; };
struct exists_test { query q; };
struct in_test { expr x; query q; };
struct scalar_query { query q; };
struct quantified_test { std::string schema, name; expr a; bool any; query q; };
struct quantified_array { std::string schema, name; expr a; bool any; expr array; };
} // namespace

struct expr_node {
    std::variant<verbatim, column_ref, all_columns, constant, binary_op, negated, function_call, cast_to, connective,
                 not_op, postfix, distinct_test, syntax_call, case_expr, exists_test, in_test, scalar_query, quantified_test,
                 quantified_array>
        v;
};

namespace {
struct set_op { set_kind kind; bool all; std::vector<query> operands; };
struct values_list { std::vector<std::vector<expr>> rows; };
struct verbatim_query { std::string sql; };
struct with_query { std::vector<with_item> items; query body; bool recursive; };
} // namespace

struct query_node {
    std::variant<select, set_op, with_query, values_list, verbatim_query> v;
};

namespace {
struct named_relation { std::string sql, alias; bool lateral = false; std::vector<std::string> columns = {}; };
struct subquery { query q; std::string alias; bool lateral; std::vector<std::string> columns; };
struct function_rows { std::string sql, alias; std::vector<std::string> columns; bool lateral; };
struct joined { relation left; join_kind kind; relation right; std::optional<expr> condition; };
} // namespace

struct relation_node {
    std::variant<named_relation, subquery, function_rows, joined> v;
};

namespace {
template <class T>
expr make(T node) { return expr(std::make_shared<const expr_node>(expr_node{std::move(node)})); }
template <class T>
query make_query(T node) { return query(std::make_shared<const query_node>(query_node{std::move(node)})); }
template <class T>
relation make_relation(T node) { return relation(std::make_shared<const relation_node>(relation_node{std::move(node)})); }
} // namespace

expr rendered(std::string s) { return make(verbatim{std::move(s)}); }
expr col(std::string_view alias, std::string_view name) { return make(column_ref{std::string(alias), std::string(name)}); }
expr all(std::string_view alias) { return make(all_columns{std::string(alias)}); }
expr integer(std::int64_t v) { return make(constant{std::to_string(v)}); }
expr text(std::string_view v) { return make(constant{literal(v)}); }
expr boolean(bool v) { return make(constant{v ? "true" : "false"}); }
expr null() { return make(constant{"NULL"}); }
expr param(int n) { return make(constant{"$" + std::to_string(n)}); }

expr op(std::string_view o, expr a, expr b, std::string_view schema) {
    return make(binary_op{std::string(schema), std::string(o), std::move(a), std::move(b)});
}
expr eq(expr a, expr b) { return op("=", std::move(a), std::move(b)); }
expr ne(expr a, expr b) { return op("<>", std::move(a), std::move(b)); }
expr lt(expr a, expr b) { return op("<", std::move(a), std::move(b)); }
expr le(expr a, expr b) { return op("<=", std::move(a), std::move(b)); }
expr gt(expr a, expr b) { return op(">", std::move(a), std::move(b)); }
expr ge(expr a, expr b) { return op(">=", std::move(a), std::move(b)); }
expr plus(expr a, expr b) { return op("+", std::move(a), std::move(b)); }
expr minus(expr a, expr b) { return op("-", std::move(a), std::move(b)); }
expr times(expr a, expr b) { return op("*", std::move(a), std::move(b)); }
expr negate(expr x) { return make(negated{std::move(x)}); }
expr compare(std::string_view o, expr a, expr b, const sql_type& type) {
    return rendered(compared(o, render(a), render(b), type));
}

expr fn(std::string_view name, std::vector<expr> args, std::string_view schema) {
    return make(function_call{std::string(schema), std::string(name), std::move(args), {}});
}
expr count_all() {
    call_options star;
    star.star = true;
    return make(function_call{"pg_catalog", "count", {}, std::move(star)});
}
expr aggregate(std::string_view schema, std::string_view name, std::vector<expr> args, call_options options) {
    return make(function_call{std::string(schema), std::string(name), std::move(args), std::move(options)});
}
expr cast(expr x, const type_name& type) {
    if (type.spelling.empty()) return x;
    return make(cast_to{std::move(x), type.spelling});
}

expr all_of(std::vector<expr> items) { return items.size() == 1 ? items.front() : make(connective{"AND", std::move(items)}); }
expr any_of(std::vector<expr> items) { return items.size() == 1 ? items.front() : make(connective{"OR", std::move(items)}); }
expr negation(expr x) { return make(not_op{std::move(x)}); }
expr is_null(expr x) { return make(postfix{std::move(x), "IS NULL"}); }
expr is_not_null(expr x) { return make(postfix{std::move(x), "IS NOT NULL"}); }
expr is_null(expr x, const sql_type& type) {
    return type.kind == type_kind::other ? is_not_distinct(std::move(x), null()) : is_null(std::move(x));
}
expr is_not_null(expr x, const sql_type& type) {
    return type.kind == type_kind::other ? is_distinct(std::move(x), null()) : is_not_null(std::move(x));
}
expr is_distinct(expr a, expr b) { return make(distinct_test{std::move(a), std::move(b), true}); }
expr is_not_distinct(expr a, expr b) { return make(distinct_test{std::move(a), std::move(b), false}); }
expr is_not_true(expr x) { return make(postfix{std::move(x), "IS NOT TRUE"}); }
expr is_true(expr x) { return make(postfix{std::move(x), "IS TRUE"}); }
expr is_not_false(expr x) { return make(postfix{std::move(x), "IS NOT FALSE"}); }
expr coalesce(std::vector<expr> items) { return make(syntax_call{"COALESCE", std::move(items)}); }
expr greatest(std::vector<expr> items) { return make(syntax_call{"GREATEST", std::move(items)}); }
expr least(std::vector<expr> items) { return make(syntax_call{"LEAST", std::move(items)}); }
expr at_time_zone(expr x, expr zone) { return rendered("(" + render(x) + " AT TIME ZONE " + render(zone) + ")"); }
expr row(std::vector<expr> items) { return make(syntax_call{"ROW", std::move(items)}); }
expr case_when(std::vector<when_then> branches) { return make(case_expr{std::move(branches), std::nullopt}); }
expr case_when(std::vector<when_then> branches, expr otherwise) { return make(case_expr{std::move(branches), std::move(otherwise)}); }
expr exists(query q) { return make(exists_test{std::move(q)}); }
expr in(expr x, query q) { return make(in_test{std::move(x), std::move(q)}); }
expr scalar(query q) { return make(scalar_query{std::move(q)}); }
expr among(expr x, query values, const sql_type& type) { return rendered(sql::among(render(x), render(values), type)); }
expr equals_any(expr x, query values) { return rendered(render(x) + " " + sql::op("=") + " ANY (ARRAY(" + render(values) + "))"); }
expr quantified(std::string_view o, expr a, bool any, query q, std::string_view schema) {
    return make(quantified_test{std::string(schema), std::string(o), std::move(a), any, std::move(q)});
}
expr quantified(std::string_view o, expr a, bool any, expr array, std::string_view schema) {
    return make(quantified_array{std::string(schema), std::string(o), std::move(a), any, std::move(array)});
}

relation from(std::string rendered_relation, std::string alias, bool lateral) {
    return make_relation(named_relation{std::move(rendered_relation), std::move(alias), lateral});
}
relation from_renamed(std::string rendered_relation, std::string alias, std::vector<std::string> columns) {
    return make_relation(named_relation{std::move(rendered_relation), std::move(alias), false, std::move(columns)});
}
relation from(query q, std::string alias, bool lateral) { return make_relation(subquery{std::move(q), std::move(alias), lateral, {}}); }
relation from_values(std::vector<std::vector<expr>> rows, std::string alias, std::vector<std::string> columns, bool lateral) {
    return make_relation(subquery{values(std::move(rows)), std::move(alias), lateral, std::move(columns)});
}
relation from_function(expr call, std::string alias, bool lateral) {
    return make_relation(named_relation{render(call), std::move(alias), lateral});
}
relation table_function(std::string rendered, std::string alias, std::vector<std::string> columns, bool lateral) {
    return make_relation(function_rows{std::move(rendered), std::move(alias), std::move(columns), lateral});
}
relation rows_from(std::vector<expr> calls, bool ordinality, std::string alias, std::vector<std::string> columns, bool lateral) {
    std::string sql = "ROWS FROM (";
    for (std::size_t i = 0; i < calls.size(); ++i) sql += (i ? ", " : "") + render(calls[i]);
    sql += ordinality ? ") WITH ORDINALITY" : ")";
    return table_function(std::move(sql), std::move(alias), std::move(columns), lateral);
}
relation join(relation left, join_kind kind, relation right, std::optional<expr> condition) {
    return make_relation(joined{std::move(left), kind, std::move(right), std::move(condition)});
}

select::operator query() const { return make_query(*this); }
query set_operation(set_kind kind, bool all, std::vector<query> operands) {
    return make_query(set_op{kind, all, std::move(operands)});
}
query values(std::vector<std::vector<expr>> rows) { return make_query(values_list{std::move(rows)}); }
query with(std::vector<with_item> items, query q, bool recursive) {
    return make_query(with_query{std::move(items), std::move(q), recursive});
}

// ---- the renderer ------------------------------------------------------------------------------

namespace {
std::string list(const std::vector<expr>& items, std::string_view sep = ", ") {
    std::string r;
    for (std::size_t i = 0; i < items.size(); ++i) r += (i ? std::string(sep) : "") + render(items[i]);
    return r;
}

/// `"a", "b"`.
std::string names(const std::vector<std::string>& columns) {
    std::string r;
    for (std::size_t i = 0; i < columns.size(); ++i) r += (i ? ", " : "") + ident(columns[i]);
    return r;
}

std::string qualified_name(const std::string& schema, const std::string& name) {
    return schema.empty() ? name : schema + "." + name;
}

struct expr_renderer {
    std::string operator()(const verbatim& n) const { return n.sql; }
    std::string operator()(const column_ref& n) const { return n.alias.empty() ? ident(n.name) : column(n.alias, n.name); }
    std::string operator()(const all_columns& n) const { return n.alias.empty() ? "*" : n.alias + ".*"; }
    std::string operator()(const constant& n) const { return n.sql; }
    std::string operator()(const binary_op& n) const {
        const std::string o = n.schema.empty() ? n.name : sql::op(n.name, n.schema);
        return "(" + render(n.a) + " " + o + " " + render(n.b) + ")";
    }
    std::string operator()(const negated& n) const { return "(" + sql::op("-") + " " + render(n.x) + ")"; }
    std::string operator()(const function_call& n) const;
    std::string operator()(const cast_to& n) const { return "CAST(" + render(n.x) + " AS " + n.type + ")"; }
    std::string operator()(const connective& n) const { return "(" + list(n.items, " " + n.word + " ") + ")"; }
    std::string operator()(const not_op& n) const { return "(NOT " + render(n.x) + ")"; }
    std::string operator()(const postfix& n) const { return "(" + render(n.x) + " " + n.test + ")"; }
    std::string operator()(const distinct_test& n) const {
        return "(" + render(n.a) + (n.distinct ? " IS DISTINCT FROM " : " IS NOT DISTINCT FROM ") + render(n.b) + ")";
    }
    std::string operator()(const syntax_call& n) const { return n.word + "(" + list(n.items) + ")"; }
    std::string operator()(const case_expr& n) const {
        std::string r = "CASE";
        for (const auto& b : n.branches) r += " WHEN " + render(b.when) + " THEN " + render(b.then);
        if (n.otherwise) r += " ELSE " + render(*n.otherwise);
        return r + " END";
    }
    std::string operator()(const exists_test& n) const { return "EXISTS (" + render(n.q) + ")"; }
    std::string operator()(const in_test& n) const { return "(" + render(n.x) + " IN (" + render(n.q) + "))"; }
    std::string operator()(const scalar_query& n) const { return "(" + render(n.q) + ")"; }
    std::string operator()(const quantified_test& n) const {
        return "(" + render(n.a) + " " + sql::op(n.name, n.schema) + (n.any ? " ANY (" : " ALL (") + render(n.q) + "))";
    }
    std::string operator()(const quantified_array& n) const {
        return "(" + render(n.a) + " " + sql::op(n.name, n.schema) + (n.any ? " ANY (" : " ALL (") + render(n.array) + "))";
    }
};

std::string order_list(const std::vector<order_item>& items);

std::string expr_renderer::operator()(const function_call& n) const {
    const call_options& o = n.options;
    std::string r = qualified_name(n.schema, n.name) + "(" + (o.distinct ? "DISTINCT " : "") + (o.star ? "*" : list(n.args));
    if (!o.order_by.empty() && !o.within_group) r += " ORDER BY " + order_list(o.order_by);
    r += ")";
    if (o.within_group) r += " WITHIN GROUP (ORDER BY " + order_list(o.order_by) + ")";
    if (o.filter) r += " FILTER (WHERE " + render(*o.filter) + ")";
    if (o.window) {
        std::string over;
        if (!o.partition.empty()) over = "PARTITION BY " + list(o.partition);
        if (!o.window_order.empty()) over += (over.empty() ? "" : " ") + std::string("ORDER BY ") + order_list(o.window_order);
        if (!o.frame.empty()) over += (over.empty() ? "" : " ") + o.frame;
        r += " OVER (" + over + ")";
    }
    return r;
}

std::string relations(const std::vector<relation>& items) {
    std::string r;
    for (std::size_t i = 0; i < items.size(); ++i) r += (i ? ", " : "") + render(items[i]);
    return r;
}

std::string order_list(const std::vector<order_item>& items) {
    std::string r;
    for (std::size_t i = 0; i < items.size(); ++i) {
        r += (i ? ", " : "") + render(items[i].value) + (items[i].descending ? " DESC" : items[i].ascending_spelled ? " ASC" : "");
        if (items[i].nulls_first) r += *items[i].nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
    return r;
}

std::string select_sql(const select& s) {
    std::string r = s.distinct ? "SELECT DISTINCT " : "SELECT ";
    if (!s.distinct_on.empty()) r += "DISTINCT ON (" + list(s.distinct_on) + ") ";
    r += render(s.items);
    if (!s.from_items.empty()) r += " FROM " + relations(s.from_items);
    if (s.where_condition) r += " WHERE " + render(*s.where_condition);
    if (!s.grouping.empty()) r += " GROUP BY " + list(s.grouping);
    if (s.having_condition) r += " HAVING " + render(*s.having_condition);
    if (!s.ordering.empty()) r += " ORDER BY " + order_list(s.ordering);
    if (s.limit_count) r += " LIMIT " + render(*s.limit_count);
    if (s.offset_count) r += " OFFSET " + std::to_string(*s.offset_count) + (s.fetch_first ? " ROWS" : "");
    if (s.fetch_first)
        r += " FETCH FIRST " + std::to_string(s.fetch_first->count) + (s.fetch_first->with_ties ? " ROWS WITH TIES" : " ROWS ONLY");
    return r;
}

/// A set operation's operand: a plain SELECT as it is, anything else parenthesised.
std::string operand(const query& q) {
    const select* s = std::get_if<select>(&q.node->v);
    const bool plain = s && s->ordering.empty() && !s->limit_count && !s->offset_count && !s->fetch_first;
    return plain ? render(q) : "(" + render(q) + ")";
}

struct query_renderer {
    std::string operator()(const select& s) const { return select_sql(s); }
    std::string operator()(const set_op& s) const {
        const char* word = s.kind == set_kind::union_ ? "UNION" : s.kind == set_kind::except ? "EXCEPT" : "INTERSECT";
        std::string r;
        for (std::size_t i = 0; i < s.operands.size(); ++i)
            r += (i ? std::string(" ") + word + (s.all ? " ALL " : " ") : "") + operand(s.operands[i]);
        return r;
    }
    std::string operator()(const values_list& v) const {
        std::string r = "VALUES ";
        for (std::size_t i = 0; i < v.rows.size(); ++i) r += (i ? ", (" : "(") + list(v.rows[i]) + ")";
        return r;
    }
    std::string operator()(const verbatim_query& v) const { return v.sql; }
    std::string operator()(const with_query& w) const {
        // With comments, one CTE a line and its body on lines of its own (readable in explain_st).
        bool commented = false;
        for (const auto& item : w.items) commented = commented || !item.comment.empty();
        const char* open = commented ? " (\n" : " (";
        const char* close = commented ? "\n)" : ")";
        std::string r = w.recursive ? "WITH RECURSIVE" : "WITH";
        r += commented ? "\n" : " ";
        for (std::size_t i = 0; i < w.items.size(); ++i) {
            const auto& item = w.items[i];
            if (i) r += commented ? ",\n" : ", ";
            if (!item.comment.empty()) r += "-- " + item.comment + "\n";
            r += item.name;
            if (!item.columns.empty()) r += " (" + names(item.columns) + ")";
            r += std::string(item.materialized ? " AS MATERIALIZED" : " AS") + open + render(item.body) + close;
        }
        return r + (commented ? "\n" : " ") + render(w.body);
    }
};

struct relation_renderer {
    std::string operator()(const named_relation& n) const {
        std::string r = (n.lateral ? "LATERAL " : "") + n.sql + (n.alias.empty() ? "" : " " + n.alias);
        if (!n.columns.empty()) r += "(" + names(n.columns) + ")";
        return r;
    }
    std::string operator()(const subquery& n) const {
        std::string r = (n.lateral ? "LATERAL (" : "(") + render(n.q) + ") " + n.alias;
        if (!n.columns.empty()) r += "(" + names(n.columns) + ")";
        return r;
    }
    std::string operator()(const function_rows& n) const {
        return (n.lateral ? "LATERAL " : "") + n.sql + " AS " + n.alias + "(" + names(n.columns) + ")";
    }
    std::string operator()(const joined& n) const {
        const char* word = n.kind == join_kind::inner  ? " JOIN "
                           : n.kind == join_kind::left  ? " LEFT JOIN "
                           : n.kind == join_kind::right ? " RIGHT JOIN "
                           : n.kind == join_kind::full  ? " FULL JOIN "
                                                        : " CROSS JOIN ";
        return render(n.left) + word + render(n.right) + (n.condition ? " ON " + render(*n.condition) : "");
    }
};

std::string returning(const std::vector<select_item>& items) {
    return items.empty() ? "" : " RETURNING " + render(items);
}
} // namespace

std::string render(const expr& e) { return std::visit(expr_renderer{}, e.node->v); }
std::string render(const query& q) { return std::visit(query_renderer{}, q.node->v); }
std::string render(const relation& r) { return std::visit(relation_renderer{}, r.node->v); }
std::string parenthesised(const query& q) { return "(" + render(q) + ")"; }
query rendered_query(std::string sql) { return make_query(verbatim_query{std::move(sql)}); }
std::string render(const std::vector<order_item>& keys) { return order_list(keys); }

std::string render(const std::vector<expr>& items) { return list(items); }

std::string render(const std::vector<select_item>& items) {
    std::string r;
    for (std::size_t i = 0; i < items.size(); ++i) {
        r += (i ? ", " : "") + render(items[i].value);
        if (!items[i].name.empty()) r += " AS " + ident(items[i].name);
    }
    return r;
}

std::string render(const insert& s) {
    std::string r = "INSERT INTO " + s.target;
    if (!s.columns.empty()) r += " (" + names(s.columns) + ")";
    return r + " " + render(s.rows) + returning(s.returning);
}

namespace {
std::string assignments(const std::vector<assignment>& set) {
    std::string r;
    for (std::size_t i = 0; i < set.size(); ++i) r += (i ? ", " : "") + ident(set[i].column) + " = " + render(set[i].value);
    return r;
}
} // namespace

std::string render(const update& s) {
    std::string r = "UPDATE " + s.target + (s.alias.empty() ? "" : " " + s.alias) + " SET " + assignments(s.set);
    if (!s.from_items.empty()) r += " FROM " + relations(s.from_items);
    if (s.where_condition) r += " WHERE " + render(*s.where_condition);
    return r + returning(s.returning);
}

std::string render(const upsert& s) {
    std::string r = "INSERT INTO " + s.target + " AS " + s.alias + " (" + names(s.columns) + ") " + render(s.rows) +
                    " ON CONFLICT (" + names(s.arbiter) + ")";
    if (s.set.empty()) return r + " DO NOTHING" + returning(s.returning);
    r += " DO UPDATE SET " + assignments(s.set);
    if (s.where_condition) r += " WHERE " + render(*s.where_condition);
    return r + returning(s.returning);
}

std::string render(const delete_from& s) {
    std::string r = "DELETE FROM " + s.target + (s.alias.empty() ? "" : " " + s.alias);
    if (!s.using_items.empty()) r += " USING " + relations(s.using_items);
    if (s.where_condition) r += " WHERE " + render(*s.where_condition);
    return r + returning(s.returning);
}

std::string render(const merge& s) {
    std::string r = "MERGE INTO " + s.target + " " + s.alias + " USING " + render(s.source) + " ON " + render(s.condition);
    for (const auto& m : s.matched) {
        r += " WHEN MATCHED" + (m.condition ? " AND " + render(*m.condition) : std::string());
        r += m.set.empty() ? " THEN DELETE" : " THEN UPDATE SET " + assignments(m.set);
    }
    for (const auto& m : s.not_matched)
        r += " WHEN NOT MATCHED" + (m.condition ? " AND " + render(*m.condition) : std::string()) + " THEN INSERT (" +
             names(m.columns) + ") VALUES (" + list(m.values) + ")";
    return r;
}

} // namespace pgt::sql::tree
