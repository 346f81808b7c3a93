#include "refresh/owner_rights.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "pgt/error.hpp"
#include "pgt/sql/tree.hpp"

#include "capture/capture.hpp"
#include "pg/invalidation.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

namespace {

/// An owner that was allowed to read every source, and the relations the answer depends on:
/// the storage (its owner) and the sources (their grants and row-level security).
struct allowed {
    unsigned owner;
    std::vector<unsigned> relations;
};

/// (stream table id, catalog generation) → what the check found.
std::map<std::pair<long long, long long>, allowed>& known() {
    static std::map<std::pair<long long, long long>, allowed> k;
    return k;
}

/// (Other relations' invalidations — a materialized view refreshed, a FULL stream table's heap
/// swapped — keep the answers: they came at every such refresh.)
void forget_relation(server::oid relid) {
    if (relid == 0) return known().clear();
    std::erase_if(known(), [&](const auto& entry) { return std::ranges::find(entry.second.relations, relid) != entry.second.relations.end(); });
}
void forget_role() { known().clear(); }

unsigned check(const stream_table& st, const std::vector<unsigned>& sources, bool at_creation) {
    namespace t = sql::tree;
    const t::expr role = t::col("c", "relowner"), source = t::col("s", "oid");
    t::select rights({t::cast(role, t::type_name::catalog("int8")), t::cast(t::cast(source, t::type_name::catalog("regclass")), t::type_name::catalog("text")),
                      t::fn("has_table_privilege", {role, source, t::text("SELECT")})});
    const t::relation each_source = t::table_function(t::render(t::fn("unnest", {t::cast(t::param(2), t::type_name::catalog("oid[]"))})), "s", {"oid"}, false);
    rights.from(t::join(t::from("pg_catalog.pg_class", "c"), t::join_kind::left, each_source, t::negation(reads_all_rows(role, source))))
        .where(t::eq(t::col("c", "oid"), t::cast(t::param(1), t::type_name::catalog("oid"))));
    auto rows = spi::prepared(t::render(rights), 2)
                    .query({std::to_string(st.relid), spi::integer_array(sources)});
    const auto owner = static_cast<unsigned>(std::stoul(*rows.at(0)[0]));
    if (rows[0][1] && rows[0][2] == "t")
        throw error(sqlstate::insufficient_privilege,
                    "stream tables cannot read table " + *rows[0][1] + ": row-level security applies to " +
                        server::role_name(owner),
                    "A stream table's change buffers hold every changed row of its sources.",
                    "Have a role that row-level security does not apply to (the table's owner, or one with BYPASSRLS) "
                    "own the stream table.");
    if (rows[0][1])
        throw error(sqlstate::insufficient_privilege, "permission denied for table " + *rows[0][1],
                    at_creation ? "The stream table's owner, " + server::role_name(owner) +
                                      ", needs SELECT on every table its query reads, including the tables under views."
                                : "The stream table's owner, " + server::role_name(owner) + ", may no longer read it.");
    return owner;
}

} // namespace

unsigned checked_owner(const stream_table& st, const std::vector<unsigned>& sources, bool at_creation) {
    const auto key = std::pair{st.id, st.generation};
    if (auto it = known().find(key); it != known().end()) return it->second.owner;
    const unsigned owner = check(st, sources, at_creation);
    std::vector<unsigned> relations(sources);
    relations.push_back(st.relid);
    known()[key] = {owner, std::move(relations)};
    return owner;
}

void install_rights_invalidation() {
    // Grants, ownership and row-level security of a relation live in its pg_class row (and
    // pg_attribute for columns): a change invalidates its relcache entry. Superuser, BYPASSRLS
    // and role memberships live in pg_authid and pg_auth_members.
    server::on_relation_change(forget_relation);
    server::on_role_change(forget_role);
}

} // namespace pgt::ext
