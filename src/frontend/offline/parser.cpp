// libpg_query behind pgt::offline::parser. Each parse allocates in a fresh libpg_query memory
// context; all of them live until the parser is destroyed, because the front end parses view
// definitions while the query's own tree is still in use.
// pgt headers first: they refuse to be included after postgres.h.
#include "pgt/error.hpp"
#include "pgt/offline.hpp"

extern "C" {
#include <pg_query.h>
#include <pg_query/pg_query_internal.h>
}

namespace pgt::offline {

parser::parser() = default;
parser::~parser() {
    for (void* ctx : contexts_) pg_query_exit_memory_context(static_cast<MemoryContext>(ctx));
}

const void* parser::parse(const std::string& sql) {
    contexts_.push_back(pg_query_enter_memory_context());
#if PG_VERSION_NUM >= 160000
    PgQueryInternalParsetreeAndError result = pg_query_raw_parse(sql.c_str(), PG_QUERY_PARSE_DEFAULT);
#else
    PgQueryInternalParsetreeAndError result = pg_query_raw_parse(sql.c_str());
#endif
    free(result.stderr_buffer);
    if (result.error) {
        std::string message = result.error->message ? result.error->message : "syntax error";
        int position = result.error->cursorpos > 0 ? result.error->cursorpos - 1 : -1;
        pg_query_free_error(result.error);
        throw error(sqlstate::syntax_error, message, {}, {}, position);
    }
    return result.tree;
}

frontend::parse_fn parser::as_parse_fn() {
    return [this](const std::string& sql) { return parse(sql); };
}

} // namespace pgt::offline
