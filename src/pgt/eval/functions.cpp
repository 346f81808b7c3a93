// The function registry: name → implementation, and the argument helpers the implementations
// share.

#include <algorithm>
#include <unordered_map>

#include "internal.hpp"

namespace pgt::eval_detail {

value call_function(const ir::expr& e, const std::vector<value>& args) {
    static const auto registry = [] {
        std::unordered_map<std::string_view, const function_def*> m;
        for (auto group : {math_functions(), string_functions(), datetime_functions()})
            for (const function_def& f : group) m.emplace(f.name, &f);
        return m;
    }();
    bool builtin = e.schema.empty() || e.schema == "pg_catalog";
    auto it = builtin ? registry.find(e.name) : registry.end();
    if (it == registry.end()) throw_cannot_evaluate("function " + (builtin ? e.name : e.schema + "." + e.name));
    const function_def& f = *it->second;
    if (args.size() < f.min_args || args.size() > f.max_args)
        throw_cannot_evaluate("function " + e.name + " with " + std::to_string(args.size()) + " arguments");
    if (f.strict && std::ranges::any_of(args, is_null)) return std::monostate{};
    return f.call(e, args);
}

std::string text_arg(const ir::expr& e, const std::vector<value>& args, std::size_t i) {
    if (auto s = std::get_if<std::string>(&args[i])) return *s;
    return std::get<std::string>(cast_value(args[i], e.args[i]->type, make_type(type_kind::text)));
}

std::int64_t int_arg(const ir::expr& e, const std::vector<value>& args, std::size_t i) {
    if (auto n = std::get_if<std::int64_t>(&args[i])) return *n;
    return std::get<std::int64_t>(cast_value(args[i], e.args[i]->type, make_type(type_kind::int4)));
}

} // namespace pgt::eval_detail
