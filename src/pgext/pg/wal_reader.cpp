#include "pg/wal_reader.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include "pg/guard.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include <access/heapam_xlog.h>
#include <access/rmgr.h>
#include <access/table.h>
#include <access/transam.h>
#include <access/xact.h>
#include <access/xlog.h>
#include <access/xlog_internal.h>
#include <access/xlogreader.h>
#include <access/xlogutils.h>
#include <catalog/pg_class.h>
#include <catalog/pg_inherits.h>
#include <storage/sinval.h>
#include <storage/lmgr.h>
#include <storage/standbydefs.h>
#include <utils/hsearch.h>
#include <utils/rel.h>
}

namespace pgt::server {

namespace {

// PostgreSQL 16 renamed RelFileNode {spcNode, dbNode, relNode} to RelFileLocator {spcOid, dbOid,
// relNumber}.
#if PG_VERSION_NUM >= 160000
using file_locator = RelFileLocator;
const file_locator& locator_of(Relation rel) { return rel->rd_locator; }
void set_file(table_file& f, const file_locator& l) {
    f.tablespace = l.spcOid;
    f.database = l.dbOid;
    f.file = l.relNumber;
}
#else
using file_locator = RelFileNode;
const file_locator& locator_of(Relation rel) { return rel->rd_node; }
void set_file(table_file& f, const file_locator& l) {
    f.tablespace = l.spcNode;
    f.database = l.dbNode;
    f.file = l.relNode;
}
#endif

} // namespace

std::uint64_t flush_inserted_wal() { return flush_wal_to(pg::call([] { return GetXLogInsertRecPtr(); })); }

std::uint64_t flush_wal_to(std::uint64_t position) {
    return pg::call([&] {
        XLogRecPtr end = position;
        // Just past a page header is where the page's first record would start: the WAL
        // inserted so far ends at the page's start (a flush request past it is refused).
        if (end % wal_segment_size == SizeOfXLogLongPHD)
            end -= SizeOfXLogLongPHD;
        else if (end % XLOG_BLCKSZ == SizeOfXLogShortPHD)
            end -= SizeOfXLogShortPHD;
        XLogFlush(end);
        return end;
    });
}

std::uint64_t next_full_xid() { return U64FromFullTransactionId(ReadNextFullTransactionId()); }

bool lock_relation(std::uint32_t relid, int mode, bool wait) {
    return pg::call([&] {
        if (!wait) return ConditionalLockRelationOid(relid, mode);
        LockRelationOid(relid, mode);
        return true;
    });
}

static_assert(relation_lock::row_exclusive == RowExclusiveLock && relation_lock::share_row_exclusive == ShareRowExclusiveLock &&
              relation_lock::access_exclusive == AccessExclusiveLock);

bool try_lock_relation_tree(std::uint32_t relid, int mode) {
    return pg::call([&] {
        if (!ConditionalLockRelationOid(relid, mode)) return false;
        // (Found without locks, as LOCK TABLE finds them before locking each: the first in the
        // list is relid itself, already locked.)
        List* tree = find_all_inheritors(relid, NoLock, nullptr);
        bool locked = true;
        ListCell* lc;
        foreach (lc, tree)
            if (!ConditionalLockRelationOid(lfirst_oid(lc), mode)) {
                locked = false;
                break;
            }
        list_free(tree);
        return locked;
    });
}

std::optional<table_file> lock_and_locate(std::uint32_t relid, bool wait) {
    if (!lock_relation(relid, AccessShareLock, wait)) return std::nullopt;
    table_file f;
    f.relid = relid;
    pg::call([&] {
        Relation rel = try_table_open(relid, NoLock);
        if (!rel) return; // dropped: no file, nothing more to find
        set_file(f, locator_of(rel));
        // (The table's lock holds its TOAST table's file too.)
        if (Relation toast = OidIsValid(rel->rd_rel->reltoastrelid) ? try_table_open(rel->rd_rel->reltoastrelid, NoLock) : nullptr) {
            table_file t;
            set_file(t, locator_of(toast));
            f.toast_tablespace = t.tablespace;
            f.toast_file = t.file;
            table_close(toast, NoLock);
        }
        table_close(rel, NoLock);
    });
    return f;
}

namespace {

/// A set of transaction ids, kept by dynahash in the current memory context: its members
/// are added and removed while records are read, inside pg::call, where no C++ allocation
/// may throw.
class xid_set {
public:
    explicit xid_set(const char* name) {
        table_ = pg::call([&] {
            HASHCTL ctl{};
            ctl.keysize = ctl.entrysize = sizeof(TransactionId);
            ctl.hcxt = CurrentMemoryContext;
            return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
        });
    }
    ~xid_set() { hash_destroy(table_); } // (frees its memory context: raises no error)
    xid_set(const xid_set&) = delete;
    xid_set& operator=(const xid_set&) = delete;

