#pragma once
// The front end's window on PostgreSQL: the pgt headers it uses (they refuse to come after
// postgres.h), then the raw parse tree node definitions. The front end only reads trees: it
// calls nothing in PostgreSQL that could allocate or ereport, because the same sources run
// inside the server (raw_parser) and offline (libpg_query).
#include <cstddef>
#include <string>
#include <string_view>

#include "pgt/catalog.hpp"
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

/// The string of a `String` node.
inline std::string str(const Node* n) { return strVal(n); }

/// Node cast for read-only access; the caller has checked the tag.
template <class T>
const T* as(const Node* n) {
    return reinterpret_cast<const T*>(n);
}

} // namespace pgt::frontend
