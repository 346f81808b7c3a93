# The Debian package of the extension: `cpack -G DEB` in the build folder writes
# postgresql-<major>-pg-trickle_<version>_amd64.deb with the `extension` component (pg_trickle.so,
# the control file and the SQL scripts) at the paths of the PostgreSQL it is built for. Its
# dependencies on shared libraries are computed by dpkg-shlibdeps; it needs the server it extends.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME postgresql-${PG_MAJOR}-pg-trickle)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "pg_trickle")
set(CPACK_PACKAGE_CONTACT "pg_trickle maintainers <pg-trickle@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "PostgreSQL ${PG_MAJOR} extension: stream tables maintained incrementally")
set(CPACK_PACKAGE_DESCRIPTION
    "Stream tables are tables defined by a SQL query and kept up to date incrementally as their\n sources change (DBSP differential dataflow), on a schedule or within the writing statement.")
set(CPACK_COMPONENTS_ALL extension)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_PACKAGE_NAME postgresql-${PG_MAJOR}-pg-trickle)
set(CPACK_DEBIAN_FILE_NAME postgresql-${PG_MAJOR}-pg-trickle_${PROJECT_VERSION}_amd64.deb)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "postgresql-${PG_MAJOR}")
set(CPACK_PACKAGING_INSTALL_PREFIX /)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/package)
include(CPack)
