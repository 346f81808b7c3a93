#pragma once
/// \file
/// Interruption points of the compiler. A compile runs inside a server backend, where a cancel
/// or `statement_timeout` must stop it even when the query is large enough to keep it busy for
/// long: the extension installs a check that throws (its error boundary turns the throw into
/// the server's own error); the offline tools install none.

namespace pgt {

/// Installs `check` (nullptr: none), called at every interruption point of this process.
void set_interrupt_check(void (*check)());

/// An interruption point: calls the installed check, which throws to stop the compile.
void check_interrupts();

} // namespace pgt