    // Inside pg::call only (they may raise an error):
    void add(TransactionId x) { (void)hash_search(table_, &x, HASH_ENTER, nullptr); }
    void remove(TransactionId x) { (void)hash_search(table_, &x, HASH_REMOVE, nullptr); }
    void remove(TransactionId x, const TransactionId* subxacts, int nsubxacts) {
        remove(x);
        for (int i = 0; i < nsubxacts; ++i) remove(subxacts[i]);
    }
    bool has(TransactionId x) const { return hash_search(table_, &x, HASH_FIND, nullptr) != nullptr; }
    bool has_any(TransactionId x, const TransactionId* subxacts, int nsubxacts) const {
        return has(x) || std::any_of(subxacts, subxacts + nsubxacts, [&](TransactionId sub) { return has(sub); });
    }
    bool empty() const { return hash_get_num_entries(table_) == 0; }
    /// Removes those numbered before `oldest`.
    void remove_before(TransactionId oldest) {
        HASH_SEQ_STATUS scan;
        hash_seq_init(&scan, table_);
        // (dynahash lets a scan remove the entry it just returned.)
        while (auto* x = static_cast<TransactionId*>(hash_seq_search(&scan)))
            if (TransactionIdPrecedes(*x, oldest)) remove(*x);
    }

    /// The members, or those also in `other` (outside pg::call: the vector is reserved before
    /// the scan, which raises no error).
    std::vector<std::uint32_t> members(const xid_set* other = nullptr) const {
        std::vector<std::uint32_t> out;
        out.reserve(static_cast<std::size_t>(hash_get_num_entries(table_)));
        HASH_SEQ_STATUS scan;
        hash_seq_init(&scan, table_);
        while (auto* x = static_cast<TransactionId*>(hash_seq_search(&scan)))
            if (!other || other->has(*x)) out.push_back(*x);
        return out;
    }

private:
    HTAB* table_ = nullptr;
};

/// The transactions a plan reads, each with its top-level transaction and what its records
/// did, kept by dynahash like xid_set.
class transaction_members {
public:
    struct member {
        TransactionId xid, top;
        bool wrote, changed_catalogs, ended, aborted;
        bool in_progress; ///< (of a family) one of its members had not ended at the plan's end
    };
    explicit transaction_members(const char* name) {
        table_ = pg::call([&] {
            HASHCTL ctl{};
            ctl.keysize = sizeof(TransactionId);
            ctl.entrysize = sizeof(member);
            ctl.hcxt = CurrentMemoryContext;
            return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
        });
    }
    ~transaction_members() { hash_destroy(table_); }
    transaction_members(const transaction_members&) = delete;
    transaction_members& operator=(const transaction_members&) = delete;

    // Inside pg::call only (it may raise an error):
    member& of(TransactionId x) {
        bool found = false;
        auto* m = static_cast<member*>(hash_search(table_, &x, HASH_ENTER, &found));
        if (!found) *m = member{x, x, false, false, false, false, false};
        return *m;
    }

