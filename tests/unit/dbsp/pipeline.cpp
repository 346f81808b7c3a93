#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "dbsp/detail/pipeline.hpp"

namespace {
// Runs the pipeline over n items and logs "s3" for load_slot(3), "t3" and "w3" likewise.
std::vector<std::string> trace(std::size_t n) {
    std::vector<std::string> log;
    auto note = [&log](char stage) {
        return [&log, stage](std::size_t i) { log.push_back(stage + std::to_string(i)); };
    };
    dbsp::detail::pipeline(n, note('s'), note('t'), note('w'));
    return log;
}
std::size_t position(const std::vector<std::string>& log, const std::string& entry) {
    std::size_t i = 0;
    while (i < log.size() && log[i] != entry) ++i;
    return i;
}
} // namespace

TEST_CASE("pipeline: every item passes each stage once, in stage order", "[pipeline]") {
    for (std::size_t n : {0u, 1u, 5u, 8u, 9u, 40u}) {
        INFO("n = " << n);
        const auto log = trace(n);
        CHECK(log.size() == 3 * n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto s = position(log, "s" + std::to_string(i));
            const auto t = position(log, "t" + std::to_string(i));
            const auto w = position(log, "w" + std::to_string(i));
            REQUIRE(w < log.size());
            CHECK(s < t);
            CHECK(t < w);
        }
    }
}

TEST_CASE("pipeline: work runs in item order, lag items behind the next stage",
          "[pipeline]") {
    const std::size_t lag = dbsp::detail::pipeline_lag;
    const auto log = trace(3 * lag);
    // Item 0's work comes after the slot loads of items 0 … 2·lag.
    CHECK(position(log, "w0") > position(log, "s" + std::to_string(2 * lag)));
    CHECK(position(log, "t" + std::to_string(lag)) < position(log, "w0"));
    for (std::size_t i = 1; i < 3 * lag; ++i)
        CHECK(position(log, "w" + std::to_string(i - 1)) < position(log, "w" + std::to_string(i)));
}
