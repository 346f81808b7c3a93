#include "pgt/sql/builder.hpp"
#include "../value/typmod.hpp"

#include <cctype>

namespace pgt::sql {

std::string ident(std::string_view name) {
    std::string r = "\"";
    for (char c : name) {
        if (c == '"') r += '"';
        r += c;
    }
    return r += '"';
}

std::string qualified(std::string_view schema, std::string_view name) {
    return schema.empty() ? ident(name) : ident(schema) + "." + ident(name);
}

std::string literal(std::string_view text) {
    std::string r = "'";
    for (char c : text) {
        if (c == '\'') r += '\'';
        r += c;
    }
    return r += '\'';
}

std::string column(std::string_view alias, std::string_view name) {
    return std::string(alias) + "." + ident(name);
}

std::string op(std::string_view name, std::string_view schema) {
    return "OPERATOR(" + std::string(schema) + "." + std::string(name) + ")";
}

std::string binary(std::string_view o, const std::string& a, const std::string& b) {
    return "(" + a + " " + op(o) + " " + b + ")";
}

std::string call(std::string_view name, const std::vector<std::string>& args, std::string_view schema) {
    return std::string(schema) + "." + std::string(name) + "(" + join(args) + ")";
}

std::string cast(const std::string& x, const sql_type& type) {
    if (type.name.empty()) return x;
    return "CAST(" + x + " AS " + type.name + ")";
}

std::string typed_null(const sql_type& type) { return cast("NULL", type); }

namespace {
/// The types the compiler knows sort and hash, and their equality is as good as identity for
/// the row ids, which hash their values: they are their own images.
bool own_image(const sql_type& type) { return type.kind != type_kind::other && type.kind != type_kind::unknown; }

/// Arrays, and the two catalog types a polymorphic call takes as arrays (int2vector and
/// oidvector: array_agg or ARRAY(…) of them stacks their elements into a bigger array).
bool array_like(const sql_type& type) {
    if (type.name.ends_with("]")) return true;
    std::string_view name = type.name;
    if (name.starts_with("pg_catalog.")) name.remove_prefix(11);
    return name == "int2vector" || name == "oidvector";
}
} // namespace

bool catalog_operators(const sql_type& type) { return own_image(type) || array_like(type); }

std::string compared(std::string_view o, const std::string& a, const std::string& b, const sql_type& type) {
    if (catalog_operators(type)) return binary(o, a, b);
    return "(" + a + " " + std::string(o) + " " + b + ")";
}

std::string among(const std::string& x, const std::string& values, const sql_type& type) {
    const std::string eq = catalog_operators(type) ? op("=") : "=";
    // An array's ARRAY(…) would be a multidimensional array of its elements: = ANY (subquery).
    if (array_like(type)) return x + " " + eq + " ANY (" + values + ")";
    return x + " " + eq + " ANY (ARRAY(" + values + "))";
}

std::string text_array(const std::vector<std::string>& items) {
    return items.empty() ? "CAST(ARRAY[] AS pg_catalog.text[])" : "ARRAY[" + join(items) + "]";
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string r;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) r += sep;
        r += items[i];
    }
    return r;
}

namespace {

/// A value of each known type to stand in for NULL in hashable null-safe comparisons.
std::string neutral_value(const sql_type& t) {
    switch (t.kind) {
    case type_kind::boolean: return "false";
    case type_kind::int2:
    case type_kind::int4:
    case type_kind::int8:
    case type_kind::numeric:
    case type_kind::float4:
    case type_kind::float8: return cast("0", t);
    case type_kind::text:
    case type_kind::varchar:
    case type_kind::bpchar: return cast("''", t);
    case type_kind::date:
    case type_kind::timestamp:
    case type_kind::timestamptz: return cast("'2000-01-01'", t);
    case type_kind::interval: return cast("'0'", t);
    case type_kind::unknown:
    case type_kind::other: break;
    }
    return {};
}

std::string render_list(const ir::expr& e, const std::function<std::string(int)>& col,
                        std::size_t from = 0) {
    std::vector<std::string> parts;
    for (std::size_t i = from; i < e.args.size(); ++i) parts.push_back(render(*e.args[i], col));
    return join(parts);
}

} // namespace

