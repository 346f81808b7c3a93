#pragma once
// TypeName (as in casts and CREATE TABLE) → sql_type.
#include <string>

#include "frontend/context.hpp"

namespace pgt::frontend {

struct type_name_result {
    sql_type type;
    /// Non-empty when the IR cannot express the type as written (`interval day`, `%TYPE`, …).
    std::string problem;
    /// The name as written, every identifier quoted, with its modifier and array bounds: what
    /// a catalog resolves (`"pg_catalog"."bpchar"(3)`, `"char"`, `"int4"[]`); empty for the
    /// interval field spellings, which come out canonical.
    std::string exact;
};

/// Built-in types come out canonical with their modifier (`pg_catalog.numeric(10,2)`); other
/// names keep their spelling, quoted where needed (`"public"."Mood"`, `uuid`, `int4[]`).
type_name_result type_from_name(const TypeName* tn);
/// The same, as the catalog spells the type it names (in the server: format_type's canonical
/// spelling, `integer[]` for `_int4`); errors (42704) as PostgreSQL reports them.
type_name_result type_from_name(context& ctx, const TypeName* tn);

/// The row type of table `t`, as the catalog spells it; nullopt when the catalog cannot tell.
std::optional<sql_type> row_type_of(context& ctx, const ir::table& t, int location);

/// `name` quoted as an SQL identifier when it is not a plain lower-case one.
std::string quote_identifier_if_needed(const std::string& name);

} // namespace pgt::frontend
