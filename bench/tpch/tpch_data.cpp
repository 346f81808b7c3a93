#include "tpch_data.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string_view>

namespace tpch {

namespace {

// ---- random streams -----------------------------------------------------------------------

std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// splitmix64 over (seed, table, key): every row has its own stream.
class stream {
public:
    stream(const config& c, int table, long long key)
        : state_(mix(mix(c.seed * 31 + static_cast<std::uint64_t>(table)) + static_cast<std::uint64_t>(key))) {}
    std::uint64_t next() { return mix(state_ += 0x9e3779b97f4a7c15ULL); }
    long long uniform(long long lo, long long hi) {
        return lo + static_cast<long long>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    template <class T, std::size_t N>
    const T& pick(const std::array<T, N>& a) { return a[static_cast<std::size_t>(uniform(0, N - 1))]; }

private:
    std::uint64_t state_;
};

// ---- the specification's domains (TPC-H 3.0, 4.2.2 and 4.2.3) --------------------------------

constexpr std::array<std::string_view, 92> colors{
    "almond", "antique", "aquamarine", "azure", "beige", "bisque", "black", "blanched", "blue", "blush",
    "brown", "burlywood", "burnished", "chartreuse", "chiffon", "chocolate", "coral", "cornflower", "cornsilk",
    "cream", "cyan", "dark", "deep", "dim", "dodger", "drab", "firebrick", "floral", "forest", "frosted",
    "gainsboro", "ghost", "goldenrod", "green", "grey", "honeydew", "hot", "indian", "ivory", "khaki", "lace",
    "lavender", "lawn", "lemon", "light", "lime", "linen", "magenta", "maroon", "medium", "metallic", "midnight",
    "mint", "misty", "moccasin", "navajo", "navy", "olive", "orange", "orchid", "pale", "papaya", "peach", "peru",
    "pink", "plum", "powder", "puff", "purple", "red", "rose", "rosy", "royal", "saddle", "salmon", "sandy",
    "seashell", "sienna", "sky", "slate", "smoke", "snow", "spring", "steel", "tan", "thistle", "tomato",
    "turquoise", "violet", "wheat", "white", "yellow"};
constexpr std::array<std::string_view, 6> type1{"STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"};
constexpr std::array<std::string_view, 5> type2{"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"};
constexpr std::array<std::string_view, 5> type3{"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};
constexpr std::array<std::string_view, 5> container1{"SM", "LG", "MED", "JUMBO", "WRAP"};
constexpr std::array<std::string_view, 8> container2{"CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"};
constexpr std::array<std::string_view, 5> segments{"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"};
constexpr std::array<std::string_view, 5> priorities{"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"};
constexpr std::array<std::string_view, 4> instructions{"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"};
constexpr std::array<std::string_view, 7> modes{"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};
// The text grammar's words (4.2.2.10), flattened.
constexpr std::array<std::string_view, 96> words{
    "foxes", "ideas", "theodolites", "pinto", "beans", "instructions", "dependencies", "excuses", "platelets",
    "asymptotes", "courts", "dolphins", "multipliers", "sauternes", "warthogs", "frets", "dinos", "attainments",
    "somas", "patterns", "forges", "braids", "frays", "warhorses", "dugouts", "notornis", "epitaphs", "pearls",
    "tithes", "waters", "orbits", "gifts", "sheaves", "depths", "packages", "requests", "accounts", "deposits",
    "sleep", "wake", "are", "cajole", "haggle", "nag", "use", "boost", "affix", "detect", "integrate", "maintain",
    "nod", "was", "lose", "sublate", "solve", "thrash", "promise", "engage", "hinder", "print", "serve", "doze",
    "special", "pending", "unusual", "express", "furious", "sly", "careful", "blithe", "quick", "fluffy", "slow",
    "quiet", "ruthless", "thin", "close", "regular", "final", "ironic", "even", "bold", "silent", "furiously",
    "slyly", "carefully", "blithely", "quickly", "fluffily", "about", "above", "according", "to", "across"};

struct nation_row {
    int key;
    std::string_view name;
    int region;
};
constexpr std::array<nation_row, 25> nations{{
    {0, "ALGERIA", 0},  {1, "ARGENTINA", 1},  {2, "BRAZIL", 1},    {3, "CANADA", 1},   {4, "EGYPT", 4},
    {5, "ETHIOPIA", 0}, {6, "FRANCE", 3},     {7, "GERMANY", 3},   {8, "INDIA", 2},    {9, "INDONESIA", 2},
    {10, "IRAN", 4},    {11, "IRAQ", 4},      {12, "JAPAN", 2},    {13, "JORDAN", 4},  {14, "KENYA", 0},
    {15, "MOROCCO", 0}, {16, "MOZAMBIQUE", 0}, {17, "PERU", 1},    {18, "CHINA", 2},   {19, "ROMANIA", 3},
    {20, "SAUDI ARABIA", 4}, {21, "VIETNAM", 2}, {22, "RUSSIA", 3}, {23, "UNITED KINGDOM", 3}, {24, "UNITED STATES", 1},
}};
constexpr std::array<std::string_view, 5> regions{"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"};

enum table_id { t_region, t_nation, t_part, t_supplier, t_partsupp, t_customer, t_orders, t_lineitem };

long long count(double base, const config& c) { return std::max(1LL, std::llround(base * c.sf)); }
long long parts(const config& c) { return count(200000, c); }
long long suppliers(const config& c) { return count(10000, c); }
long long customers(const config& c) { return count(150000, c); }
long long orders(const config& c) { return count(1500000, c); }

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
long long days(int y, int m, int d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const long long yoe = y - era * 400;
    const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}
std::string date_text(long long z) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const long long doe = z - era * 146097;
    const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long long mp = (5 * doy + 2) / 153;
    const long long d = doy - (153 * mp + 2) / 5 + 1;
    const long long m = mp + (mp < 10 ? 3 : -9);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", yoe + era * 400 + (m <= 2), m, d);
    return buf;
}
const long long start_date = days(1992, 1, 1);
const long long end_date = days(1998, 12, 31);
const long long current_date = days(1995, 6, 17);

std::string cents(long long c) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%lld.%02lld", c < 0 ? "-" : "", std::llabs(c) / 100, std::llabs(c) % 100);
    return buf;
}
std::string padded(const char* prefix, long long n) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%09lld", prefix, n);
    return buf;
}
/// Words of the text grammar, between `lo` and `hi` characters.
std::string text(stream& r, int lo, int hi) {
    const auto target = static_cast<std::size_t>(r.uniform(lo, hi));
    std::string s;
    while (s.size() < target) s += (s.empty() ? "" : " ") + std::string(r.pick(words));
    s.resize(target);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s.empty() ? "x" : s;
}
/// Random alphanumeric characters (4.2.2.7).
std::string v_string(stream& r, int lo, int hi) {
    static constexpr std::string_view chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,. ";
    std::string s(static_cast<std::size_t>(r.uniform(lo, hi)), ' ');
    for (auto& ch : s) ch = chars[static_cast<std::size_t>(r.uniform(0, chars.size() - 2))];
    return s;
}
std::string phone(stream& r, long long nation) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld-%03lld-%03lld-%04lld", nation + 10, r.uniform(100, 999), r.uniform(100, 999),
                  r.uniform(1000, 9999));
    return buf;
}

