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

/// The string of a `String` node.
inline std::string str(const Node* n) { return strVal(n); }

/// Node cast for read-only access; the caller has checked the tag.
template <class T>
const T* as(const Node* n) {
    return reinterpret_cast<const T*>(n);
}

} // namespace pgt::frontend
