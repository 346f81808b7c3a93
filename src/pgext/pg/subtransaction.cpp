#include "pg/subtransaction.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <utils/resowner.h>
}

namespace pgt::pg {

namespace {

void run(const std::function<void()>& work, bool keep) {
    MemoryContext context = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    call([] { BeginInternalSubTransaction(nullptr); });
    MemoryContextSwitchTo(context);
    try {
        work();
    } catch (...) {
        call([] { RollbackAndReleaseCurrentSubTransaction(); });
        MemoryContextSwitchTo(context);
        CurrentResourceOwner = owner;
        throw;
    }
    if (keep)
        call([] { ReleaseCurrentSubTransaction(); });
    else
        call([] { RollbackAndReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(context);
    CurrentResourceOwner = owner;
}

} // namespace

void in_subtransaction(const std::function<void()>& work) { run(work, true); }

void in_rolled_back_subtransaction(const std::function<void()>& work) { run(work, false); }

} // namespace pgt::pg
