#pragma once
/// \file
/// Forward declarations of the library's class templates, with their default arguments.

#include "dbsp/algebra/concepts.hpp"

namespace dbsp {
template <class K, zring W = zweight>
class zset;
template <class K, class V, zring W = zweight>
class indexed_zset;
class circuit;
class root_circuit;
template <class T>
class stream;
template <class K, class W = zweight>
class input_handle;
template <class T>
class output_handle;
} // namespace dbsp
