#include "immediate/immediate_rows.hpp"

#include <utility>

#include "pg/kept_rows.hpp"
#include "pg/relations.hpp"
#include "refresh/compiled.hpp"

namespace pgt::ext::immediate {

namespace {

/// At most this many rows of one source: merged one at a time.
constexpr std::int64_t row_limit = 2;

std::int64_t row_count(Tuplestorestate* rows) { return server::kept_rows::count(rows); }

} // namespace

bool few_rows(const source_delta& change) {
    return !change.truncated && row_count(change.inserted) + row_count(change.deleted) <= row_limit;
}

std::uint64_t row_merge::lazy_plan::run(const std::vector<std::uintptr_t>& values, const std::string& nulls) {
    if (!plan.valid()) plan = spi::plan(sql, types, true);
    return plan.execute_values(values, nulls);
}

void row_merge::prepare(const compiled_query& comp, std::size_t i, unsigned source) {
    prepared_ = true;
    const auto inserted = comp.immediate_row_statements(i, 1);
    if (!inserted) return;
    const auto deleted = comp.immediate_row_statements(i, -1);
    std::vector<unsigned> types;
    for (const auto& c : comp.sources[i]->columns) {
        const short attnum = server::attribute_number(source, c.name.c_str());
        if (attnum == 0) return; // (a column renamed under it: the general path)
        columns_.push_back(attnum);
        types.push_back(server::attribute_type(source, attnum));
    }
    auto both = types;
    both.insert(both.end(), types.begin(), types.end());
    inserted_ = {{inserted->update_first, types, {}}, {inserted->statement, types, {}}};
    deleted_ = {{deleted->update_first, types, {}}, {deleted->statement, types, {}}};
    pair_ = {comp.immediate_pair_statement(i), both, {}};
    row_type_ = server::kept_rows::copy_row_type(source);
    usable_ = true;
}

row_merge::~row_merge() {
    if (row_type_) server::kept_rows::free_row_type(row_type_);
}

void row_merge::merge(const source_delta& change) {
    struct bound_row {
        std::vector<std::uintptr_t> values;
        std::string nulls;
        row_plans* plans;
    };
    std::vector<bound_row> rows;
    std::vector<TupleTableSlot*> slots; // the rows' values point into them
    for (const auto& [store, plans] : {std::pair{change.deleted, &deleted_}, std::pair{change.inserted, &inserted_}}) {
        if (!store) continue;
        for (auto& r : server::kept_rows::read(store, row_type_, columns_, slots))
            rows.push_back({std::move(r.values), std::move(r.nulls), plans});
    }
    // A row updated: one UPDATE when both versions belong to a stored group that stays.
    const bool updated = !pair_.sql.empty() && row_count(change.deleted) == 1 && row_count(change.inserted) == 1 && [&] {
        auto values = rows[0].values;
        values.insert(values.end(), rows[1].values.begin(), rows[1].values.end());
        return pair_.run(values, rows[0].nulls + rows[1].nulls) == 1;
    }();
    // Otherwise each row by the UPDATE of its group or, when that changed nothing, its MERGE.
    if (!updated)
        for (auto& r : rows)
            if (r.plans->update.sql.empty() || r.plans->update.run(r.values, r.nulls) == 0) r.plans->merge.run(r.values, r.nulls);
    server::kept_rows::drop_slots(slots);
}

} // namespace pgt::ext::immediate
