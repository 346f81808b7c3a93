#pragma once
// What capture tells the layers above it, which subscribe from _PG_init: capture depends on
// neither IMMEDIATE maintenance nor the scheduler, it publishes to whoever listens.

extern "C" {
struct TriggerData;
}

namespace pgt::ext::capture_subscribers {

/// Called with a capture trigger's data and the root of its table (itself, or a partition's
/// partitioned table) when an IMMEDIATE stream table reads that root.
using immediate_changes = void (*)(TriggerData* td, unsigned root);
/// Called when the current transaction wrote captured changes of table `root` to its buffer.
using buffered_changes = void (*)(unsigned root);

void subscribe(immediate_changes on_immediate, buffered_changes on_buffered);

/// For capture: the subscribers (no-ops before subscribe()).
void publish_immediate(TriggerData* td, unsigned root);
void publish_buffered(unsigned root);

} // namespace pgt::ext::capture_subscribers
