# Fails unless the code block after "<!-- example: docs/examples/dbsp_example.cpp -->" in
# DOC is exactly the file SOURCE, so that the documented program is the tested one.
file(READ "${DOC}" doc)
file(READ "${SOURCE}" source)
set(marker "<!-- example: docs/examples/dbsp_example.cpp -->\n```cpp\n")
string(FIND "${doc}" "${marker}" start)
if(start EQUAL -1)
  message(FATAL_ERROR "${DOC}: no code block after the example marker")
endif()
string(LENGTH "${marker}" marker_length)
math(EXPR start "${start} + ${marker_length}")
string(SUBSTRING "${doc}" ${start} -1 rest)
string(FIND "${rest}" "\n```\n" end)
if(end EQUAL -1)
  message(FATAL_ERROR "${DOC}: the example's code block is not closed")
endif()
math(EXPR end "${end} + 1") # keep the block's last newline, as the file has one
string(SUBSTRING "${rest}" 0 ${end} block)
if(NOT block STREQUAL source)
  message(FATAL_ERROR "The code block in ${DOC} differs from ${SOURCE}: copy the file into "
                      "the doc (or the other way round).")
endif()