std::string render(const ir::expr& e, const std::function<std::string(int)>& col) {
    auto arg = [&](std::size_t i) { return render(*e.args.at(i), col); };
    switch (e.kind) {
    case ir::expr_kind::column: return col(e.index);
    case ir::expr_kind::constant:
        if (!e.literal) return e.type.kind == type_kind::unknown ? "NULL" : typed_null(e.type);
        return e.type.kind == type_kind::unknown ? literal(*e.literal) : cast(literal(*e.literal), e.type);
    case ir::expr_kind::op: {
        const std::string schema = e.schema.empty() ? "pg_catalog" : e.schema;
        if (e.args.size() == 1) return "(" + op(e.name, schema) + " " + arg(0) + ")";
        return "(" + arg(0) + " " + op(e.name, schema) + " " + arg(1) + ")";
    }
    case ir::expr_kind::func:
        return call(e.name, [&] {
            std::vector<std::string> a;
            for (std::size_t i = 0; i < e.args.size(); ++i) a.push_back(arg(i));
            return a;
        }(), e.schema.empty() ? "pg_catalog" : e.schema);
    case ir::expr_kind::and_:
    case ir::expr_kind::or_: {
        std::vector<std::string> parts;
        for (std::size_t i = 0; i < e.args.size(); ++i) parts.push_back(arg(i));
        return "(" + join(parts, e.kind == ir::expr_kind::and_ ? " AND " : " OR ") + ")";
    }
    case ir::expr_kind::not_: return "(NOT " + arg(0) + ")";
    case ir::expr_kind::case_: {
        std::string r = "(CASE";
        const std::size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
        for (std::size_t i = 0; i < pairs; ++i) r += " WHEN " + arg(2 * i) + " THEN " + arg(2 * i + 1);
        if (e.has_else) r += " ELSE " + arg(e.args.size() - 1);
        return r + " END)";
    }
    case ir::expr_kind::coalesce: return "COALESCE(" + render_list(e, col) + ")";
    case ir::expr_kind::nullif: return "NULLIF(" + render_list(e, col) + ")";
    case ir::expr_kind::greatest: return "GREATEST(" + render_list(e, col) + ")";
    case ir::expr_kind::least: return "LEAST(" + render_list(e, col) + ")";
    case ir::expr_kind::is_null: return "(" + arg(0) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
    case ir::expr_kind::is_distinct_from:
        // The compiler's own matches of a value (a lifted subquery's D) on a type without
        // equality (path, json, …) compare images; a query's own IS DISTINCT FROM has equality.
        if (!e.args[0]->type.equality) {
            const std::string same = identical(arg(0), arg(1), e.args[0]->type);
            return e.negated ? same : "(NOT " + same + ")";
        }
        return "(" + arg(0) + (e.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") + arg(1) + ")";
    case ir::expr_kind::in_list: {
        // x IN (a, b) is x = a OR x = b, NULLs included; spelled out to qualify the operator.
        std::vector<std::string> eqs;
        const std::string x = arg(0);
        for (std::size_t i = 1; i < e.args.size(); ++i) eqs.push_back(binary("=", x, arg(i)));
        const std::string any = "(" + join(eqs, " OR ") + ")";
        return e.negated ? "(NOT " + any + ")" : any;
    }
    case ir::expr_kind::cast:
        // An explicit cast to unknown is kept: without it PostgreSQL would resolve the operand
        // (a CASE of untyped NULLs, say) to text, and a call taking unknown would not match.
        if (e.type.kind == type_kind::unknown) return "CAST(" + arg(0) + " AS pg_catalog.unknown)";
        return cast(arg(0), e.type);
    case ir::expr_kind::array: return e.args.empty() ? cast("ARRAY[]", e.type) : "ARRAY[" + render_list(e, col) + "]";
    case ir::expr_kind::subscript:
    case ir::expr_kind::slice: {
        std::string r = "(" + arg(0) + ")";
        const std::size_t step = e.kind == ir::expr_kind::slice ? 2 : 1;
        for (std::size_t i = 1; i + step - 1 < e.args.size(); i += step)
            r += "[" + arg(i) + (step == 2 ? ":" + arg(i + 1) : "") + "]";
        return r;
    }
    case ir::expr_kind::field: return "(" + arg(0) + ")." + ident(e.name);
    case ir::expr_kind::row: return cast("ROW(" + render_list(e, col) + ")", e.type);
    case ir::expr_kind::collate: return "(" + arg(0) + " COLLATE " + qualified(e.schema, e.name) + ")";
    case ir::expr_kind::op_any:
    case ir::expr_kind::op_all:
        return "(" + arg(0) + " " + op(e.name, e.schema.empty() ? "pg_catalog" : e.schema) +
               (e.kind == ir::expr_kind::op_any ? " ANY (" : " ALL (") + arg(1) + "))";
    }
    return "NULL";
}

std::string not_distinct(const std::string& a, const std::string& b, const sql_type& type) {
    if (!type.equality) return identical(a, b, type);
    const std::string z = neutral_value(type);
    if (z.empty()) return "(" + a + " IS NOT DISTINCT FROM " + b + ")";
    return "(" + binary("=", "(" + a + " IS NULL)", "(" + b + " IS NULL)") + " AND " +
           binary("=", "COALESCE(" + a + ", " + z + ")", "COALESCE(" + b + ", " + z + ")") + ")";
}

