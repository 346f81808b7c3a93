#pragma once
/// \file
/// `delay` (z⁻¹): the stream shifted by one tick; its first value is the zero of `T`.
/// The only operator with memory of the past; every stateful operator is defined with it.

#include "dbsp/circuit/circuit.hpp"

namespace dbsp {

struct delay_fn {
    template <class T>
    stream<T> operator()(const stream<T>& s) const {
        auto [out, connect] = s.owner().template feedback<T>("z1");
        connect(s);
        return out;
    }
};
inline constexpr delay_fn delay{};

} // namespace dbsp
