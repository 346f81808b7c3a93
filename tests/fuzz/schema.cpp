#include "schema.hpp"

#include <algorithm>
#include <set>

namespace pgt::fuzz {

namespace {

std::vector<std::string> numbered(const std::string& prefix, int count) {
    std::vector<std::string> r;
    for (int i = 1; i <= count; ++i) r.push_back(prefix + std::to_string(i));
    return r;
}

std::vector<std::string> uuids(int count) {
    std::vector<std::string> r;
    for (int i = 1; i <= count; ++i) {
        std::string n = std::to_string(i);
        r.push_back("00000000-0000-0000-0000-" + std::string(12 - n.size(), '0') + n);
    }
    return r;
}

/// Key column types: pools of 40 values, so that most inserted keys are new but some collide.
const std::vector<column_type>& key_types() {
    static const std::vector<column_type> keys{
        {"bigint", "integer", numbered("", 40), {"id"}},
        {"integer", "integer", numbered("", 40), {"id"}},
        {"text", "character", numbered("k", 40), {"code"}},
        {"uuid", "uuid", uuids(40), {"uid"}},
    };
    return keys;
}

/// The second column of a composite key.
const column_type& line_type() {
    static const column_type line{"smallint", "integer", {"1", "2", "3"}, {"line"}};
    return line;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string r;
    for (std::size_t i = 0; i < v.size(); ++i) r += (i ? sep : "") + v[i];
    return r;
}

std::string unique_name(const table& t, const std::string& wanted) {
    std::string name = wanted;
    for (int i = 2; t.find(name); ++i) name = wanted + "_" + std::to_string(i);
    return name;
}

void add_key(table& t, random& rng) {
    const auto& key = rng.pick(key_types());
    t.columns.push_back({key.names.front(), &key});
    t.key.push_back(key.names.front());
    if (key.sql == "bigint" && rng.chance(0.3)) {
        t.columns.push_back({"line", &line_type()});
        t.key.push_back("line");
    }
}

/// `count` rows with distinct keys, as one INSERT.
std::string initial_rows(const table& t, int count, random& rng) {
    std::set<std::vector<std::string>> keys;
    std::vector<std::string> rows;
    while (static_cast<int>(rows.size()) < count) {
        std::vector<std::string> values, key;
        for (const auto& c : t.columns) {
            const bool in_key = std::ranges::find(t.key, c.name) != t.key.end();
            values.push_back(literal(*c.type, rng, in_key ? 0.0 : 0.15));
            if (in_key) key.push_back(values.back());
        }
        if (!t.key.empty() && !keys.insert(key).second) continue;
        rows.push_back("(" + join(values, ", ") + ")");
    }
    std::vector<std::string> names;
    for (const auto& c : t.columns) names.push_back(c.name);
    return "INSERT INTO " + t.name + " (" + join(names, ", ") + ") VALUES\n  " + join(rows, ",\n  ") + ";\n";
}

/// A view over one keyed table: its key, a few columns (one renamed) and a filter.
view make_view(const table& base, random& rng) {
    std::vector<std::string> cols(base.key);
    std::vector<const column*> others;
    for (const auto& c : base.columns)
        if (std::ranges::find(base.key, c.name) == base.key.end()) others.push_back(&c);
    rng.shuffle(others);
    others.resize(std::min<std::size_t>(others.size(), 4));
    for (std::size_t i = 0; i < others.size(); ++i)
        cols.push_back(i == 0 ? others[i]->name + " AS " + others[i]->name + "_v" : others[i]->name);
    const std::string filter = others.empty() ? "true" : others.back()->name + " IS NOT NULL";
    view v;
    v.name = "v_" + base.name.substr(2);
    v.base = base.name;
    v.sql = "SELECT " + join(cols, ", ") + " FROM " + base.name + " WHERE " + filter;
    return v;
}

} // namespace

const column* table::find(const std::string& column_name) const {
    for (const auto& c : columns)
        if (c.name == column_name) return &c;
    return nullptr;
}

const table* schema::find(const std::string& table_name) const {
    for (const auto& t : tables)
        if (t.name == table_name) return &t;
    return nullptr;
}

std::vector<std::string> schema::base_tables(const std::string& relation) const {
    if (relation == v.name) return {v.base};
    return {relation};
}

std::string schema::ddl() const {
    std::string r = user_types_ddl();
    for (const auto& t : tables) {
        std::vector<std::string> defs;
        for (const auto& c : t.columns) defs.push_back(c.name + " " + c.type->sql);
        if (!t.key.empty()) defs.push_back("PRIMARY KEY (" + join(t.key, ", ") + ")");
        r += "CREATE TABLE " + t.name + " (" + join(defs, ", ") + ");\n";
    }
    return r + "CREATE VIEW " + v.name + " AS " + v.sql + ";\n";
}

schema generate_schema(std::uint64_t seed) {
    random rng(seed);
    schema s;
    s.seed = seed;
    std::vector<std::string> names{"t_orders", "t_cust", "t_items", "t_events", "t_geo", "t_misc", "t_docs", "t_net"};
    rng.shuffle(names);
    const int count = rng.uniform(4, 6);
    const int keyless = rng.uniform(1, 2);
    for (int i = 0; i < count; ++i) {
        table t;
        t.name = names[static_cast<std::size_t>(i)];
        if (i >= keyless) add_key(t, rng);
        s.tables.push_back(std::move(t));
    }
    // Every type once, dealt round-robin, then one or two more per table.
    std::vector<const column_type*> types;
    for (const auto& type : column_types()) types.push_back(&type);
    rng.shuffle(types);
    for (std::size_t i = 0; i < types.size(); ++i) {
        auto& t = s.tables[i % s.tables.size()];
        t.columns.push_back({unique_name(t, rng.pick(types[i]->names)), types[i]});
    }
    for (auto& t : s.tables)
        for (int extra = rng.uniform(1, 2); extra > 0; --extra) {
            const auto* type = rng.pick(types);
            t.columns.push_back({unique_name(t, rng.pick(type->names)), type});
        }
    for (const auto& t : s.tables) s.rows_sql += initial_rows(t, rng.uniform(8, 16), rng);
    std::vector<const table*> keyed;
    for (const auto& t : s.tables)
        if (!t.key.empty()) keyed.push_back(&t);
    s.v = make_view(*rng.pick(keyed), rng);
    return s;
}

} // namespace pgt::fuzz
