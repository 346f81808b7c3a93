#pragma once
// IMMEDIATE maintenance of a statement that changed one or two rows of one source, a row at a
// time: where the stream table absorbs rows one by one as it absorbs them together
// (lower::single_row_maintainable), each row's columns are bound as parameters of small
// prepared statements that neither consolidate nor aggregate. For a GROUP BY: an UPDATE of the
// touched group through its row id, the MERGE only for a group new or emptied, and one UPDATE
// for both versions of a row updated within its group.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "immediate/immediate_target.hpp"
#include "pg/spi.hpp"

extern "C" {
typedef struct TupleDescData* TupleDesc;
typedef struct TupleTableSlot TupleTableSlot;
}

namespace pgt::ext {
struct compiled_query;
} // namespace pgt::ext

namespace pgt::ext::immediate {

/// Whether `change` is small enough to go a row at a time (and not a TRUNCATE).
bool few_rows(const source_delta& change);

/// The row-at-a-time statements of one source of one stream table.
class row_merge {
public:
    row_merge() = default;
    ~row_merge();
    row_merge(const row_merge&) = delete;
    row_merge& operator=(const row_merge&) = delete;

    bool prepared() const { return prepared_; }
    /// Lowers the statements for source `i` (relation `source`) of the stream table compiled as `comp`;
    /// they are planned on first use. Leaves the merge unusable when the stream table cannot
    /// absorb rows one by one.
    void prepare(const compiled_query& comp, std::size_t i, unsigned source);
    bool usable() const { return usable_; }
    /// Applies `change` (few_rows): the deleted row first, then the inserted one.
    void merge(const source_delta& change);

private:
    /// A statement prepared on its first run: a backend should not plan the ones it never needs.
    struct lazy_plan {
        std::string sql;
        std::vector<unsigned> types;
        spi::plan plan;
        std::uint64_t run(const std::vector<std::uintptr_t>& values, const std::string& nulls);
    };
    /// The statements of a row of one weight: the UPDATE of its stored group, else the MERGE.
    struct row_plans {
        lazy_plan update, merge;
    };
    bool prepared_ = false;
    bool usable_ = false;
    row_plans inserted_, deleted_;
    lazy_plan pair_; ///< a row updated: both versions folded into their group by one UPDATE
    std::vector<short> columns_; ///< attribute numbers of the parameters, in order
    /// The source's row type (with its columns' missing values): the changed rows are read in it.
    TupleDesc row_type_ = nullptr;
};

} // namespace pgt::ext::immediate
