#pragma once
// The type of PostgreSQL object identifiers in the plain C++ interfaces of pg/.

#include <cstdint>

namespace pgt::server {

using oid = std::uint32_t;

} // namespace pgt::server
