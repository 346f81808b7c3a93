// Expression evaluation: the node kinds, three-valued logic and NULL propagation. Operators,
// functions and casts live in their own files.

#include <algorithm>

#include "internal.hpp"

namespace pgt {

namespace {
using namespace eval_detail;

// SQL's three truth values.
enum class truth { false_, true_, unknown };

truth to_truth(const value& v) {
    if (is_null(v)) return truth::unknown;
    if (auto b = std::get_if<bool>(&v)) return *b ? truth::true_ : truth::false_;
    throw_cannot_evaluate("a non-boolean value as a condition");
}

value from_truth(truth t) {
    if (t == truth::unknown) return std::monostate{};
    return t == truth::true_;
}

truth invert(truth t) {
    if (t == truth::unknown) return t;
    return t == truth::true_ ? truth::false_ : truth::true_;
}

// AND: any FALSE wins, else any NULL; OR: any TRUE wins, else any NULL.
value eval_connective(const ir::expr& e, const row& input, truth dominant) {
    bool saw_unknown = false;
    for (const auto& a : e.args) {
        truth t = to_truth(eval(*a, input));
        if (t == dominant) return from_truth(dominant);
        saw_unknown |= t == truth::unknown;
    }
    return from_truth(saw_unknown ? truth::unknown : invert(dominant));
}

value eval_arg(const ir::expr& e, std::size_t i, const row& input) {
    return coerce(eval(*e.args[i], input), e.args[i]->type, e.type);
}

value eval_case(const ir::expr& e, const row& input) {
    std::size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
    for (std::size_t i = 0; i < pairs; ++i)
        if (to_truth(eval(*e.args[2 * i], input)) == truth::true_) return eval_arg(e, 2 * i + 1, input);
    if (e.has_else) return eval_arg(e, e.args.size() - 1, input);
    return std::monostate{};
}

value eval_coalesce(const ir::expr& e, const row& input) {
    for (std::size_t i = 0; i < e.args.size(); ++i) {
        value v = eval_arg(e, i, input);
        if (!is_null(v)) return v;
    }
    return std::monostate{};
}

// `a = b` with SQL's NULL semantics.
truth equal(const value& a, const sql_type& ta, const value& b, const sql_type& tb) {
    if (is_null(a) || is_null(b)) return truth::unknown;
    return compare_operands(a, ta, b, tb) == 0 ? truth::true_ : truth::false_;
}

value eval_nullif(const ir::expr& e, const row& input) {
    value a = eval(*e.args[0], input);
    value b = eval(*e.args[1], input);
    if (equal(a, e.args[0]->type, b, e.args[1]->type) == truth::true_) return std::monostate{};
    return coerce(a, e.args[0]->type, e.type);
}

// GREATEST / LEAST skip NULLs; NULL only when every argument is.
value eval_extreme(const ir::expr& e, const row& input, bool greatest) {
    value best;
    for (std::size_t i = 0; i < e.args.size(); ++i) {
        value v = eval_arg(e, i, input);
        if (!is_null(v) && replaces_extreme(v, best, greatest, e.type)) best = std::move(v);
    }
    return best;
}

value eval_distinct(const ir::expr& e, const row& input) {
    value a = eval(*e.args[0], input);
    value b = eval(*e.args[1], input);
    bool distinct = is_null(a) || is_null(b) ? is_null(a) != is_null(b)
                                             : equal(a, e.args[0]->type, b, e.args[1]->type) != truth::true_;
    return distinct != e.negated;
}

// x IN (…): TRUE on a match, else NULL if x or any element is NULL, else FALSE.
value eval_in_list(const ir::expr& e, const row& input) {
    value x = eval(*e.args[0], input);
    truth result = truth::false_;
    for (std::size_t i = 1; i < e.args.size() && result != truth::true_; ++i) {
        truth t = equal(x, e.args[0]->type, eval(*e.args[i], input), e.args[i]->type);
        if (t != truth::false_) result = t;
    }
    return from_truth(e.negated ? invert(result) : result);
}

// Operators and functions: evaluate the arguments, then apply.
std::vector<value> eval_args(const ir::expr& e, const row& input) {
    std::vector<value> args;
    args.reserve(e.args.size());
    for (const auto& a : e.args) args.push_back(eval(*a, input));
    return args;
}

// A literal is read by the input function without the type modifier, which then applies as
// in an explicit cast (parse_coerce.c): 'abcd'::varchar(3) is 'abc', not an error.
value constant_value(const ir::expr& e) {
    if (!e.literal) return std::monostate{};
    sql_type base = make_type(e.type.kind);
    if (base.name.empty() || base.name == e.type.name) return parse_value(*e.literal, e.type);
    return cast_value(parse_value(*e.literal, base), base, e.type);
}

// The argument counts the node kinds need; a node without them is a bug upstream.
void check_arity(const ir::expr& e) {
    std::size_t n = e.args.size(), need = 0;
    bool exact = true;
    switch (e.kind) {
    case ir::expr_kind::not_:
    case ir::expr_kind::is_null:
    case ir::expr_kind::cast: need = 1; break;
    case ir::expr_kind::nullif:
    case ir::expr_kind::is_distinct_from: need = 2; break;
    case ir::expr_kind::in_list:
    case ir::expr_kind::and_:
    case ir::expr_kind::or_: need = 1, exact = false; break;
    case ir::expr_kind::case_: need = e.has_else ? 3 : 2, exact = false; break;
    default: return;
    }
    if (exact ? n != need : n < need)
        throw error(sqlstate::internal_error, "malformed expression: node kind " +
                                                  std::to_string(static_cast<int>(e.kind)) + " with " +
                                                  std::to_string(n) + " arguments");
}

} // namespace

value eval(const ir::expr& e, const row& input) {
    check_arity(e);
    switch (e.kind) {
    case ir::expr_kind::column:
        if (e.index < 0 || static_cast<std::size_t>(e.index) >= input.cols.size())
            throw error(sqlstate::internal_error, "column $" + std::to_string(e.index) + " is not in the input row");
        return input.cols[static_cast<std::size_t>(e.index)];
    case ir::expr_kind::constant: return constant_value(e);
    case ir::expr_kind::op: {
        std::vector<value> args = eval_args(e, input);
        if (std::ranges::any_of(args, is_null)) return std::monostate{};
        return apply_operator(e, args);
    }
    case ir::expr_kind::func: return call_function(e, eval_args(e, input));
    case ir::expr_kind::and_: return eval_connective(e, input, truth::false_);
    case ir::expr_kind::or_: return eval_connective(e, input, truth::true_);
    case ir::expr_kind::not_: return from_truth(invert(to_truth(eval(*e.args[0], input))));
    case ir::expr_kind::case_: return eval_case(e, input);
    case ir::expr_kind::coalesce: return eval_coalesce(e, input);
    case ir::expr_kind::nullif: return eval_nullif(e, input);
    case ir::expr_kind::greatest: return eval_extreme(e, input, true);
    case ir::expr_kind::least: return eval_extreme(e, input, false);
    case ir::expr_kind::is_null: return is_null(eval(*e.args[0], input)) != e.negated;
    case ir::expr_kind::is_distinct_from: return eval_distinct(e, input);
    case ir::expr_kind::in_list: return eval_in_list(e, input);
    case ir::expr_kind::cast: return cast_value(eval(*e.args[0], input), e.args[0]->type, e.type);
    case ir::expr_kind::array:
    case ir::expr_kind::subscript:
    case ir::expr_kind::slice:
    case ir::expr_kind::field:
    case ir::expr_kind::op_any:
    case ir::expr_kind::op_all:
    case ir::expr_kind::collate:
    case ir::expr_kind::row: break; // arrays, composites and collations the oracle does not have
    }
    throw_cannot_evaluate("expression kind " + std::to_string(static_cast<int>(e.kind)));
}

bool eval_predicate(const ir::expr& e, const row& input) {
    return to_truth(eval(e, input)) == truth::true_;
}

} // namespace pgt
