// End-to-end property tests on a live PostgreSQL 15 server: random schemas, data, queries and
// DML rounds (see runner.hpp for the three checks). Each block runs its own throwaway cluster.
// PGT_SEED sets the base seed, PGT_LIVE_CASES the cases per block (default 100).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "pg_cluster.hpp"
#include "runner.hpp"

namespace {

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

/// A server whose stream tables can capture from the WAL, with its capture slot made: a stream
/// table asking for it is first, the scheduler then makes the slot.
void start_wal_capture(pgt::testing::cluster& server, pgt::testing::connection& db) {
    pgt::testing::allow_wal_capture(db);
    db.exec("CREATE TABLE slot_maker (id int PRIMARY KEY)");
    db.exec("SELECT pgtrickle.create_stream_table('slot_maker_st', 'SELECT id FROM slot_maker', cdc_mode => 'wal')");
    for (int i = 0; i < 600 && db.scalar("SELECT count(*) FROM pgtrickle.pgt_wal_capture") == "0"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    INFO("server log:\n" << server.log());
    REQUIRE(db.scalar("SELECT count(*) FROM pgtrickle.pgt_wal_capture") == "1");
}

void run_block(std::uint64_t block, pgt::testing::capture_mode capture = pgt::testing::capture_mode::triggers) {
    using namespace pgt::testing;
    const std::uint64_t base = env_or("PGT_SEED", 20261122);
    const std::uint64_t cases = env_or("PGT_LIVE_CASES", 100);
    const bool wal = capture == capture_mode::wal;
    cluster server(cluster_options{"pg_trickle", wal ? std::vector<std::string>{"wal_level = logical"}
                                                     : std::vector<std::string>{}});
    {
        auto admin = server.connect();
        admin.exec("CREATE DATABASE live");
    }
    auto db = server.connect("live");
    db.exec("CREATE EXTENSION pg_trickle");
    if (wal) start_wal_capture(server, db);
    std::uint64_t passed = 0, skipped = 0, oracle_checked = 0;
    for (std::uint64_t i = 0; i < cases; ++i) {
        const std::uint64_t seed = base + block * 100000 + i;
        const auto c = generate_case(seed);
        const auto started = std::chrono::steady_clock::now();
        const auto out = run_case(db, c, capture);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (seconds > 2) std::cout << "slow case: seed " << seed << " took " << seconds << " s\n" << describe(c);
        if (out.status == outcome::result::failed) {
            const auto small = shrink(db, c, capture);
            const auto again = run_case(db, small, capture);
            FAIL("case failed (seed " << seed << ", reproduce with PGT_SEED=" << base << " and this block): " << out.message
                                      << "\nsmallest failing case (" << again.message << "):\n"
                                      << describe(small));
        }
        if (out.status == outcome::result::skipped) {
            ++skipped;
            UNSCOPED_INFO("skipped seed " << seed << ": " << out.message);
        } else {
            ++passed;
            oracle_checked += out.oracle_checked ? 1 : 0;
        }
    }
    std::cout << (wal ? "WAL capture " : "") << "block " << block << ": " << passed << " cases agreed (" << oracle_checked << " also with the oracle), "
              << skipped << " skipped, base seed " << base << "\n";
    // The generator targets maintainable SQL: most cases must really run.
    CHECK(passed * 10 >= cases * 8);
    CHECK(oracle_checked * 10 >= passed * 7);
}

} // namespace

TEST_CASE("live random cases block 0", "[live]") { run_block(0); }
TEST_CASE("live random cases block 1", "[live]") { run_block(1); }
TEST_CASE("live random cases block 2", "[live]") { run_block(2); }
TEST_CASE("live random cases block 3", "[live]") { run_block(3); }
TEST_CASE("live random cases block 4", "[live]") { run_block(4); }
TEST_CASE("live random cases block 5", "[live]") { run_block(5); }
// The same cases with the stream table's sources captured from the WAL (other seeds).
TEST_CASE("live random cases with WAL capture block 6", "[live][wal]") { run_block(6, pgt::testing::capture_mode::wal); }
TEST_CASE("live random cases with WAL capture block 7", "[live][wal]") { run_block(7, pgt::testing::capture_mode::wal); }