long long retail_cents(long long partkey) { return 90000 + ((partkey / 10) % 20001) + 100 * (partkey % 1000); }
long long partsupp_supplier(long long partkey, long long i, const config& c) {
    const long long s = suppliers(c);
    return (partkey + (i * ((s / 4) + (partkey - 1) / s))) % s + 1;
}
/// The initial orders have sparse keys: the first 8 of every 32.
long long order_key(long long i) { return (i / 8) * 32 + (i % 8) + 1; }

void row(std::ostream& out, const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) out << (i ? "\t" : "") << fields[i];
    out << '\n';
}

struct line {
    std::vector<std::string> fields;
    long long total_cents;
    char status;
};

/// An order's line items (deterministic for its key) and what the order derives from them.
std::vector<line> line_items(long long orderkey, long long orderdate, const config& c) {
    stream r(c, t_lineitem, orderkey);
    const long long n = r.uniform(1, 7);
    std::vector<line> lines;
    for (long long j = 1; j <= n; ++j) {
        const long long partkey = r.uniform(1, parts(c));
        const long long suppkey = partsupp_supplier(partkey, r.uniform(0, 3), c);
        const long long quantity = r.uniform(1, 50);
        const long long price = quantity * retail_cents(partkey);
        const long long discount = r.uniform(0, 10), tax = r.uniform(0, 8);
        const long long ship = orderdate + r.uniform(1, 121);
        const long long commit = orderdate + r.uniform(30, 90);
        const long long receipt = ship + r.uniform(1, 30);
        const char* returnflag = receipt <= current_date ? (r.uniform(0, 1) ? "R" : "A") : "N";
        const char status = ship > current_date ? 'O' : 'F';
        const long long total = (price * (100 - discount) * (100 + tax) + 5000) / 10000;
        lines.push_back({{std::to_string(orderkey), std::to_string(partkey), std::to_string(suppkey), std::to_string(j),
                          std::to_string(quantity), cents(price), cents(discount), cents(tax), returnflag,
                          std::string(1, status), date_text(ship), date_text(commit), date_text(receipt),
                          std::string(r.pick(instructions)), std::string(r.pick(modes)), text(r, 10, 43)},
                         total,
                         status});
    }
    return lines;
}

