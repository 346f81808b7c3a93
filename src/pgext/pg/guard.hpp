#pragma once
// The C++ ⇄ PostgreSQL error boundary, in both directions.
//
// pg::call(f): runs f — a lambda that only calls PostgreSQL functions and holds no C++ object
// with a destructor — under PG_TRY. An ereport(ERROR) inside becomes a pgt::error carrying the
// original SQLSTATE, message, detail and hint, thrown after PG_END_TRY (never inside it).
// The caller must let that exception reach a PGT_FUNCTION boundary (which re-raises it and so
// aborts the transaction) or roll back a subtransaction it started: a caught PostgreSQL error
// leaves the transaction unusable otherwise.

#include <optional>
#include <type_traits>
#include <utility>

#include "pgt/error.hpp"

#include "pg/postgres.hpp"

namespace pgt::pg {

/// An error code (ErrorData::sqlerrcode) as its five-character SQLSTATE.
std::string sqlstate_text(int code);

/// Converts a copied ErrorData into a pgt::error and throws it; frees the ErrorData.
[[noreturn]] void throw_error_data(ErrorData* edata);

namespace detail {
/// The PG_TRY itself, once: `f` writes its result (if any) into the caller's frame.
template <class F>
void run_guarded(F& f) {
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData* volatile edata = nullptr;
    PG_TRY();
    {
        f();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        edata = CopyErrorData();
        FlushErrorState();
    }
    PG_END_TRY();
    if (edata) throw_error_data(edata);
}
} // namespace detail

template <class F>
auto call(F&& f) {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
        detail::run_guarded(f);
    } else {
        static_assert(std::is_trivially_copyable_v<R>, "pg::call returns PostgreSQL values (Datums, pointers, scalars)");
        volatile R result{}; // volatile: assigned between sigsetjmp and a possible longjmp
        auto store = [&] { result = f(); };
        detail::run_guarded(store);
        return static_cast<R>(result);
    }
}

/// Raises `e` as ereport(ERROR) with its SQLSTATE. Call only from a boundary, with no live
/// C++ object in the calling frames below the next PG_TRY.
[[noreturn]] void raise(const char* sqlstate, const char* message, const char* detail, const char* hint,
                        const char* function, int position = -1, const char* query = nullptr);

} // namespace pgt::pg
