#pragma once
// Shared helpers of the front-end tests: the shop schema (data/shop.sql) and short ways to
// look at a compiled query — its operator tree, its output columns, its refusal.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "pgt/offline.hpp"

namespace frontend_test {

inline std::string read_data_file(const std::string& name) {
    std::ifstream in(std::string(PGT_TEST_DATA_DIR) + "/" + name);
    REQUIRE(in.good());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// customers, products, orders (keyed), events (keyless), audit.log, and two views.
inline const pgt::catalog& shop() {
    static const auto cat = pgt::offline::load_schema(read_data_file("shop.sql"));
    return *cat;
}

inline pgt::frontend::compile_result compile(const std::string& sql) { return pgt::offline::compile(sql, shop()); }

/// The compiled query; the test fails if it is refused.
inline pgt::ir::query query(const std::string& sql) {
    auto r = compile(sql);
    INFO(sql);
    INFO((r.unsupported ? r.unsupported->construct() : std::string{}));
    REQUIRE(r.query);
    return *r.query;
}

/// The operator tree as pgt::ir::to_string prints it.
inline std::string plan(const std::string& sql) { return pgt::ir::to_string(*query(sql).root); }

/// The output columns: "name type[ not null], …" with the type's spelling.
inline std::string columns(const std::string& sql) {
    const auto q = query(sql);
    std::string out;
    for (const auto& c : q.root->columns)
        out += (out.empty() ? "" : ", ") + c.name + " " + c.type.name + (c.not_null ? " not null" : "");
    return out;
}

/// The output column types only.
inline std::string types(const std::string& sql) {
    const auto q = query(sql);
    std::string out;
    for (const auto& c : q.root->columns) out += (out.empty() ? "" : ", ") + c.type.name;
    return out;
}

/// The construct named by the refusal; the test fails if the query compiles.
inline std::string unsupported(const std::string& sql) {
    auto r = compile(sql);
    INFO(sql);
    REQUIRE_FALSE(r.query);
    REQUIRE(r.unsupported);
    CHECK(r.unsupported->code() == "0A000");
    return r.unsupported->construct();
}

/// The pgt::error `f` throws; the test fails if it throws none.
inline pgt::error thrown(const std::function<void()>& f, const std::string& what) {
    try {
        f();
    } catch (const pgt::error& e) {
        return e;
    }
    FAIL("no error for: " << what);
    throw;
}

/// The error compiling `sql` throws.
inline pgt::error error(const std::string& sql) {
    return thrown([&] { compile(sql); }, sql);
}

/// "SQLSTATE: message"
inline std::string failure(const std::string& sql) {
    auto e = error(sql);
    return e.code() + ": " + e.what();
}

} // namespace frontend_test
