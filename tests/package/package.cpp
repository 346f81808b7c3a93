// The Debian package, end to end: `cpack -G DEB` in the build folder makes
// postgresql-<major>-pg-trickle_<version>_amd64.deb; `dpkg -i` installs it on the PostgreSQL it
// is built for (the files the build installs, byte for byte); a fresh cluster preloading it
// creates the extension at the package's version and refreshes a stream table.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "pg_cluster.hpp"

namespace {

using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::run_shell;
using pgt::testing::shell_quote;

const std::string version = PGT_VERSION;
const std::string package = "postgresql-" PGT_PG_MAJOR "-pg-trickle";
const std::string deb = std::string(PGT_BINARY_DIR) + "/package/" + package + "_" + version + "_amd64.deb";

} // namespace

TEST_CASE("the Debian package installs with dpkg and serves a fresh cluster", "[package]") {
    REQUIRE(geteuid() == 0); // dpkg -i installs into the system
    run_shell("cd " + shell_quote(PGT_BINARY_DIR) + " && " + shell_quote(PGT_CPACK) + " -G DEB >/dev/null");
    // Declared dependencies: the server, and what dpkg-shlibdeps found the library needs.
    run_shell("dpkg-deb -f " + shell_quote(deb) + " Depends | grep -q 'postgresql-" PGT_PG_MAJOR "' && dpkg-deb -f " + shell_quote(deb) +
              " Depends | grep -q 'libstdc++6'");
    run_shell("dpkg -i " + shell_quote(deb) + " >" + shell_quote(std::string(PGT_BINARY_DIR) + "/package/dpkg.log") + " 2>&1");
    run_shell("dpkg-query -W -f='${Status} ${Version}' " + package + " | grep -qx 'install ok installed " + version + "'");
    run_shell("dpkg -L " + package + " | grep -qx " PGT_PG_PKGLIBDIR "/pg_trickle.so");
    run_shell("dpkg -L " + package + " | grep -qx " PGT_PG_SHAREDIR "/extension/pg_trickle.control");

    cluster server(cluster_options{"pg_trickle", {}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    CHECK(db.scalar("SELECT extension || ' ' || library FROM pgtrickle.version()") == version + " " + version);
    db.exec("CREATE TABLE readings (id int PRIMARY KEY, sensor int, value numeric)");
    db.exec("INSERT INTO readings SELECT i, i % 3, i FROM generate_series(1, 30) i");
    db.exec("SELECT pgtrickle.create_stream_table('per_sensor', 'SELECT sensor, sum(value) AS total FROM readings GROUP BY sensor')");
    db.exec("UPDATE readings SET value = value * 2 WHERE sensor = 1");
    db.exec("SELECT pgtrickle.refresh_stream_table('per_sensor')");
    CHECK(db.scalar("SELECT string_agg(sensor || ':' || total, ',' ORDER BY sensor) FROM per_sensor") == "0:165,1:290,2:155");
}
