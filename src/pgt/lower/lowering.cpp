#include "lowering.hpp"

#include <set>

#include "pgt/error.hpp"
#include "pgt/interrupts.hpp"

namespace pgt::lower::detail {

namespace {

/// Makes `name` unique among `taken` by appending _1, _2, …
std::string unique_name(const std::string& name, std::set<std::string>& taken) {
    std::string candidate = name.empty() ? "column" : name;
    for (int i = 1; taken.contains(candidate); ++i) candidate = name + "_" + std::to_string(i);
    taken.insert(candidate);
    return candidate;
}

} // namespace

lowering::lowering(const circuit& c, const std::vector<source_changes>* sources, const options& opts)
    : c_(c), sources_(sources), opts_(opts), names_(c.nodes.size()), delta_(c.nodes.size()), rowless_(rowless_nodes(c)),
      source_cte_(c.sources.size()), stored_new_(c.nodes.size()) {
    for (std::size_t i = 0; i < c.nodes.size(); ++i) {
        std::set<std::string> taken;
        for (const auto& col : c.nodes[i].rel->columns) {
            if (col.name.starts_with(reserved_prefix))
                throw error(sqlstate::invalid_parameter_value,
                            "column name \"" + col.name + "\" is reserved",
                            "Names starting with __pgt_ are used by pg_trickle's bookkeeping.",
                            "Rename the column with an alias.");
            names_[i].push_back(unique_name(col.name, taken));
        }
    }
}

std::vector<tree::select_item> lowering::columns(int id, const std::string& alias) const {
    std::vector<tree::select_item> cols;
    for (const auto& n : names(id)) cols.emplace_back(tree::col(alias, n));
    return cols;
}

std::vector<tree::select_item> lowering::columns_as(int id, const std::string& alias, int as) const {
    std::vector<tree::select_item> cols;
    for (std::size_t i = 0; i < names(id).size(); ++i) cols.push_back(tree::as(tree::col(alias, names(id)[i]), names(as)[i]));
    return cols;
}

std::string lowering::column_list(int id, const std::string& alias) const { return tree::render(columns(id, alias)); }

std::vector<tree::expr> lowering::images(int id, const std::string& alias) const {
    std::vector<tree::expr> cols;
    const auto& columns = node(id).rel->columns;
    for (std::size_t i = 0; i < columns.size(); ++i)
        cols.push_back(tree::rendered(sql::image(sql::column(alias, names(id)[i]), columns[i].type)));
    return cols;
}

std::string lowering::image_list(int id, const std::string& alias) const {
    return tree::render(images(id, alias));
}

std::vector<tree::select_item> lowering::grouped_columns(int id, const std::string& alias) const {
    std::vector<tree::select_item> cols;
    const auto& columns = node(id).rel->columns;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const std::string c = sql::column(alias, names(id)[i]);
        const std::string v = sql::grouped_value(c, columns[i].type);
        cols.push_back(v == c ? tree::select_item(tree::col(alias, names(id)[i])) : tree::as(tree::rendered(v), names(id)[i]));
    }
    return cols;
}

lowering::group_keys lowering::aggregate_keys(int id, const std::string& alias) const {
    const int child = node(id).inputs[0];
    group_keys keys;
    for (const auto& g : std::get<ir::aggregate>(node(id).rel->node).group_by) {
        const std::string x = expr(*g, child, alias);
        const bool equality = g->type.equality;
        keys.by.push_back(tree::rendered(equality ? x : sql::image(x, g->type)));
        keys.values.push_back(tree::rendered(equality ? x : sql::grouped_value(x, g->type)));
    }
    return keys;
}

std::vector<tree::expr> lowering::consolidation_keys(int id, const std::string& alias) const {
    auto keys = images(id, alias);
    const auto& columns = node(id).rel->columns;
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (const std::string k = sql::print_key(sql::column(alias, names(id)[i]), columns[i].type); !k.empty())
            keys.push_back(tree::rendered(k));
    return keys;
}

tree::select lowering::consolidation(int id, const std::string& relation, const std::string& alias) const {
    const tree::expr net = tree::fn("sum", {tree::col(alias, weight)});
    tree::select s(grouped_columns(id, alias));
    s.items.push_back(tree::as(tree::cast(net, tree::type_name::catalog("int8")), weight));
    s.from(relation, alias).group_by(consolidation_keys(id, alias)).having(tree::ne(net, tree::integer(0)));
    return s;
}

