// Output types of pg_catalog's set-returning functions, as PostgreSQL 15 resolves them.
#include "frontend/table_functions.hpp"

#include <algorithm>

#include "frontend/coerce.hpp"

namespace pgt::frontend {

namespace {

std::string base_name(const sql_type& t) {
    std::string n = t.name;
    if (n.starts_with("pg_catalog.")) n.erase(0, 11);
    return n;
}

bool is_json(const sql_type& t) { return t.kind == type_kind::other && base_name(t) == "json"; }
bool is_jsonb(const sql_type& t) { return t.kind == type_kind::other && base_name(t) == "jsonb"; }
bool is_array(const sql_type& t) { return t.kind == type_kind::other && t.name.ends_with("[]"); }

sql_type element_type(const sql_type& array) { return parse_type_name(array.name.substr(0, array.name.size() - 2)); }

ir::column scalar(const sql_type& t) { return {"", t}; }

// generate_series(start, stop [, step]): integers, numeric, or timestamps stepped by an interval.
std::optional<table_function_signature> series(std::vector<ir::expr_ptr> args) {
    if (args.size() < 2 || args.size() > 3) return std::nullopt;
    const bool numbers = std::ranges::all_of(args, [](const ir::expr_ptr& a) {
        return is_numeric_family(a->type.kind) || a->type.kind == type_kind::unknown;
    });
    if (numbers) {
        if (std::ranges::any_of(args, [](const ir::expr_ptr& a) { return a->type.kind == type_kind::float4 || a->type.kind == type_kind::float8; }))
            return std::nullopt;
        type_kind k = type_kind::int4;
        for (const auto& a : args) {
            if (a->type.kind == type_kind::numeric) k = type_kind::numeric;
            else if (a->type.kind == type_kind::int8 && k != type_kind::numeric) k = type_kind::int8;
        }
        const sql_type t = make_type(k);
        for (auto& a : args) a = coerce_to(a, t);
        return table_function_signature{std::move(args), {scalar(t)}};
    }
    if (args.size() != 3 || !(args[2]->type.kind == type_kind::interval || args[2]->type.kind == type_kind::unknown)) return std::nullopt;
    // An unknown or date start resolves to timestamptz, the preferred type of its category.
    const type_kind k0 = args[0]->type.kind == type_kind::unknown ? args[1]->type.kind : args[0]->type.kind;
    const sql_type t = make_type(k0 == type_kind::timestamp ? type_kind::timestamp : type_kind::timestamptz);
    for (int i = 0; i < 2; ++i)
        if (!(args[i]->type.kind == type_kind::timestamp || args[i]->type.kind == type_kind::timestamptz ||
              args[i]->type.kind == type_kind::date || args[i]->type.kind == type_kind::unknown))
            return std::nullopt;
    args[0] = coerce_to(args[0], t);
    args[1] = coerce_to(args[1], t);
    args[2] = coerce_to(args[2], make_type(type_kind::interval));
    return table_function_signature{std::move(args), {scalar(t)}};
}

// Functions of text arguments returning text: regexp_split_to_table, string_to_table.
std::optional<table_function_signature> text_splitter(std::vector<ir::expr_ptr> args, std::size_t min, std::size_t max,
                                                      const sql_type& result) {
    if (args.size() < min || args.size() > max) return std::nullopt;
    const sql_type text = make_type(type_kind::text);
    for (auto& a : args) {
        if (!is_string(a->type.kind) && a->type.kind != type_kind::unknown) return std::nullopt;
        a = coerce_to(a, text);
    }
    return table_function_signature{std::move(args), {scalar(result)}};
}

} // namespace

std::optional<table_function_signature> builtin_table_function(const std::string& name, std::vector<ir::expr_ptr> args) {
    const sql_type text = make_type(type_kind::text);
    if (name == "generate_series") return series(std::move(args));
    if (name == "unnest") {
        if (args.size() != 1 || !is_array(args[0]->type)) return std::nullopt;
        const sql_type elem = element_type(args[0]->type);
        return table_function_signature{std::move(args), {scalar(elem)}};
    }
    if (name == "generate_subscripts") {
        if (args.size() < 2 || args.size() > 3 || !is_array(args[0]->type)) return std::nullopt;
        args[1] = coerce_to(args[1], make_type(type_kind::int4));
        if (args.size() == 3) args[2] = coerce_to(args[2], make_type(type_kind::boolean));
        return table_function_signature{std::move(args), {scalar(make_type(type_kind::int4))}};
    }
    if (name == "regexp_split_to_table") return text_splitter(std::move(args), 2, 3, text);
    if (name == "string_to_table") return text_splitter(std::move(args), 2, 3, text);
    if (name == "regexp_matches") return text_splitter(std::move(args), 2, 3, {type_kind::other, "pg_catalog.text[]"});

    // json / jsonb: one argument of the function's own family.
    const bool binary = name.starts_with("jsonb_");
    const std::string rest = name.substr(binary ? 6 : 5);
    if (!name.starts_with(binary ? "jsonb_" : "json_") || args.size() != 1) return std::nullopt;
    const sql_type json{type_kind::other, binary ? "pg_catalog.jsonb" : "pg_catalog.json"};
    if (args[0]->type.kind == type_kind::unknown) args[0] = coerce_unknown(args[0], json);
    if (!(binary ? is_jsonb(args[0]->type) : is_json(args[0]->type))) return std::nullopt;
    if (rest == "array_elements") return table_function_signature{std::move(args), {{"value", json}}};
    if (rest == "array_elements_text") return table_function_signature{std::move(args), {{"value", text}}};
    if (rest == "each") return table_function_signature{std::move(args), {{"key", text}, {"value", json}}};
    if (rest == "each_text") return table_function_signature{std::move(args), {{"key", text}, {"value", text}}};
    if (rest == "object_keys") return table_function_signature{std::move(args), {scalar(text)}};
    return std::nullopt;
}

} // namespace pgt::frontend
