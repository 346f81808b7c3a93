// pg_trickle_hash / pg_trickle_hash_multi: the row-identity hashes (API.md §1.5). Compatible
// with upstream: xxh64 of the UTF-8 bytes for one value, streaming xxh3-64 with 0x1E between
// elements for several; NULL hashes as the sentinel bytes "\0NULL\0".
// pg_trickle_row_id: the same elements through xxh3-128, as a uuid: the row identity of
// storage made from 0.2.0 on, wide enough that two rows never share one by chance (a 64-bit
// identity has even odds of a collision near 5·10⁹ rows; 128 bits near 2·10¹⁹).
// pg_trickle_row_id_of: the same identity of values given as arguments.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "pg/function.hpp"

namespace {

constexpr XXH64_hash_t seed = 0x517cc1b727220a95ULL;
constexpr char null_sentinel[] = {'\0', 'N', 'U', 'L', 'L', '\0'};
constexpr char separator = 0x1E;

Datum as_bigint(std::uint64_t h) { return Int64GetDatum(static_cast<int64>(h)); }

/// Feeds one element to `update`: 0x1E before all but the first, NULL as the sentinel.
template <class Update>
void feed_element(Update& update, bool& first, std::optional<std::string_view> element) {
    if (!first) update(&separator, 1);
    first = false;
    if (element)
        update(element->data(), element->size());
    else
        update(null_sentinel, sizeof null_sentinel);
}

/// Feeds the elements of text[] argument 0 (none when NULL) to `update`.
template <class Update>
void feed_elements(FunctionCallInfo fcinfo, Update update) {
    if (PG_ARGISNULL(0)) return;
    bool first = true;
    for (const auto& element : pgt::pg::text_array_arg(fcinfo, 0)) feed_element(update, first, element);
}

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
    feed_elements(fcinfo, [&](const void* data, std::size_t n) { XXH3_64bits_update(&state, data, n); });
    return as_bigint(XXH3_64bits_digest(&state));
}

namespace {
Datum as_uuid(XXH128_hash_t h) {
    XXH128_canonical_t bytes;
    XXH128_canonicalFromHash(&bytes, h);
    return pgt::pg::uuid_result(bytes.digest);
}
} // namespace

PGT_FUNCTION(pg_trickle_row_id) {
    XXH3_state_t state;
    std::memset(&state, 0, sizeof state);
    XXH3_128bits_reset_withSeed(&state, seed);
    feed_elements(fcinfo, [&](const void* data, std::size_t n) { XXH3_128bits_update(&state, data, n); });
    return as_uuid(XXH3_128bits_digest(&state));
}

// One element fed whole (xxh3's one-shot and streaming forms agree on the same bytes).
PGT_FUNCTION(pg_trickle_row_id_of_one) {
    if (PG_ARGISNULL(0)) return as_uuid(XXH3_128bits_withSeed(null_sentinel, sizeof null_sentinel, seed));
    text* t = PG_GETARG_TEXT_PP(0);
    return as_uuid(XXH3_128bits_withSeed(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), seed));
}

// pg_trickle_row_id of the arguments' text images, without making them (pg/function's
// visit_argument_images). (As text[] elements, a two-column key took 310 ns a row, most of it
// building and taking apart the array.)
PGT_FUNCTION(pg_trickle_row_id_of) {
    XXH3_state_t state;
    std::memset(&state, 0, sizeof state);
    XXH3_128bits_reset_withSeed(&state, seed);
    auto update = [&](const void* data, std::size_t n) { XXH3_128bits_update(&state, data, n); };
    bool first = true;
    pgt::pg::visit_argument_images(fcinfo, "pg_trickle_row_id_of",
                                   [&](std::optional<std::string_view> image) { feed_element(update, first, image); });
    return as_uuid(XXH3_128bits_digest(&state));
}