void write_order(std::ostream& out, long long orderkey, bool lineitems, const config& c) {
    stream r(c, t_orders, orderkey);
    long long custkey;
    do custkey = r.uniform(1, customers(c)); // every third customer places no order
    while (custkey % 3 == 0 && customers(c) > 2);
    const long long orderdate = start_date + r.uniform(0, (end_date - 151) - start_date);
    const auto lines = line_items(orderkey, orderdate, c);
    if (lineitems) {
        for (const auto& l : lines) row(out, l.fields);
        return;
    }
    long long total = 0;
    bool all_f = true, all_o = true;
    for (const auto& l : lines) {
        total += l.total_cents;
        all_f &= l.status == 'F';
        all_o &= l.status == 'O';
    }
    row(out, {std::to_string(orderkey), std::to_string(custkey), all_f ? "F" : all_o ? "O" : "P", cents(total),
              date_text(orderdate), std::string(r.pick(priorities)),
              padded("Clerk#", r.uniform(1, std::max(1LL, count(1000, c)))), "0", text(r, 19, 78)});
}

} // namespace

const std::vector<std::string>& tables() {
    static const std::vector<std::string> t{"region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem"};
    return t;
}

std::string schema_sql() {
    return R"(CREATE TABLE region (r_regionkey integer PRIMARY KEY, r_name char(25) NOT NULL, r_comment varchar(152));
CREATE TABLE nation (n_nationkey integer PRIMARY KEY, n_name char(25) NOT NULL, n_regionkey integer NOT NULL,
  n_comment varchar(152));
CREATE TABLE part (p_partkey integer PRIMARY KEY, p_name varchar(55) NOT NULL, p_mfgr char(25) NOT NULL,
  p_brand char(10) NOT NULL, p_type varchar(25) NOT NULL, p_size integer NOT NULL, p_container char(10) NOT NULL,
  p_retailprice decimal(15,2) NOT NULL, p_comment varchar(23) NOT NULL);
CREATE TABLE supplier (s_suppkey integer PRIMARY KEY, s_name char(25) NOT NULL, s_address varchar(40) NOT NULL,
  s_nationkey integer NOT NULL, s_phone char(15) NOT NULL, s_acctbal decimal(15,2) NOT NULL,
  s_comment varchar(101) NOT NULL);
CREATE TABLE partsupp (ps_partkey integer NOT NULL, ps_suppkey integer NOT NULL, ps_availqty integer NOT NULL,
  ps_supplycost decimal(15,2) NOT NULL, ps_comment varchar(199) NOT NULL, PRIMARY KEY (ps_partkey, ps_suppkey));
CREATE TABLE customer (c_custkey integer PRIMARY KEY, c_name varchar(25) NOT NULL, c_address varchar(40) NOT NULL,
  c_nationkey integer NOT NULL, c_phone char(15) NOT NULL, c_acctbal decimal(15,2) NOT NULL,
  c_mktsegment char(10) NOT NULL, c_comment varchar(117) NOT NULL);
CREATE TABLE orders (o_orderkey integer PRIMARY KEY, o_custkey integer NOT NULL, o_orderstatus char(1) NOT NULL,
  o_totalprice decimal(15,2) NOT NULL, o_orderdate date NOT NULL, o_orderpriority char(15) NOT NULL,
  o_clerk char(15) NOT NULL, o_shippriority integer NOT NULL, o_comment varchar(79) NOT NULL);
CREATE TABLE lineitem (l_orderkey integer NOT NULL, l_partkey integer NOT NULL, l_suppkey integer NOT NULL,
  l_linenumber integer NOT NULL, l_quantity decimal(15,2) NOT NULL, l_extendedprice decimal(15,2) NOT NULL,
  l_discount decimal(15,2) NOT NULL, l_tax decimal(15,2) NOT NULL, l_returnflag char(1) NOT NULL,
  l_linestatus char(1) NOT NULL, l_shipdate date NOT NULL, l_commitdate date NOT NULL, l_receiptdate date NOT NULL,
  l_shipinstruct char(25) NOT NULL, l_shipmode char(10) NOT NULL, l_comment varchar(44) NOT NULL,
  PRIMARY KEY (l_orderkey, l_linenumber));
)";
}

