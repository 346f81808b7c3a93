// pg_trickle_hash / pg_trickle_hash_multi: the row-identity hashes (API.md §1.5). Compatible
// with upstream: xxh64 of the UTF-8 bytes for one value, streaming xxh3-64 with 0x1E between
// elements for several; NULL hashes as the sentinel bytes "\0NULL\0".
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <cstring>

#include "pg/function.hpp"

namespace {

constexpr XXH64_hash_t seed = 0x517cc1b727220a95ULL;
constexpr char null_sentinel[] = {'\0', 'N', 'U', 'L', 'L', '\0'};
constexpr char separator = 0x1E;

Datum as_bigint(std::uint64_t h) { return Int64GetDatum(static_cast<int64>(h)); }

} // namespace

PGT_FUNCTION(pg_trickle_hash) {
    if (PG_ARGISNULL(0)) return as_bigint(XXH64(null_sentinel, sizeof null_sentinel, seed));
    text* t = PG_GETARG_TEXT_PP(0);
    return as_bigint(XXH64(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), seed));
}

PGT_FUNCTION(pg_trickle_hash_multi) {
    XXH3_state_t state;
    std::memset(&state, 0, sizeof state);
    XXH3_64bits_reset_withSeed(&state, seed);
    if (!PG_ARGISNULL(0)) {
        const auto elements = pgt::pg::text_array_arg(fcinfo, 0);
        for (std::size_t i = 0; i < elements.size(); ++i) {
            if (i > 0) XXH3_64bits_update(&state, &separator, 1);
            if (!elements[i])
                XXH3_64bits_update(&state, null_sentinel, sizeof null_sentinel);
            else
                XXH3_64bits_update(&state, elements[i]->data(), elements[i]->size());
        }
    }
    return as_bigint(XXH3_64bits_digest(&state));
}
