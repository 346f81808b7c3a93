#pragma once
// A whole fuzz run: start a throwaway server with the schema, have sqlsmith write queries,
// keep the deterministic ones, try each in every mode, write repro files of the findings and
// print the report. Returns the exit status: 1 when there were findings.

#include "options.hpp"

namespace pgt::fuzz {

int run_fuzzer(const options& o);

} // namespace pgt::fuzz