std::string index_sql() {
    return R"(CREATE INDEX ON nation (n_regionkey);
CREATE INDEX ON supplier (s_nationkey);
CREATE INDEX ON partsupp (ps_suppkey);
CREATE INDEX ON customer (c_nationkey);
CREATE INDEX ON orders (o_custkey);
CREATE INDEX ON lineitem (l_partkey, l_suppkey);
CREATE INDEX ON lineitem (l_suppkey);
)";
}

void write_table(std::ostream& out, const std::string& table, const config& c) {
    if (table == "region") {
        for (int i = 0; i < 5; ++i) {
            stream r(c, t_region, i);
            row(out, {std::to_string(i), std::string(regions[static_cast<std::size_t>(i)]), text(r, 31, 115)});
        }
    } else if (table == "nation") {
        for (const auto& n : nations) {
            stream r(c, t_nation, n.key);
            row(out, {std::to_string(n.key), std::string(n.name), std::to_string(n.region), text(r, 31, 114)});
        }
    } else if (table == "part") {
        for (long long k = 1; k <= parts(c); ++k) {
            stream r(c, t_part, k);
            std::vector<std::string_view> name;
            while (name.size() < 5) {
                auto w = r.pick(colors);
                if (std::ranges::find(name, w) == name.end()) name.push_back(w);
            }
            std::string n;
            for (auto w : name) n += (n.empty() ? "" : " ") + std::string(w);
            const long long m = r.uniform(1, 5);
            row(out, {std::to_string(k), n, "Manufacturer#" + std::to_string(m), "Brand#" + std::to_string(m) + std::to_string(r.uniform(1, 5)),
                      std::string(r.pick(type1)) + " " + std::string(r.pick(type2)) + " " + std::string(r.pick(type3)),
                      std::to_string(r.uniform(1, 50)), std::string(r.pick(container1)) + " " + std::string(r.pick(container2)),
                      cents(retail_cents(k)), text(r, 5, 22)});
        }
    } else if (table == "supplier") {
        for (long long k = 1; k <= suppliers(c); ++k) {
            stream r(c, t_supplier, k);
            const long long nation = r.uniform(0, 24);
            std::string comment = text(r, 25, 100);
            // SF × 5 suppliers each with customer complaints and recommendations (4.2.3).
            if (k % 2000 == 42 || k % 2000 == 84) {
                const std::string note = std::string("Customer ") + (k % 2000 == 42 ? "Complaints" : "Recommends");
                comment = comment.substr(0, std::min<std::size_t>(comment.size(), 100 - note.size() - 1)) + " " + note;
            }
            row(out, {std::to_string(k), padded("Supplier#", k), v_string(r, 10, 40), std::to_string(nation), phone(r, nation),
                      cents(r.uniform(-99999, 999999)), comment});
        }
    } else if (table == "partsupp") {
        for (long long k = 1; k <= parts(c); ++k) {
            stream r(c, t_partsupp, k);
            for (long long i = 0; i < 4; ++i)
                row(out, {std::to_string(k), std::to_string(partsupp_supplier(k, i, c)), std::to_string(r.uniform(1, 9999)),
                          cents(r.uniform(100, 100000)), text(r, 49, 198)});
        }
    } else if (table == "customer") {
        for (long long k = 1; k <= customers(c); ++k) {
            stream r(c, t_customer, k);
            const long long nation = r.uniform(0, 24);
            row(out, {std::to_string(k), padded("Customer#", k), v_string(r, 10, 40), std::to_string(nation), phone(r, nation),
                      cents(r.uniform(-99999, 999999)), std::string(r.pick(segments)), text(r, 29, 116)});
        }
    } else if (table == "orders" || table == "lineitem") {
        for (long long i = 0; i < orders(c); ++i) write_order(out, order_key(i), table == "lineitem", c);
    }
}

