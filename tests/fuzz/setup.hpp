#pragma once
// The throwaway server a run uses: database fz_smith holds the schema and its rows for sqlsmith
// to read (without the extension, whose functions sqlsmith would call and whose catalog it would
// query), and each worker has a copy of it with the extension created and the initial rows kept
// aside in schema fz_init.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pg_cluster.hpp"
#include "rewrite.hpp"
#include "schema.hpp"
#include "session.hpp"

namespace pgt::fuzz {

struct server {
    std::unique_ptr<testing::cluster> cluster;
    std::string smith_conninfo;
    std::vector<std::string> worker_conninfos;
};

server start_server(const schema& s, int workers);

/// Every column of the schema's tables and view, with its type and whether min()/max() take it.
std::map<std::pair<std::string, std::string>, column_info> load_columns(const std::string& conninfo);

/// ", schedule => NULL" when IMMEDIATE stream tables accept it (as upstream documents), else ""
/// (the default schedule), with `refusal` set to the reason.
std::string immediate_schedule(session& db, const schema& s, std::string& refusal);

} // namespace pgt::fuzz
