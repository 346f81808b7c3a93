#pragma once
// PGT_FUNCTION(name) { … } defines a SQL-callable function whose body is plain C++: any
// exception leaving the body is turned into ereport(ERROR) with the exception's SQLSTATE
// (pgt::error) or XX000 (anything else, which is a bug), after every C++ destructor has run.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/guard.hpp"
#include "pg/hook_boundary.hpp"

extern "C" {
struct TriggerData;
}

namespace pgt::pg {

/// pg_trickle.inject_failure, a testing aid: the name of a boundary (a SQL function's C name,
/// or the name a hook or background worker passes to invoke_hook / invoke_worker) that throws
/// a C++ exception as it is entered, so that tests see each boundary turn one into a clean
/// error. Empty (or null) normally.
extern char* inject_failure_at;

/// Runs `impl` and converts escaping exceptions into a PostgreSQL error.
Datum invoke(Datum (*impl)(FunctionCallInfo), FunctionCallInfo fcinfo, const char* name);
// (invoke_hook, the same boundary for C++ run from a PostgreSQL hook: pg/hook_boundary.hpp.)
/// The same boundary for a background worker's main: an escaping exception ends the worker
/// with its error logged (a FATAL exit the postmaster restarts it from), never std::terminate,
/// which the postmaster would treat as a crash of the whole server.
void invoke_worker(void (*impl)(Datum), Datum arg, const char* name);

/// Text argument `i`, nullopt when NULL.
std::optional<std::string> text_arg(FunctionCallInfo fcinfo, int i);
/// Text argument `i` that must not be NULL (error 22004 naming `what`).
std::string required_text_arg(FunctionCallInfo fcinfo, int i, const char* what);
std::optional<bool> bool_arg(FunctionCallInfo fcinfo, int i);
Datum text_result(const std::string& s);
/// A one-dimensional text[] of the given strings.
Datum text_array_result(const std::vector<std::string>& items);
/// A uuid of the 16 bytes at `bytes`, in order.
Datum uuid_result(const unsigned char* bytes);
/// A timestamptz of `unix_ms` (milliseconds since 1970-01-01 UTC).
Datum timestamptz_result(std::int64_t unix_ms);
/// The elements of text[] argument `i` (not NULL), a NULL element as nullopt; they point into
/// memory that lasts as long as the call.
std::vector<std::optional<std::string_view>> text_array_arg(FunctionCallInfo fcinfo, int i);

/// Calls `visit` with the text image of each argument of a function taking VARIADIC "any", in
/// order: what CAST(x AS text) gives, without making it (an integer's digits written into a
/// buffer, a text's or varchar's bytes as they are), nullopt for NULL. The bytes last until
/// `visit` returns. Other types, and a VARIADIC array, are an error (22023) naming `function`.
void visit_argument_images(FunctionCallInfo fcinfo, const char* function, const std::function<void(std::optional<std::string_view>)>& visit);

/// The trigger's data when the function is called as a trigger, else nullptr.
TriggerData* trigger_data(FunctionCallInfo fcinfo);
/// Whether the trigger fired AFTER a statement (FOR EACH STATEMENT).
bool fired_after_statement(const TriggerData* td);
/// The name of the table the trigger fired on, and its oid.
std::string trigger_table_name(const TriggerData* td);
unsigned trigger_table(const TriggerData* td);
bool called_as_event_trigger(FunctionCallInfo fcinfo);

} // namespace pgt::pg

#define PGT_FUNCTION(name)                                                                          \
    static Datum name##_body(FunctionCallInfo fcinfo);                                              \
    extern "C" {                                                                                    \
    PG_FUNCTION_INFO_V1(name);                                                                      \
    }                                                                                               \
    extern "C" PGDLLEXPORT Datum name(PG_FUNCTION_ARGS) { return pgt::pg::invoke(name##_body, fcinfo, #name); } \
    static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo)
