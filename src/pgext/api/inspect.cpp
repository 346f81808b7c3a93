// Inspection entry points: explain_st, validate_query, repair_stream_table.
#include "pgt/circuit.hpp"
#include "pgt/ir/rel.hpp"
#include "pgt/lower.hpp"

#include "capture/capture.hpp"
#include "capture/citus.hpp"
#include "lifecycle/lifecycle.hpp"
#include "pg/function.hpp"
#include "pg/gucs.hpp"
#include "pg/parser.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"
#include "refresh/aggregate_states.hpp"
#include "refresh/compiled.hpp"
#include "refresh/definition.hpp"

namespace {

std::string join_lines(const std::vector<std::string>& v) {
    std::string r;
    for (const auto& s : v) r += (r.empty() ? "" : "\n") + s;
    return r;
}

} // namespace

// Results are built after the SPI session ends: SPI's memory goes with it.

namespace {
/// AUTO: what the stream table's last refresh chose, and why.
std::optional<std::string> last_auto_choice(long long id) {
    return pgt::spi::scalar("SELECT pg_catalog.concat(action, ' — ', refresh_reason) FROM pgtrickle.pgt_refresh_history "
                            "WHERE pgt_id = $1::int8 AND refresh_reason IS NOT NULL ORDER BY start_time DESC, refresh_id DESC LIMIT 1",
                            {std::to_string(id)});
}
} // namespace

PGT_FUNCTION(pgt_explain_st) {
    std::vector<std::string> out;
    {
    pgt::spi::session spi;
    auto st = pgt::ext::require_stream_table(pgt::pg::required_text_arg(fcinfo, 0, "name"));
    const bool analyze = pgt::pg::bool_arg(fcinfo, 1).value_or(false);
    auto add = [&](const std::string& k, const std::string& v) {
        out.push_back(k);
        out.push_back(v);
    };
    add("pgt_name", st.display());
    add("defining_query", st.defining_query);
    add("refresh_mode", pgt::ext::mode_name(st.refresh_mode));
    add("status", pgt::ext::status_name(st.status));
    add("is_populated", st.is_populated ? "true" : "false");
    const pgt::server::query_settings_scope settings(st.settings); // (what it meant at its creation)
    auto& comp = pgt::ext::compiled_for(st);
    add("dvm_supported", comp.front.query ? "true" : "false");
    if (comp.front.unsupported) add("dvm_unsupported_reason", comp.front.unsupported->construct());
    if (comp.front.query) add("operator_tree", pgt::ir::to_string(*comp.front.query->root));
    std::vector<std::string> sources;
    for (const auto& s : comp.sources) sources.push_back(s->schema + "." + s->name + " (" + std::to_string(s->oid) + ")");
    add("source_oids", join_lines(sources));
    if (const auto* inc = comp.incremental()) {
        add("circuit", pgt::to_string(inc->graph));
        add("maintenance", pgt::to_string(inc->graph.strategy));
        std::vector<pgt::lower::source_changes> all;
        for (const auto& s : comp.sources) all.push_back({"<changes of " + s->schema + "." + s->name + ">", true});
        add("delta_query", comp.delta(all).statement);
        std::vector<std::string> states;
        for (const auto& [node, table] : inc->aggregate_states) states.push_back("n" + std::to_string(node) + ": " + table);
        if (!states.empty()) add("aggregate_state_tables", join_lines(states));
    }
    add("full_refresh_query", comp.load.statement);
    auto frontier = pgt::spi::query("SELECT frontier_snapshot::text, frontier_xid::text, frontier_stmt::text "
                                    "FROM pgtrickle.pgt_stream_tables WHERE pgt_id = $1::int8",
                                    {std::to_string(st.id)});
    if (frontier[0][0]) add("frontier", "snapshot " + *frontier[0][0] + ", xid " + frontier[0][1].value_or("-") +
                                            ", statement " + frontier[0][2].value_or("-"));
    if (auto choice = last_auto_choice(st.id)) add("last_auto_choice", *choice);
    if (analyze) {
        pgt::ext::require_owner(st);
        std::string property;
        std::vector<std::string> plan;
        // EXPLAIN ANALYZE executes the statement, as a refresh would: as the owner, past the
        // write guard. The subtransaction is rolled back, so the stream table, its frontier
        // and the change buffers are left as they were.
        pgt::pg::in_rolled_back_subtransaction([&] {
            pgt::spi::row f;
            std::vector<pgt::spi::param> applied;
            {
                pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
                // The lock a refresh takes: no refresh runs meanwhile.
                f = pgt::spi::query("SELECT s.frontier_snapshot::text, s.frontier_xid::text, s.frontier_stmt::text, "
                                    "c.relowner::int8, s.is_populated AND NOT s.needs_reinit "
                                    "FROM pgtrickle.pgt_stream_tables s JOIN pg_catalog.pg_class c ON c.oid = s.pgt_relid "
                                    "WHERE s.pgt_id = $1::int8 FOR UPDATE OF s",
                                    {std::to_string(st.id)})
                        .at(0);
                // Over Citus sources: the batches after the last it applied, read from the
                // buffers on every shard.
                for (std::size_t i = 0; i < comp.sources.size() && comp.reads_citus(); ++i)
                    applied.push_back(comp.citus[i] ? pgt::spi::param(std::to_string(pgt::ext::citus::applied_batch(st.id, comp.sources[i]->oid)))
                                                    : std::nullopt);
            }
            pgt::server::role_scope as_owner(static_cast<unsigned>(std::stoul(*f[3])), true);
            pgt::server::refresh_writes_scope writes;
            std::vector<pgt::spi::row> rows;
            if (comp.incremental() && f[0] && f[4] == "t" && pgt::ext::aggregate_states_exist(comp)) {
                property = "delta_plan";
                std::vector<pgt::spi::param> params{f[0], f[1], f[2]};
                params.insert(params.end(), applied.begin(), applied.end());
                const auto types = comp.delta_parameter_types();
                params.resize(types.size()); // (no values listed: NULL)
                // (Citus runs no EXPLAIN ANALYZE of an INSERT … SELECT through the coordinator,
                // and would write a coordinator table over a connection of its own: the plan
                // over Citus tables is the estimated one.)
                const bool estimated = comp.reads_citus();
                rows = pgt::spi::plan((estimated ? "EXPLAIN " : "EXPLAIN ANALYZE ") + comp.delta_statement(~0ULL), types, false).query(params);
                if (estimated) plan.push_back("(estimated, not run: Citus does not run EXPLAIN ANALYZE of a refresh's statements)");
            } else {
                property = "full_refresh_plan";
                rows = pgt::spi::query("EXPLAIN ANALYZE " + comp.load.select);
            }
            for (const auto& r : rows) plan.push_back(*r[0]);
        });
        add(property, join_lines(plan));
    }
    }
    return pgt::pg::text_array_result(out);
}

