// SQL entry points of watermarks: loaders say how far each source is loaded
// (advance_watermark), and a watermark group holds back the stream tables that read two or more
// of its sources until their watermarks are within its tolerance of each other (the scheduler's
// gate: catalog/schedules.cpp).
#include <algorithm>
#include <string>
#include <vector>

#include "lifecycle/lifecycle.hpp"
#include "pg/function.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "scheduler/shared.hpp"

namespace {

/// The oid of table `name` (42P01 if there is none), resolved with the caller's search_path.
std::string table_oid(const std::string& name) { return *pgt::spi::query("SELECT $1::pg_catalog.regclass::oid::text", {name}).at(0)[0]; }

bool watermark_group_exists(const std::string& name) {
    return pgt::spi::query("SELECT EXISTS (SELECT FROM pgtrickle.pgt_watermark_groups WHERE group_name = $1)", {name}).at(0)[0] == "t";
}

/// 42501 unless the caller owns table `oid` (a group holds back other users' stream tables).
void require_table_owner(const std::string& oid) {
    if (pgt::spi::query("SELECT pg_catalog.pg_has_role(relowner, 'USAGE') FROM pg_catalog.pg_class WHERE oid = $1::oid", {oid})
            .at(0)[0] != "t")
        throw pgt::error(pgt::sqlstate::insufficient_privilege,
                         "must be owner of table " + *pgt::spi::query("SELECT $1::oid::regclass::text", {oid}).at(0)[0]);
}

} // namespace

PGT_FUNCTION(pgt_advance_watermark) {
    pgt::spi::session spi;
    pgt::ext::require_writable();
    const std::string source = pgt::pg::required_text_arg(fcinfo, 0, "source");
    const std::string watermark = pgt::pg::required_text_arg(fcinfo, 1, "watermark");
    const std::string oid = table_oid(source);
    // Those who load the table say how far it is loaded.
    if (pgt::spi::query("SELECT pg_catalog.has_table_privilege($1::oid, 'INSERT, UPDATE, DELETE, TRUNCATE')", {oid}).at(0)[0] != "t")
        throw pgt::error(pgt::sqlstate::insufficient_privilege, "permission denied to advance the watermark of " + source,
                         {}, "It takes INSERT, UPDATE, DELETE or TRUNCATE on the table.");
    pgt::sched::wake_scheduler_at_commit(); // a gate may open
    const pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
    // (Locks the row: two loaders advancing one source are ordered.)
    const auto r = pgt::spi::query("INSERT INTO pgtrickle.pgt_watermarks AS w (source_relid, watermark) VALUES ($1::oid, $2::timestamptz) "
                                   "ON CONFLICT (source_relid) DO UPDATE SET watermark = EXCLUDED.watermark, updated_at = now() "
                                   "WHERE w.watermark <= EXCLUDED.watermark RETURNING 1",
                                   {oid, watermark});
    if (r.empty()) {
        const auto current = pgt::spi::query("SELECT watermark::text FROM pgtrickle.pgt_watermarks WHERE source_relid = $1::oid", {oid});
        throw pgt::error(pgt::sqlstate::invalid_parameter_value,
                         "invalid argument: the watermark of " + source + " cannot move back",
                         "It is " + *current.at(0)[0] + "; " + watermark + " was given.");
    }
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_create_watermark_group) {
    pgt::spi::session spi;
    pgt::ext::require_writable();
    const std::string name = pgt::pg::required_text_arg(fcinfo, 0, "group_name");
    if (name.empty()) throw pgt::error(pgt::sqlstate::invalid_parameter_value, "invalid argument: group_name must not be empty");
    std::vector<std::string> oids;
    for (const auto& source : pgt::pg::text_array_arg(fcinfo, 1)) {
        if (!source) throw pgt::error(pgt::sqlstate::null_value_not_allowed, "sources must not contain NULL");
        const std::string oid = table_oid(std::string(*source));
        require_table_owner(oid);
        if (std::find(oids.begin(), oids.end(), oid) == oids.end()) oids.push_back(oid);
    }
    if (oids.size() < 2)
        throw pgt::error(pgt::sqlstate::invalid_parameter_value, "invalid argument: a watermark group needs at least two sources");
    const std::string tolerance = pgt::pg::text_arg(fcinfo, 2).value_or("0");
    if (pgt::spi::query("SELECT $1::interval < interval '0'", {tolerance}).at(0)[0] == "t")
        throw pgt::error(pgt::sqlstate::invalid_parameter_value, "invalid argument: tolerance must not be negative");
    if (watermark_group_exists(name)) throw pgt::error(pgt::sqlstate::duplicate_object, "watermark group \"" + name + "\" already exists");
    std::string array = "{";
    for (const auto& o : oids) array += (array.size() > 1 ? "," : "") + o;
    pgt::sched::wake_scheduler_at_commit();
    const pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
    pgt::spi::exec("INSERT INTO pgtrickle.pgt_watermark_groups (group_name, sources, tolerance) VALUES ($1, $2::oid[], $3::interval)",
                   {name, array + "}", tolerance});
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_drop_watermark_group) {
    pgt::spi::session spi;
    pgt::ext::require_writable();
    const std::string name = pgt::pg::required_text_arg(fcinfo, 0, "group_name");
    if (!watermark_group_exists(name)) throw pgt::error(pgt::sqlstate::undefined_object, "watermark group \"" + name + "\" does not exist");
    for (const auto& r : pgt::spi::query("SELECT s::text FROM pgtrickle.pgt_watermark_groups g, pg_catalog.unnest(g.sources) s "
                                         "WHERE g.group_name = $1 AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = s)",
                                         {name}))
        require_table_owner(*r[0]);
    pgt::sched::wake_scheduler_at_commit();
    const pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
    pgt::spi::exec("DELETE FROM pgtrickle.pgt_watermark_groups WHERE group_name = $1", {name});
    PG_RETURN_VOID();
}
