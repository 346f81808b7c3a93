#pragma once
/// \file
/// Every operator of the library.

#include "dbsp/operator/aggregate.hpp"
#include "dbsp/operator/delay.hpp"
#include "dbsp/operator/dependent_join.hpp"
#include "dbsp/operator/differentiate.hpp"
#include "dbsp/operator/distinct.hpp"
#include "dbsp/operator/filter.hpp"
#include "dbsp/operator/fixpoint.hpp"
#include "dbsp/operator/flat_map.hpp"
#include "dbsp/operator/index.hpp"
#include "dbsp/operator/integrate.hpp"
#include "dbsp/operator/join.hpp"
#include "dbsp/operator/map.hpp"
#include "dbsp/operator/plus.hpp"
#include "dbsp/operator/project.hpp"
#include "dbsp/operator/set_ops.hpp"
