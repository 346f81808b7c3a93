// PostgreSQL 15's operator/function resolution for the built-in types the compiler knows. The
// candidate tables mirror pg_operator/pg_proc (checked against a PostgreSQL 15 server); the
// selection follows func_select_candidate() step by step so that mixed and unknown-typed
// arguments resolve exactly as the server resolves them.
#include "pgt/typing.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

#include "pgt/error.hpp"

namespace pgt::typing {

namespace {

using ir::volatility;

sql_type known(type_kind k) { return make_type(k); }

std::string_view unqualified(std::string_view name) {
    if (name.starts_with("pg_catalog.")) name.remove_prefix(11);
    return name;
}

// Categories of the `other` types that built-in signatures mention.
char other_category(std::string_view name) {
    name = unqualified(name);
    if (name == "name") return 'S';
    if (name == "time" || name == "timetz") return 'D';
    if (name == "regclass" || name == "oid") return 'N';
    return 'U';
}

} // namespace

char category(const sql_type& t) {
    switch (t.kind) {
    case type_kind::unknown: return 'X';
    case type_kind::boolean: return 'B';
    case type_kind::int2:
    case type_kind::int4:
    case type_kind::int8:
    case type_kind::numeric:
    case type_kind::float4:
    case type_kind::float8: return 'N';
    case type_kind::text:
    case type_kind::varchar:
    case type_kind::bpchar: return 'S';
    case type_kind::date:
    case type_kind::timestamp:
    case type_kind::timestamptz: return 'D';
    case type_kind::interval: return 'T';
    case type_kind::other: return other_category(t.name);
    }
    return 'U';
}

bool is_preferred(const sql_type& t) {
    switch (t.kind) {
    case type_kind::boolean:
    case type_kind::float8:
    case type_kind::text:
    case type_kind::timestamptz:
    case type_kind::interval: return true;
    default: return false;
    }
}

bool same_type(const sql_type& a, const sql_type& b) {
    if (a.kind != b.kind) return false;
    if (a.kind != type_kind::other) return true;
    auto base = [](std::string_view n) {
        n = unqualified(n);
        return n.substr(0, n.find('('));
    };
    return base(a.name) == base(b.name);
}

bool implicitly_coercible(const sql_type& from, const sql_type& to) {
    if (from.kind == type_kind::unknown || same_type(from, to)) return true;
    // pg_cast entries with castcontext 'i' between the known types.
    static const std::map<type_kind, std::vector<type_kind>> casts = {
        {type_kind::int2, {type_kind::int4, type_kind::int8, type_kind::numeric, type_kind::float4, type_kind::float8}},
        {type_kind::int4, {type_kind::int8, type_kind::numeric, type_kind::float4, type_kind::float8}},
        {type_kind::int8, {type_kind::numeric, type_kind::float4, type_kind::float8}},
        {type_kind::numeric, {type_kind::float4, type_kind::float8}},
        {type_kind::float4, {type_kind::float8}},
        {type_kind::text, {type_kind::varchar, type_kind::bpchar}},
        {type_kind::varchar, {type_kind::text, type_kind::bpchar}},
        {type_kind::bpchar, {type_kind::text, type_kind::varchar}},
        {type_kind::date, {type_kind::timestamp, type_kind::timestamptz}},
        {type_kind::timestamp, {type_kind::timestamptz}},
    };
    auto it = casts.find(from.kind);
    return it != casts.end() && std::ranges::find(it->second, to.kind) != it->second.end();
}

std::string display_name(const sql_type& t) {
    switch (t.kind) {
    case type_kind::unknown: return "unknown";
    case type_kind::boolean: return "boolean";
    case type_kind::int2: return "smallint";
    case type_kind::int4: return "integer";
    case type_kind::int8: return "bigint";
    case type_kind::numeric: return "numeric";
    case type_kind::float4: return "real";
    case type_kind::float8: return "double precision";
    case type_kind::text: return "text";
    case type_kind::varchar: return "character varying";
    case type_kind::bpchar: return "character";
    case type_kind::date: return "date";
    case type_kind::timestamp: return "timestamp without time zone";
    case type_kind::timestamptz: return "timestamp with time zone";
    case type_kind::interval: return "interval";
    case type_kind::other: return std::string(unqualified(t.name));
    }
    return t.name;
}

namespace {

struct candidate {
    std::vector<sql_type> args;
    sql_type result;
    volatility vol = volatility::immutable;
};
using candidate_list = std::vector<candidate>;

// "name(t1,t2) result [stable|volatile]": types as parse_type_name() reads them.
std::pair<std::string, candidate> parse_signature(std::string_view line) {
    auto open = line.find('('), close = line.find(')');
    candidate c;
    for (std::string_view args = line.substr(open + 1, close - open - 1); !args.empty();) {
        auto comma = args.find(',');
        c.args.push_back(parse_type_name(std::string(args.substr(0, comma))));
        args = comma == std::string_view::npos ? std::string_view{} : args.substr(comma + 1);
    }
    std::string_view rest = line.substr(close + 2);
    auto space = rest.find(' ');
    c.result = parse_type_name(std::string(rest.substr(0, space)));
    if (space != std::string_view::npos)
        c.vol = rest.substr(space + 1) == "stable" ? volatility::stable : volatility::volatile_;
    return {std::string(line.substr(0, open)), std::move(c)};
}

using table = std::map<std::string, candidate_list, std::less<>>;

table build_table(std::initializer_list<std::string_view> lines) {
    table t;
    for (auto line : lines) {
        auto [name, c] = parse_signature(line);
        t[name].push_back(std::move(c));
    }
    return t;
}

// pg_proc for the functions the front end resolves itself (pg_catalog, PostgreSQL 15).
const table& functions() {
    static const table t = build_table({
        "abs(int2) int2", "abs(int4) int4", "abs(int8) int8", "abs(numeric) numeric",
        "abs(float4) float4", "abs(float8) float8",
        "round(float8) float8", "round(numeric) numeric", "round(numeric,int4) numeric",
        "trunc(float8) float8", "trunc(numeric) numeric", "trunc(numeric,int4) numeric",
        "floor(float8) float8", "floor(numeric) numeric",
        "ceil(float8) float8", "ceil(numeric) numeric",
        "ceiling(float8) float8", "ceiling(numeric) numeric",
        "sign(float8) float8", "sign(numeric) numeric",
        "sqrt(float8) float8", "sqrt(numeric) numeric", "cbrt(float8) float8",
        "exp(float8) float8", "exp(numeric) numeric", "ln(float8) float8", "ln(numeric) numeric",
        "log(float8) float8", "log(numeric) numeric", "log(numeric,numeric) numeric",
        "power(float8,float8) float8", "power(numeric,numeric) numeric",
        "mod(int2,int2) int2", "mod(int4,int4) int4", "mod(int8,int8) int8",
        "mod(numeric,numeric) numeric", "div(numeric,numeric) numeric",
        "pi() float8", "degrees(float8) float8", "radians(float8) float8",
        "upper(text) text", "lower(text) text", "initcap(text) text", "reverse(text) text",
        "length(text) int4", "length(bpchar) int4",
        "char_length(text) int4", "char_length(bpchar) int4",
        "character_length(text) int4", "character_length(bpchar) int4",
        "octet_length(text) int4", "octet_length(bpchar) int4",
        "substr(text,int4) text", "substr(text,int4,int4) text",
        "substring(text,int4) text", "substring(text,int4,int4) text",
        "substring(text,text) text", "substring(text,text,text) text",
        "left(text,int4) text", "right(text,int4) text",
        "btrim(text) text", "btrim(text,text) text", "ltrim(text) text", "ltrim(text,text) text",
        "rtrim(text) text", "rtrim(text,text) text",
        "replace(text,text,text) text", "strpos(text,text) int4", "position(text,text) int4",
        "lpad(text,int4) text", "lpad(text,int4,text) text",
        "rpad(text,int4) text", "rpad(text,int4,text) text",
        "split_part(text,text,int4) text", "repeat(text,int4) text",
        "ascii(text) int4", "chr(int4) text", "md5(text) text", "like_escape(text,text) text",
        "similar_to_escape(text) text", "similar_to_escape(text,text) text",
        "date_trunc(text,timestamp) timestamp", "date_trunc(text,timestamptz) timestamptz stable",
        "date_trunc(text,timestamptz,text) timestamptz stable",
        "date_trunc(text,interval) interval",
        "extract(text,date) numeric", "extract(text,timestamp) numeric",
        "extract(text,timestamptz) numeric stable", "extract(text,interval) numeric",
        "extract(text,pg_catalog.time) numeric", "extract(text,pg_catalog.timetz) numeric",
        "date_part(text,date) float8", "date_part(text,timestamp) float8",
        "date_part(text,timestamptz) float8 stable", "date_part(text,interval) float8",
        "date_part(text,pg_catalog.time) float8", "date_part(text,pg_catalog.timetz) float8",
        "age(timestamptz,timestamptz) interval", "age(timestamp,timestamp) interval",
        "age(timestamptz) interval stable", "age(timestamp) interval stable",
        "timezone(text,timestamptz) timestamp", "timezone(text,timestamp) timestamptz",
        "timezone(interval,timestamptz) timestamp", "timezone(interval,timestamp) timestamptz",
        "make_date(int4,int4,int4) date",
        "to_char(int4,text) text stable", "to_char(int8,text) text stable",
        "to_char(numeric,text) text stable", "to_char(float4,text) text stable",
        "to_char(float8,text) text stable", "to_char(timestamp,text) text stable",
        "to_char(timestamptz,text) text stable", "to_char(interval,text) text stable",
        "to_date(text,text) date stable", "to_number(text,text) numeric stable",
        "to_timestamp(text,text) timestamptz stable", "to_timestamp(float8) timestamptz",
        "now() timestamptz stable", "statement_timestamp() timestamptz stable",
        "transaction_timestamp() timestamptz stable",
        "current_user() pg_catalog.name stable", "session_user() pg_catalog.name stable",
        "current_database() pg_catalog.name stable", "current_schema() pg_catalog.name stable",
        "clock_timestamp() timestamptz volatile", "timeofday() text volatile",
        "random() float8 volatile", "gen_random_uuid() pg_catalog.uuid volatile",
        "nextval(pg_catalog.regclass) int8 volatile", "currval(pg_catalog.regclass) int8 volatile",
        "setval(pg_catalog.regclass,int8) int8 volatile",
        "setval(pg_catalog.regclass,int8,bool) int8 volatile",
    });
    return t;
}

// pg_aggregate's monomorphic aggregates (PostgreSQL 15).
const table& aggregates() {
    static const table t = [] {
        table t = build_table({
            "sum(int2) int8", "sum(int4) int8", "sum(int8) numeric", "sum(numeric) numeric",
            "sum(float4) float4", "sum(float8) float8", "sum(interval) interval",
            "avg(int2) numeric", "avg(int4) numeric", "avg(int8) numeric", "avg(numeric) numeric",
            "avg(float4) float8", "avg(float8) float8", "avg(interval) interval",
            "bool_and(bool) bool", "bool_or(bool) bool", "every(bool) bool",
            "bit_and(int2) int2", "bit_and(int4) int4", "bit_and(int8) int8",
            "bit_or(int2) int2", "bit_or(int4) int4", "bit_or(int8) int8",
            "bit_xor(int2) int2", "bit_xor(int4) int4", "bit_xor(int8) int8",
            "string_agg(text,text) text", "string_agg(pg_catalog.bytea,pg_catalog.bytea) pg_catalog.bytea",
            "xmlagg(pg_catalog.xml) pg_catalog.xml",
        });
        for (const char* name : {"stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp"}) {
            auto& l = t[name];
            for (auto k : {type_kind::int2, type_kind::int4, type_kind::int8, type_kind::numeric})
                l.push_back({{known(k)}, known(type_kind::numeric)});
            for (auto k : {type_kind::float4, type_kind::float8}) l.push_back({{known(k)}, known(type_kind::float8)});
        }
        for (const char* name : {"corr", "covar_pop", "covar_samp", "regr_avgx", "regr_avgy", "regr_intercept", "regr_r2",
                                 "regr_slope", "regr_sxx", "regr_sxy", "regr_syy", "regr_count"})
            t[name].push_back({{known(type_kind::float8), known(type_kind::float8)},
                               known(std::string_view(name) == "regr_count" ? type_kind::int8 : type_kind::float8)});
        return t;
    }();
    return t;
}



// min/max exist for every ordered built-in type except boolean.
candidate_list min_max_candidates() {
    candidate_list l;
    for (auto k : {type_kind::int2, type_kind::int4, type_kind::int8, type_kind::numeric,
                   type_kind::float4, type_kind::float8, type_kind::text, type_kind::bpchar,
                   type_kind::date, type_kind::timestamp, type_kind::timestamptz,
                   type_kind::interval})
        l.push_back({{known(k)}, known(k)});
    return l;
}

type_kind wider_integer(type_kind a, type_kind b) {
    auto rank = [](type_kind k) { return k == type_kind::int2 ? 0 : k == type_kind::int4 ? 1 : 2; };
    return rank(a) >= rank(b) ? a : b;
}

// pg_operator for the arithmetic operators on the known types.
const table& arithmetic() {
    static const table t = [] {
        table t = build_table({
            "+(date,int4) date", "+(int4,date) date", "+(date,interval) timestamp",
            "+(interval,date) timestamp", "+(timestamp,interval) timestamp",
            "+(interval,timestamp) timestamp", "+(timestamptz,interval) timestamptz stable",
            "+(interval,timestamptz) timestamptz stable", "+(interval,interval) interval",
            "-(date,date) int4", "-(date,int4) date", "-(date,interval) timestamp",
            "-(timestamp,timestamp) interval", "-(timestamptz,timestamptz) interval",
            "-(timestamp,interval) timestamp", "-(timestamptz,interval) timestamptz stable",
            "-(interval,interval) interval",
            "*(interval,float8) interval", "*(float8,interval) interval",
            "/(interval,float8) interval",
            "%(int2,int2) int2", "%(int4,int4) int4", "%(int8,int8) int8",
            "%(numeric,numeric) numeric",
            "^(float8,float8) float8", "^(numeric,numeric) numeric",
            "<<(int2,int4) int2", "<<(int4,int4) int4", "<<(int8,int4) int8",
            ">>(int2,int4) int2", ">>(int4,int4) int4", ">>(int8,int4) int8",
        });
        for (const char* op : {"&", "|", "#"})
            for (auto k : {type_kind::int2, type_kind::int4, type_kind::int8})
                t[op].push_back({{known(k), known(k)}, known(k)});
        const type_kind ints[] = {type_kind::int2, type_kind::int4, type_kind::int8};
        for (const char* op : {"+", "-", "*", "/"}) {
            auto& l = t[op];
            for (auto a : ints)
                for (auto b : ints) l.push_back({{known(a), known(b)}, known(wider_integer(a, b))});
            for (auto k : {type_kind::numeric, type_kind::float4, type_kind::float8})
                l.push_back({{known(k), known(k)}, known(k)});
            l.push_back({{known(type_kind::float4), known(type_kind::float8)}, known(type_kind::float8)});
            l.push_back({{known(type_kind::float8), known(type_kind::float4)}, known(type_kind::float8)});
        }
        return t;
    }();
    return t;
}

const table& prefix_operators() {
    static const table t = build_table({
        "-(int2) int2", "-(int4) int4", "-(int8) int8", "-(numeric) numeric",
        "-(float4) float4", "-(float8) float8", "-(interval) interval",
        "+(int2) int2", "+(int4) int4", "+(int8) int8", "+(numeric) numeric",
        "+(float4) float4", "+(float8) float8",
    });
    return t;
}

enum class outcome { none, unique, ambiguous };
struct selection {
    outcome result = outcome::none;
    const candidate* chosen = nullptr;
};

bool is_unknown(const sql_type& t) { return t.kind == type_kind::unknown; }

bool accepts(const candidate& c, const std::vector<sql_type>& in) {
    if (c.args.size() != in.size()) return false;
    for (std::size_t i = 0; i < in.size(); ++i)
        if (!implicitly_coercible(in[i], c.args[i])) return false;
    return true;
}

// Keeps the candidates scoring highest, or all of them when none scores.
template <class Score>
void keep_best(std::vector<const candidate*>& cands, Score score) {
    int best = 0;
    for (auto* c : cands) best = std::max(best, score(*c));
    if (best == 0) return;
    std::erase_if(cands, [&](const candidate* c) { return score(*c) != best; });
}

// Unknown literals: each position takes the category the remaining candidates agree on,
// STRING winning any conflict (func_select_candidate's "resolve unknowns" step).
void resolve_unknown_positions(std::vector<const candidate*>& cands, const std::vector<sql_type>& in) {
    struct slot {
        char cat = 0;
        bool preferred = false;
    };
    std::vector<slot> slots(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (!is_unknown(in[i])) continue;
        bool conflict = false;
        for (auto* c : cands) {
            char cat = category(c->args[i]);
            bool pref = is_preferred(c->args[i]);
            if (!slots[i].cat) slots[i] = {cat, pref};
            else if (cat == slots[i].cat) slots[i].preferred |= pref;
            else if (cat == 'S') slots[i] = {cat, pref};
            else conflict = true;
        }
        if (conflict && slots[i].cat != 'S') return;
    }
    std::vector<const candidate*> kept;
    for (auto* c : cands) {
        bool keep = true;
        for (std::size_t i = 0; i < in.size() && keep; ++i) {
            if (!is_unknown(in[i])) continue;
            keep = category(c->args[i]) == slots[i].cat &&
                   (!slots[i].preferred || is_preferred(c->args[i]));
        }
        if (keep) kept.push_back(c);
    }
    if (!kept.empty()) cands = std::move(kept);
}

// Last gasp: when the known inputs share one type, read the unknowns as that type too.
const candidate* assume_known_type(const std::vector<const candidate*>& cands,
                                   const std::vector<sql_type>& in) {
    const sql_type* known_type = nullptr;
    for (const auto& t : in) {
        if (is_unknown(t)) continue;
        if (known_type && !same_type(*known_type, t)) return nullptr;
        known_type = &t;
    }
    if (!known_type) return nullptr;
    std::vector<sql_type> assumed(in.size(), *known_type);
    const candidate* found = nullptr;
    for (auto* c : cands) {
        if (!accepts(*c, assumed)) continue;
        if (found) return nullptr;
        found = c;
    }
    return found;
}

selection select_candidate(const candidate_list& all, const std::vector<sql_type>& in,
                           bool binary_operator) {
    for (const auto& c : all) {
        if (c.args.size() == in.size() &&
            std::ranges::equal(c.args, in, [](const sql_type& d, const sql_type& a) {
                return !is_unknown(a) && same_type(d, a);
            }))
            return {outcome::unique, &c};
    }
    // binary_oper_exact: `x op 'literal'` looks for `op(type of x, type of x)` first.
    if (binary_operator && in.size() == 2 && is_unknown(in[0]) != is_unknown(in[1])) {
        const sql_type& k = is_unknown(in[0]) ? in[1] : in[0];
        for (const auto& c : all)
            if (c.args.size() == 2 && same_type(c.args[0], k) && same_type(c.args[1], k))
                return {outcome::unique, &c};
    }
    std::vector<const candidate*> cands;
    for (const auto& c : all)
        if (accepts(c, in)) cands.push_back(&c);
    if (cands.empty()) return {};
    if (cands.size() == 1) return {outcome::unique, cands[0]};

    auto count = [&](auto&& matches) {
        return [&, matches](const candidate& c) {
            int n = 0;
            for (std::size_t i = 0; i < in.size(); ++i)
                if (!is_unknown(in[i]) && matches(c.args[i], in[i])) ++n;
            return n;
        };
    };
    keep_best(cands, count([](const sql_type& d, const sql_type& a) { return same_type(d, a); }));
    if (cands.size() == 1) return {outcome::unique, cands[0]};
    keep_best(cands, count([](const sql_type& d, const sql_type& a) {
                  return same_type(d, a) || (is_preferred(d) && category(d) == category(a));
              }));
    if (cands.size() == 1) return {outcome::unique, cands[0]};
    resolve_unknown_positions(cands, in);
    if (cands.size() == 1) return {outcome::unique, cands[0]};
    if (auto* c = assume_known_type(cands, in)) return {outcome::unique, c};
    return {outcome::ambiguous, nullptr};
}

bool any_other(const std::vector<sql_type>& in) {
    return std::ranges::any_of(in, [](const sql_type& t) { return t.kind == type_kind::other; });
}

std::string type_list(const std::vector<sql_type>& args) {
    std::string r;
    for (std::size_t i = 0; i < args.size(); ++i) r += (i ? ", " : "") + display_name(args[i]);
    return r;
}

std::string operator_text(std::string_view op, const std::vector<sql_type>& in) {
    if (in.size() == 1) return std::string(op) + " " + display_name(in[0]);
    return display_name(in[0]) + " " + std::string(op) + " " + display_name(in[1]);
}

[[noreturn]] void throw_no_operator(std::string_view op, const std::vector<sql_type>& in, int position) {
    throw error(sqlstate::undefined_function, "operator does not exist: " + operator_text(op, in), {},
                "No operator matches the given name and argument types. You might need to add "
                "explicit type casts.",
                position);
}

resolved_call from_candidate(const candidate& c, const std::vector<sql_type>& in) {
    resolved_call r{c.args, c.result, c.vol};
    // Arguments that already have the declared type keep their modifier.
    for (std::size_t i = 0; i < in.size(); ++i)
        if (same_type(in[i], c.args[i])) r.args[i] = in[i];
    return r;
}

std::optional<resolved_call> resolve_from_table(const candidate_list& cands, std::string_view op,
                                                const std::vector<sql_type>& in, int position) {
    if (any_other(in)) return std::nullopt;
    selection s = select_candidate(cands, in, in.size() == 2);
    if (s.result == outcome::unique) return from_candidate(*s.chosen, in);
    if (s.result == outcome::ambiguous)
        throw error("42725", "operator is not unique: " + operator_text(op, in), {},
                    "Could not choose a best candidate operator. You might need to add explicit "
                    "type casts.",
                    position);
    throw_no_operator(op, in, position);
}

const sql_type bool_type = known(type_kind::boolean);
const sql_type text_type = known(type_kind::text);

// Comparisons exist within each category of known types (cross-type operators or implicit
// casts cover every pair); an unknown literal takes the other side's type.
std::optional<resolved_call> resolve_comparison(std::string_view op, const sql_type& l,
                                                const sql_type& r, int position) {
    if (is_unknown(l) && is_unknown(r)) return resolved_call{{text_type, text_type}, bool_type};
    if (is_unknown(l)) return resolved_call{{r, r}, bool_type};
    if (is_unknown(r)) return resolved_call{{l, l}, bool_type};
    if (l.kind == type_kind::other || r.kind == type_kind::other) {
        if (same_type(l, r)) return resolved_call{{l, r}, bool_type};
        return std::nullopt;
    }
    if (category(l) != category(r)) throw_no_operator(op, {l, r}, position);
    // date or timestamp against timestamptz converts in the session's time zone.
    const bool zoned = (l.kind == type_kind::timestamptz) != (r.kind == type_kind::timestamptz) && category(l) == 'D';
    return resolved_call{{l, r}, bool_type, zoned ? volatility::stable : volatility::immutable};
}

std::optional<resolved_call> resolve_like(std::string_view op, const sql_type& l, const sql_type& r,
                                          int position) {
    auto stringish = [](const sql_type& t) { return is_unknown(t) || is_string(t.kind); };
    if (l.kind == type_kind::other || r.kind == type_kind::other) return std::nullopt;
    if (!stringish(l) || !stringish(r)) throw_no_operator(op, {l, r}, position);
    return resolved_call{{is_unknown(l) ? text_type : l, is_unknown(r) ? text_type : r}, bool_type};
}

// `||` on strings, or a string with any non-array value (textanycat/anytextcat).
std::optional<resolved_call> resolve_concat(const sql_type& l, const sql_type& r, int position) {
    auto stringish = [](const sql_type& t) { return is_unknown(t) || is_string(t.kind); };
    auto array_or_unknown_other = [&](const sql_type& t, const sql_type& partner) {
        return t.kind == type_kind::other && (t.name.ends_with("[]") || is_unknown(partner));
    };
    if (array_or_unknown_other(l, r) || array_or_unknown_other(r, l)) return std::nullopt;
    if (!stringish(l) && !stringish(r)) {
        if (l.kind == type_kind::other || r.kind == type_kind::other) return std::nullopt;
        throw_no_operator("||", {l, r}, position);
    }
    return resolved_call{{is_unknown(l) ? text_type : l, is_unknown(r) ? text_type : r}, text_type};
}

bool is_comparison(std::string_view op) {
    return op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=";
}
bool is_like(std::string_view op) {
    return op == "~~" || op == "!~~" || op == "~~*" || op == "!~~*" || op == "~" || op == "!~" || op == "~*" || op == "!~*";
}
bool is_containment(std::string_view op) { return op == "@>" || op == "<@" || op == "&&"; }

// Array containment and overlap (anyarray @> anyarray): both sides of one array type, an
// unknown literal taking the other's.
std::optional<resolved_call> resolve_containment(std::string_view op, const sql_type& l, const sql_type& r, int position) {
    auto array = [](const sql_type& t) { return t.kind == type_kind::other && t.name.ends_with("[]"); };
    const sql_type& typed = is_unknown(l) ? r : l;
    if (!array(typed)) return std::nullopt;
    if (!(is_unknown(l) || is_unknown(r) || same_type(l, r))) throw_no_operator(op, {l, r}, position);
    return resolved_call{{typed, typed}, bool_type};
}

} // namespace

bool is_known_operator(std::string_view op) {
    return is_comparison(op) || is_like(op) || is_containment(op) || op == "||" || arithmetic().contains(op);
}

std::optional<resolved_call> resolve_operator(std::string_view op, const sql_type& lhs,
                                              const sql_type& rhs, int position) {
    if (is_comparison(op)) return resolve_comparison(op, lhs, rhs, position);
    if (is_like(op)) return resolve_like(op, lhs, rhs, position);
    if (is_containment(op)) return resolve_containment(op, lhs, rhs, position);
    if (op == "||") return resolve_concat(lhs, rhs, position);
    auto it = arithmetic().find(op);
    if (it == arithmetic().end()) throw_no_operator(op, {lhs, rhs}, position);
    return resolve_from_table(it->second, op, {lhs, rhs}, position);
}

std::optional<resolved_call> resolve_prefix_operator(std::string_view op, const sql_type& arg,
                                                     int position) {
    auto it = prefix_operators().find(op);
    if (it == prefix_operators().end()) throw_no_operator(op, {arg}, position);
    return resolve_from_table(it->second, op, {arg}, position);
}

bool is_builtin_function(std::string_view name) {
    return functions().contains(name) || name == "concat" || name == "concat_ws";
}

void throw_no_function(std::string_view name, const std::vector<sql_type>& args, int position) {
    throw error(sqlstate::undefined_function,
                "function " + std::string(name) + "(" + type_list(args) + ") does not exist", {},
                "No function matches the given name and argument types. You might need to add "
                "explicit type casts.",
                position);
}

namespace {
[[noreturn]] void throw_ambiguous_function(std::string_view name, const std::vector<sql_type>& args,
                                           int position) {
    throw error("42725", "function " + std::string(name) + "(" + type_list(args) + ") is not unique",
                {},
                "Could not choose a best candidate function. You might need to add explicit type "
                "casts.",
                position);
}

std::optional<resolved_call> resolve_function_from(const candidate_list& cands, std::string_view name,
                                                   const std::vector<sql_type>& args, int position) {
    if (any_other(args)) return std::nullopt;
    selection s = select_candidate(cands, args, false);
    if (s.result == outcome::ambiguous) throw_ambiguous_function(name, args, position);
    if (s.result == outcome::none) return std::nullopt;
    return from_candidate(*s.chosen, args);
}
} // namespace

std::optional<resolved_call> resolve_builtin_function(std::string_view name,
                                                      const std::vector<sql_type>& args,
                                                      int position) {
    // concat(VARIADIC "any") / concat_ws(text, VARIADIC "any"): any value, unknown read as text.
    if (name == "concat" || name == "concat_ws") {
        std::size_t min_args = name == "concat" ? 1 : 2;
        if (args.size() < min_args) return std::nullopt;
        if (name == "concat_ws" && args[0].kind != type_kind::unknown &&
            !implicitly_coercible(args[0], text_type))
            return std::nullopt;
        resolved_call r{args, text_type, volatility::stable};
        for (auto& a : r.args)
            if (is_unknown(a)) a = text_type;
        return r;
    }
    auto it = functions().find(name);
    if (it == functions().end()) return std::nullopt;
    return resolve_function_from(it->second, name, args, position);
}

namespace {
bool is_array(const sql_type& t) { return t.kind == type_kind::other && t.name.ends_with("[]"); }
sql_type array_of(const sql_type& t) {
    if (is_array(t)) return t;
    const sql_type element = is_unknown(t) ? text_type : t;
    return {type_kind::other, element.name + "[]"};
}
sql_type any_type(const sql_type& t) { return is_unknown(t) ? text_type : t; }
} // namespace

bool is_builtin_aggregate(std::string_view name) {
    static const std::vector<std::string_view> polymorphic{"count", "min", "max", "array_agg", "json_agg", "jsonb_agg",
                                                            "json_object_agg", "jsonb_object_agg", "mode", "percentile_cont",
                                                            "percentile_disc", "rank", "dense_rank", "percent_rank",
                                                            "cume_dist", "range_agg", "range_intersect_agg"};
    return aggregates().contains(name) || std::ranges::find(polymorphic, name) != polymorphic.end();
}

std::optional<resolved_call> resolve_aggregate(std::string_view name, const std::vector<sql_type>& args,
                                               const std::vector<sql_type>& ordered, int position) {
    const sql_type int8 = known(type_kind::int8), float8 = known(type_kind::float8);
    auto any_of = [&](const sql_type& result) {
        std::vector<sql_type> declared;
        for (const auto& a : args) declared.push_back(any_type(a));
        return resolved_call{declared, result};
    };
    auto fail = [&]() -> std::optional<resolved_call> { throw_no_function(name, args, position); };
    const bool plain = ordered.empty();
    if (name == "count" && plain && args.size() == 1) return any_of(int8);
    if ((name == "min" || name == "max") && plain && args.size() == 1) {
        if (args[0].kind == type_kind::other) return resolved_call{{args[0]}, args[0]};
        static const candidate_list candidates = min_max_candidates();
        auto r = resolve_function_from(candidates, name, args, position);
        return r ? r : fail();
    }
    if (name == "array_agg" && plain && args.size() == 1) return any_of(array_of(args[0]));
    if ((name == "json_agg" || name == "jsonb_agg") && plain && args.size() == 1)
        return any_of({type_kind::other, name == "json_agg" ? "pg_catalog.json" : "pg_catalog.jsonb"});
    if ((name == "json_object_agg" || name == "jsonb_object_agg") && plain && args.size() == 2)
        return any_of({type_kind::other, name == "json_object_agg" ? "pg_catalog.json" : "pg_catalog.jsonb"});
    // Ordered-set and hypothetical-set aggregates (WITHIN GROUP).
    if (name == "mode" && args.empty() && ordered.size() == 1) return resolved_call{{}, any_type(ordered[0])};
    if ((name == "percentile_cont" || name == "percentile_disc") && args.size() == 1 && ordered.size() == 1) {
        const bool several = is_array(args[0]);
        if (!several && !implicitly_coercible(args[0], float8)) return fail();
        const sql_type fraction = several ? sql_type{type_kind::other, "pg_catalog.float8[]"} : float8;
        sql_type value = any_type(ordered[0]);
        if (name == "percentile_cont") {
            if (value.kind == type_kind::interval) value = known(type_kind::interval);
            else if (implicitly_coercible(value, float8)) value = float8;
            else return fail();
        }
        return resolved_call{{fraction}, several ? array_of(value) : value};
    }
    if ((name == "rank" || name == "dense_rank" || name == "percent_rank" || name == "cume_dist") && !ordered.empty() &&
        args.size() == ordered.size())
        return any_of(name == "rank" || name == "dense_rank" ? int8 : float8);
    if (name == "range_agg" || name == "range_intersect_agg") return std::nullopt; // multirange types: not known here
    auto it = aggregates().find(name);
    if (it == aggregates().end() || !plain) return std::nullopt;
    auto r = resolve_function_from(it->second, name, args, position);
    if (!r && std::ranges::any_of(args, [](const sql_type& a) { return a.kind == type_kind::other; })) return std::nullopt;
    return r ? r : fail();
}

bool castable(const sql_type& from, const sql_type& to) {
    if (from.kind == type_kind::other || to.kind == type_kind::other || from.kind == type_kind::unknown) return true;
    if (same_type(from, to) || is_string(from.kind) || is_string(to.kind)) return true;
    auto bool_int = [](const sql_type& a, const sql_type& b) {
        return a.kind == type_kind::boolean && b.kind == type_kind::int4;
    };
    if (bool_int(from, to) || bool_int(to, from)) return true;
    char c = category(from);
    return c == category(to) && (c == 'N' || c == 'D');
}

ir::volatility cast_volatility(const sql_type& from, const sql_type& to) {
    if (same_type(from, to)) return volatility::immutable;
    auto datetime = [](const sql_type& t) { return category(t) == 'D' || t.kind == type_kind::interval; };
    auto zoned = [](const sql_type& t) { return t.kind == type_kind::timestamptz; };
    bool io = (datetime(from) && is_string(to.kind)) || (is_string(from.kind) && datetime(to));
    bool zone = (zoned(from) && datetime(to)) || (datetime(from) && zoned(to));
    return io || zone ? volatility::stable : volatility::immutable;
}

std::optional<sql_type> common_type(const std::vector<sql_type>& types, std::string_view context,
                                    const std::vector<int>& positions) {
    const sql_type* chosen = nullptr;
    bool all_identical = true;
    for (std::size_t i = 0; i < types.size(); ++i) {
        const sql_type& t = types[i];
        if (is_unknown(t)) continue;
        if (!chosen) {
            chosen = &t;
            continue;
        }
        all_identical &= t == *chosen;
        if (same_type(t, *chosen)) continue;
        if (t.kind == type_kind::other || chosen->kind == type_kind::other) return std::nullopt;
        if (category(t) != category(*chosen))
            throw error(sqlstate::datatype_mismatch,
                        std::string(context) + " types " + display_name(*chosen) + " and " +
                            display_name(t) + " cannot be matched",
                        {}, {}, i < positions.size() ? positions[i] : -1);
        // Move to the new type when it is reachable implicitly but not the other way round,
        // unless the current one is its category's preferred type.
        if (!is_preferred(*chosen) && implicitly_coercible(*chosen, t) &&
            !implicitly_coercible(t, *chosen))
            chosen = &t;
    }
    if (!chosen) return text_type;
    if (all_identical || chosen->kind == type_kind::other) return *chosen;
    return known(chosen->kind);
}

} // namespace pgt::typing
