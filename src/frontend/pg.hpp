#pragma once
// The front end's window on PostgreSQL: the pgt headers it uses (they refuse to come after
// postgres.h), then the raw parse tree node definitions. The front end only reads trees: it
// calls nothing in PostgreSQL that could allocate or ereport, because the same sources run
// inside the server (raw_parser) and offline (libpg_query).
#include <cstddef>
#include <string>
#include <string_view>

#include "pgt/catalog.hpp"
#include "pgt/circuit.hpp"
#include "pgt/error.hpp"
#include "pgt/frontend.hpp"
#include "pgt/ir/expr.hpp"
#include "pgt/ir/rel.hpp"
#include "pgt/typing.hpp"
#include "pgt/types.hpp"

extern "C" {
#include <postgres.h>

#include <nodes/parsenodes.h>
#include <nodes/pg_list.h>
#include <nodes/value.h>
}

namespace pgt::frontend {

/// Read-only range over the nodes of a `List *` (PostgreSQL's foreach needs a mutable cell).
class node_range {
public:
    explicit node_range(const List* l) : list_(l) {}
    class iterator {
    public:
        iterator(const List* l, int i) : list_(l), i_(i) {}
        const Node* operator*() const { return static_cast<const Node*>(list_nth(list_, i_)); }
        iterator& operator++() {
            ++i_;
            return *this;
        }
        bool operator!=(const iterator& o) const { return i_ != o.i_; }

    private:
        const List* list_;
        int i_;
    };
    iterator begin() const { return {list_, 0}; }
    iterator end() const { return {list_, list_length(list_)}; }
    std::size_t size() const { return static_cast<std::size_t>(list_length(list_)); }
    bool empty() const { return list_length(list_) == 0; }

private:
    const List* list_;
};

inline node_range nodes(const List* l) { return node_range(l); }

/// FETCH FIRST … WITH TIES. libpg_query 15-4 orders LimitOption DEFAULT, COUNT, WITH_TIES where
/// the server's headers order it COUNT, WITH_TIES, DEFAULT: the one enum of raw parse trees
/// on which the two parsers differ (the offline build defines PGT_LIBPG_QUERY).
inline bool with_ties(const SelectStmt* s) {
#ifdef PGT_LIBPG_QUERY
    return static_cast<int>(s->limitOption) == 2;
#else
    return s->limitOption == LIMIT_OPTION_WITH_TIES;
#endif
}

/// The decimal text of a `Float` node's literal. PostgreSQL 16 reads integers also in
/// hexadecimal, octal and binary (0x1F, 0o17, 0b11) and with underscores between digits
/// (1_000_000); the lexer passes those that do not fit in int4 on as written, and make_const and
/// numeric_in take them at their value. Before 16, the text is already decimal.
inline std::string decimal_literal(std::string_view text) {
    std::string sign, digits;
    if (text.starts_with('-')) {
        sign = "-";
        text.remove_prefix(1);
    }
    for (char c : text)
        if (c != '_') digits += c;
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0') {
        const char prefix = static_cast<char>(digits[1] | 0x20); // lower case
        base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : prefix == 'b' ? 2 : 10;
    }
    if (base == 10) return sign + digits;
    std::string decimal = "0"; // most significant digit first
    for (char c : std::string_view(digits).substr(2)) {
        int carry = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        for (auto d = decimal.rbegin(); d != decimal.rend(); ++d) {
            const int v = (*d - '0') * base + carry;
            *d = static_cast<char>('0' + v % 10);
            carry = v / 10;
        }
        for (; carry > 0; carry /= 10) decimal.insert(decimal.begin(), static_cast<char>('0' + carry % 10));
    }
    return sign + decimal;
}

/// The string of a `String` node.
inline std::string str(const Node* n) { return strVal(n); }

/// Node cast for read-only access; the caller has checked the tag.
template <class T>
const T* as(const Node* n) {
    return reinterpret_cast<const T*>(n);
}

} // namespace pgt::frontend
