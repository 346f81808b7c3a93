#pragma once
// The fuzzer's random source: one seeded engine per purpose (schema, one query's DML), so that
// each part of a run replays on its own whatever ran before it.

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pgt::fuzz {

class random {
public:
    explicit random(std::uint64_t seed) : engine_(seed) {}

    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(engine_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(engine_); }

    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[static_cast<std::size_t>(uniform(0, static_cast<int>(v.size()) - 1))];
    }

    template <class T>
    void shuffle(std::vector<T>& v) {
        std::shuffle(v.begin(), v.end(), engine_);
    }

private:
    std::mt19937_64 engine_;
};

/// A seed derived from a base seed and a stream number (e.g. a query's index), so that streams
/// of consecutive numbers do not overlap.
inline std::uint64_t derive_seed(std::uint64_t base, std::uint64_t stream) {
    std::uint64_t x = base * 0x9E3779B97F4A7C15ULL + stream + 0x632BE59BD9B4E019ULL;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    return x ^ (x >> 29);
}

} // namespace pgt::fuzz
