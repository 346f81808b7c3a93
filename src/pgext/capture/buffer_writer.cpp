#include "capture/buffer_writer.hpp"

#include <string>

#include "capture/capture.hpp"
#include "capture/subscribers.hpp"
#include "catalog/consumers.hpp"
#include "pg/relations.hpp"
#include "pg/transition_tables.hpp"

namespace pgt::ext {

namespace {

/// Appends the statement's changes to the buffer of captured table `root`: old rows as 'D', new
/// rows as 'I', a TRUNCATE as one 'T' row, all stamped with the top transaction and one
/// statement number.
void append_statement_changes(TriggerData* td, unsigned root) {
    const unsigned buffer = buffer_of(root);
    if (buffer == 0) return; // a trigger left behind: nothing reads this table
    server::append_to_change_buffer(td, buffer, next_statement_number());
}

} // namespace

unsigned buffer_of(unsigned root) { return server::relation_oid_if_any("pgtrickle_changes", "changes_" + std::to_string(root)); }

void capture_statement_changes(TriggerData* td) {
    const bool truncate = server::fired_by_truncate(td);
    if (!truncate && server::transition_row_count(td) == 0) return;
    const unsigned root = server::partition_root(td);
    const auto readers = consumers_of(root);
    if (!readers.immediate.empty()) capture_subscribers::publish_immediate(td, root);
    if (!readers.deferred) return;
    append_statement_changes(td, root);
    capture_subscribers::publish_buffered(root);
}

} // namespace pgt::ext