tree::expr lowering::row_of(int id, const std::string& alias,
                            std::vector<std::string> (*value)(const std::string&, const sql_type&)) const {
    std::vector<tree::expr> x;
    const auto& columns = node(id).rel->columns;
    for (std::size_t i = 0; i < columns.size(); ++i)
        for (auto& e : value(sql::column(alias, names(id)[i]), columns[i].type)) x.push_back(tree::rendered(std::move(e)));
    return tree::row(std::move(x));
}

tree::expr lowering::row_images_expr(int id, const std::string& alias) const {
    return row_of(id, alias, [](const std::string& x, const sql_type& type) { return std::vector{sql::image(x, type)}; });
}

std::string lowering::row_images(int id, const std::string& alias) const { return tree::render(row_images_expr(id, alias)); }

std::string lowering::row_prints(int id, const std::string& alias) const { return tree::render(row_of(id, alias, sql::printed)); }

void append_printed(std::vector<tree::expr>& row, const std::string& x, const sql_type& type) {
    for (auto& e : sql::printed(x, type)) row.push_back(tree::rendered(std::move(e)));
}

std::string lowering::new_sql(int id) const {
    if (const auto it = new_sql_.find(id); it != new_sql_.end()) return it->second;
    std::string sql = detail::new_sql(*this, id);
    check_size(sql.size());
    return new_sql_.emplace(id, std::move(sql)).first->second;
}

void lowering::check_size(std::size_t bytes) const {
    check_interrupts(); // (each relation's and CTE's SQL)
    if (opts_.max_statement_bytes && bytes > opts_.max_statement_bytes) throw statement_too_large();
}

const std::string* lowering::state_table(int id) const {
    if (id == result_state_node_) return &result_state_;
    auto it = opts_.aggregate_states.find(id);
    return it == opts_.aggregate_states.end() ? nullptr : &it->second;
}

void lowering::keep_state_in_result(int id, const std::string& storage_table) {
    const auto& stored = c_.query.root->columns;
    tree::select rows({tree::col("t", "__pgt_row_id")});
    for (std::size_t i = 0; i < names(id).size(); ++i) rows.items.push_back(tree::as(tree::col("t", stored[i].name), names(id)[i]));
    result_state_node_ = id;
    result_state_ = tree::parenthesised(rows.from(storage_table, "t"));
    new_sql_.clear();
}

void lowering::set_working(int id, std::string relation) const {
    if (relation.empty()) working_.erase(id);
    else working_[id] = std::move(relation);
    new_sql_.clear();
}

const std::string* lowering::working(int id) const {
    auto it = working_.find(id);
    return it == working_.end() ? nullptr : &it->second;
}

void lowering::add_state_update(std::vector<cte> ctes) {
    for (auto& c : ctes) state_updates_.push_back(std::move(c));
}

std::optional<std::string> lowering::delta(int id) {
    if (const int same = node(id).same_as; same >= 0) return delta(same);
    auto& slot = delta_[static_cast<std::size_t>(id)];
    if (!slot) slot = compute_delta(id);
    return *slot;
}

bool lowering::single_row(int id) const {
    const auto& n = node(id);
    switch (n.op) {
    case circuit_op::source: return changes_of(n.source).single_row;
    case circuit_op::filter:
    case circuit_op::map: return single_row(n.inputs[0]);
    default: return false;
    }
}

int lowering::single_row_weight(int id) const {
    const auto& n = node(id);
    switch (n.op) {
    case circuit_op::source: return changes_of(n.source).single_row ? changes_of(n.source).weight : 0;
    case circuit_op::filter:
    case circuit_op::map: return single_row_weight(n.inputs[0]);
    default: return 0;
    }
}

