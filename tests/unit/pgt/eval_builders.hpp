#pragma once
// Shorthands for the oracle's tests: IR expressions built in one line, and results rendered as
// psql shows them, so that expected values can be PostgreSQL's own answers, pasted verbatim.

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "pgt/error.hpp"
#include "pgt/eval.hpp"
#include "pgt/ir/expr.hpp"
#include "pgt/value.hpp"

namespace pgt::test {

using ir::expr_kind;
using ir::expr_ptr;

inline sql_type ty(std::string_view name) { return parse_type_name(std::string(name)); }

inline expr_ptr lit(std::string text, std::string_view type) { return ir::make_constant(std::move(text), ty(type)); }
inline expr_ptr null_of(std::string_view type) { return ir::make_constant(std::nullopt, ty(type)); }
inline expr_ptr col(int index, std::string_view type) { return ir::make_column(index, ty(type)); }

inline expr_ptr i2(std::string v) { return lit(std::move(v), "int2"); }
inline expr_ptr i4(std::string v) { return lit(std::move(v), "int4"); }
inline expr_ptr i8(std::string v) { return lit(std::move(v), "int8"); }
inline expr_ptr num(std::string v) { return lit(std::move(v), "numeric"); }
inline expr_ptr f4(std::string v) { return lit(std::move(v), "float4"); }
inline expr_ptr f8(std::string v) { return lit(std::move(v), "float8"); }
inline expr_ptr txt(std::string v) { return lit(std::move(v), "text"); }
inline expr_ptr date(std::string v) { return lit(std::move(v), "date"); }
inline expr_ptr ts(std::string v) { return lit(std::move(v), "timestamp"); }
inline expr_ptr tstz(std::string v) { return lit(std::move(v), "timestamptz"); }
inline expr_ptr boolean(bool v) { return lit(v ? "t" : "f", "bool"); }
inline expr_ptr null_bool() { return null_of("bool"); }

/// Operator `name` with result type `type`.
inline expr_ptr op(std::string name, std::string_view type, std::vector<expr_ptr> args) {
    return ir::make_call(expr_kind::op, "pg_catalog", std::move(name), ty(type), std::move(args));
}
/// pg_catalog function `name` with result type `type`.
inline expr_ptr fn(std::string name, std::string_view type, std::vector<expr_ptr> args) {
    return ir::make_call(expr_kind::func, "pg_catalog", std::move(name), ty(type), std::move(args));
}
inline expr_ptr node(expr_kind kind, std::string_view type, std::vector<expr_ptr> args, bool negated = false) {
    auto e = std::make_shared<ir::expr>(*ir::make_node(kind, ty(type), std::move(args)));
    e->negated = negated;
    return e;
}
/// CASE WHEN a0 THEN a1 … [ELSE last].
inline expr_ptr case_when(std::string_view type, std::vector<expr_ptr> args, bool has_else) {
    auto e = std::make_shared<ir::expr>(*ir::make_node(expr_kind::case_, ty(type), std::move(args)));
    e->has_else = has_else;
    return e;
}
inline expr_ptr cast(expr_ptr e, std::string_view type) { return ir::make_node(expr_kind::cast, ty(type), {std::move(e)}); }

/// "ERROR <sqlstate>: <message>" for a pgt::error, as the expected-value tables spell errors.
inline std::string error_text(const error& e) { return "ERROR " + e.code() + ": " + e.what(); }

/// psql's rendering: the value's text, NULL, or the error.
inline std::string show_value(const value& v, const sql_type& type) {
    return is_null(v) ? "NULL" : to_text(v, type);
}
inline std::string show(const expr_ptr& e, const row& input = {}) {
    try {
        return show_value(eval(*e, input), e->type);
    } catch (const error& err) {
        return error_text(err);
    }
}

/// A table entry: the SQL PostgreSQL was asked, the same expression as IR, its answer.
struct server_case {
    const char* sql;
    expr_ptr expr;
    const char* expected;
};

/// Checks every entry, naming the failing one by its SQL.
inline void check_all(const std::vector<server_case>& cases) {
    for (const auto& c : cases) {
        INFO(c.sql);
        CHECK(show(c.expr) == c.expected);
    }
}

} // namespace pgt::test
