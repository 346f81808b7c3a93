#include "pg/guard.hpp"

#include <string>

namespace pgt::pg {

std::string sqlstate_text(int code) {
    return {static_cast<char>(PGUNSIXBIT(code)), static_cast<char>(PGUNSIXBIT(code >> 6)),
            static_cast<char>(PGUNSIXBIT(code >> 12)), static_cast<char>(PGUNSIXBIT(code >> 18)),
            static_cast<char>(PGUNSIXBIT(code >> 24))};
}

void throw_error_data(ErrorData* edata) {
    std::string code = sqlstate_text(edata->sqlerrcode);
    std::string message = edata->message ? edata->message : "unknown error";
    std::string detail = edata->detail ? edata->detail : "";
    std::string hint = edata->hint ? edata->hint : "";
    int position = edata->cursorpos > 0 ? edata->cursorpos - 1 : -1;
    FreeErrorData(edata);
    throw error(std::move(code), std::move(message), std::move(detail), std::move(hint), position);
}

void raise(const char* sqlstate, const char* message, const char* detail, const char* hint, const char* function,
           int position, const char* query) {
    const int code = MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4]);
    if (errstart(ERROR, TEXTDOMAIN)) {
        errcode(code);
        errmsg_internal("%s", message);
        if (detail && *detail) errdetail_internal("%s", detail);
        if (hint && *hint) errhint("%s", hint);
        if (position >= 0 && query && *query) {
            // A position in the defining query, not in the statement the user typed.
            internalerrposition(position + 1);
            internalerrquery(query);
        }
        errfinish(__FILE__, __LINE__, function);
    }
    pg_unreachable();
}

} // namespace pgt::pg
