#pragma once
/// \file
/// The in-memory oracle: the query's circuit run by the `dbsp` evaluator on rows of
/// PostgreSQL-semantics values. Tests drive it with the same changes as the server and demand
/// identical results. Two modes share the wiring: `evaluate` recomputes the query from whole
/// tables (the non-incremental operators), `incremental` maintains it from changes (DBSP's
/// incremental operators).

#include <memory>
#include <vector>

#include "dbsp/zset.hpp"
#include "pgt/circuit.hpp"
#include "pgt/detail/no_postgres.hpp"
#include "pgt/value.hpp"

namespace pgt::oracle {

using relation = dbsp::zset<row>;

/// The query's result on the given contents of `c.sources` (one relation per source).
relation evaluate(const circuit& c, const std::vector<relation>& tables);

/// Incremental maintenance of the query's result.
class incremental {
public:
    explicit incremental(const circuit& c);
    ~incremental();
    incremental(const incremental&) = delete;
    incremental& operator=(const incremental&) = delete;

    /// Records a change of source `source` (index into `c.sources`) for the next step.
    void push(int source, const row& r, dbsp::zweight w);
    /// Processes the pushed changes; returns the change of the result.
    relation step();
    /// The result so far (the integral of every step's change).
    const relation& result() const { return result_; }

private:
    struct impl;
    std::unique_ptr<impl> p_;
    relation result_;
};

} // namespace pgt::oracle
