#pragma once
// PostgreSQL's server headers, for the files of src/pgext that talk to the server directly.
// pgt headers must be included before this one (they refuse to follow postgres.h).

extern "C" {
#include <postgres.h>

#include <access/xact.h>
#include <catalog/pg_type.h>
#include <executor/spi.h>
#include <fmgr.h>
#include <funcapi.h>
#include <miscadmin.h>
#include <utils/builtins.h>
#include <utils/memutils.h>
#include <utils/snapmgr.h>
}
