// What the extension does as it is loaded (_PG_init, in pg/entry.cpp, calls initialize).
#include "capture/subscribers.hpp"
#include "capture/wal_progress.hpp"
#include "catalog/catalog_oids.hpp"
#include "catalog/consumers.hpp"
#include "catalog/maintainers.hpp"
#include "immediate/immediate.hpp"
#include "immediate/immediate_target.hpp"
#include "pgt/interrupts.hpp"
#include "pg/async_commits.hpp"
#include "pg/derived_commit.hpp"
#include "pg/entry.hpp"
#include "pg/process.hpp"
#include "pg/transactions.hpp"
#include "pg/settings.hpp"
#include "refresh/buffer_emptying.hpp"
#include "refresh/compiled.hpp"
#include "refresh/owner_rights.hpp"
#include "scheduler/drop_database.hpp"
#include "scheduler/shared.hpp"
#include "scheduler/workers.hpp"

void pgt::initialize() {
    pgt::guc::define();
    pgt::set_interrupt_check(pgt::server::throw_if_interrupted); // a cancel stops a long compile
    // (Counting asynchronous commits needs shared memory, and runs after derived_commit's hook.)
    if (pgt::server::preloading()) pgt::server::async_commits::install();
    pgt::server::install_derived_commit(); // (runs after every other callback but that one)
    pgt::server::refresh_writes_scope::reset_at_abort();
    pgt::ext::immediate::install_hooks();
    pgt::ext::capture_subscribers::subscribe(pgt::ext::immediate::keep_changes, pgt::sched::source_changed_at_commit);
    pgt::ext::install_rights_invalidation();
    pgt::ext::install_compiled_rollback();
    pgt::ext::install_consumer_invalidation();
    pgt::ext::immediate::install_target_invalidation();
    pgt::ext::install_catalog_oid_invalidation();
    // The scheduler needs shared memory and a launcher, which only preloading can set up;
    // loaded later, pg_trickle still captures changes and refreshes on request.
    if (pgt::server::preloading()) {
        pgt::sched::install_shared_state();
        pgt::ext::wal::install_progress();
        pgt::ext::maintainers::install();
        pgt::sched::register_launcher();
        pgt::sched::install_drop_database_hook();
        pgt::ext::install_buffer_emptier({[] {
                                              const auto s = pgt::sched::scheduler_of(pgt::server::database_oid());
                                              return s.running && !s.dormant;
                                          },
                                          pgt::sched::buffers_left_at_commit});
    }
}
