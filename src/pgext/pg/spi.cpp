#include "pg/spi.hpp"

#include "pgt/error.hpp"
#include "pgt/sql/tree.hpp"

#include "pg/guard.hpp"
#include "pg/gucs.hpp"
#include "pg/relations.hpp"

#include <algorithm>
#include <unordered_map>

extern "C" {
#include <access/transam.h>
#include <access/xact.h>
#include <nodes/plannodes.h>
#include <utils/lsyscache.h>
#include <utils/memutils.h>
#include <utils/plancache.h>
#include <utils/resowner.h>
#include <utils/snapmgr.h>
}

namespace pgt::spi {

static_assert(text_type == TEXTOID);

namespace {

/// `SELECT * FROM (sql) q LIMIT 0`: planned and started, no row fetched.
std::string no_rows(const std::string& sql) {
    namespace t = sql::tree;
    return t::render(t::select({t::all("")}).from(t::from(t::rendered_query(sql), "q")).limit(t::integer(0)));
}

struct params_buffer {
    std::vector<Oid> types;
    std::vector<Datum> values;
    std::vector<char> nulls;
};

/// Parameters given as text, as Datums of `plan`'s declared types (text when there is no plan):
/// a parameter of another type is read by its type's input function.
params_buffer to_datums(const std::vector<param>& params, SPIPlanPtr plan = nullptr) {
    params_buffer b;
    for (const auto& p : params) {
        const Oid type = plan ? pg::call([&] { return SPI_getargtypeid(plan, static_cast<int>(b.types.size())); }) : TEXTOID;
        b.types.push_back(type);
        b.nulls.push_back(p ? ' ' : 'n');
        if (!p)
            b.values.push_back(Datum(0));
        else if (type == TEXTOID)
            b.values.push_back(pg::call([&] { return PointerGetDatum(cstring_to_text_with_len(p->data(), static_cast<int>(p->size()))); }));
        else
            b.values.push_back(pg::call([&] {
                Oid input, io_param;
                getTypeInputInfo(type, &input, &io_param);
                return OidInputFunctionCall(input, const_cast<char*>(p->c_str()), io_param, -1);
            }));
    }
    return b;
}

/// A negative SPI result is a misuse of SPI by pg_trickle (a server error arrives as one of
/// its own, SQLSTATE and message kept): an internal error, its statement in the detail.
void check(int rc, const std::string& sql) {
    if (rc < 0)
        throw error(sqlstate::internal_error, std::string("pg_trickle: SPI failed: ") + SPI_result_code_string(rc),
                    "statement: " + sql.substr(0, 1000));
}

std::vector<row> collect_rows() {
    std::vector<row> rows;
    if (!SPI_tuptable) return rows;
    const TupleDesc desc = SPI_tuptable->tupdesc;
    for (uint64 r = 0; r < SPI_processed; ++r) {
        row out;
        HeapTuple tuple = SPI_tuptable->vals[r];
        for (int c = 1; c <= desc->natts; ++c) {
            char* v = pg::call([&] { return SPI_getvalue(tuple, desc, c); });
            out.push_back(v ? std::optional<std::string>(v) : std::nullopt);
        }
        rows.push_back(std::move(out));
    }
    return rows;
}

std::uint64_t run(const std::string& sql, const std::vector<param>& params, Snapshot snap) {
    auto b = to_datums(params);
    int rc;
    if (snap) {
        SPIPlanPtr p = pg::call([&] {
            return SPI_prepare(sql.c_str(), static_cast<int>(b.types.size()), b.types.data());
        });
        if (!p) check(SPI_result, sql);
        rc = pg::call([&] {
            return SPI_execute_snapshot(p, b.values.data(), b.nulls.data(), snap, InvalidSnapshot, false, true, 0);
        });
        pg::call([&] { SPI_freeplan(p); });
    } else if (params.empty()) {
        rc = pg::call([&] { return SPI_execute(sql.c_str(), false, 0); });
    } else {
        rc = pg::call([&] {
            return SPI_execute_with_args(sql.c_str(), static_cast<int>(b.types.size()), b.types.data(), b.values.data(),
                                         b.nulls.data(), false, 0);
        });
    }
    check(rc, sql);
    return SPI_processed;
}

} // namespace

session::session() {
    pg::call([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
}

session::~session() {
    // On the error path the transaction's abort cleans SPI up; SPI_finish here would fail.
    if (std::uncaught_exceptions() == 0) SPI_finish();
}

std::uint64_t exec(const std::string& sql, const std::vector<param>& params) { return run(sql, params, nullptr); }

std::vector<row> query(const std::string& sql, const std::vector<param>& params) {
    run(sql, params, nullptr);
    return collect_rows();
}

std::optional<std::string> scalar(const std::string& sql, const std::vector<param>& params) {
    auto rows = query(sql, params);
    if (rows.empty() || rows[0].empty()) return std::nullopt;
    return rows[0][0];
}

plan::plan(const std::string& sql, int nparams, bool generic)
    : plan(sql, std::vector<unsigned>(static_cast<std::size_t>(nparams), TEXTOID), generic) {}

plan::plan(const std::string& sql, const std::vector<unsigned>& types, bool generic)
    : plan(sql, types, generic ? CURSOR_OPT_GENERIC_PLAN : 0) {}

plan plan::parallel_query(const std::string& sql) { return plan(sql, std::vector<unsigned>{}, CURSOR_OPT_PARALLEL_OK); }

plan::plan(const std::string& sql, const std::vector<unsigned>& types, int cursor_options) {
    std::vector<Oid> oids(types.begin(), types.end());
    SPIPlanPtr p = pg::call([&] {
        return SPI_prepare_cursor(sql.c_str(), static_cast<int>(oids.size()), oids.data(), cursor_options);
    });
    if (!p) check(SPI_result, sql);
    pg::call([&] { SPI_keepplan(p); });
    handle_ = p;
}

plan::plan(plan&& o) noexcept : handle_(std::exchange(o.handle_, nullptr)) {}
plan& plan::operator=(plan&& o) noexcept {
    if (this != &o) {
        if (handle_) SPI_freeplan(static_cast<SPIPlanPtr>(handle_));
        handle_ = std::exchange(o.handle_, nullptr);
    }
    return *this;
}
plan::~plan() {
    if (handle_) SPI_freeplan(static_cast<SPIPlanPtr>(handle_));
}

std::uint64_t plan::execute(const std::vector<param>& params, const snapshot* snap) const {
    auto* p = static_cast<SPIPlanPtr>(handle_);
    auto b = to_datums(params, p);
    int rc = pg::call([&] {
        return snap ? SPI_execute_snapshot(p, b.values.data(), b.nulls.data(), static_cast<Snapshot>(snap->handle()),
                                           InvalidSnapshot, false, true, 0)
                    : SPI_execute_plan(p, b.values.data(), b.nulls.data(), false, 0);
    });
    check(rc, "prepared statement");
    return SPI_processed;
}

double plan::make_generic_plan() const {
    auto* p = static_cast<SPIPlanPtr>(handle_);
    double cost = 0;
    pg::call([&] {
        CachedPlan* cached = SPI_plan_get_cached_plan(p);
        if (!cached) return;
        ListCell* each;
        foreach (each, cached->stmt_list)
            if (const auto* stmt = lfirst_node(PlannedStmt, each); stmt->planTree) cost += stmt->planTree->total_cost;
        // (A kept plan's cached plan belongs to the current resource owner until released.)
        ReleaseCachedPlan(cached, CurrentResourceOwner);
    });
    return cost;
}

std::uint64_t plan::execute_values(const std::vector<std::uintptr_t>& values, const std::string& nulls) const {
    std::vector<Datum> datums(values.begin(), values.end());
    const int rc = pg::call([&] { return SPI_execute_plan(static_cast<SPIPlanPtr>(handle_), datums.data(), nulls.c_str(), false, 0); });
    check(rc, "prepared statement");
    return SPI_processed;
}

std::vector<row> plan::query(const std::vector<param>& params, const snapshot* snap) const {
    execute(params, snap);
    return collect_rows();
}

const plan& prepared(const std::string& sql, int nparams) {
    static std::unordered_map<std::string, plan> cache;
    auto it = cache.find(sql);
    if (it == cache.end()) it = cache.emplace(sql, plan(sql, nparams, true)).first;
    return it->second;
}

namespace {
Snapshot pinned = nullptr; ///< a pinned_snapshot's, while it lives
} // namespace

snapshot::snapshot()
    : handle_(pg::call([] {
          if (!pinned) return RegisterSnapshot(GetLatestSnapshot());
          // A copy of the pinned one that sees this transaction's work so far, as a snapshot
          // taken now would (statements run read-only under it do not advance it).
          PushCopiedSnapshot(pinned);
          UpdateActiveSnapshotCommandId();
          Snapshot copy = RegisterSnapshot(GetActiveSnapshot());
          PopActiveSnapshot();
          return copy;
      })) {}
snapshot::~snapshot() {
    // Registered snapshots are released by resource-owner cleanup on abort.
    if (std::uncaught_exceptions() == 0) UnregisterSnapshot(static_cast<Snapshot>(handle_));
}

namespace {

/// Transaction ids a snapshot may list as running after make_visible moved its xmax.
constexpr std::uint32_t most_listed = 1u << 20;

/// A copy of `s` in which `adopt` (ids `s` does not see) are visible: its xmax moves past them,
/// and the ids it passes over that are not adopted are listed as running.
Snapshot with_visible(Snapshot s, const std::vector<TransactionId>& adopt) {
    const auto adopted = [&](TransactionId x) { return std::find(adopt.begin(), adopt.end(), x) != adopt.end(); };
    TransactionId xmax = s->xmax;
    for (TransactionId x : adopt)
        if (TransactionIdFollowsOrEquals(x, xmax)) {
            xmax = x;
            TransactionIdAdvance(xmax);
        }
    const std::uint32_t passed = xmax - s->xmax;
    if (passed > most_listed) return nullptr;
    const Size listed = s->xcnt + passed + s->subxcnt;
    auto* n = static_cast<Snapshot>(MemoryContextAlloc(TopTransactionContext, sizeof(SnapshotData) + listed * sizeof(TransactionId)));
    memcpy(n, s, sizeof(SnapshotData));
    n->xip = reinterpret_cast<TransactionId*>(n + 1);
    n->xcnt = 0;
    for (std::uint32_t i = 0; i < s->xcnt; ++i)
        if (!adopted(s->xip[i])) n->xip[n->xcnt++] = s->xip[i];
    for (TransactionId x = s->xmax; x != xmax;) {
        if (!adopted(x)) n->xip[n->xcnt++] = x;
        TransactionIdAdvance(x);
    }
    n->subxip = n->xip + n->xcnt;
    n->subxcnt = 0;
    for (std::int32_t i = 0; i < s->subxcnt; ++i)
        if (!adopted(s->subxip[i])) n->subxip[n->subxcnt++] = s->subxip[i];
    n->xmax = xmax;
    n->copied = true;
    n->regd_count = 0;
    n->active_count = 0;
    n->snapXactCompletionCount = 0;
    return n;
}

} // namespace

bool snapshot::make_visible(const std::vector<std::uint64_t>& committed) {
    auto* s = static_cast<Snapshot>(handle_);
    std::vector<TransactionId> adopt;
    adopt.reserve(committed.size()); // (filled below without reallocating, inside pg::call)
    pg::call([&] {
        for (std::uint64_t full : committed) {
            const TransactionId x = XidFromFullTransactionId(FullTransactionIdFromU64(full));
            if (XidInMVCCSnapshot(x, s)) adopt.push_back(x);
        }
    });
    if (adopt.empty()) return true;
    void* replaced = pg::call([&] {
        Snapshot n = with_visible(s, adopt);
        if (!n) return static_cast<void*>(nullptr);
        Snapshot registered = RegisterSnapshot(n);
        UnregisterSnapshot(s);
        return static_cast<void*>(registered);
    });
    if (!replaced) return false;
    handle_ = replaced;
    return true;
}

pinned_snapshot::pinned_snapshot() : pinned_snapshot([](std::optional<snapshot>& s) { s.emplace(); }) {}

pinned_snapshot::pinned_snapshot(const std::function<void(std::optional<snapshot>&)>& take) {
    if (pinned) throw error(sqlstate::internal_error, "pg_trickle: a snapshot is already pinned");
    // The transaction's id is assigned first, as it is before any snapshot taken after a
    // write: the snapshot then treats what the transaction writes as committed
    // (pg_visible_in_snapshot(), which filters the change buffers, sees it).
    pg::call([] { (void)GetTopTransactionId(); });
    std::optional<snapshot> taken;
    take(taken);
    pinned = pg::call([&] { return RegisterSnapshot(static_cast<Snapshot>(taken->handle())); });
}

pinned_snapshot::~pinned_snapshot() {
    // (On abort, resource-owner cleanup releases the registration.)
    if (std::uncaught_exceptions() == 0) UnregisterSnapshot(pinned);
    pinned = nullptr;
}

std::uint64_t snapshot::exec(const std::string& sql, const std::vector<param>& params) const {
    return run(sql, params, static_cast<Snapshot>(handle_));
}

std::vector<row> snapshot::query(const std::string& sql, const std::vector<param>& params) const {
    run(sql, params, static_cast<Snapshot>(handle_));
    return collect_rows();
}

std::vector<std::pair<std::string, std::string>> describe(const std::string& sql) {
    // Planned and started but no row fetched: the caller's privileges are checked too. (Not
    // compiled by JIT: starting the plan compiles all its expressions at the first one run,
    // seconds for a large plan whose rows are never read.)
    const server::no_jit_scope no_jit;
    run(no_rows(sql), {}, nullptr);
    std::vector<std::pair<std::string, std::string>> cols;
    const TupleDesc desc = SPI_tuptable->tupdesc;
    // (Aggregate state tables are made with these types as the extension owner.)
    const server::qualified_type_names_scope qualified;
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute a = TupleDescAttr(desc, i);
        const char* type = pg::call([&] { return static_cast<const char*>(format_type_with_typemod(a->atttypid, a->atttypmod)); });
        cols.emplace_back(NameStr(a->attname), type);
    }
    return cols;
}

std::vector<sql::ddl::column_definition> describe_columns(const std::string& sql) {
    const auto described = describe(sql);
    std::vector<sql::ddl::column_definition> cols;
    const TupleDesc desc = SPI_tuptable->tupdesc;
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute a = TupleDescAttr(desc, i);
        const bool usual = pg::call([&] { return a->attcollation == get_typcollation(a->atttypid); });
        cols.push_back({described[static_cast<std::size_t>(i)].first, described[static_cast<std::size_t>(i)].second, false,
                        usual ? std::string() : server::qualified_collation(a->attcollation)});
    }
    return cols;
}

std::string quote_ident(const std::string& s) {
    const char* q = pg::call([&] { return quote_identifier(s.c_str()); });
    return q;
}

std::string text_array(const std::vector<std::string>& values) {
    std::string s = "{";
    for (const auto& v : values) {
        if (s.size() > 1) s += ',';
        s += '"';
        for (char c : v) {
            if (c == '"' || c == '\\') s += '\\';
            s += c;
        }
        s += '"';
    }
    return s + "}";
}

std::vector<std::string> parse_text_array(const std::string& text) {
    // array_out: elements separated by commas; one with special characters is double-quoted,
    // with its quotes and backslashes escaped by a backslash; an unquoted NULL is a null.
    std::vector<std::string> out;
    std::size_t i = text.empty() || text[0] != '{' ? text.size() : 1;
    while (i < text.size() && text[i] != '}') {
        std::string element;
        bool quoted = false;
        if (text[i] == '"') {
            quoted = true;
            for (++i; i < text.size() && text[i] != '"'; ++i) {
                if (text[i] == '\\' && i + 1 < text.size()) ++i;
                element += text[i];
            }
            ++i; // the closing quote
        } else {
            for (; i < text.size() && text[i] != ',' && text[i] != '}'; ++i) element += text[i];
        }
        if (quoted || element != "NULL") out.push_back(std::move(element));
        if (i < text.size() && text[i] == ',') ++i;
    }
    return out;
}

} // namespace pgt::spi
