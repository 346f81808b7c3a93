#include "pgt/monotone.hpp"

#include <type_traits>

namespace pgt {

namespace {

std::optional<std::string> refused(const ir::rel& r) {
    return std::visit(
        [](const auto& n) -> std::optional<std::string> {
            using node = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<node, ir::aggregate>) return "an aggregate (GROUP BY or an aggregate function)";
            else if constexpr (std::is_same_v<node, ir::window>) return "a window function";
            else if constexpr (std::is_same_v<node, ir::sublink>)
                return "a subquery in an expression (EXISTS, IN, ANY, ALL or a scalar subquery)";
            else if constexpr (std::is_same_v<node, ir::recursive> || std::is_same_v<node, ir::recursive_ref>)
                return "WITH RECURSIVE";
            else if constexpr (std::is_same_v<node, ir::set_operation>) {
                if (n.kind == ir::set_op_kind::except) return n.all ? "EXCEPT ALL" : "EXCEPT";
                return std::nullopt;
            } else if constexpr (std::is_same_v<node, ir::join>) {
                switch (n.kind) {
                case ir::join_kind::inner: return std::nullopt;
                case ir::join_kind::left: return "LEFT JOIN";
                case ir::join_kind::right: return "RIGHT JOIN";
                case ir::join_kind::full: return "FULL JOIN";
                }
                return std::nullopt;
            } else if constexpr (std::is_same_v<node, ir::table_function>) {
                if (n.outer) return "LEFT JOIN LATERAL";
                return std::nullopt;
            } else {
                return std::nullopt; // scan, filter, project, distinct, union_all
            }
        },
        r.node);
}

std::optional<std::string> first_refused(const ir::rel& r) {
    if (auto why = refused(r)) return why;
    for (const auto& in : r.inputs)
        if (auto why = first_refused(*in)) return why;
    return std::nullopt;
}

} // namespace

std::optional<std::string> non_monotone_operator(const ir::query& q) {
    // (A LIMIT keeps the first rows: a new row can push one out.)
    if (q.topk) return "LIMIT";
    return first_refused(*q.root);
}

} // namespace pgt