    // Raise no error:
    const member* find(TransactionId x) const { return static_cast<const member*>(hash_search(table_, &x, HASH_FIND, nullptr)); }
    std::size_t size() const { return static_cast<std::size_t>(hash_get_num_entries(table_)); }
    template <class F>
    void each(F&& f) const {
        HASH_SEQ_STATUS scan;
        hash_seq_init(&scan, table_);
        while (auto* m = static_cast<const member*>(hash_seq_search(&scan))) f(*m);
    }

private:
    HTAB* table_ = nullptr;
};

/// Runs of consecutive records of one transaction (records of none do not end a run) that a
/// reader following them could jump over, kept in palloc'd memory like xid_set's. At most
/// `most_runs`: past them, no more are recorded (the rest is read).
class record_runs {
public:
    struct run {
        std::uint64_t after, first, last, next; ///< the end before it, its first and last record, the next record
        TransactionId xid;                      ///< InvalidTransactionId: records of no transaction only
        TransactionId top;                      ///< xid's top-level transaction, when a record of the run names it
        std::uint64_t xid_first;                ///< the first record of xid in the run
    };
    static constexpr std::size_t most_runs = 1u << 20;

    ~record_runs() {
        if (runs_) pfree(runs_);
    }

    // Inside pg::call only (it may raise an error). Each record read, with whether following
    // it does anything.
    void record(XLogReaderState* reader, std::uint64_t before, bool inert) {
        const TransactionId xid = XLogRecGetXid(reader);
        run* open = count_ > 0 && runs_[count_ - 1].next == 0 ? &runs_[count_ - 1] : nullptr;
        if (!inert) {
            if (open) open->next = reader->ReadRecPtr;
            return;
        }
        if (open && (!TransactionIdIsValid(xid) || open->xid == xid || !TransactionIdIsValid(open->xid))) {
            if (TransactionIdIsValid(xid) && !TransactionIdIsValid(open->xid)) {
                open->xid = xid;
                open->xid_first = reader->ReadRecPtr;
            }
            if (TransactionIdIsValid(XLogRecGetTopXid(reader))) open->top = XLogRecGetTopXid(reader);
            open->last = reader->ReadRecPtr;
            return;
        }
        if (open) open->next = reader->ReadRecPtr;
        if (count_ == most_runs) return;
        if (count_ == capacity_) {
            capacity_ = capacity_ ? 2 * capacity_ : 1024;
            runs_ = static_cast<run*>(runs_ ? repalloc_huge(runs_, capacity_ * sizeof(run)) : palloc(capacity_ * sizeof(run)));
        }
        runs_[count_++] = run{before, reader->ReadRecPtr, reader->ReadRecPtr, 0, xid, XLogRecGetTopXid(reader), reader->ReadRecPtr};
    }

