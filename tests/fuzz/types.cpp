#include "types.hpp"

namespace pgt::fuzz {

std::string user_types_ddl() {
    return "CREATE TYPE fz_mood AS ENUM ('sad', 'ok', 'happy');\n"
           "CREATE DOMAIN fz_posint AS integer CHECK (VALUE >= 0);\n"
           "CREATE TYPE fz_pair AS (x integer, y text);\n";
}

const std::vector<column_type>& column_types() {
    static const std::vector<std::string> ints{"-2", "0", "1", "2", "3", "5", "7", "10", "12"};
    static const std::vector<std::string> words{"a", "b", "ab", "B", "a b", "", "x%y", "é"};
    static const std::vector<std::string> floats{"-1.25", "0", "0.5", "2.75", "4", "100.25", "NaN", "Infinity"};
    static const std::vector<column_type> types{
        {"smallint", "integer", ints, {"qty", "n"}},
        {"integer", "integer", ints, {"qty", "n", "score"}},
        {"bigint", "integer", ints, {"n", "ref_id", "score"}},
        {"numeric(10,2)", "numeric", {"-1.50", "0.00", "0.25", "1.10", "2.50", "10.00", "3.33", "NaN"}, {"amount", "price"}},
        {"numeric", "numeric", {"0", "1", "-1", "2.5", "1.50", "1000", "0.125", "NaN", "Infinity", "-Infinity"}, {"amount", "total"}},
        {"real", "float", floats, {"ratio", "weight"}},
        {"double precision", "float", floats, {"ratio", "score"}},
        {"text", "character", words, {"note", "label", "name"}},
        {"varchar(12)", "character", words, {"label", "code"}},
        {"char(4)", "character", {"a", "ab", "abcd", "b c"}, {"code", "name"}},
        {"boolean", "boolean", {"true", "false"}, {"flag", "active"}},
        {"date", "temporal", {"2024-01-01", "2024-01-02", "2024-01-05", "2024-02-29", "1999-12-31"}, {"day", "created_at"}},
        {"time", "temporal", {"00:00:00", "12:30:00", "23:59:59.5"}, {"t", "at"}},
        {"timetz", "temporal", {"12:00:00+00", "12:00:00+02", "08:15:00-05"}, {"t", "at_tz"}},
        {"timestamp", "temporal",
         {"2024-01-01 00:00:00", "2024-01-01 12:30:00", "2024-01-02 00:00:00", "2024-03-10 08:15:30"},
         {"created_at", "at"}},
        {"timestamptz", "temporal",
         {"2024-01-01 00:00:00+00", "2024-01-01 12:30:00+00", "2024-01-02 05:00:00+05", "2024-03-10 08:15:30+00"},
         {"created_at", "at"}},
        {"interval", "temporal", {"1 day", "02:00:00", "-1 days", "1 mon", "00:00:00", "1 day 02:00:00"}, {"dur", "span"}},
        {"uuid", "uuid",
         {"00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002",
          "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
         {"uid", "ref_uid"}},
        {"bytea", "binary", {"\\x", "\\x00", "\\xdead", "\\xbeef"}, {"payload", "blob"}},
        {"json", "json", {"{\"a\": 1}", "[1, 2]", "\"x\"", "null", "{\"a\": [1, {\"b\": 2}]}"}, {"doc", "meta"}},
        {"jsonb", "json", {"{\"a\": 1}", "[1, 2]", "\"x\"", "null", "{\"a\": [1, {\"b\": 2}]}", "{}"}, {"doc", "meta"}},
        {"integer[]", "array", {"{1,2}", "{}", "{NULL,3}", "{2,1,2}"}, {"nums", "tags"}},
        {"text[]", "array", {"{a,b}", "{}", "{NULL}", "{b}"}, {"tags", "words"}},
        {"int4range", "range", {"[1,3)", "empty", "[2,)", "(,5)"}, {"span", "period"}},
        {"numrange", "range", {"[0.5,2)", "[1,1]", "empty"}, {"span"}},
        {"daterange", "range", {"[2024-01-01,2024-01-05)", "[2024-01-03,)", "empty"}, {"period"}},
        {"tsrange", "range", {"[2024-01-01 00:00,2024-01-02 00:00)", "(,2024-01-01 12:00]"}, {"period", "span"}},
        {"inet", "network", {"10.0.0.1", "192.168.1.5/24", "::1"}, {"ip", "addr"}},
        {"cidr", "network", {"10.0.0.0/8", "192.168.1.0/24"}, {"net"}},
        {"macaddr", "network", {"08:00:2b:01:02:03", "08:00:2b:01:02:04"}, {"mac"}},
        {"point", "geometric", {"(0,0)", "(1,2)", "(-1.5,3)"}, {"pos"}},
        {"box", "geometric", {"(1,1),(0,0)", "(2,3),(1,1)"}, {"area", "bounds"}},
        {"circle", "geometric", {"<(0,0),1>", "<(1,1),2>"}, {"ring"}},
        {"lseg", "geometric", {"[(0,0),(1,1)]", "[(1,0),(0,1)]"}, {"seg"}},
        {"polygon", "geometric", {"((0,0),(1,0),(1,1))", "((0,0),(2,0),(2,2),(0,2))"}, {"shape"}},
        {"path", "geometric", {"[(0,0),(1,1)]", "((0,0),(1,1),(2,0))"}, {"route"}},
        {"fz_mood", "enum", {"sad", "ok", "happy"}, {"mood"}},
        {"fz_posint", "domain", {"0", "1", "2", "5", "9"}, {"rank", "qty"}, {"-1"}},
        // Composites with NULL fields: neither IS NULL nor IS NOT NULL, or IS NULL without being NULL.
        {"fz_pair", "composite", {"(1,a)", "(1,)", "(,)", "(2,\"a b\")", "(,b)"}, {"pair", "pos"}},
        {"money", "money", {"1.50", "-2.00", "0.00", "10.25"}, {"cost", "price"}},
        {"bit(4)", "bit", {"0101", "1111", "0000"}, {"bits", "mask"}},
        {"bit varying(6)", "bit", {"1", "101", "", "0110"}, {"mask", "bits"}},
        {"tsvector", "text search", {"a b", "fat cat", "cat:1"}, {"words", "doc_tsv"}},
        {"xml", "xml", {"<a/>", "<b>1</b>", "text"}, {"x", "meta"}},
    };
    return types;
}

std::string quote_literal(const std::string& s) {
    std::string r = "'";
    for (char c : s) r += c == '\'' ? std::string("''") : std::string(1, c);
    return r + "'";
}

std::string literal(const column_type& type, random& rng, double null_rate) {
    if (rng.chance(null_rate)) return "NULL::" + type.sql;
    return quote_literal(rng.pick(type.values)) + "::" + type.sql;
}

std::string write_literal(const column_type& type, random& rng) {
    if (!type.refused.empty() && rng.chance(0.1)) return quote_literal(rng.pick(type.refused)) + "::" + type.sql;
    return literal(type, rng);
}

} // namespace pgt::fuzz
