# The PostgreSQL pg_trickle builds against, and the libpg_query of the same major.
# PG_CONFIG (-DPG_CONFIG=…, else pg_config on the PATH) names the server. Sets PG_VERSION_NUM,
# PG_MAJOR, PG_INCLUDE_SERVER, PG_BINDIR, PG_PKGLIBDIR, PG_SHAREDIR and PG_QUERY_LIBRARY.
find_program(PG_CONFIG NAMES pg_config REQUIRED)
function(pgt_pg_config option var)
  execute_process(COMMAND ${PG_CONFIG} ${option} OUTPUT_VARIABLE out OUTPUT_STRIP_TRAILING_WHITESPACE
                  COMMAND_ERROR_IS_FATAL ANY)
  set(${var} "${out}" PARENT_SCOPE)
endfunction()
pgt_pg_config(--includedir-server PG_INCLUDE_SERVER)
pgt_pg_config(--bindir PG_BINDIR)
pgt_pg_config(--pkglibdir PG_PKGLIBDIR)
pgt_pg_config(--sharedir PG_SHAREDIR)

# pgt_header_version_num(header var): the PG_VERSION_NUM #defined in header.
function(pgt_header_version_num header var)
  file(STRINGS "${header}" line REGEX "^#define PG_VERSION_NUM [0-9]+")
  if(NOT line MATCHES "([0-9]+)$")
    message(FATAL_ERROR "no PG_VERSION_NUM in ${header}")
  endif()
  set(${var} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

pgt_header_version_num(${PG_INCLUDE_SERVER}/pg_config.h PG_VERSION_NUM)
math(EXPR PG_MAJOR "${PG_VERSION_NUM} / 10000")
message(STATUS "PostgreSQL ${PG_MAJOR} (${PG_CONFIG})")

# The offline front end reads libpg_query's parse trees through the server's node headers: the
# two must be of one major.
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
find_library(PG_QUERY_LIBRARY NAMES libpg_query.a pg_query REQUIRED)
pgt_header_version_num(${PG_QUERY_INCLUDE_DIR}/pg_query.h PG_QUERY_VERSION_NUM)
math(EXPR PG_QUERY_MAJOR "${PG_QUERY_VERSION_NUM} / 10000")
if(NOT PG_QUERY_MAJOR EQUAL PG_MAJOR)
  message(FATAL_ERROR "libpg_query is PostgreSQL ${PG_QUERY_MAJOR}'s (${PG_QUERY_INCLUDE_DIR}/pg_query.h) but "
                      "PG_CONFIG (${PG_CONFIG}) is PostgreSQL ${PG_MAJOR}'s: install the libpg_query of PostgreSQL "
                      "${PG_MAJOR}, or configure with -DPG_CONFIG=<PostgreSQL ${PG_QUERY_MAJOR}'s pg_config>")
endif()
