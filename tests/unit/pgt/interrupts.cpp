// pgt::check_interrupts: every phase of a compile (translating the query, building and pruning
// its circuit, lowering it) passes interruption points, so that a cancel or statement_timeout
// in the server stops a compile that a large query keeps busy; and the error a check throws
// comes out as it is.
#include <catch2/catch.hpp>

#include <functional>

#include "pgt/circuit.hpp"
#include "pgt/error.hpp"
#include "pgt/interrupts.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

namespace {

[[noreturn]] void cancel() { throw pgt::error("57014", "canceling statement due to user request"); }

/// Installs `cancel` for the scope: the next interruption point throws.
struct cancel_pending {
    cancel_pending() { pgt::set_interrupt_check(cancel); }
    ~cancel_pending() { pgt::set_interrupt_check(nullptr); }
};

void require_canceled(const std::function<void()>& phase) {
    cancel_pending pending;
    try {
        phase();
        FAIL("the phase passed no interruption point");
    } catch (const pgt::error& e) {
        CHECK(e.code() == "57014");
        CHECK(pgt::interruption(e));
    }
}

} // namespace

TEST_CASE("interrupts: translating, building and lowering a query each stop at a pending cancel", "[interrupts]") {
    auto catalog = pgt::offline::load_schema(pgt_test::read_file(pgt_test::golden_dir + "schema.sql"));
    for (const char* query : {"SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id",
                              "SELECT o.id FROM orders o WHERE o.amount > (SELECT avg(p.amount) FROM orders p WHERE p.customer_id = o.customer_id)"}) {
        INFO(query);
        require_canceled([&] { pgt::offline::compile(query, *catalog); });
        auto compiled = pgt::offline::compile(query, *catalog);
        REQUIRE(compiled.query);
        require_canceled([&] { pgt::build_circuit(*compiled.query); });
        const auto graph = pgt::build_circuit(*compiled.query);
        const std::vector<pgt::lower::source_changes> changes(graph.sources.size(), {"changes", true});
        require_canceled([&] { pgt::lower::delta_sql(graph, changes, "st"); });
        require_canceled([&] { pgt::lower::full_load_sql(graph, {}); });
        // Without a pending cancel the same compile goes through.
        CHECK_FALSE(pgt::lower::delta_sql(graph, changes, "st").statement.empty());
    }
}
