# find_package(pgt_dbsp) entry point: defines the INTERFACE target pgt::dbsp.
include("${CMAKE_CURRENT_LIST_DIR}/pgt_dbspTargets.cmake")
