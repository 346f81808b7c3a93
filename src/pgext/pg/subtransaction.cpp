#include "pg/subtransaction.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <utils/resowner.h>
}

namespace pgt::pg {

void in_subtransaction(const std::function<void()>& work) {
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
    call([] { ReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(context);
    CurrentResourceOwner = owner;
}

} // namespace pgt::pg
