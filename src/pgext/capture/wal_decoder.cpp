#include "capture/wal_decoder.hpp"

#include "capture/buffer_writer.hpp"
#include "capture/wal_progress.hpp"
#include "pg/gucs.hpp"
#include "pg/spi.hpp"
#include "pg/wal_reader.hpp"

namespace pgt::ext::wal {

namespace {

std::vector<server::logical_decoding::kept_relation> kept(const std::vector<locked_buffer>& buffers) {
    std::vector<server::logical_decoding::kept_relation> out;
    for (const auto& b : buffers) out.push_back({b.window.relid, b.window.from, b.window.until, b.buffer});
    return out;
}

} // namespace

std::optional<std::vector<locked_buffer>> lock_buffers(const std::vector<source_window>& sources, bool wait) {
    std::vector<locked_buffer> out;
    for (const auto& s : sources) {
        const unsigned buffer = buffer_of(s.relid);
        if (buffer == 0) continue;
        // (Appending to a buffer, as an INSERT does.)
        if (!server::lock_relation(buffer, server::relation_lock::row_exclusive, wait)) return std::nullopt;
        out.push_back({s, buffer});
    }
    return out;
}

long long decode(const std::string& slot, std::uint64_t upto, const std::vector<locked_buffer>& buffers) {
    return server::logical_decoding::collect(kept(buffers), [&] {
        // Each pass starts a decoding context, which PostgreSQL logs at LOG: not every 200 ms.
        const server::guc_scope quiet({{"log_min_messages", "fatal"}}, true);
        spi::prepared("SELECT pg_catalog.count(*) FROM pg_catalog.pg_logical_slot_peek_binary_changes($1, $2::pg_catalog.pg_lsn, NULL)", 2)
            .query({slot, lsn_text(upto)});
    });
}

continued_pass decode_continuing(const std::string& slot, std::uint64_t from, std::uint64_t upto,
                                 const std::vector<locked_buffer>& buffers, const std::vector<server::table_file>& sources) {
    return server::logical_decoding::decode_continuing(slot, from, upto, kept(buffers), sources, most_writers_published);
}

void end_decoding_session() { server::logical_decoding::end_session(); }

} // namespace pgt::ext::wal
