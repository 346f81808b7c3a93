#pragma once
/// \file
/// The whole DBSP library: Z-sets, circuits, operators, incrementalization.

#include "dbsp/algebra/checked.hpp"
#include "dbsp/algebra/concepts.hpp"
#include "dbsp/circuit/circuit.hpp"
#include "dbsp/circuit/io.hpp"
#include "dbsp/hash.hpp"
#include "dbsp/incremental.hpp"
#include "dbsp/indexed_zset.hpp"
#include "dbsp/operator.hpp"
#include "dbsp/print.hpp"
#include "dbsp/zset.hpp"
