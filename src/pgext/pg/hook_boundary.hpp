#pragma once
// The error boundary for C++ run from a PostgreSQL hook or callback (defined in
// pg/function.cpp, with the SQL-callable functions' and the workers'), without the server
// headers that pg/function.hpp brings.

namespace pgt::pg {

/// Runs `impl` and converts escaping exceptions into a PostgreSQL error.
void invoke_hook(void (*impl)(), const char* name);

} // namespace pgt::pg
