# pgt_strict(target): our own code builds warning-free. Third-party and PostgreSQL headers come
# in through -isystem, so their warnings never fail our build.
# -Wno-restrict: GCC 12 reports false positives on std::string concatenation at -O2
# (GCC bug 105329), which would otherwise fail -Werror builds of ordinary code.
function(pgt_strict target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
                         $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
endfunction()
