// Window functions over one partition, against PostgreSQL 15's answers for
//   SELECT v, <call> FROM (VALUES (1),(2),(2),(3),(NULL::int)) t(v)
// (ORDER BY v: NULL sorts last, the two 2s are peers).

#include <catch2/catch.hpp>

#include "eval_builders.hpp"
#include "pgt/ir/rel.hpp"

using namespace pgt::test;

namespace {

/// "v:value" of each output row (rows in the order 1, 2, 2, 3, NULL) for one call over ORDER BY v
/// (NULLs last), or with `descending` over ORDER BY v DESC (NULLs first).
std::string run(pgt::ir::window_call call, bool descending = false) {
    std::vector<std::pair<pgt::row, std::int64_t>> input;
    for (const char* v : {"1", "2", "3"}) input.push_back({pgt::row{{pgt::value{std::int64_t{std::stoll(v)}}}}, 1});
    input[1].second = 2; // two rows with v = 2
    input.push_back({pgt::row{{pgt::value{}}}, 1});
    call.order_by = {{col(0, "int4"), descending, descending}};
    pgt::ir::window w{{call}};
    std::string out;
    for (const auto& [r, times] : pgt::eval_window(w, input))
        out += (out.empty() ? "" : " ") + show_value(r.cols[0], ty("int4")) + ":" + show_value(r.cols[1], call.type);
    return out;
}

pgt::ir::window_call call(const char* name, std::string_view type, std::vector<expr_ptr> args = {}) {
    pgt::ir::window_call c;
    c.name = name;
    c.type = ty(type);
    c.args = std::move(args);
    return c;
}

} // namespace

TEST_CASE("eval: ranking window functions", "[eval]") {
    CHECK(run(call("row_number", "int8")) == "1:1 2:2 2:3 3:4 NULL:5");
    CHECK(run(call("rank", "int8")) == "1:1 2:2 2:2 3:4 NULL:5");
    CHECK(run(call("dense_rank", "int8")) == "1:1 2:2 2:2 3:3 NULL:4");
    CHECK(run(call("percent_rank", "float8")) == "1:0 2:0.25 2:0.25 3:0.75 NULL:1");
    CHECK(run(call("cume_dist", "float8")) == "1:0.2 2:0.6 2:0.6 3:0.8 NULL:1");
    CHECK(run(call("ntile", "int4", {i4("2")})) == "1:1 2:1 2:1 3:2 NULL:2");
    CHECK(run(call("ntile", "int4", {i4("4")})) == "1:1 2:1 2:2 3:3 NULL:4");
}

TEST_CASE("eval: offsets and frames", "[eval]") {
    CHECK(run(call("lag", "int4", {col(0, "int4")})) == "1:NULL 2:1 2:2 3:2 NULL:3");
    CHECK(run(call("lead", "int4", {col(0, "int4"), i4("2"), i4("0")})) == "1:2 2:3 2:NULL 3:0 NULL:0");
    // Default frame: up to the last peer.
    CHECK(run(call("sum", "int8", {col(0, "int4")})) == "1:1 2:5 2:5 3:8 NULL:8");
    CHECK(run(call("last_value", "int4", {col(0, "int4")})) == "1:1 2:2 2:2 3:3 NULL:NULL");
    auto rows = call("sum", "int8", {col(0, "int4")});
    rows.frame = {pgt::ir::window_frame::unit::rows, pgt::ir::window_frame::bound::offset_preceding,
                  pgt::ir::window_frame::bound::current_row, i8("1"), nullptr, pgt::ir::window_frame::exclusion::none};
    CHECK(run(rows) == "1:1 2:3 2:4 3:5 NULL:3");
    auto groups = call("count", "int8", {col(0, "int4")});
    groups.frame = {pgt::ir::window_frame::unit::groups, pgt::ir::window_frame::bound::current_row,
                    pgt::ir::window_frame::bound::offset_following, nullptr, i8("1"),
                    pgt::ir::window_frame::exclusion::current_row};
    CHECK(run(groups) == "1:2 2:2 2:2 3:0 NULL:0");
    auto nth = call("nth_value", "int4", {col(0, "int4"), i4("2")});
    nth.frame.end = pgt::ir::window_frame::bound::unbounded_following;
    nth.frame.units = pgt::ir::window_frame::unit::rows;
    CHECK(run(nth) == "1:2 2:2 2:2 3:2 NULL:2");
    // RANGE with offsets: the values within the offset of the current one (NULL: its peers).
    using frame = pgt::ir::window_frame;
    auto range = call("sum", "int8", {col(0, "int4")});
    range.frame = {frame::unit::range, frame::bound::offset_preceding, frame::bound::current_row, i8("1"), nullptr,
                   frame::exclusion::none};
    CHECK(run(range) == "1:1 2:5 2:5 3:7 NULL:NULL");
    auto ahead = call("count", "int8", {col(0, "int4")});
    ahead.frame = {frame::unit::range, frame::bound::current_row, frame::bound::offset_following, nullptr, i8("1"),
                   frame::exclusion::none};
    CHECK(run(ahead) == "1:3 2:3 2:3 3:1 NULL:0");
    auto down = call("sum", "int8", {col(0, "int4")});
    down.frame = {frame::unit::range, frame::bound::offset_preceding, frame::bound::offset_preceding, i8("2"), i8("1"),
                  frame::exclusion::none};
    CHECK(run(down, true) == "1:7 2:3 2:3 3:NULL NULL:NULL");
}
