#include "pgt/interrupts.hpp"

namespace pgt {

namespace {
void (*installed)() = nullptr;
} // namespace

void set_interrupt_check(void (*check)()) { installed = check; }

void check_interrupts() {
    if (installed) installed();
}

} // namespace pgt
