#pragma once
/// \file
/// Circuits and streams: the single-threaded stepping evaluator.
///
/// A circuit is a list of nodes. Each node owns the value it produced in the current clock
/// tick; a `stream<T>` is a handle to that value. `step()` evaluates every node once, in
/// creation order (which is a topological order, since a node can only name streams that
/// exist), then advances the delay nodes (`z⁻¹`), whose outputs are the only values
/// carried from one tick to the next. Feedback loops go through a delay node created
/// before its input exists (`circuit::feedback`).

#include <any>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "dbsp/fwd.hpp"

namespace dbsp {

class circuit;

namespace detail {

/// A node of a circuit: evaluated once per tick, in creation order.
class node_base {
public:
    explicit node_base(std::string name) : name_(std::move(name)) {}
    virtual ~node_base() = default;
    node_base(const node_base&) = delete;
    node_base& operator=(const node_base&) = delete;

    /// Computes this tick's output from the inputs' outputs of this tick.
    virtual void eval() = 0;
    /// Delay nodes: read the input at the end of a tick, then expose it in the next one.
    virtual void latch() {}
    virtual void advance() {}
    const std::string& name() const { return name_; }

private:
    friend class dbsp::circuit; // prefixes the name with the enclosing regions in add_node
    std::string name_;
};

/// A node producing a value of type `T` each tick.
template <class T>
class value_node : public node_base {
public:
    using node_base::node_base;
    const T& value() const { return value_; }

protected:
    /// Empties the output for a new tick. A fresh value rather than `clear()`: clearing a hash
    /// map costs its bucket count, which stays that of the largest output it ever held.
    T& fresh_value() { return value_ = T{}; }

    T value_{};
};

} // namespace detail

/// A handle to the values a node produces, one per clock tick.
template <class T>
class stream {
public:
    using value_type = T;

    stream() = default;
    stream(circuit* c, const detail::value_node<T>* n, std::size_t id) : c_(c), node_(n), id_(id) {}

    /// The value of the current tick (valid after `step()`, or inside a node's `eval`).
    const T& value() const { return node_->value(); }
    circuit& owner() const { return *c_; }
    std::size_t id() const { return id_; }
    const std::string& name() const { return node_->name(); }

private:
    circuit* c_ = nullptr;
    const detail::value_node<T>* node_ = nullptr;
    std::size_t id_ = 0;
};

template <class S>
concept stream_type = requires { typename S::value_type; } &&
                      std::same_as<S, stream<typename S::value_type>>;

namespace detail {

template <class T, class F, class... In>
class lifted_node final : public value_node<T> {
public:
    lifted_node(std::string name, F f, stream<In>... in)
        : value_node<T>(std::move(name)), f_(std::move(f)), in_(in...) {}
    void eval() override {
        this->value_ = std::apply([this](const auto&... s) { return f_(s.value()...); }, in_);
    }

private:
    F f_;
    std::tuple<stream<In>...> in_;
};

template <class T>
class delay_node final : public value_node<T> {
public:
    explicit delay_node(std::string name) : value_node<T>(std::move(name)) {}
    void connect(stream<T> in) { in_ = in; }
    void eval() override {}
    void latch() override {
        if (in_.id() == 0)
            throw std::logic_error("dbsp: feedback '" + this->name() + "' was never connected");
        next_ = in_.value();
    }
    void advance() override { this->value_ = std::move(next_); }

private:
    stream<T> in_;
    T next_{};
};

} // namespace detail

/// A circuit under construction and, once built, the evaluator that steps it.
class circuit {
public:
    circuit() = default;
    circuit(const circuit&) = delete;
    circuit& operator=(const circuit&) = delete;

