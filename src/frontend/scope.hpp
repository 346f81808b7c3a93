#pragma once
// Name scopes, modelled on PostgreSQL's parse namespaces: every FROM item contributes range
// items whose columns are expressions over the FROM clause's row (usually a column, for a
// FULL JOIN USING column a COALESCE). An unaliased JOIN contributes its inputs (for
// qualified names only) and an unnamed item with its merged column list (for unqualified
// names and `*`), which is how USING columns end up visible once.
#include <string>
#include <vector>

#include "frontend/context.hpp"

namespace pgt::frontend {

/// Where a column of a FROM row comes from: the name in messages, and for base-table
/// columns the range and table column (functional dependency on a primary key).
struct column_origin {
    std::string refname;
    std::string name;
    int range_id = -1;
    ir::table_ptr table;
    int table_column = -1;
};

/// One entry of a FROM clause's namespace (PostgreSQL's ParseNamespaceItem).
struct range_item {
    std::string refname;      ///< alias or relation name; empty for an unaliased join
    std::string schema;       ///< an unaliased table's schema, for `schema.table.column`
    bool rel_visible = true;  ///< can qualify a column reference
    bool cols_visible = true; ///< its columns answer unqualified references and `*`
    bool is_table = false;    ///< a base table (it has system columns)
    std::vector<std::string> names;
    std::vector<ir::expr_ptr> values; ///< over the FROM row
    /// The value its whole-row reference is (a function of a scalar result), or -1.
    int whole_row = -1;
};

/// A WITH list. References are translated once and share the CTE's tree.
struct cte_def {
    std::string name;
    const CommonTableExpr* raw = nullptr;
    enum class state { pending, in_progress, done } status = state::pending;
    /// The CTE's output; while a recursive CTE's recursive term is translated, its
    /// `recursive_ref` leaf.
    ir::rel_ptr rel;
    int recursive_reads = 0; ///< references to that leaf so far
};

struct select_scope;
class correlation;

struct cte_scope {
    std::vector<cte_def> defs;
    std::size_t visible = 0; ///< defs[0, visible) can be referenced (all of them when recursive)
    bool recursive = false;
    std::vector<std::size_t> translating; ///< defs whose bodies are being translated, innermost last
    const select_scope* body_env = nullptr; ///< where the CTE bodies are translated
};

/// The names visible at one query level, chained to the enclosing levels for correlated
/// references. `ctes` lists the WITH lists visible here, innermost first. Every scope object
/// of a subquery's level (its FROM row, a JOIN's ON clause, the left side a LATERAL item
/// sees) carries the level's `correlation`, through which references to enclosing levels
/// pass; a level without one (a subquery in FROM, a CTE) cannot read enclosing levels.
struct select_scope {
    const std::vector<range_item>* items = nullptr;
    const std::vector<column_origin>* origins = nullptr;
    const select_scope* outer = nullptr;
    std::vector<cte_scope*> ctes;
    correlation* corr = nullptr;
};

/// Resolves a column reference (`x`, `t.x`, `s.t.x`): a fresh column node over the FROM row
/// (its location noted for later messages), a reference to an enclosing level passed
/// through the correlations in between, or a typed placeholder with the construct recorded
/// as unsupported (whole-row reference, system column, an outer reference from a level
/// without correlation). Throws 42703, 42702, 42P01 as PostgreSQL does.
ir::expr_ptr resolve_column(context& ctx, const select_scope& scope, const ColumnRef* ref);

/// True when an unqualified `name` names a column of this level's FROM clause.
bool has_local_column(const select_scope& scope, const std::string& name);

/// The range items `*` (empty qualifier) or `t.*` expands to; an outer level's columns come
/// back as placeholders (correlated, unsupported).
std::vector<range_item> star_items(context& ctx, const select_scope& scope,
                                   const std::vector<std::string>& qualifier, int location);

/// The dotted name parts of a ColumnRef before a trailing `*` (empty for a bare `*`).
std::vector<std::string> name_parts(const ColumnRef* ref);
bool ends_with_star(const ColumnRef* ref);

/// A fresh column node for a FROM-row value, so that each reference keeps its location.
ir::expr_ptr reference(context& ctx, const ir::expr_ptr& value, int location);

/// For a base table's whole-row reference (as resolve_column makes it), the NOT NULL column
/// that tells whether its row is there.
std::optional<ir::expr_ptr> whole_row_presence(const ir::expr& e);

/// Placeholder for an expression the IR cannot hold: the query is already marked unsupported.
ir::expr_ptr placeholder(sql_type type);
sql_type opaque_type();

} // namespace pgt::frontend