std::optional<std::string> lowering::compute_delta(int id) {
    check_interrupts();
    if (rowless_[static_cast<std::size_t>(id)]) return std::nullopt;
    switch (node(id).op) {
    case circuit_op::source: {
        const int s = node(id).source;
        if (!changes_of(s).may_change) return std::nullopt;
        auto& name = source_cte_[static_cast<std::size_t>(s)];
        if (!name) name = delta_source(*this, id);
        return name;
    }
    case circuit_op::filter: return delta_filter(*this, id);
    case circuit_op::map: return delta_map(*this, id);
    case circuit_op::union_all: return delta_union(*this, id);
    case circuit_op::join: return delta_join(*this, id);
    case circuit_op::aggregate:
        if (const auto* t = state_table(id)) return delta_stored_aggregate(*this, id, *t);
        return delta_aggregate(*this, id);
    case circuit_op::distinct: return delta_distinct(*this, id);
    case circuit_op::sublink: return delta_sublink(*this, id);
    case circuit_op::set_operation: return delta_set_operation(*this, id);
    case circuit_op::table_function: return delta_table_function(*this, id);
    case circuit_op::window: return delta_window(*this, id);
    case circuit_op::recursive: return delta_recursive(*this, id);
    case circuit_op::recursive_ref: return std::nullopt; // held still while its node's delta is derived
    case circuit_op::constant: return std::nullopt;
    }
    return std::nullopt;
}

std::string lowering::add_cte(const std::string& base_name, const std::string& comment,
                              const std::string& body, bool materialized) {
    std::string name = sql::ident(opts_.cte_prefix + base_name);
    ctes_.push_back({name, comment, body, materialized});
    cte_bytes_ += body.size();
    check_size(cte_bytes_);
    return name;
}

std::string lowering::with(const std::string& final_select) const { return with({}, final_select); }

std::string lowering::with(const std::vector<cte>& extra, const std::string& final_select) const {
    std::vector<cte> all = ctes_;
    all.insert(all.end(), extra.begin(), extra.end());
    return render_with(all, final_select);
}

std::string render_with(const std::vector<cte>& ctes, const std::string& final_statement, bool first_materialized) {
    if (ctes.empty()) return final_statement;
    std::vector<tree::with_item> items;
    for (const auto& c : ctes) items.emplace_back(c.name, tree::rendered_query(c.body), c.comment, c.materialized || (items.empty() && first_materialized));
    return tree::render(tree::with(std::move(items), tree::rendered_query(final_statement)));
}

tree::select match_counts(const std::string& rows, std::vector<tree::select_item> items, std::vector<tree::expr> group,
                          const std::string& others, const std::string& alias, const tree::expr& match) {
    tree::select ones({tree::all(alias), tree::as(tree::integer(1), "__pgt_one")});
    ones.from(others, alias);
    items.push_back(tree::as(tree::fn("count", {tree::col(alias, "__pgt_one")}), "__pgt_n"));
    tree::select counted(std::move(items));
    return counted.from(tree::join(tree::from(rows, "x"), tree::join_kind::left, tree::from(ones, alias), match)).group_by(std::move(group));
}

std::string lowering::expr(const ir::expr& e, int input, const std::string& alias) const {
    const auto& n = names(input);
    return sql::render(e, [&](int i) { return sql::column(alias, n.at(static_cast<std::size_t>(i))); });
}

namespace {

/// `a IS NOT DISTINCT FROM b` conjuncts where a side is a never-NULL column become `a = b`
/// (the same truth in a join condition), which PostgreSQL can hash, merge and index. A lifted
/// subquery's outer values are only known to be NOT NULL once its D is in place.
ir::expr_ptr with_plain_equalities(const ir::expr& e, const std::vector<ir::column>& cols) {
    auto plain = [&](const ir::expr_ptr& c) -> ir::expr_ptr {
        if (c->kind != ir::expr_kind::is_distinct_from || !c->negated || c->args.size() != 2) return c;
        const auto& t = c->args[0]->type;
        if (t.kind == type_kind::other || t.kind == type_kind::unknown || c->args[1]->type.kind != t.kind) return c;
        for (const auto& a : c->args)
            if (a->kind == ir::expr_kind::column && ir::never_null(*a, cols))
                return ir::make_call(ir::expr_kind::op, "pg_catalog", "=", make_type(type_kind::boolean), c->args);
        return c;
    };
    auto self = std::make_shared<ir::expr>(e);
    if (e.kind != ir::expr_kind::and_) return plain(self);
    for (auto& a : self->args) a = plain(a);
    return self;
}

} // namespace

