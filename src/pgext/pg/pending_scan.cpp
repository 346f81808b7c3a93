#include "pg/pending_scan.hpp"

#include <algorithm>
#include <vector>

#include "pg/guard.hpp" // (pgt headers first)

extern "C" {
#include <access/heapam.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <access/transam.h>
#include <access/xact.h>
#include <miscadmin.h>
#include <storage/bufmgr.h>
#include <storage/predicate.h>
#include <utils/builtins.h>
#include <utils/fmgrprotos.h>
#include <utils/snapmgr.h>
}

namespace pgt::pg {

namespace {

/// A pg_snapshot (full transaction ids) as its text gives it: `xmin:xmax:xip,…`.
struct full_snapshot {
    std::uint64_t xmin = 0, xmax = 0;
    std::vector<std::uint64_t> xip; ///< sorted

    static full_snapshot parse(const std::string& text) {
        full_snapshot s;
        const auto first = text.find(':'), second = text.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos)
            throw error(sqlstate::internal_error, "pg_trickle: not a pg_snapshot: " + text);
        s.xmin = std::stoull(text.substr(0, first));
        s.xmax = std::stoull(text.substr(first + 1, second - first - 1));
        for (std::size_t at = second + 1; at < text.size();) {
            const auto comma = std::min(text.find(',', at), text.size());
            s.xip.push_back(std::stoull(text.substr(at, comma - at)));
            at = comma + 1;
        }
        std::sort(s.xip.begin(), s.xip.end());
        return s;
    }
    /// pg_visible_in_snapshot(x, this).
    bool sees(std::uint64_t x) const {
        if (x < xmin) return true;
        if (x >= xmax) return false;
        return !std::binary_search(xip.begin(), xip.end(), x);
    }
};

/// pg_current_snapshot()'s text under `snap` (the snapshot pending_rows calls "now").
std::string current_snapshot_text(const spi::snapshot& snap) {
    const char* text = call([&] {
        PushActiveSnapshot(static_cast<Snapshot>(snap.handle()));
        const Datum s = DirectFunctionCall1(pg_current_snapshot, PointerGetDatum(nullptr));
        PopActiveSnapshot();
        return DatumGetCString(DirectFunctionCall1(pg_snapshot_out, s));
    });
    return text;
}

/// Calls `visit(tuple, page buffer)` for each row version stored on `rel`'s pages (share-locked),
/// from the first page or, `backward`, from the last, until it returns false; returns whether it
/// read them all. With a `stride`, only every stride-th page is read (from the last one back,
/// or from the first). The pages are read one by one, not by a table scan, which would also
/// prune each page it reads: pruning a trim's dead rows was 55 % of a count's time (perf). It
/// falls to the statements that read the rows, or to VACUUM.
template <class Visit> bool each_row_version(Relation rel, bool backward, Visit visit, BlockNumber stride = 1) {
    const BlockNumber blocks = RelationGetNumberOfBlocks(rel);
    for (BlockNumber i = 0; i < blocks; i += stride) {
        CHECK_FOR_INTERRUPTS();
        const BlockNumber block = backward ? blocks - 1 - i : i;
        const Buffer page_buffer = ReadBufferExtended(rel, MAIN_FORKNUM, block, RBM_NORMAL, nullptr);
        LockBuffer(page_buffer, BUFFER_LOCK_SHARE);
        const Page page = BufferGetPage(page_buffer);
        const OffsetNumber last = PageGetMaxOffsetNumber(page);
        bool go_on = true;
        for (OffsetNumber offset = FirstOffsetNumber; offset <= last && go_on; offset = OffsetNumberNext(offset)) {
            const ItemId item = PageGetItemId(page, offset);
            if (!ItemIdIsNormal(item)) continue;
            HeapTupleData tuple;
            tuple.t_data = reinterpret_cast<HeapTupleHeader>(PageGetItem(page, item));
            tuple.t_len = ItemIdGetLength(item);
            tuple.t_tableOid = RelationGetRelid(rel);
            ItemPointerSet(&tuple.t_self, block, offset);
            go_on = visit(tuple, page_buffer);
        }
        UnlockReleaseBuffer(page_buffer);
        if (!go_on) return false;
    }
    return true;
}

/// A buffer row's transaction id (its first column, __pgt_xid xid8, never NULL).
std::uint64_t row_xid(HeapTupleData& tuple, TupleDesc desc) {
    bool null = false;
    return DatumGetUInt64(heap_getattr(&tuple, 1, desc, &null));
}

/// A count that may stop at its limit first reads every stride-th page from the last back.
/// Where those pages hold pending records for twice the limit or more, it ends there, as one
/// that reached its limit: counting up to it would cost a visibility test per record (14 ms for
/// AUTO's 300,001 records of a 1,000,000-row source) only to decide the same. Pages read at a
/// fixed stride count a run of pending pages to within a stride's worth of pages at each of
/// its ends: a stride of at most limit / (2 x MaxHeapTuplesPerPage) pages keeps twice the limit
/// sampled at least the limit pending. From `min_stride` pages (a smaller limit costs little to
/// count) to `max_stride` (a sample of at least one page in that many). (A sample that finds
/// less is followed by the count, as before.)
constexpr long long min_stride = 32, max_stride = 128;
long long sample_stride(long long limit) { return std::min(max_stride, limit / (2LL * MaxHeapTuplesPerPage)); }
} // namespace

