#pragma once
/// \file
/// Included by every `pgt` header: `include/pgt` is server-independent, so it must never be
/// compiled in a translation unit that has already included PostgreSQL's headers through it.
/// (The extension includes pgt headers *before* postgres.h, in C++-only files.)

#ifdef POSTGRES_H
#error "include/pgt headers must not be mixed with PostgreSQL headers in one translation unit; include them first or split the file"
#endif
