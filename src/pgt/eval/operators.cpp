// Operators (`op` nodes): comparisons, arithmetic, date arithmetic, text concatenation, LIKE.

#include <algorithm>
#include <array>

#include "../value/datetime.hpp"
#include "internal.hpp"

namespace pgt::eval_detail {

namespace {

[[noreturn]] void throw_date_out_of_range() {
    throw error(sqlstate::datetime_field_overflow, "date out of range");
}

value compare(const std::string& op, const value& a, const sql_type& ta, const value& b, const sql_type& tb) {
    std::weak_ordering c = compare_operands(a, ta, b, tb);
    if (op == "=") return c == 0;
    if (op == "<>" || op == "!=") return c != 0;
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
}

// date ± integer (date_pli/date_mii, integer_pl_date): infinities stay, the range is checked.
value date_plus_days(date_value d, std::int64_t days) {
    if (!detail::is_finite(d)) return d;
    std::int64_t r = std::int64_t{d.days} + days;
    if (!detail::date_in_range(r)) throw_date_out_of_range();
    return date_value{static_cast<std::int32_t>(r)};
}

// The operators on dates the oracle knows: date ± integer and date − date.
value date_arithmetic(const ir::expr& e, const value& a, const value& b) {
    auto da = std::get_if<date_value>(&a), db = std::get_if<date_value>(&b);
    auto ia = std::get_if<std::int64_t>(&a), ib = std::get_if<std::int64_t>(&b);
    if (e.name == "+" && da && ib) return date_plus_days(*da, *ib);
    if (e.name == "+" && ia && db) return date_plus_days(*db, *ia);
    if (e.name == "-" && da && ib) return date_plus_days(*da, -*ib);
    if (e.name == "-" && da && db) {
        if (!detail::is_finite(*da) || !detail::is_finite(*db))
            throw error(sqlstate::datetime_field_overflow, "cannot subtract infinite dates");
        return std::int64_t{da->days} - db->days;
    }
    throw_cannot_evaluate("operator " + e.name + " on " + e.args[0]->type.name + " and " + e.args[1]->type.name);
}

bool is_datetime(const value& v) {
    return std::holds_alternative<date_value>(v) || std::holds_alternative<timestamp_value>(v);
}

value like(const ir::expr& e, const std::vector<value>& args) {
    bool negated = e.name.starts_with("!");
    bool insensitive = e.name.ends_with("*");
    // bpchar LIKE sees the stored value, padded to the type's length.
    const sql_type& subject_type = e.args[0]->type;
    std::string subject = subject_type.kind == type_kind::bpchar ? to_text(args[0], subject_type)
                                                                 : text_arg(e, args, 0);
    bool m = like_match(subject, text_arg(e, args, 1), insensitive);
    return m != negated;
}

// Operators PostgreSQL implements as functions we already have.
value call_as(const ir::expr& e, const char* function, const std::vector<value>& args) {
    ir::expr f = e;
    f.name = function;
    return call_function(f, args);
}

} // namespace

value apply_operator(const ir::expr& e, const std::vector<value>& args) {
    const std::string& op = e.name;
    if (args.size() == 1) {
        if (op == "-") return negate(args[0], e.type);
        if (op == "+") return args[0];
        if (op == "@") return call_as(e, "abs", args);
        if (op == "|/") return call_as(e, "sqrt", args);
    } else if (args.size() == 2) {
        const sql_type &ta = e.args[0]->type, &tb = e.args[1]->type;
        static constexpr std::array<std::string_view, 7> comparisons{"=", "<>", "!=", "<", "<=", ">", ">="};
        if (std::ranges::find(comparisons, op) != comparisons.end()) return compare(op, args[0], ta, args[1], tb);
        if (op == "||" && is_string(e.type.kind)) return text_arg(e, args, 0) + text_arg(e, args, 1);
        if (op == "~~" || op == "!~~" || op == "~~*" || op == "!~~*") return like(e, args);
        if (op == "^") return call_as(e, "power", args);
        if ((op == "+" || op == "-") && (is_datetime(args[0]) || is_datetime(args[1])))
            return date_arithmetic(e, args[0], args[1]);
        if (op == "+") return arithmetic(arith_op::add, args[0], args[1], e.type);
        if (op == "-") return arithmetic(arith_op::sub, args[0], args[1], e.type);
        if (op == "*") return arithmetic(arith_op::mul, args[0], args[1], e.type);
        if (op == "/") return arithmetic(arith_op::div, args[0], args[1], e.type);
        if (op == "%") return arithmetic(arith_op::mod, args[0], args[1], e.type);
    }
    throw_cannot_evaluate("operator " + op);
}

} // namespace pgt::eval_detail