std::string image(const std::string& x, const sql_type& type) { return own_image(type) ? x : hash_text(x, type); }

std::vector<std::string> printed(const std::string& x, const sql_type& type) {
    switch (type.kind) {
    // Equal values print alike but for their scale, or a zero's sign: both compared, no text.
    case type_kind::numeric:
    case type_kind::float4:
    case type_kind::float8: {
        std::vector<std::string> image{x};
        if (auto key = print_key(x, type); !key.empty()) image.push_back(std::move(key));
        return image;
    }
    case type_kind::interval:
    case type_kind::other:
    case type_kind::unknown: return {cast(x, make_type(type_kind::text))};
    default: return {x};
    }
}

std::string print_key(const std::string& x, const sql_type& type) {
    const sql_type text = make_type(type_kind::text);
    switch (type.kind) {
    case type_kind::numeric: return detail::numeric_typmod(type) ? "" : call("scale", {x});
    case type_kind::float4:
    case type_kind::float8: return "CASE WHEN " + binary("=", x, cast("0", type)) + " THEN " + cast(x, text) + " END";
    case type_kind::interval: return cast(x, text);
    default: return "";
    }
}

std::string identical(const std::string& x, const std::string& y, const sql_type& type) {
    return not_distinct(image(x, type), image(y, type), own_image(type) ? type : make_type(type_kind::text));
}

std::string grouped_value(const std::string& x, const sql_type& type) {
    if (own_image(type)) return x;
    // An array's own array_agg would stack it into a bigger array: through its text instead.
    if (array_like(type)) return cast(call("min", {cast(x, make_type(type_kind::text))}), type);
    return "(" + call("array_agg", {x}) + ")[1]";
}

namespace {

/// `type`'s name, lower case, without pg_catalog's prefix.
std::string plain_type_name(const sql_type& type) {
    std::string n;
    for (char c : type.name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n.starts_with("pg_catalog.")) n.erase(0, 11);
    return n;
}

/// An array's element type (its name without "[]"), empty for other types.
std::string element_type(const std::string& name) { return name.ends_with("[]") ? name.substr(0, name.size() - 2) : ""; }

/// Whether equal values of the type may print differently (a numeric's scale, -0, an interval's
/// units).
bool prints_equal_values_apart(const std::string& name) {
    for (const char* t : {"numeric", "decimal", "real", "double precision", "float", "interval"})
        if (name.starts_with(t)) return true;
    return false;
}

} // namespace

std::string hash_text(const std::string& x, const sql_type& type) {
    const sql_type text = make_type(type_kind::text);
    switch (type.kind) {
    case type_kind::numeric: return cast(call("trim_scale", {x}), text);
    case type_kind::float4:
    case type_kind::float8: // -0 + 0 is +0: equal floats print alike
        return cast(binary("+", x, cast("0", type)), text);
    case type_kind::interval: // '1 day' = '24 hours' and '1 mon' = '30 days': justified, they print alike
        return cast(call("justify_interval", {x}), text);
    case type_kind::other: {
        const std::string name = plain_type_name(type);
        // Arrays and ranges of such types by their type's own hash, which equal values share; an
        // array's leaves out its dimensions and bounds ('{1,2}', '{{1,2}}'): they go first.
        if (prints_equal_values_apart(element_type(name)))
            return binary("||", binary("||", "COALESCE(" + call("array_dims", {x}) + ", '')", "':'"),
                          cast(call("hash_array_extended", {x, "0"}), text));
        if (name == "numrange" || name == "nummultirange")
            return cast(call(name == "numrange" ? "hash_range_extended" : "hash_multirange_extended", {x, "0"}), text);
        // money prints by lc_monetary, the session's; its numeric value does not depend on it.
        if (name == "money") return cast(cast(x, make_type(type_kind::numeric)), text);
        // citext values are equal when their lower cases (in the database's collation) are.
        if (name == "citext" || name.ends_with(".citext")) return call("lower", {cast(x, text) + " COLLATE \"default\""});
        return cast(x, text);
    }
    default: return cast(x, text);
    }
}

std::string row_id_value(const std::string& x, const sql_type& type) {
    switch (type.kind) {
    case type_kind::int2:
    case type_kind::int4:
    case type_kind::int8:
    case type_kind::text: return cast(x, make_type(type.kind));
    case type_kind::varchar: return cast(x, make_type(type_kind::text));
    // (Not a type grouped by its image, which a row id must then hash: a uuid is one.)
    default: return hash_text(x, type);
    }
}

} // namespace pgt::sql
