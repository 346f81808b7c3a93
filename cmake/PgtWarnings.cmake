# pgt_strict(target): our own code builds warning-free. Third-party and PostgreSQL headers come
# in through -isystem, so their warnings never fail our build.
function(pgt_strict target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()
