#include "immediate/immediate.hpp"

#include <algorithm>
#include <climits>
#include <functional>
#include <map>
#include <ranges>
#include <utility>
#include <vector>

#include "capture/capture.hpp"
#include "catalog/consumers.hpp"
#include "catalog/maintainers.hpp"
#include "immediate/immediate_target.hpp"
#include "pg/hook_boundary.hpp"
#include "pg/kept_rows.hpp"
#include "pg/spi.hpp"
#include "pg/statement_hooks.hpp"
#include "pg/transactions.hpp"
#include "pg/transition_tables.hpp"

namespace pgt::ext::immediate {

namespace {

/// Rows a source's statements changed that IMMEDIATE stream tables have not absorbed, kept per
/// subtransaction (an aborted one takes its rows with it), numbered in order of arrival.
struct chunk {
    unsigned source = 0;
    std::uint32_t subtransaction = 0; ///< (SubTransactionId)
    long long number = 0;
    Tuplestorestate* inserted = nullptr;
    Tuplestorestate* deleted = nullptr;
    bool truncated = false;
};
std::vector<chunk> chunks;
long long chunks_made = 0;

/// Queries running now that change data (DML, or a SELECT with a data-modifying WITH), outermost
/// first; and, per open subtransaction, how many there were and whether a maintenance was
/// running when it started (one rolled back inside a maintenance leaves it running).
std::vector<const void*> modifying;
struct subtransaction_start {
    std::size_t modifying;
    bool maintaining;
};
std::vector<subtransaction_start> at_subtransaction_start;
/// True while maintaining: the statements a maintenance runs do not start another one.
bool maintaining = false;

/// (`in_callback`: from a subtransaction's abort, outside any C++ boundary.)
void release(chunk& c, bool in_callback = false) {
    for (Tuplestorestate* rows : {c.inserted, c.deleted})
        if (rows) in_callback ? server::kept_rows::release_in_callback(rows) : server::kept_rows::release(rows);
    c.inserted = c.deleted = nullptr;
}

/// Maintains every IMMEDIATE stream table with changes it has not absorbed, upstream ones
/// first (a stream table reading another is maintained once, after it), until none is left:
/// a maintenance that changes a stream table read by others leaves changes for them.
void maintain_all() {
    maintaining = true;
    struct done {
        ~done() { maintaining = false; }
    } reset;
    spi::session spi;
    std::map<std::pair<long long, unsigned>, long long> absorbed; // (stream table, source) → last chunk
    std::map<long long, int> depths;
    std::function<int(long long)> depth = [&](long long id) {
        if (auto it = depths.find(id); it != depths.end()) return it->second;
        depths[id] = 0; // (stream tables form no cycle; this only guards the recursion)
        int d = 0;
        if (const auto* shape = shape_of(id)) {
            const auto upstream = shape->upstream;
            for (long long up : upstream)
                if (shape_of(up)) d = std::max(d, depth(up) + 1);
        }
        return depths[id] = d;
    };
    for (;;) {
        std::vector<long long> waiting;
        for (const auto& c : chunks)
            for (long long id : consumers_of(c.source).immediate)
                if (c.number > absorbed[{id, c.source}] && std::ranges::find(waiting, id) == waiting.end()) waiting.push_back(id);
        if (waiting.empty()) break;
        // The one nearest the sources first (by id among equals; one alone needs no ordering).
        long long next = waiting.front();
        if (waiting.size() > 1)
            next = *std::ranges::min_element(waiting, [&](long long a, long long b) { return std::pair{depth(a), a} < std::pair{depth(b), b}; });
        // Its unabsorbed changes, one entry per source: a source changed by several statements
        // (or subtransactions) has its rows gathered in one relation.
        std::vector<source_delta> changes;
        std::vector<Tuplestorestate*> gathered;
        for (auto& c : chunks) {
            const auto readers = consumers_of(c.source).immediate;
            if (std::ranges::find(readers, next) == readers.end()) continue;
            auto& seen = absorbed[{next, c.source}];
            if (c.number <= seen) continue;
            seen = c.number;
            auto it = std::ranges::find_if(changes, [&](const source_delta& d) { return d.source == c.source; });
            if (it == changes.end()) {
                changes.push_back({c.source, c.inserted, c.deleted, c.truncated});
                continue;
            }
            it->truncated |= c.truncated;
            for (auto [to, from] : {std::pair{&it->inserted, c.inserted}, std::pair{&it->deleted, c.deleted}}) {
                if (!from) continue;
                *to = server::kept_rows::concatenate(c.source, *to, from);
                gathered.push_back(*to);
            }
        }
        maintain(next, changes);
        for (Tuplestorestate* g : gathered) server::kept_rows::release(g);
    }
    for (auto& c : chunks) release(c);
    chunks.clear();
}

bool due() { return !chunks.empty() && !maintaining; }

void run_maintenance() { pg::invoke_hook(maintain_all, "pg_trickle IMMEDIATE maintenance"); }

/// Takes the maintenance locks of the IMMEDIATE stream tables reading what the query starting
/// (the last of `modifying`) writes, before it locks a row: taken when it ends, a writer would
/// wait for one holding rows that the transaction holding it may come to wait for (a deadlock
/// no writer would meet without the stream table). Its maintenance takes them anyway.
void lock_readers() {
    std::vector<long long> ids;
    for (unsigned source : server::written_tables_with_trigger(modifying.back(), capture_trigger_prefix))
        for (long long id : consumers_of(source).immediate) ids.push_back(id);
    std::ranges::sort(ids);
    const auto [first, last] = std::ranges::unique(ids);
    ids.erase(first, last);
    for (long long id : ids) maintainers::lock(id);
}

void on_start(const void* q, bool changes_data) {
    if (!changes_data) return;
    modifying.push_back(q);
    pg::invoke_hook(lock_readers, "pg_trickle IMMEDIATE locks");
}

void on_finish(const void* q) {
    // A statement run by another one still changing data (a trigger's, a function's called from
    // DML) waits for that one: its sources are not in a consistent state before.
    const bool outermost = std::ranges::all_of(modifying, [&](const void* m) { return m == q; });
    if (due() && outermost) run_maintenance();
}

void on_end(const void* q) {
    if (auto it = std::ranges::find(modifying, q); it != modifying.end()) modifying.erase(it);
}

/// COPY and TRUNCATE change sources outside the executor. While one runs, it counts as a query
/// changing data (a null entry): the statements its triggers run wait for it, as for DML, so
/// that the changes of both are maintained together. (An error leaves the entry to the
/// (sub)transaction's abort, which drops it.)
void on_utility_start(bool changes_rows) {
    if (changes_rows) modifying.push_back(nullptr);
}

void on_utility_done(bool changes_rows, bool transaction_control) {
    if (changes_rows)
        if (auto it = std::ranges::find(std::ranges::reverse_view(modifying), nullptr); it != modifying.rend())
            modifying.erase(std::next(it).base());
    if (due() && modifying.empty() && !transaction_control) run_maintenance();
}

/// Before commit: anything a statement left (nothing, normally) is maintained now.
void before_commit() {
    if (due()) run_maintenance();
}

void transaction_ended() {
    // The rows' memory and temporary files go with the transaction.
    chunks.clear();
    server::kept_rows::forget_all();
    modifying.clear();
    at_subtransaction_start.clear();
    maintaining = false;
}

void subtransaction_started() { at_subtransaction_start.push_back({modifying.size(), maintaining}); }

void subtransaction_ended(bool aborted, std::uint32_t sub, std::uint32_t parent) {
    if (aborted) {
        // Queries that failed inside the subtransaction never reached ExecutorEnd; its changes
        // were rolled back.
        const auto started = at_subtransaction_start.empty() ? subtransaction_start{modifying.size(), false} : at_subtransaction_start.back();
        modifying.resize(std::min(modifying.size(), started.modifying));
        std::erase_if(chunks, [&](chunk& c) {
            if (c.subtransaction != sub) return false;
            release(c, true);
            return true;
        });
        maintaining = started.maintaining;
    } else {
        for (auto& c : chunks)
            if (c.subtransaction == sub) c.subtransaction = parent;
    }
    if (!at_subtransaction_start.empty()) at_subtransaction_start.pop_back();
}

void subtransaction_aborted(std::uint32_t sub) { subtransaction_ended(true, sub, 0); }
void subtransaction_committed(std::uint32_t sub, std::uint32_t parent) { subtransaction_ended(false, sub, parent); }

} // namespace

void keep_changes(TriggerData* td, unsigned root) {
    const std::uint32_t sub = server::current_subtransaction();
    // A statement's rows join the source's rows kept in this subtransaction, but not during a
    // maintenance (a stream table may have absorbed those already: they start a new chunk).
    auto it = maintaining ? chunks.end() : std::ranges::find_if(chunks, [&](const chunk& c) {
        return c.source == root && c.subtransaction == sub;
    });
    if (it == chunks.end()) it = chunks.insert(chunks.end(), chunk{root, sub, 0, nullptr, nullptr, false});
    it->number = ++chunks_made;
    chunk& c = *it;
    if (server::fired_by_truncate(td))
        c.truncated = true;
    else
        server::kept_rows::keep(td, root, &c.deleted, &c.inserted);
}

void install_hooks() {
    server::observe_statements({on_start, on_finish, on_end, on_utility_start, on_utility_done});
    server::on_transaction_events(before_commit, transaction_ended);
    server::on_subtransaction_events(subtransaction_started, subtransaction_aborted, subtransaction_committed);
}

} // namespace pgt::ext::immediate
