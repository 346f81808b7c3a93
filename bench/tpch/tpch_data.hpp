#pragma once
/// \file
/// A TPC-H data generator of our own (dbgen is not packaged): the eight tables with the
/// specification's keys, types and value domains (TPC-H 3.0, clause 4.2.3), text fields drawn
/// from its word lists, deterministic for a seed and a scale factor. Rows come out in
/// PostgreSQL's COPY text format. Every row draws from its own random stream (seed, table,
/// key), so an order and its line items can be written in separate passes, and the refresh
/// functions' rows are reproducible too.
///
/// Refresh functions (clause 2.5), per round r = 1, 2, …:
///   RF1 inserts SF × 1500 new orders (keys above the initial ones) with their line items;
///   RF2 deletes SF × 1500 of the initial orders (spread over the key range) and their items;
///   `update_sql` changes line item quantities, prices and dates, customer segments, and
///   part and supplier attributes (about 0.1 % of each).

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace tpch {

struct config {
    double sf = 0.01;
    std::uint64_t seed = 1;
};

/// The eight table names, in load order.
const std::vector<std::string>& tables();

/// CREATE TABLE statements with primary keys.
std::string schema_sql();
/// Indexes on the foreign keys (allowed by the specification, clause 1.4.2.2), to create
/// after loading.
std::string index_sql();

/// All rows of `table` (COPY text format, one row per line).
void write_table(std::ostream& out, const std::string& table, const config& c);

/// RF1 of `round`: the new rows of `table` ("orders" or "lineitem").
void write_new_orders(std::ostream& out, const std::string& table, const config& c, int round);

/// RF2 of `round`: the keys of the orders it deletes.
std::vector<long long> deleted_orders(const config& c, int round);

/// RF2 as SQL (DELETE of the orders and their line items).
std::string delete_sql(const config& c, int round);

/// The updates of `round` as SQL statements.
std::string update_sql(const config& c, int round);

/// Number of orders RF1 inserts and RF2 deletes.
long long refresh_count(const config& c);

} // namespace tpch
