// The current contents of a circuit node as plain SQL: the query itself, re-spelled with our
// column names. PostgreSQL flattens these nested subqueries when planning.
#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {

const char* join_keyword(ir::join_kind k) {
    switch (k) {
    case ir::join_kind::inner: return "JOIN";
    case ir::join_kind::left: return "LEFT JOIN";
    case ir::join_kind::right: return "RIGHT JOIN";
    case ir::join_kind::full: return "FULL JOIN";
    }
    return "JOIN";
}

/// `SELECT a AS "n1", b AS "n2"` for a node's output names.
std::string select_as(const std::vector<std::string>& values, const std::vector<std::string>& names) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < values.size(); ++i) items.push_back(values[i] + " AS " + sql::ident(names[i]));
    return "SELECT " + sql::join(items);
}

} // namespace

std::string new_sql(const lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& out = l.names(id);
    switch (n.op) {
    case circuit_op::source: {
        const auto& t = *l.graph().sources[static_cast<std::size_t>(n.source)];
        return sql::qualified(t.schema, t.name);
    }
    case circuit_op::filter: {
        const auto& f = std::get<ir::filter>(n.rel->node);
        return "(SELECT * FROM " + l.new_sql(n.inputs[0]) + " s WHERE " +
               l.expr(*f.predicate, n.inputs[0], "s") + ")";
    }
    case circuit_op::map: {
        const auto& p = std::get<ir::project>(n.rel->node);
        std::vector<std::string> values;
        for (const auto& e : p.exprs) values.push_back(l.expr(*e, n.inputs[0], "s"));
        return "(" + select_as(values, out) + " FROM " + l.new_sql(n.inputs[0]) + " s)";
    }
    case circuit_op::join: {
        const auto& j = std::get<ir::join>(n.rel->node);
        const int left = n.inputs[0], right = n.inputs[1];
        std::vector<std::string> values;
        for (const auto& c : l.names(left)) values.push_back(sql::column("l", c));
        for (const auto& c : l.names(right)) values.push_back(sql::column("r", c));
        const std::string cond = j.condition ? l.join_expr(*j.condition, left, "l", right, "r") : "true";
        return "(" + select_as(values, out) + " FROM " + l.new_sql(left) + " l " + join_keyword(j.kind) +
               " " + l.new_sql(right) + " r ON " + cond + ")";
    }
    case circuit_op::aggregate: {
        const auto& a = std::get<ir::aggregate>(n.rel->node);
        std::vector<std::string> values, keys;
        for (const auto& g : a.group_by) keys.push_back(l.expr(*g, n.inputs[0], "s"));
        values = keys;
        for (const auto& call : a.aggs) values.push_back(aggregate_call(l, call, n.inputs[0], "s"));
        std::string r = "(" + select_as(values, out) + " FROM " + l.new_sql(n.inputs[0]) + " s";
        if (!keys.empty()) r += " GROUP BY " + sql::join(keys);
        return r + ")";
    }
    case circuit_op::distinct:
        return "(SELECT DISTINCT * FROM " + l.new_sql(n.inputs[0]) + " s)";
    case circuit_op::sublink: return sublink_new_sql(l, id);
    case circuit_op::set_operation: return set_operation_new_sql(l, id);
    case circuit_op::table_function: return table_function_new_sql(l, id);
    case circuit_op::union_all: {
        std::vector<std::string> branches;
        for (std::size_t b = 0; b < n.inputs.size(); ++b) {
            const int in = n.inputs[b];
            std::vector<std::string> values;
            for (std::size_t i = 0; i < out.size(); ++i)
                values.push_back(sql::cast(sql::column("s", l.names(in)[i]), n.rel->columns[i].type));
            branches.push_back(select_as(values, out) + " FROM " + l.new_sql(in) + " s");
        }
        return "(" + sql::join(branches, " UNION ALL ") + ")";
    }
    }
    return {};
}

} // namespace pgt::lower::detail
