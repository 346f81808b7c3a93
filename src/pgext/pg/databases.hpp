#pragma once
// The databases of the cluster (pg_database, a shared catalog: readable without connecting to
// a database).

#include <string>
#include <vector>

#include "pg/oid.hpp"

namespace pgt::server {

struct database {
    oid id;
    std::string name;
};

/// The databases that accept connections (templates excepted), read in a transaction of its own.
std::vector<database> connectable_databases();

} // namespace pgt::server
