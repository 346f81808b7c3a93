#pragma once
/// \file
/// `detail::pipeline`: software pipelining for batches of lookups into large tables.
///
/// A lookup in a large hash table misses the cache (and, with 4 KiB pages, the TLB) once for
/// the key's slot and once more for what the slot points to. Done one after the other, a
/// batch pays every miss in full. Pipelined, item `i + 2·lag` starts loading its slot while
/// item `i + lag` finds its slot and starts loading its target and item `i` does its work,
/// so about `lag` loads are in flight at any time. (Prefetching a whole batch first issues
/// more loads than the core can track; the surplus just waits.)

#include <cstddef>

namespace dbsp::detail {

inline constexpr std::size_t pipeline_lag = 8;

/// Calls `load_slot(i)`, then `load_target(i)`, then `work(i)` for every `i < n`, each stage
/// `pipeline_lag` items behind the previous one.
template <class LoadSlot, class LoadTarget, class Work>
void pipeline(std::size_t n, LoadSlot load_slot, LoadTarget load_target, Work work) {
    constexpr std::size_t lag = pipeline_lag;
    for (std::size_t i = 0; i < n + 2 * lag; ++i) {
        if (i < n) load_slot(i);
        if (i >= lag && i - lag < n) load_target(i - lag);
        if (i >= 2 * lag) work(i - 2 * lag);
    }
}

} // namespace dbsp::detail