std::string lowering::join_expr(const ir::expr& e, int left, const std::string& l, int right,
                                const std::string& r) const {
    const auto& ln = names(left);
    const auto& rn = names(right);
    const int width = static_cast<int>(ln.size());
    return sql::render(e, [&](int i) {
        return i < width ? sql::column(l, ln.at(static_cast<std::size_t>(i)))
                         : sql::column(r, rn.at(static_cast<std::size_t>(i - width)));
    });
}

ir::expr_ptr lowering::plain_condition(const ir::expr& condition, int left, int right) const {
    std::vector<ir::column> cols = node(left).rel->columns;
    cols.insert(cols.end(), node(right).rel->columns.begin(), node(right).rel->columns.end());
    return with_plain_equalities(condition, cols);
}

std::string lowering::join_condition(const ir::expr& condition, int left, const std::string& l, int right,
                                     const std::string& r) const {
    return join_expr(*plain_condition(condition, left, right), left, l, right, r);
}

std::string lowering::row_id(const std::vector<std::string>& values,
                             const std::vector<sql_type>& types) const {
    return row_id_call(opts_, values, types);
}

tree::expr lowering::row_id_of(int id, const std::string& alias) const {
    std::vector<std::string> values;
    std::vector<sql_type> types;
    for (std::size_t i = 0; i < names(id).size(); ++i) {
        values.push_back(sql::column(alias, names(id)[i]));
        types.push_back(node(id).rel->columns[i].type);
    }
    return tree::rendered(row_id(values, types));
}

layout state_table_layout(const lowering& l, int id, std::vector<storage_column> state) {
    layout lay;
    lay.columns.push_back({"__pgt_row_id", row_id_type(l.opts()), true, ""});
    for (std::size_t i = 0; i < l.names(id).size(); ++i) lay.columns.push_back({l.names(id)[i], l.node(id).rel->columns[i].type, false, ""});
    for (auto& c : state) lay.columns.push_back(std::move(c));
    return lay;
}

std::string null_safe_eq(const std::string& a, const std::string& b, const sql_type& type) {
    const tree::expr x = tree::rendered(a), y = tree::rendered(b);
    return tree::render(tree::any_of({tree::eq(x, y), tree::all_of({tree::is_null(x, type), tree::is_null(y, type)})}));
}

tree::expr same_group_key(const tree::expr& a, const tree::expr& b, const sql_type& type, bool never_null) {
    if (!type.equality)
        return same_group_key(tree::rendered(sql::image(tree::render(a), type)), tree::rendered(sql::image(tree::render(b), type)),
                              make_type(type_kind::text), never_null);
    if (never_null) return tree::eq(a, b);
    return tree::rendered(null_safe_eq(tree::render(a), tree::render(b), type));
}

tree::expr function_call(const std::string& schema, const std::string& name, std::vector<tree::expr> args, tree::call_options options) {
    if (schema == "pg_catalog") return tree::aggregate(schema, name, std::move(args), std::move(options));
    return tree::aggregate(sql::ident(schema), sql::ident(name), std::move(args), std::move(options));
}

std::vector<tree::order_item> sort_keys(const lowering& l, const std::vector<ir::sort_key>& keys, int input, const std::string& alias) {
    std::vector<tree::order_item> items;
    for (const auto& k : keys) items.push_back({l.value(*k.expr, input, alias), k.descending, k.nulls_first, true});
    return items;
}

tree::expr aggregate_value(const lowering& l, const ir::agg_call& a, int input, const std::string& alias) {
    std::vector<tree::expr> args;
    for (const auto& e : a.args) args.push_back(l.value(*e, input, alias));
    tree::call_options o;
    o.star = a.func == ir::agg_func::count_star;
    o.distinct = a.distinct;
    o.order_by = sort_keys(l, a.order_by, input, alias);
    o.within_group = a.within_group;
    if (a.filter) o.filter = l.value(*a.filter, input, alias);
    return function_call(a.schema, a.name, std::move(args), std::move(o));
}

std::string aggregate_call(const lowering& l, const ir::agg_call& a, int input, const std::string& alias) {
    return tree::render(aggregate_value(l, a, input, alias));
}

} // namespace pgt::lower::detail
