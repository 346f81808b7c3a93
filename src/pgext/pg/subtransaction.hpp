#pragma once
// Runs work in a subtransaction: on any exception (a PostgreSQL error arrives as pgt::error)
// the subtransaction is rolled back — undoing the work and making the transaction usable
// again, as PL/pgSQL's EXCEPTION blocks do — and the exception is rethrown.

#include <functional>

namespace pgt::pg {

void in_subtransaction(const std::function<void()>& work);

/// As in_subtransaction, but the subtransaction is rolled back when `work` succeeds too: for
/// work whose effects must not last (EXPLAIN ANALYZE of a data-modifying statement).
void in_rolled_back_subtransaction(const std::function<void()>& work);

} // namespace pgt::pg