pending_count count_pending(unsigned buffer, const frontier_text& frontier, long long limit, const spi::snapshot& snap,
                            bool marker_past_limit) {
    const full_snapshot applied_before = full_snapshot::parse(frontier.snapshot), now = full_snapshot::parse(current_snapshot_text(snap));
    const std::uint64_t frontier_xid = std::stoull(frontier.xid);
    const long long frontier_stmt = std::stoll(frontier.stmt);
    pending_count out;
    call([&] {
        const FullTransactionId current = GetTopFullTransactionIdIfAny();
        const std::uint64_t me = FullTransactionIdIsValid(current) ? U64FromFullTransactionId(current) : 0;
        Relation rel = table_open(buffer, AccessShareLock);
        // As a statement run under `snap` sees them (SPI): with what this transaction wrote
        // until now, e.g. the rows a refresh decoded itself after taking its snapshot.
        PushCopiedSnapshot(static_cast<Snapshot>(snap.handle()));
        CommandCounterIncrement();
        UpdateActiveSnapshotCommandId();
        const Snapshot snapshot = GetActiveSnapshot();
        PredicateLockRelation(rel, snapshot); // (as a sequential scan does, for SERIALIZABLE)
        const TupleDesc desc = RelationGetDescr(rel);
        auto visible = [&](HeapTupleData& tuple, Buffer page_buffer) {
            const bool seen = (PageIsAllVisible(BufferGetPage(page_buffer)) && !snapshot->takenDuringRecovery) ||
                              HeapTupleSatisfiesVisibility(&tuple, snapshot, page_buffer);
            HeapCheckForSerializableConflictOut(seen, rel, &tuple, page_buffer, snapshot);
            return seen;
        };
        // (The buffer's first three columns, never NULL: __pgt_xid xid8, __pgt_stmt int8,
        // __pgt_action "char".)
        auto action_of = [&](HeapTupleData& tuple) {
            bool null = false;
            return DatumGetChar(heap_getattr(&tuple, 3, desc, &null));
        };
        auto pending = [&](HeapTupleData& tuple, std::uint64_t xid) {
            // (Most rows: written after the frontier's snapshot by a transaction that ended
            // before the current one's xmin, not the frontier's own.)
            if (xid >= applied_before.xmax && xid < now.xmin && xid != frontier_xid) return true;
            bool null = false;
            const long long stmt = DatumGetInt64(heap_getattr(&tuple, 2, desc, &null));
            const bool applied = xid == frontier_xid ? stmt < frontier_stmt : applied_before.sees(xid);
            return !applied && (xid == me || now.sees(xid));
        };
        if (const long long stride = sample_stride(limit); !marker_past_limit && stride >= min_stride) {
            pending_count sampled;
            each_row_version(
                rel, true,
                [&](HeapTupleData& tuple, Buffer page_buffer) {
                    if (!visible(tuple, page_buffer) || !pending(tuple, row_xid(tuple, desc))) return true;
                    const char action = action_of(tuple);
                    ++sampled.records;
                    sampled.inserted += action == 'I';
                    sampled.truncated |= action == 'T';
                    return true;
                },
                static_cast<BlockNumber>(stride));
            if (sampled.records * stride >= 2 * limit) {
                out = {limit, std::min(limit, sampled.inserted * stride), sampled.truncated, std::nullopt, std::nullopt, false};
                PopActiveSnapshot();
                table_close(rel, NoLock);
                return;
            }
        }
        std::uint64_t oldest = now.xmax;
        std::optional<BlockNumber> first_unapplied;
        bool applied_seen = false; // (a row the snapshot sees that is not pending)
        const bool read_all = each_row_version(rel, !marker_past_limit, [&](HeapTupleData& tuple, Buffer page_buffer) {
            const std::uint64_t xid = row_xid(tuple, desc);
            // (Told apart as pending_rows' SQL does: below the frontier's xmin and not its own
            // transaction's, applied; every other row, whatever this count decides of it.)
            if (xid >= applied_before.xmin || xid == frontier_xid) {
                const BlockNumber page = ItemPointerGetBlockNumber(&tuple.t_self);
                if (!first_unapplied || page < *first_unapplied) first_unapplied = page;
            }
            if (!visible(tuple, page_buffer)) return true;
            const char action = action_of(tuple);
            oldest = std::min(oldest, xid);
            // Past the limit only a pending TRUNCATE marker, and whether every row is pending,
            // matter.
            const bool counted_enough = out.records >= limit;
            if (counted_enough && (!marker_past_limit || out.truncated)) return false;
            if (counted_enough && applied_seen && action != 'T') return true; // (nothing left to learn from it)
            if (!pending(tuple, xid)) {
                applied_seen = true;
                return true;
            }
            out.truncated |= action == 'T';
            if (counted_enough) return true;
            ++out.records;
            out.inserted += action == 'I';
            return true;
        });
        if (read_all) {
            out.oldest = oldest;
            out.first_unapplied_page = first_unapplied;
            out.only_pending = !applied_seen;
        }
        PopActiveSnapshot();
        table_close(rel, NoLock);
    });
    return out;
}

std::optional<buffer_contents> row_versions_below(unsigned buffer, std::uint64_t horizon) {
    buffer_contents stored;
    const bool all_below = call([&] {
        Relation rel = table_open(buffer, AccessShareLock);
        const TupleDesc desc = RelationGetDescr(rel);
        stored.pages = RelationGetNumberOfBlocks(rel);
        const bool below = each_row_version(rel, true, [&](HeapTupleData& tuple, Buffer) {
            ++stored.row_versions;
            return row_xid(tuple, desc) < horizon;
        });
        table_close(rel, NoLock);
        return below;
    });
    return all_below ? std::optional(stored) : std::nullopt;
}

} // namespace pgt::pg