PGT_FUNCTION(pgt_validate_query) {
    std::vector<std::string> out;
    {
    pgt::spi::session spi;
    const auto query = pgt::server::statement_text(pgt::pg::required_text_arg(fcinfo, 0, "query"));
    auto add = [&](const std::string& check, const std::string& result, const std::string& severity) {
        out.insert(out.end(), {check, result, severity});
    };
    try {
        // A subtransaction: a server error (a syntax error, say) must not leave this one unusable.
        pgt::pg::in_subtransaction([&] {
        auto front = pgt::ext::compile_query(query);
        add("parse", "ok", "OK");
        std::string sources;
        for (const auto& s : front.sources) sources += (sources.empty() ? "" : ", ") + s->schema + "." + s->name;
        add("sources", sources.empty() ? "(none)" : sources, "OK");
        if (front.query) {
            // Volatile functions make a query unsupported (reported below): it is never volatile here.
            const bool stable = front.query->max_volatility == pgt::ir::volatility::stable;
            add("volatility", stable ? "stable" : "immutable", stable ? "WARN" : "OK");
            auto graph = pgt::build_circuit(*front.query);
            add("differential", "supported (maintenance: " + std::string(pgt::to_string(graph.strategy)) + ")", "OK");
        } else {
            add("differential", "unsupported: " + front.unsupported->construct() + " (AUTO uses FULL refresh)", "WARN");
        }
        if (front.ignored_order_by) add("order_by", "ORDER BY without LIMIT is ignored", "WARN");
        });
    } catch (const pgt::error& e) {
        if (pgt::interruption(e)) throw;
        add("parse", e.what(), "ERROR");
    }
    }
    return pgt::pg::text_array_result(out);
}

PGT_FUNCTION(pgt_repair_stream_table) {
    std::vector<std::string> repaired;
    {
    pgt::spi::session spi;
    auto st = pgt::ext::require_stream_table(pgt::pg::required_text_arg(fcinfo, 0, "name"));
    pgt::ext::require_owner(st);
    pgt::ext::require_writable();
    for (const auto& r : pgt::spi::query("SELECT source_relid FROM pgtrickle.pgt_dependencies WHERE pgt_id = $1::int8",
                                         {std::to_string(st.id)}))
        for (auto& line : pgt::ext::repair_capture(static_cast<unsigned>(std::stoul(*r[0])))) repaired.push_back(line);
    pgt::ext::forget_compiled(st.id);
    }
    return pgt::pg::text_result(repaired.empty() ? "no repair needed" : join_lines(repaired));
}
