#pragma once
// TypeName (as in casts and CREATE TABLE) → sql_type.
#include <string>

#include "frontend/pg.hpp"

namespace pgt::frontend {

struct type_name_result {
    sql_type type;
    /// Non-empty when the IR cannot express the type as written (`interval day`, `%TYPE`, …).
    std::string problem;
};

/// Built-in types come out canonical with their modifier (`pg_catalog.numeric(10,2)`); other
/// names keep their spelling, quoted where needed (`"public"."Mood"`, `uuid`, `int4[]`).
type_name_result type_from_name(const TypeName* tn);

/// `name` quoted as an SQL identifier when it is not a plain lower-case one.
std::string quote_identifier_if_needed(const std::string& name);

} // namespace pgt::frontend
