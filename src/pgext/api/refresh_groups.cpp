// SQL entry points of refresh groups: stream tables that always refresh together, in one
// transaction to one snapshot (refresh/atomic_group.hpp), as atomic diamonds do.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "catalog/stream_table.hpp"
#include "lifecycle/lifecycle.hpp"
#include "pg/function.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "scheduler/shared.hpp"

namespace {

/// Whether a group of that name exists.
bool group_exists(const std::string& name) {
    return pgt::spi::query("SELECT EXISTS (SELECT FROM pgtrickle.pgt_refresh_groups WHERE group_name = $1)", {name}).at(0)[0] == "t";
}

} // namespace

PGT_FUNCTION(pgt_create_refresh_group) {
    pgt::spi::session spi;
    pgt::ext::require_writable();
    const std::string name = pgt::pg::required_text_arg(fcinfo, 0, "group_name");
    if (name.empty()) throw pgt::error(pgt::sqlstate::invalid_parameter_value, "invalid argument: group_name must not be empty");
    const auto names = pgt::pg::text_array_arg(fcinfo, 1);
    const std::string isolation = pgt::pg::text_arg(fcinfo, 2).value_or("read_committed");
    if (isolation != "read_committed" && isolation != "repeatable_read")
        throw pgt::error(pgt::sqlstate::invalid_parameter_value, "invalid argument: isolation must be 'read_committed' or 'repeatable_read'",
                         "got '" + isolation + "'");
    std::set<long long> ids;
    for (const auto& member : names) {
        if (!member) throw pgt::error(pgt::sqlstate::null_value_not_allowed, "members must not contain NULL");
        const auto st = pgt::ext::require_stream_table(std::string(*member));
        pgt::ext::require_owner(st);
        if (st.refresh_mode == pgt::ext::mode::immediate)
            throw pgt::error(pgt::sqlstate::invalid_parameter_value,
                             "invalid argument: stream table " + st.display() + " is IMMEDIATE",
                             "An IMMEDIATE stream table is maintained by each writing statement, not refreshed.");
        ids.insert(st.id);
    }
    if (ids.size() < 2)
        throw pgt::error(pgt::sqlstate::invalid_parameter_value, "invalid argument: a refresh group needs at least two stream tables");
    if (group_exists(name)) throw pgt::error(pgt::sqlstate::duplicate_object, "refresh group \"" + name + "\" already exists");
    pgt::sched::wake_scheduler_at_commit(); // it re-reads the catalog
    const pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
    pgt::spi::exec("INSERT INTO pgtrickle.pgt_refresh_groups (group_name, members, isolation) VALUES ($1, $2::int8[], $3)",
                   {name, pgt::spi::integer_array(ids), isolation});
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_drop_refresh_group) {
    pgt::spi::session spi;
    pgt::ext::require_writable();
    const std::string name = pgt::pg::required_text_arg(fcinfo, 0, "group_name");
    if (!group_exists(name)) throw pgt::error(pgt::sqlstate::undefined_object, "refresh group \"" + name + "\" does not exist");
    // Its members' owners may drop it (every member's, as creating it took).
    for (const auto& r : pgt::spi::query("SELECT s.pgt_schema || '.' || s.pgt_name FROM pgtrickle.pgt_refresh_groups g "
                                         "JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = ANY (g.members) WHERE g.group_name = $1",
                                         {name}))
        pgt::ext::require_owner(pgt::ext::require_stream_table(*r[0]));
    pgt::sched::wake_scheduler_at_commit();
    const pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
    pgt::spi::exec("DELETE FROM pgtrickle.pgt_refresh_groups WHERE group_name = $1", {name});
    PG_RETURN_VOID();
}