    /// Adds a node built by the caller and returns the stream of its values. The node's name
    /// gets the prefix of the enclosing `region`s.
    template <class Node>
    auto add_node(std::unique_ptr<Node> node) {
        using T = std::remove_cvref_t<decltype(node->value())>;
        detail::node_base& base = *node;
        base.name_ = qualified(base.name_);
        const detail::value_node<T>* raw = node.get();
        nodes_.push_back(std::move(node));
        return stream<T>(this, raw, nodes_.size());
    }

    /// Lifts a function of values to a function of streams: the new node computes
    /// `f(in.value()...)` at every tick.
    template <class F, class... In>
    auto lift(std::string_view name, F f, const stream<In>&... in) {
        using T = std::remove_cvref_t<std::invoke_result_t<F&, const In&...>>;
        return add_node(std::make_unique<detail::lifted_node<T, F, In...>>(std::string(name),
                                                                           std::move(f), in...));
    }

    /// A delay `z⁻¹` whose input is connected later: the building block of feedback loops.
    /// Returns the delayed stream and a function that closes the loop.
    template <class T>
    auto feedback(std::string_view name = "z1") {
        auto node = std::make_unique<detail::delay_node<T>>(std::string(name));
        auto* raw = node.get();
        delays_.push_back(raw);
        auto out = add_node(std::move(node));
        auto connect = [raw](const stream<T>& in) { raw->connect(in); };
        return std::pair{out, connect};
    }

    /// Evaluates one clock tick.
    void step() {
        for (auto& n : nodes_) n->eval();
        for (auto* d : delays_) d->latch();
        for (auto* d : delays_) d->advance();
        ++ticks_;
    }
    std::size_t ticks() const { return ticks_; }
    std::size_t node_count() const { return nodes_.size(); }
    /// Node names in evaluation order, for printing a circuit.
    std::vector<std::string> node_names() const {
        std::vector<std::string> r;
        for (const auto& n : nodes_) r.push_back(n->name());
        return r;
    }

    /// Runs `body` with `name` as the prefix of the nodes it creates.
    template <class F>
    decltype(auto) region(std::string_view name, F&& body) {
        regions_.emplace_back(name);
        struct pop {
            std::vector<std::string>& r;
            ~pop() { r.pop_back(); }
        } guard{regions_};
        return body();
    }

    /// Memo table for composite operators: `(kind, stream id) → stream`. `integrate` and
    /// `differentiate` record each other as inverses here, so D(I(s)) is s itself.
    template <class T>
    const stream<T>* cached(std::string_view kind, std::size_t id) const {
        auto it = cache_.find({std::string(kind), id});
        return it == cache_.end() ? nullptr : std::any_cast<stream<T>>(&it->second);
    }
    template <class T>
    void remember(std::string_view kind, std::size_t id, const stream<T>& s) {
        cache_[{std::string(kind), id}] = s;
    }

private:
    std::string qualified(std::string_view name) const {
        std::string r;
        for (const auto& p : regions_) r += p + "/";
        return r += name;
    }

    std::vector<std::unique_ptr<detail::node_base>> nodes_;
    std::vector<detail::node_base*> delays_;
    std::vector<std::string> regions_;
    std::map<std::pair<std::string, std::size_t>, std::any> cache_;
    std::size_t ticks_ = 0;
};

/// Owns a built circuit. `build(f)` calls `f(circuit&)`, which wires inputs, operators and
/// outputs and returns the handles the caller needs:
/// `auto [c, h] = dbsp::root_circuit::build([](dbsp::circuit& c) { …; return handles; });`
class root_circuit {
public:
    template <class F>
    static auto build(F&& f) {
        auto c = std::make_unique<circuit>();
        auto handles = f(*c);
        return std::pair{root_circuit(std::move(c)), std::move(handles)};
    }

    void step() { c_->step(); }
    std::size_t ticks() const { return c_->ticks(); }
    circuit& get() { return *c_; }
    const circuit& get() const { return *c_; }

private:
    explicit root_circuit(std::unique_ptr<circuit> c) : c_(std::move(c)) {}
    std::unique_ptr<circuit> c_;
};

} // namespace dbsp
