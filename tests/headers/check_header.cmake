# Checks one public header: no PostgreSQL include, and it compiles alone with -Werror.
file(STRINGS "${INCLUDE}/${HEADER}" includes REGEX "^[ \t]*#[ \t]*include")
foreach(line IN LISTS includes)
  if(line MATCHES "[<\"](postgres|postgres_ext|pg_query|fmgr|libpq-fe)\\.h|[<\"](executor|utils|catalog|nodes|access|commands|parser|pg_query)/")
    message(FATAL_ERROR "${HEADER} includes a PostgreSQL header: ${line}")
  endif()
endforeach()
string(MAKE_C_IDENTIFIER "${HEADER}" tu_name)
set(tu "${CMAKE_CURRENT_BINARY_DIR}/${tu_name}.cpp")
file(WRITE "${tu}" "#include \"${HEADER}\"\n")
execute_process(
  COMMAND ${CXX} -std=c++20 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I ${INCLUDE} ${tu}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${HEADER} does not compile on its own:\n${out}")
endif()
