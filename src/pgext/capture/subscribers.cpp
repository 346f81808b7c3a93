#include "capture/subscribers.hpp"

namespace pgt::ext::capture_subscribers {

namespace {
immediate_changes immediate_subscriber = nullptr;
buffered_changes buffered_subscriber = nullptr;
} // namespace

void subscribe(immediate_changes on_immediate, buffered_changes on_buffered) {
    immediate_subscriber = on_immediate;
    buffered_subscriber = on_buffered;
}

void publish_immediate(TriggerData* td, unsigned root) {
    if (immediate_subscriber) immediate_subscriber(td, root);
}

void publish_buffered(unsigned root) {
    if (buffered_subscriber) buffered_subscriber(root);
}

} // namespace pgt::ext::capture_subscribers
