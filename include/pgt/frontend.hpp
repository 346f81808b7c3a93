#pragma once
/// \file
/// The front end: SQL text → relational IR. Parsing is PostgreSQL's own grammar — the
/// server's `raw_parser()` inside the extension, libpg_query's `pg_query_raw_parse()` offline —
/// behind `parse_fn`, so this interface stays free of PostgreSQL headers.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgt/catalog.hpp"
#include "pgt/detail/no_postgres.hpp"
#include "pgt/error.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt::frontend {

/// Parses SQL into PostgreSQL's raw parse tree (a `List *` of `RawStmt`), returned as an
/// opaque pointer. Throws `pgt::error` (SQLSTATE 42601 with position) on a syntax error. The
/// tree lives in memory the parser owns for at least as long as the translation runs.
using parse_fn = std::function<const void*(const std::string& sql)>;

struct options {
    int max_depth = 64; ///< nesting limit (subqueries, expressions): deeper → 54000
    /// false: a SUM or AVG whose argument can take several scales is recomputed for the groups
    /// a change touches instead of counting its inputs per scale (storage made before 0.2.0
    /// has no columns for those counts).
    bool count_scales = true;
    /// false: a running SUM, AVG or variance of numeric does not count its NaN inputs (storage
    /// made before that count has no column for it; a NaN that leaves such a group leaves its
    /// result NaN until the stream table is created again).
    bool count_nans = true;
    /// false: those calls do not count their infinite inputs, and their running sums take every
    /// input (storage made before that count has no columns for it; a group whose last NaN or
    /// infinity leaves is recomputed).
    bool count_infinities = true;
    /// false: a SUM or AVG of a plain numeric (scales unknown) is recomputed for the groups a
    /// change touches instead of keeping a running sum with its inputs counted by scale
    /// (storage made before 0.3.0's encoded counts has no column for them).
    bool encode_scales = true;
};

struct compile_result {
    /// The IR when the query can be maintained incrementally.
    std::optional<ir::query> query;
    /// Otherwise why not (the construct is named); the query is still valid for FULL refresh.
    std::optional<unsupported_error> unsupported;
    /// Base tables the query reads (views expanded), for change capture in every mode.
    std::vector<ir::table_ptr> sources;
    /// ORDER BY without LIMIT (and not choosing DISTINCT ON's rows) was present and ignored.
    bool ignored_order_by = false;
};

/// Compiles a defining query. Errors that make the query unusable as a stream table in any
/// mode (syntax, unknown names, several statements, not a SELECT, LIMIT without ORDER BY,
/// TABLESAMPLE, FOR UPDATE, parameters, too deep) are thrown as `pgt::error`; constructs that
/// only prevent incremental maintenance are reported in `unsupported`.
compile_result compile(const std::string& sql, const catalog& cat, const parse_fn& parse,
                       const options& opts = {});

} // namespace pgt::frontend
