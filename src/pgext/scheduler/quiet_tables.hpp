#pragma once
// The stream tables a scheduler found without pending changes, kept as such until a source of
// theirs changes: a due one is then not asked again. With thousands of idle stream tables due
// every few seconds, asking each of them at every tick was most of a scheduler's work.
// Committing backends name the sources they captured changes of (take_changed_sources); a
// commit that changed anything else, a prepared transaction (its changes commit elsewhere,
// unannounced), a new definition (its generation) or a source captured from the WAL (whose
// buffers refreshes fill as they decode) makes the scheduler ask again.

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "catalog/schedules.hpp"
#include "scheduler/internal.hpp"

namespace pgt::sched {

class quiet_tables {
public:
    /// At the start of a tick, in a transaction, before any `pending` of the tick: forgets the
    /// verdicts that the changes committed since the last tick (from `slot`) may have made
    /// wrong, and notes the tick's stream tables.
    void update(db_slot& slot, const std::vector<ext::scheduled_table>& entries);
    /// Whether stream table `id` has pending changes (ext::has_pending_changes, unless known
    /// quiet); in a transaction.
    bool pending(long long id);
    /// Whether the database had prepared transactions at this tick's update: then nothing is
    /// kept quiet, and the scheduler looks again a second later (their COMMIT PREPARED does
    /// not announce itself).
    bool watching_prepared() const { return prepared_; }

private:
    struct entry {
        long long generation;
        std::vector<std::uint32_t> sources;
    };
    std::map<long long, entry> tables_;                    ///< this tick's stream tables
    std::map<long long, entry> quiet_;                     ///< found without pending changes, as they were then
    std::map<std::uint32_t, std::set<long long>> readers_; ///< of each source, those quiet
    std::uint64_t seen_ = 0;
    bool started_ = false;
    bool prepared_ = false;

    void forget(long long id);
};

} // namespace pgt::sched
