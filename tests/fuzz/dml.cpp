#include "dml.hpp"

#include <algorithm>

namespace pgt::fuzz {

namespace {

std::string join(const std::vector<std::string>& v, const std::string& sep = ", ") {
    std::string r;
    for (std::size_t i = 0; i < v.size(); ++i) r += (i ? sep : "") + v[i];
    return r;
}

bool in_key(const table& t, const column& c) { return std::ranges::find(t.key, c.name) != t.key.end(); }

bool integral(const column& c) { return c.type->family == "integer" || c.type->family == "domain"; }

std::string row_values(const table& t, random& rng) {
    std::vector<std::string> v;
    for (const auto& c : t.columns) v.push_back(in_key(t, c) ? literal(*c.type, rng, 0.0) : write_literal(*c.type, rng));
    return "(" + join(v) + ")";
}

/// Rows of `t` a write targets: one by key or position, or several by a column's value.
std::string where(const table& t, random& rng) {
    const auto& c = rng.pick(t.columns);
    switch (rng.uniform(0, 5)) {
    case 0:
        if (!t.key.empty()) {
            std::vector<std::string> eq;
            for (const auto& k : t.key) eq.push_back(k + " = " + literal(*t.find(k)->type, rng, 0.0));
            return join(eq, " AND ");
        }
        [[fallthrough]];
    case 1:
        return "ctid IN (SELECT ctid FROM " + t.name + " ORDER BY ctid LIMIT 1 OFFSET " + std::to_string(rng.uniform(0, 8)) + ")";
    case 2: return c.name + (rng.chance(0.5) ? " IS NULL" : " IS NOT NULL");
    case 3: return c.name + "::text = " + literal(*c.type, rng, 0.0) + "::text";
    case 4: return c.name + "::text <= " + literal(*c.type, rng, 0.0) + "::text";
    default: return rng.chance(0.2) ? "true" : "ctid IN (SELECT ctid FROM " + t.name + " ORDER BY ctid DESC LIMIT 2)";
    }
}

std::string new_value(const column& c, random& rng) {
    switch (rng.uniform(0, 9)) {
    case 0: return c.name;
    case 1: return integral(c) ? c.name + " + 1" : literal(*c.type, rng, 0.0);
    default: return write_literal(*c.type, rng);
    }
}

std::string insert(const table& t, random& rng) {
    std::vector<std::string> rows;
    for (int n = rng.chance(0.5) ? 1 : rng.uniform(2, 5); n > 0; --n) rows.push_back(row_values(t, rng));
    std::string sql = "INSERT INTO " + t.name + " VALUES " + join(rows);
    if (t.key.empty() || !rng.chance(0.3)) return sql;
    if (rng.chance(0.4)) return sql + " ON CONFLICT DO NOTHING";
    std::vector<std::string> sets;
    for (const auto& c : t.columns)
        if (!in_key(t, c) && rng.chance(0.5)) sets.push_back(c.name + " = EXCLUDED." + c.name);
    if (sets.empty()) return sql + " ON CONFLICT DO NOTHING";
    return sql + " ON CONFLICT (" + join(t.key) + ") DO UPDATE SET " + join(sets);
}

std::string update(const table& t, random& rng) {
    std::vector<const column*> targets;
    for (const auto& c : t.columns)
        if (!in_key(t, c) || rng.chance(0.2)) targets.push_back(&c);
    rng.shuffle(targets);
    targets.resize(std::min<std::size_t>(targets.size(), static_cast<std::size_t>(rng.uniform(1, 3))));
    std::vector<std::string> sets;
    for (const auto* c : targets) sets.push_back(c->name + " = " + new_value(*c, rng));
    return "UPDATE " + t.name + " SET " + join(sets) + " WHERE " + where(t, rng);
}

} // namespace

std::string random_write(const table& t, random& rng) {
    const int kind = rng.uniform(0, 99);
    if (kind < 40) return insert(t, rng);
    if (kind < 72) return update(t, rng);
    if (kind < 97) return "DELETE FROM " + t.name + " WHERE " + where(t, rng);
    return "TRUNCATE " + t.name;
}

std::vector<std::string> random_round(const schema& s, const std::vector<std::string>& tables, random& rng) {
    std::vector<std::string> writes;
    for (int n = rng.uniform(1, 4); n > 0; --n) writes.push_back(random_write(*s.find(rng.pick(tables)), rng));
    return writes;
}

} // namespace pgt::fuzz