long long refresh_count(const config& c) { return count(1500, c); }

void write_new_orders(std::ostream& out, const std::string& table, const config& c, int round) {
    const long long base = order_key(orders(c) - 1);
    const long long n = refresh_count(c);
    for (long long i = 0; i < n; ++i) write_order(out, base + (round - 1) * n + i + 1, table == "lineitem", c);
}

std::vector<long long> deleted_orders(const config& c, int round) {
    const long long n = refresh_count(c), step = orders(c) / n;
    std::vector<long long> keys;
    for (long long k = 0; k < n; ++k) keys.push_back(order_key(k * step + (round - 1) % step));
    return keys;
}

std::string delete_sql(const config& c, int round) {
    std::string keys;
    for (long long k : deleted_orders(c, round)) keys += (keys.empty() ? "" : ",") + std::to_string(k);
    return "DELETE FROM lineitem WHERE l_orderkey IN (" + keys + ");\nDELETE FROM orders WHERE o_orderkey IN (" + keys + ");\n";
}

std::string update_sql(const config& /*c*/, int round) {
    const std::string r = std::to_string(round % 1000), r2 = std::to_string((round * 7 + 3) % 1000);
    std::ostringstream s;
    s << "UPDATE lineitem SET l_quantity = l_quantity + 1, l_extendedprice = round(l_extendedprice / l_quantity * "
         "(l_quantity + 1), 2) WHERE l_orderkey % 1000 = "
      << r << ";\n"
      << "UPDATE lineitem SET l_shipdate = l_shipdate + 20, l_receiptdate = l_receiptdate + 20, l_discount = "
         "least(l_discount + 0.01, 0.10) WHERE l_orderkey % 1000 = "
      << r2 << " AND l_linenumber <= 2;\n"
      << "UPDATE customer SET c_mktsegment = CASE c_mktsegment WHEN 'BUILDING' THEN 'AUTOMOBILE' WHEN 'AUTOMOBILE' THEN "
         "'MACHINERY' WHEN 'MACHINERY' THEN 'HOUSEHOLD' WHEN 'HOUSEHOLD' THEN 'FURNITURE' ELSE 'BUILDING' END, "
         "c_acctbal = c_acctbal + 100 WHERE c_custkey % 1000 = "
      << r << ";\n"
      << "UPDATE part SET p_retailprice = p_retailprice + 1, p_size = p_size % 50 + 1, p_container = CASE WHEN "
         "p_container = 'MED BOX' THEN 'LG BOX' ELSE 'MED BOX' END WHERE p_partkey % 1000 = "
      << r << ";\n"
      << "UPDATE supplier SET s_acctbal = s_acctbal + 10, s_nationkey = (s_nationkey + 1) % 25 WHERE s_suppkey % 1000 = "
      << r << ";\n"
      << "UPDATE partsupp SET ps_supplycost = ps_supplycost + 1, ps_availqty = ps_availqty + 5 WHERE ps_partkey % 1000 = "
      << r << ";\n";
    return s.str();
}

} // namespace tpch