    // Raise no error:
    std::size_t size() const { return count_; }
    const run& operator[](std::size_t i) const { return runs_[i]; }

private:
    run* runs_ = nullptr;
    std::size_t count_ = 0, capacity_ = 0;
};

/// Whether a reader following a record may jump over it: logical decoding in fast-forward mode
/// queues no change from it, and what else it records of it (its transaction, and a base
/// snapshot) a jump records itself (logical_decoding.cpp's jump_over). Transaction ends and
/// assignments, snapshots, checkpoints and logical messages are read.
bool inert_when_followed(XLogReaderState* reader) {
    switch (XLogRecGetRmid(reader)) {
    case RM_XACT_ID:
    case RM_STANDBY_ID:
    case RM_XLOG_ID:
    case RM_LOGICALMSG_ID:
        return false;
    default:
        return true;
    }
}

/// What one pass over the records found so far.
struct scan_state {
    const commit_search& search;
    xid_set writers{"pg_trickle WAL writers"}; ///< transactions that wrote or truncated one of the tables
};

/// Whether the record is one logical decoding makes a change of: an insertion, update or
/// deletion of rows (or TRUNCATE). Pruning, vacuuming, freezing, visibility and row locks —
/// which a reader of a source writes too, when it prunes a page — change no row.
bool changes_rows(XLogReaderState* reader) {
    const RmgrId rmgr = XLogRecGetRmid(reader);
    if (rmgr == RM_HEAP2_ID) return (XLogRecGetInfo(reader) & XLOG_HEAP_OPMASK) == XLOG_HEAP2_MULTI_INSERT;
    if (rmgr != RM_HEAP_ID) return false;
    switch (XLogRecGetInfo(reader) & XLOG_HEAP_OPMASK) {
    case XLOG_HEAP_INSERT:
    case XLOG_HEAP_DELETE:
    case XLOG_HEAP_UPDATE:
    case XLOG_HEAP_HOT_UPDATE:
    case XLOG_HEAP_CONFIRM:
    case XLOG_HEAP_TRUNCATE:
        return true;
    default:
        return false;
    }
}

bool touches_tables(XLogReaderState* reader, const scan_state& s) {
    if (!changes_rows(reader)) return false;
    if (XLogRecGetRmid(reader) == RM_HEAP_ID && (XLogRecGetInfo(reader) & XLOG_HEAP_OPMASK) == XLOG_HEAP_TRUNCATE) {
        const auto* t = reinterpret_cast<const xl_heap_truncate*>(XLogRecGetData(reader));
        for (uint32 i = 0; i < t->nrelids; ++i)
            for (const auto& f : s.search.tables)
                if (t->relids[i] == f.relid) return true;
        return false;
    }
    for (int block = 0; block <= XLogRecMaxBlockId(reader); ++block) {
        if (!XLogRecHasBlockRef(reader, block)) continue;
        file_locator locator;
        ForkNumber fork;
        BlockNumber number;
        XLogRecGetBlockTag(reader, static_cast<uint8>(block), &locator, &fork, &number);
        table_file written;
        set_file(written, locator);
        for (const auto& f : s.search.tables)
            if (written.database == f.database && ((written.file == f.file && written.tablespace == f.tablespace) ||
                                                   (f.toast_file != 0 && written.file == f.toast_file && written.tablespace == f.toast_tablespace)))
                return true;
    }
    return false;
}

/// Whether a commit's invalidation messages say that one of the tables may have moved to
/// another file (rewritten, truncated, moved — its writes before then went to the file it left):
/// a commit that drops a file and sends a relcache invalidation of one of them or of all, or of
/// pg_class as a whole. Other catalog
/// changes (a materialized view or another table rewritten) concern no table searched.
bool moves_tables(const xl_xact_parsed_commit& parsed, const commit_search& search) {
    // A table moves by leaving its file, which its commit drops (ALTER TABLE adding a trigger,
    // ANALYZE and the like send the same messages but drop no file).
    if (parsed.nrels == 0) return false;
    for (int i = 0; i < parsed.nmsgs; ++i) {
        const SharedInvalidationMessage& m = parsed.msgs[i];
        if (m.id == SHAREDINVALCATALOG_ID && m.cat.catId == RelationRelationId) return true;
        if (m.id != SHAREDINVALRELCACHE_ID || (m.rc.dbId != MyDatabaseId && m.rc.dbId != InvalidOid)) continue;
        if (m.rc.relId == InvalidOid) return true;
        for (const auto& f : search.tables)
            if (f.relid == m.rc.relId) return true;
    }
    return false;
}

/// Whether the commit just read must be decoded.
bool commit_counts(XLogReaderState* reader, const scan_state& s) {
    const uint8 info = XLogRecGetInfo(reader) & XLOG_XACT_OPMASK;
    if (info == XLOG_XACT_COMMIT_PREPARED) return true;
    const TransactionId xid = XLogRecGetXid(reader);
    const std::uint64_t full = U64FromFullTransactionId(XLogRecGetFullXid(reader));
    if (full == s.search.ignore) return false;
    xl_xact_parsed_commit parsed;
    ParseCommitRecord(XLogRecGetInfo(reader), reinterpret_cast<xl_xact_commit*>(XLogRecGetData(reader)), &parsed);
    if (const auto& before = s.search.writers_before) {
        auto wrote_before = [&](TransactionId x) { return std::find(before->begin(), before->end(), x) != before->end(); };
        if (wrote_before(xid) || std::any_of(parsed.subxacts, parsed.subxacts + parsed.nsubxacts, wrote_before)) return true;
    } else if (full < s.search.assigned_from) {
        return true;
    }
    if (moves_tables(parsed, s.search)) return true;
    return s.writers.has_any(xid, parsed.subxacts, parsed.nsubxacts);
}

} // namespace

namespace {

/// Reads the records from the first one after `from` (flushed ones only), calling
/// `on_record(reader)` for each starting before `to` until it returns true. Returns whether it
/// did; false at the end of the flushed WAL.
bool read_records(std::uint64_t from, std::uint64_t to, const std::function<bool(XLogReaderState*)>& on_record) {
    if (from >= to) return false;
    XLogReaderRoutine routine{};
    // Reads only what is flushed, and reports its end instead of waiting for more.
    routine.page_read = &read_local_xlog_page_no_wait;
    routine.segment_open = &wal_segment_open;
    routine.segment_close = &wal_segment_close;
    ReadLocalXLogPageNoWaitPrivate position{};
    XLogReaderState* reader = pg::call([&] {
        XLogReaderState* r = XLogReaderAllocate(wal_segment_size, nullptr, &routine, &position);
        if (!r) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory reading the WAL")));
        return r;
    });
    // Read in the reader's own guarded call; the reader (and the WAL file it holds open) is
    // freed whatever happens.
    auto scan = [&] {
        const XLogRecPtr first = XLogFindNextRecord(reader, from);
        if (XLogRecPtrIsInvalid(first)) {
            if (position.end_of_wal) return false; // no record after `from` yet
            elog(ERROR, "pg_trickle: no WAL record after %X/%X", static_cast<uint32>(from >> 32), static_cast<uint32>(from));
        }
        XLogBeginRead(reader, first);
        for (;;) {
            char* message = nullptr;
            if (!XLogReadRecord(reader, &message)) {
                if (position.end_of_wal) return false;
                elog(ERROR, "pg_trickle: could not read the WAL at %X/%X: %s", static_cast<uint32>(reader->EndRecPtr >> 32),
                     static_cast<uint32>(reader->EndRecPtr), message ? message : "invalid record");
            }
            if (reader->ReadRecPtr >= to) return false;
            if (on_record(reader)) return true;
        }
    };
    bool stopped = false;
    try {
        stopped = pg::call(scan);
    } catch (...) {
        pg::call([&] { XLogReaderFree(reader); });
        throw;
    }
    pg::call([&] { XLogReaderFree(reader); });
    return stopped;
}

bool is_commit(XLogReaderState* reader) {
    if (XLogRecGetRmid(reader) != RM_XACT_ID) return false;
    const uint8 info = XLogRecGetInfo(reader) & XLOG_XACT_OPMASK;
    return info == XLOG_XACT_COMMIT || info == XLOG_XACT_COMMIT_PREPARED;
}

bool is_abort(XLogReaderState* reader) {
    return XLogRecGetRmid(reader) == RM_XACT_ID && (XLogRecGetInfo(reader) & XLOG_XACT_OPMASK) == XLOG_XACT_ABORT;
}

} // namespace

bool commits_changing(const commit_search& search) {
    scan_state s{search};
    return read_records(search.from, search.to, [&](XLogReaderState* reader) {
        if (is_commit(reader)) return commit_counts(reader, s);
        if (!is_abort(reader) && touches_tables(reader, s)) s.writers.add(XLogRecGetXid(reader));
        return false;
    });
}

std::optional<std::vector<std::uint32_t>> writers_at_end_when_unchanged(const commit_search& search) {
    // The writers found, from writers_before on, less those found ended: one that ended will
    // not commit.
    scan_state s{search};
    pg::call([&] {
        for (TransactionId x : *search.writers_before) s.writers.add(x);
    });
    const bool changing = read_records(search.from, search.to, [&](XLogReaderState* reader) {
        if (is_commit(reader)) return commit_counts(reader, s);
        if (is_abort(reader)) {
            // (Of a subtransaction, or of a top-level one with its subtransactions: nothing it
            // wrote is seen.)
            xl_xact_parsed_abort parsed;
            ParseAbortRecord(XLogRecGetInfo(reader), reinterpret_cast<xl_xact_abort*>(XLogRecGetData(reader)), &parsed);
            s.writers.remove(XLogRecGetXid(reader), parsed.subxacts, parsed.nsubxacts);
        } else if (XLogRecGetRmid(reader) == RM_STANDBY_ID && (XLogRecGetInfo(reader) & ~XLR_INFO_MASK) == XLOG_RUNNING_XACTS) {
            // Transactions before the oldest running one ended without a record (a crash).
            s.writers.remove_before(reinterpret_cast<const xl_running_xacts*>(XLogRecGetData(reader))->oldestRunningXid);
        } else if (touches_tables(reader, s)) {
            s.writers.add(XLogRecGetXid(reader));
        }
        return false;
    });
    if (changing) return std::nullopt;
    return s.writers.members();
}

namespace {

/// What a plan decides for each transaction it read (see decoding_plan).
struct family_decisions {
    std::vector<std::uint32_t> followed, decoded_whole;
    std::vector<std::uint32_t> in_progress; ///< the transactions (and subtransactions) not ended at `to`, sorted
    bool changing_catalogs = false; ///< one in progress changed the catalogs (and was not decoded whole before)
};

family_decisions decide(const transaction_members& members, const xid_set& held_whole, const xid_set& open) {
    // The families: a member's flags are its top-level transaction's too. A family is in
    // progress while one of its members is: the records a pass reads of a top-level transaction
    // may all be its subtransactions' (its own come with its commit).
    transaction_members families("pg_trickle WAL transaction families");
    pg::call([&] {
        members.each([&](const transaction_members::member& m) {
            auto& f = families.of(m.top);
            f.wrote = f.wrote || m.wrote;
            f.changed_catalogs = f.changed_catalogs || m.changed_catalogs;
            f.in_progress = f.in_progress || open.has(m.xid) || open.has(m.top);
            if (m.xid == m.top) {
                f.ended = m.ended;
                f.aborted = m.aborted;
            }
        });
    });
    auto whole = [&](TransactionId top) {
        const auto* f = families.find(top);
        return held_whole.has(top) || (f->changed_catalogs && !f->aborted && (f->wrote || !f->ended));
    };
    family_decisions out;
    out.followed.reserve(members.size());
    out.decoded_whole.reserve(members.size());
    out.in_progress.reserve(members.size());
    members.each([&](const transaction_members::member& m) {
        const auto* f = families.find(m.top);
        const bool decoded = whole(m.top) || (!m.aborted && (m.wrote || (m.xid == m.top && f->wrote)));
        if (!decoded) out.followed.push_back(m.xid);
        if (f->in_progress) out.in_progress.push_back(m.xid);
    });
    families.each([&](const transaction_members::member& f) {
        if (!f.in_progress || !whole(f.xid)) return;
        out.decoded_whole.push_back(f.xid);
        out.changing_catalogs = out.changing_catalogs || !held_whole.has(f.xid);
    });
    std::sort(out.followed.begin(), out.followed.end());
    std::sort(out.in_progress.begin(), out.in_progress.end());
    return out;
}

/// The jumps a reader following `plan` may take: over the runs it only follows (outside the
/// stretches it decodes, or of a transaction it follows) that end before it stops, of no
/// transaction or of one that ended: one still in progress is followed record by record, as
/// logical decoding expects (the slot's restart point and catalog horizon wait for it).
std::vector<decoding_plan::jump> jumps_over_followed(const record_runs& runs, const decoding_plan& plan,
                                                     const std::vector<std::uint32_t>& in_progress) {
    // (The stretches are increasing and apart.)
    auto decoded_at = [&](std::uint64_t at) {
        auto s = std::upper_bound(plan.decode.begin(), plan.decode.end(), at, [](std::uint64_t a, const auto& d) { return a < d.second; });
        return s != plan.decode.end() && s->first <= at ? s - plan.decode.begin() : -1;
    };
    std::vector<decoding_plan::jump> jumps;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& r = runs[i];
        if (r.next == 0 || r.next >= plan.stop) break;
        if (TransactionIdIsValid(r.xid) && std::binary_search(in_progress.begin(), in_progress.end(), r.xid)) continue;
        const bool followed = !TransactionIdIsValid(r.xid) || std::binary_search(plan.followed.begin(), plan.followed.end(), r.xid);
        const auto first = decoded_at(r.first), last = decoded_at(r.last);
        // (Outside the stretches: between the same two, the run's first and last record.)
        const bool outside = first < 0 && last < 0 &&
                             std::lower_bound(plan.decode.begin(), plan.decode.end(), r.first, [](const auto& d, std::uint64_t a) { return d.first < a; }) ==
                                 std::lower_bound(plan.decode.begin(), plan.decode.end(), r.last, [](const auto& d, std::uint64_t a) { return d.first < a; });
        if (!followed && !outside) continue;
        if (!jumps.empty() && jumps.back().resume == r.first)
            jumps.back().resume = r.next; // (runs of two transactions, one after the other)
        else
            jumps.push_back({r.after, r.next, {}});
        if (TransactionIdIsValid(r.xid)) jumps.back().transactions.push_back({r.xid, r.top, r.xid_first});
    }
    return jumps;
}

} // namespace

