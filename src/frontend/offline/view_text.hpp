#pragma once
// Where the SELECT of a CREATE VIEW statement is in the schema text.
#include <string_view>

namespace pgt::offline {

/// The SELECT of `CREATE [MATERIALIZED] VIEW … AS <select> [WITH … CHECK OPTION | WITH [NO]
/// DATA]`: the text after the first top-level AS, without a trailing option.
std::string_view view_query(std::string_view stmt);

} // namespace pgt::offline
