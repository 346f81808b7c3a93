#pragma once
/// \file
/// Circuit inputs and outputs: push changes in, step, read consolidated results out.
///
/// ```
/// auto [c, h] = dbsp::root_circuit::build([](dbsp::circuit& c) {
///     auto [edges, in] = dbsp::add_input_zset<edge>(c);
///     return std::pair{in, dbsp::add_output(dbsp::distinct(edges))};
/// });
/// h.first.push({1, 2}, +1);
/// c.step();
/// auto result = h.second.consolidate();
/// ```

#include <memory>
#include <string>
#include <utility>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/fwd.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

namespace detail {

template <class Z>
class input_node final : public value_node<Z> {
public:
    explicit input_node(std::string name) : value_node<Z>(std::move(name)) {}
    void eval() override { this->value_ = std::exchange(pending_, Z{}); }
    Z& pending() { return pending_; }

private:
    Z pending_{};
};

template <class T>
class output_node final : public value_node<T> {
public:
    output_node(std::string name, stream<T> in) : value_node<T>(std::move(name)), in_(in) {}
    void eval() override {
        this->value_ = in_.value();
        if constexpr (requires(T& a, const T& b) { a += b; }) accumulated_ += this->value_;
    }
    T take_accumulated() { return std::exchange(accumulated_, T{}); }

private:
    stream<T> in_;
    T accumulated_{};
};

} // namespace detail

/// Where the caller pushes the changes of one input Z-set before a `step()`.
template <class K, class W>
class input_handle {
public:
    explicit input_handle(detail::input_node<zset<K, W>>* n) : node_(n) {}
    void push(const K& k, const W& w = W{1}) { node_->pending().add(k, w); }
    void push(const zset<K, W>& z) { node_->pending() += z; }

private:
    detail::input_node<zset<K, W>>* node_;
};

/// Where the caller reads a stream after `step()`.
template <class T>
class output_handle {
public:
    explicit output_handle(detail::output_node<T>* n) : node_(n) {}
    /// The value of the last tick.
    const T& value() const { return node_->value(); }
    /// The sum of all ticks since the previous call (for Z-sets: all changes, netted).
    T consolidate() { return node_->take_accumulated(); }

private:
    detail::output_node<T>* node_;
};

/// Adds an input Z-set; returns its stream and the handle that feeds it.
template <class K, class W = zweight>
auto add_input_zset(circuit& c, std::string name = "input") {
    auto node = std::make_unique<detail::input_node<zset<K, W>>>(std::move(name));
    auto* raw = node.get();
    auto s = c.add_node(std::move(node));
    return std::pair{s, input_handle<K, W>(raw)};
}

/// Adds an output reading `s`.
template <class T>
output_handle<T> add_output(const stream<T>& s, std::string name = "output") {
    auto node = std::make_unique<detail::output_node<T>>(std::move(name), s);
    auto* raw = node.get();
    s.owner().add_node(std::move(node));
    return output_handle<T>(raw);
}

} // namespace dbsp
