#pragma once
/// \file
/// The DBSP circuit of a defining query: one node per IR operator, inputs before consumers,
/// each tagged with the incremental rule that maintains it. It has two back ends: the
/// in-memory evaluator (`pgt/oracle.hpp`, the test oracle) and lowering to delta SQL
/// (`pgt/lower.hpp`). The circuit also fixes how the stream table stores the result
/// (`maintenance`): what the table integrates, and so what a refresh must merge.

#include <optional>
#include <string>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt {

enum class circuit_op {
    source, filter, map, join, union_all, aggregate, distinct, sublink, set_operation, table_function, window,
    recursive, recursive_ref, constant,
};

struct circuit_node {
    circuit_op op{};
    const ir::rel* rel = nullptr; ///< the IR operator this node maintains
    std::vector<int> inputs;      ///< node ids
    int source = -1;              ///< source nodes: index into circuit::sources
    int recursion = -1;           ///< recursive_ref nodes: the recursive node whose rows they read
    /// An earlier node computing the same rows (the same source, or the same filter, projection
    /// or join of the same inputs), whose change this one shares: a subquery's decorrelation
    /// reads its outer rows again. -1 when none.
    int same_as = -1;
};

/// How the stream table holds the result and absorbs a change.
enum class maintenance {
    keyed,     ///< the result has a unique key: one row per key, merged on the key's row id
    bag,       ///< no key: rows stored with their duplicates; deltas add or remove copies
    aggregate, ///< top-level GROUP BY: per-group state (counts, sums) stored in hidden columns
    distinct,  ///< top-level DISTINCT/UNION: each row stored once with its multiplicity
};

struct circuit {
    ir::query query;                ///< keeps the IR alive
    std::vector<circuit_node> nodes; ///< topological order
    int output = -1;
    std::vector<ir::table_ptr> sources; ///< distinct base tables, by first use
    maintenance strategy = maintenance::bag;
    /// aggregate/distinct: the node whose integral the stream table stores.
    int state_node = -1;
    /// aggregate: filter/project nodes above `state_node` up to the output (HAVING, final
    /// expressions), bottom-up. They are evaluated on each changed group's new state.
    std::vector<int> post;
    /// keyed: output columns forming the unique key (empty: at most one row).
    std::vector<int> key;
};

/// Builds the circuit of a compiled query.
circuit build_circuit(ir::query q);

/// The aggregates below the top of the query (in subqueries, under joins and set operations),
/// inputs first. The extension keeps each one's per-group state in a state table of its own —
/// the integral of its output, as the stream table is the top's — so that a change costs the
/// groups it touches, not their rows.
std::vector<int> stored_aggregates(const circuit& c);

/// Whether the circuit lifts a correlated subquery: evaluates it for each distinct combination D
/// of the outer values it reads (a `distinct` of those values).
bool lifts_subquery(const circuit& c);

/// The WITH RECURSIVE nodes, inputs first. Each keeps its rows with their numbers of
/// derivations in a state table (the integral DBSP's counting rule updates).
std::vector<int> recursions(const circuit& c);

/// Per node, whether it holds no row whatever its sources hold: under a condition that is never
/// true (FALSE, or NULL by a NULL constant under built-in operators and casts, in a conjunct or
/// in every arm of a disjunction), an EXISTS or IN over such rows, or inputs that hold none.
/// Their change is always nothing.
std::vector<bool> rowless_nodes(const circuit& c);

/// Output columns of `r` that form a unique key, if the operator tree guarantees one (primary
/// keys through filters, projections and joins; group keys; whole rows after DISTINCT). An
/// empty vector means "at most one row" (an aggregate without GROUP BY).
std::optional<std::vector<int>> unique_key(const ir::rel& r);

/// The circuit drawn one node per line, with each node's delta rule.
std::string to_string(const circuit& c);

const char* to_string(maintenance m);

} // namespace pgt
