#pragma once
/// \file
/// Seeds and random Z-sets for property tests.
///
/// Every property runs once per seed: the seeds listed in `tests/property/regressions/*.txt`
/// (seeds that once found a bug; one per line, `#` starts a comment), then `default_seeds`
/// consecutive seeds from a fixed base, so runs are reproducible. The seed is reported with
/// every failure; `PGT_SEED=<n>` in the environment runs seed `n` alone, to replay it.
/// Random Z-sets draw keys from small domains, so the same key comes up several times and
/// weights of both signs add up, cancel, or go negative.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "dbsp/print.hpp"
#include "dbsp/zset.hpp"

namespace pgt_prop {

using rng = std::mt19937_64;

inline constexpr std::size_t default_seeds = 100;
inline constexpr std::uint64_t base_seed = 0x7269636b6c65; // "rickle"

/// Seeds from every regression list in `dir`.
inline std::vector<std::uint64_t> regression_seeds(const std::filesystem::path& dir) {
    std::vector<std::uint64_t> seeds;
    if (!std::filesystem::is_directory(dir)) return seeds;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".txt") continue;
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
            std::istringstream fields(line.substr(0, line.find('#')));
            std::uint64_t seed;
            if (fields >> seed) seeds.push_back(seed);
        }
    }
    return seeds;
}

/// The seeds a property runs with (see the file comment).
inline std::vector<std::uint64_t> seeds(std::size_t count = default_seeds) {
    if (const char* env = std::getenv("PGT_SEED")) return {std::stoull(env)};
    auto r = regression_seeds(PGT_PROPERTY_REGRESSIONS);
    for (std::size_t i = 0; i < count; ++i) r.push_back(base_seed + i);
    return r;
}

/// Runs `body(rng&)` once per seed, naming the seed in any failure it reports.
template <class F>
void for_each_seed(F body, std::size_t count = default_seeds) {
    for (const std::uint64_t seed : seeds(count)) {
        INFO("seed " << seed << " (replay with PGT_SEED=" << seed << ")");
        rng r(seed);
        body(r);
    }
}

inline int uniform(rng& r, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(r); }

/// A non-zero weight in [-3, 3], positive four times out of seven.
inline long long weight(rng& r) {
    const int w = uniform(r, -3, 3);
    return w == 0 ? 1 : w;
}

// Key generators over small domains.
inline auto small_int(int domain = 12) {
    return [domain](rng& r) { return uniform(r, 0, domain - 1); };
}
inline auto int_pair(int domain = 6) {
    return [domain](rng& r) {
        return std::pair{uniform(r, 0, domain - 1), uniform(r, 0, domain - 1)};
    };
}
using row = std::tuple<int, std::string, int>;
/// Rows (id, name, amount).
inline auto rows() {
    return [](rng& r) {
        static const std::string names[] = {"ann", "bob", "cy"};
        return row{uniform(r, 0, 5), names[uniform(r, 0, 2)], uniform(r, -3, 3)};
    };
}

/// A Z-set of up to `max_rows` additions of random keys with random weights.
template <class Gen>
auto zset_of(rng& r, Gen key, int max_rows = 8) {
    dbsp::zset<std::remove_cvref_t<decltype(key(r))>> z;
    for (int n = uniform(r, 0, max_rows); n > 0; --n) z.add(key(r), weight(r));
    return z;
}

/// A stream of `steps` random changes.
template <class Gen>
auto changes_of(rng& r, Gen key, std::size_t steps = 24, int max_rows = 8) {
    std::vector<decltype(zset_of(r, key, max_rows))> s;
    for (std::size_t t = 0; t < steps; ++t) s.push_back(zset_of(r, key, max_rows));
    return s;
}

} // namespace pgt_prop
