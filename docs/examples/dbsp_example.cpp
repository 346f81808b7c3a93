// Order totals per city, maintained incrementally as orders and customers change:
//   SELECT c.city, SUM(o.amount) FROM orders o JOIN customers c ON o.customer = c.id
//   GROUP BY c.city
#include <iostream>
#include <string>
#include <tuple>

#include "dbsp/all.hpp"

using customer = std::tuple<int, std::string>;         // (id, city)
using order = std::tuple<int, int, long long>;         // (id, customer, amount)
using city_total = std::tuple<std::string, long long>; // (city, SUM(amount))

int main() {
    auto [circuit, io] = dbsp::root_circuit::build([](dbsp::circuit& c) {
        auto [customers, customers_in] = dbsp::add_input_zset<customer>(c, "customers");
        auto [orders, orders_in] = dbsp::add_input_zset<order>(c, "orders");
        // Every stream carries changes; join and linear_aggregate are the incremental
        // operators, so each step costs the size of the changes, not of the tables.
        auto amount_by_customer = dbsp::index_by(
            orders, [](const order& o) { return std::get<1>(o); },
            [](const order& o) { return std::get<2>(o); });
        auto city_by_id = dbsp::index_by(
            customers, [](const customer& c) { return std::get<0>(c); },
            [](const customer& c) { return std::get<1>(c); });
        auto amount_by_city = dbsp::join(
            amount_by_customer, city_by_id,
            [](int, long long amount, const std::string& city) { return std::pair{city, amount}; });
        auto totals = dbsp::linear_aggregate(
            dbsp::index_by(
                amount_by_city, [](const auto& r) { return r.first; },
                [](const auto& r) { return r.second; }),
            [](long long amount, long long weight) { return amount * weight; },
            [](const std::string& city, long long sum) { return city_total{city, sum}; });
        return std::tuple{customers_in, orders_in, dbsp::add_output(totals)};
    });
    auto& [customers, orders, totals] = io;
    bool ok = true;
    auto expect = [&](const char* what, const dbsp::zset<city_total>& got,
                      const dbsp::zset<city_total>& want) {
        std::cout << what << ": " << got << '\n';
        if (!(got == want)) {
            std::cout << "  expected " << want << '\n';
            ok = false;
        }
    };

    customers.push({1, "Oslo"});
    customers.push({2, "Rome"});
    orders.push({10, 1, 30});
    orders.push({11, 1, 12});
    orders.push({12, 2, 5});
    circuit.step();
    expect("first step", totals.value(), {{{"Oslo", 42}, 1}, {{"Rome", 5}, 1}});

    // Customer 2 moves to Oslo (an update is a deletion plus an insertion) and orders more.
    customers.push({2, "Rome"}, -1);
    customers.push({2, "Oslo"}, +1);
    orders.push({13, 2, 8});
    circuit.step();
    expect("second step", totals.value(),
           {{{"Oslo", 42}, -1}, {{"Rome", 5}, -1}, {{"Oslo", 55}, 1}});

    // The sum of all changes so far is the view itself.
    expect("view", totals.consolidate(), {{{"Oslo", 55}, 1}});
    return ok ? 0 : 1;
}
