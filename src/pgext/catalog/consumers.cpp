#include "catalog/consumers.hpp"

#include <map>
#include <string>

#include "pg/invalidation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

namespace {

std::map<unsigned, consumers>& known() {
    static std::map<unsigned, consumers> k;
    return k;
}

unsigned forgotten = 0; ///< invalidations taken in, which consumers_of's query may process

void forget(server::oid relid) {
    ++forgotten;
    if (relid == 0)
        known().clear();
    else
        known().erase(relid);
}

} // namespace

consumers consumers_of(unsigned source_relid) {
    auto& k = known();
    if (auto it = k.find(source_relid); it != k.end()) return it->second;
    consumers c;
    const unsigned before = forgotten;
    spi::session spi;
    server::role_scope as_ext(server::extension_owner(), false);
    for (const auto& r : spi::prepared("SELECT s.pgt_id::text, s.refresh_mode = 'IMMEDIATE' FROM pgtrickle.pgt_dependencies d "
                                       "JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id "
                                       "WHERE d.source_relid = $1::oid ORDER BY d.pgt_id",
                                       1)
                              .query({std::to_string(source_relid)})) {
        if (r[1] == "t")
            c.immediate.push_back(std::stoll(*r[0]));
        else
            c.deferred = true;
    }
    // (Not kept when an invalidation came in meanwhile: it may have been about these readers,
    // and the query read them as they were before.)
    if (forgotten != before) return c;
    return k.emplace(source_relid, std::move(c)).first->second;
}

void readers_changed(unsigned source_relid) {
    server::invalidate_relation(source_relid);
    known().erase(source_relid);
}

void install_consumer_invalidation() { server::on_relation_change(forget); }

} // namespace pgt::ext