decoding_plan plan_decoding(std::uint64_t from, std::uint64_t to, const std::vector<table_file>& tables,
                            const held_transactions& held, std::size_t most_in_progress, std::uint64_t most_read_again) {
    commit_search search;
    search.tables = tables;
    scan_state s{search};
    xid_set open("pg_trickle WAL transactions in progress");
    xid_set held_whole("pg_trickle WAL transactions decoded whole");
    transaction_members members("pg_trickle WAL transactions read");
    pg::call([&] {
        for (const auto& [xid, top] : held.members) {
            members.of(xid).top = top;
            open.add(xid);
        }
        for (TransactionId top : held.writers) {
            members.of(top).wrote = true;
            s.writers.add(top);
        }
        for (TransactionId top : held.decoded_whole) held_whole.add(top);
    });
    decoding_plan plan;
    // The stretch since the last point where nothing was in progress, and whether a commit in
    // it concerns the tables.
    std::uint64_t stretch = from;
    bool stretch_counts = false;
    // Whether a table may have moved to another file: writes to the one it left are not
    // recognised, and no transaction is known not to have written it.
    bool moved = false;
    record_runs runs;
    std::uint64_t before = from; // the end of the record before the one read
    bool catalogs_change = false;
    const bool unsure = read_records(from, to, [&](XLogReaderState* reader) {
        const TransactionId xid = XLogRecGetXid(reader);
        const RmgrId rmgr = XLogRecGetRmid(reader);
        runs.record(reader, before, inert_when_followed(reader));
        before = reader->EndRecPtr;
        if (TransactionIdIsValid(xid)) {
            open.add(xid);
            auto& m = members.of(xid);
            // (A subtransaction's first record names its top-level transaction.)
            if (TransactionIdIsValid(XLogRecGetTopXid(reader))) m.top = XLogRecGetTopXid(reader);
        }
        if (rmgr == RM_XACT_ID) {
            const uint8 info = XLogRecGetInfo(reader) & XLOG_XACT_OPMASK;
            // (A prepared transaction stays in progress past its records: not followed.)
            if (info == XLOG_XACT_PREPARE || info == XLOG_XACT_COMMIT_PREPARED || info == XLOG_XACT_ABORT_PREPARED) return true;
            if (info == XLOG_XACT_COMMIT) {
                xl_xact_parsed_commit parsed;
                ParseCommitRecord(XLogRecGetInfo(reader), reinterpret_cast<xl_xact_commit*>(XLogRecGetData(reader)), &parsed);
                if (moves_tables(parsed, search)) {
                    // Everything up to the end of this stretch is decoded; the writes after it
                    // go to the files searched.
                    plan.decode.clear();
                    stretch = from;
                    stretch_counts = true;
                    moved = true;
                } else if (s.writers.has_any(xid, parsed.subxacts, parsed.nsubxacts)) {
                    stretch_counts = true;
                }
                members.of(xid).ended = true;
                catalogs_change = catalogs_change || parsed.nmsgs > 0;
                for (int i = 0; i < parsed.nsubxacts; ++i) members.of(parsed.subxacts[i]).top = xid;
                open.remove(xid, parsed.subxacts, parsed.nsubxacts);
            } else if (info == XLOG_XACT_ABORT) {
                xl_xact_parsed_abort parsed;
                ParseAbortRecord(XLogRecGetInfo(reader), reinterpret_cast<xl_xact_abort*>(XLogRecGetData(reader)), &parsed);
                // (Of a subtransaction, or of a top-level one: its own subtransactions with it.)
                auto& m = members.of(xid);
                m.ended = m.aborted = true;
                for (int i = 0; i < parsed.nsubxacts; ++i) members.of(parsed.subxacts[i]).aborted = true;
                open.remove(xid, parsed.subxacts, parsed.nsubxacts);
            } else if (info == XLOG_XACT_ASSIGNMENT) {
                const auto* a = reinterpret_cast<const xl_xact_assignment*>(XLogRecGetData(reader));
                for (int i = 0; i < a->nsubxacts; ++i) members.of(a->xsub[i]).top = a->xtop;
            } else if (info == XLOG_XACT_INVALIDATIONS) {
                catalogs_change = true;
                if (TransactionIdIsValid(xid)) members.of(xid).changed_catalogs = true;
            }
        } else if (rmgr == RM_HEAP2_ID && (XLogRecGetInfo(reader) & XLOG_HEAP_OPMASK) == XLOG_HEAP2_NEW_CID) {
            // (It names its top-level transaction: a subtransaction whose first record was read
            // by an earlier pass is linked here.)
            const TransactionId top = reinterpret_cast<const xl_heap_new_cid*>(XLogRecGetData(reader))->top_xid;
            members.of(top).changed_catalogs = true;
            catalogs_change = true;
            if (TransactionIdIsValid(xid) && xid != top) members.of(xid).top = top;
        } else if (rmgr == RM_STANDBY_ID && (XLogRecGetInfo(reader) & ~XLR_INFO_MASK) == XLOG_RUNNING_XACTS) {
            // Transactions before the oldest running one ended without a record (a crash).
            open.remove_before(reinterpret_cast<const xl_running_xacts*>(XLogRecGetData(reader))->oldestRunningXid);
        } else if (touches_tables(reader, s)) {
            s.writers.add(xid);
            members.of(xid).wrote = true;
        }
        if (open.empty()) {
            if (stretch_counts) plan.decode.emplace_back(stretch, reader->EndRecPtr);
            stretch = reader->EndRecPtr;
            stretch_counts = false;
        }
        return false;
    });
    if (unsure) {
        plan.decode = {{from, to}};
        plan.stop = to;
        return plan;
    }
    plan.catalogs_change = catalogs_change;
    std::vector<std::uint32_t> writing = open.members(&s.writers);
    auto decided = decide(members, held_whole, open);
    // What is in progress at `to` is decoded as it goes, but for the transactions followed: a
    // large write to a source is then mostly queued by the time it commits. Unless one there
    // changed the catalogs (decoded whole, what it writes would be queued) and nothing else
    // requires it: then it is read again, by the next pass, up to a point.
    if (stretch_counts || !writing.empty() || !decided.changing_catalogs || to - stretch > most_read_again) {
        if (to > stretch) plan.decode.emplace_back(stretch, to);
        plan.stop = to;
        plan.decoded_whole = std::move(decided.decoded_whole);
    } else {
        plan.stop = stretch;
        plan.decoded_whole.emplace(); // (nothing is in progress there)
    }
    if (moved)
        plan.decoded_whole.reset();
    else
        plan.followed = std::move(decided.followed);
    if (writing.size() <= most_in_progress) plan.writers_in_progress = std::move(writing);
    plan.jumps = jumps_over_followed(runs, plan, decided.in_progress);
    return plan;
}

} // namespace pgt::server
