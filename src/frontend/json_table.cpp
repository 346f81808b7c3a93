// JSON_TABLE in FROM (PostgreSQL 17): translated to a table_call that keeps the clause as
// written (parse_jsontable.c decides what it means); only its types and column order are ours.
#include "frontend/json_table.hpp"

#if PG_VERSION_NUM >= 170000

#include <algorithm>

#include "frontend/type_names.hpp"

namespace pgt::frontend {

namespace {

std::string path_text(const JsonTablePathSpec* p) {
    return p ? str(reinterpret_cast<const Node*>(&as<A_Const>(p->string)->val)) : std::string{};
}

std::string format_text(const JsonFormat* f) {
    if (!f || f->format_type != JS_FORMAT_JSON) return {};
    switch (f->encoding) {
    case JS_ENC_UTF8: return "FORMAT JSON ENCODING UTF8";
    case JS_ENC_UTF16: return "FORMAT JSON ENCODING UTF16";
    case JS_ENC_UTF32: return "FORMAT JSON ENCODING UTF32";
    default: return "FORMAT JSON";
    }
}

std::optional<ir::json_behavior> behavior(const JsonBehavior* b, const expr_env& env) {
    if (!b) return std::nullopt;
    switch (b->btype) {
    case JSON_BEHAVIOR_NULL: return ir::json_behavior{"NULL", nullptr};
    case JSON_BEHAVIOR_ERROR: return ir::json_behavior{"ERROR", nullptr};
    case JSON_BEHAVIOR_EMPTY: return ir::json_behavior{"EMPTY", nullptr};
    case JSON_BEHAVIOR_TRUE: return ir::json_behavior{"TRUE", nullptr};
    case JSON_BEHAVIOR_FALSE: return ir::json_behavior{"FALSE", nullptr};
    case JSON_BEHAVIOR_UNKNOWN: return ir::json_behavior{"UNKNOWN", nullptr};
    case JSON_BEHAVIOR_EMPTY_ARRAY: return ir::json_behavior{"EMPTY ARRAY", nullptr};
    case JSON_BEHAVIOR_EMPTY_OBJECT: return ir::json_behavior{"EMPTY OBJECT", nullptr};
    case JSON_BEHAVIOR_DEFAULT: return ir::json_behavior{"DEFAULT", translate_expr(b->expr, env)};
    }
    return std::nullopt;
}

std::string wrapper_text(JsonWrapper w) {
    switch (w) {
    case JSW_NONE: return "WITHOUT WRAPPER";
    case JSW_CONDITIONAL: return "WITH CONDITIONAL WRAPPER";
    case JSW_UNCONDITIONAL: return "WITH UNCONDITIONAL WRAPPER";
    default: return {};
    }
}

std::string quotes_text(JsonQuotes q) {
    switch (q) {
    case JS_QUOTES_KEEP: return "KEEP QUOTES";
    case JS_QUOTES_OMIT: return "OMIT QUOTES";
    default: return {};
    }
}

struct columns_reader {
    context& ctx;
    const expr_env& env;
    std::vector<std::string> names; ///< column and path names so far (they share one namespace)

    void name(const char* n, int location) {
        if (!n) return;
        if (std::ranges::find(names, n) != names.end())
            ctx.fail("42712", std::string("duplicate JSON_TABLE column or path name: ") + n, location);
        names.push_back(n);
    }

    std::vector<ir::json_table_column> read(const List* columns) {
        std::vector<ir::json_table_column> out;
        for (const Node* n : nodes(columns)) {
            const auto* c = as<JsonTableColumn>(n);
            ir::json_table_column col;
            name(c->coltype == JTC_NESTED ? c->pathspec->name : c->name, c->location);
            col.name = c->coltype == JTC_NESTED ? (c->pathspec->name ? c->pathspec->name : "") : c->name;
            col.path = path_text(c->pathspec);
            switch (c->coltype) {
            case JTC_FOR_ORDINALITY:
                col.what = ir::json_table_column::kind::ordinality;
                col.type = make_type(type_kind::int4);
                break;
            case JTC_NESTED:
                col.what = ir::json_table_column::kind::nested;
                col.columns = read(c->columns);
                break;
            default: {
                col.what = c->coltype == JTC_EXISTS      ? ir::json_table_column::kind::exists
                           : c->coltype == JTC_FORMATTED ? ir::json_table_column::kind::formatted
                                                         : ir::json_table_column::kind::regular;
                auto t = type_from_name(ctx, c->typeName);
                if (!t.problem.empty()) ctx.unsupported("JSON_TABLE column of a type with " + t.problem, c->location);
                col.type = t.type;
                col.format = format_text(c->format);
                // (The grammar gives EXISTS no wrapper or quotes clause, but sets JSW_NONE.)
                if (c->coltype != JTC_EXISTS) {
                    col.wrapper = wrapper_text(c->wrapper);
                    col.quotes = quotes_text(c->quotes);
                }
                col.on_empty = behavior(c->on_empty, env);
                col.on_error = behavior(c->on_error, env);
            }
            }
            out.push_back(std::move(col));
        }
        return out;
    }
};

/// The output columns of `columns`: a level's own, then each NESTED path's (parse_jsontable.c).
void output_columns(const std::vector<ir::json_table_column>& columns, std::vector<ir::column>& out) {
    for (const auto& c : columns)
        if (c.what != ir::json_table_column::kind::nested) out.push_back({c.name, c.type});
    for (const auto& c : columns)
        if (c.what == ir::json_table_column::kind::nested) output_columns(c.columns, out);
}

} // namespace

ir::table_call json_table_call(context& ctx, const JsonTable* jt, const select_scope& env) {
    const expr_env e{ctx, env, clause::function_in_from};
    ir::table_call call{"", "json_table", {}, {}, ir::json_table{}};
    ir::json_table& j = *call.json;
    call.args.push_back(translate_expr(reinterpret_cast<const Node*>(jt->context_item->raw_expr), e));
    j.context_format = format_text(jt->context_item->format);
    j.path = path_text(jt->pathspec);
    columns_reader reader{ctx, e, {}};
    reader.name(jt->pathspec->name, jt->pathspec->name_location);
    if (jt->pathspec->name) j.path_name = jt->pathspec->name;
    for (const Node* n : nodes(jt->passing)) {
        const auto* a = as<JsonArgument>(n);
        call.args.push_back(translate_expr(reinterpret_cast<const Node*>(a->val->raw_expr), e));
        j.passing_names.push_back(a->name);
        j.passing_formats.push_back(format_text(a->val->format));
    }
    j.columns = reader.read(jt->columns);
    j.on_error = behavior(jt->on_error, e);
    output_columns(j.columns, call.columns);
    return call;
}

} // namespace pgt::frontend

#endif
