// pgt_fuzz: pg_trickle's own fuzzer, driven by sqlsmith (see README.md).
#include <exception>
#include <iostream>

#include "options.hpp"
#include "run.hpp"

int main(int argc, char** argv) {
    const auto options = pgt::fuzz::parse_options(argc, argv);
    try {
        return pgt::fuzz::run_fuzzer(options);
    } catch (const std::exception& e) {
        std::cerr << "pgt_fuzz: " << e.what() << "\n";
        return 2;
    }
}
