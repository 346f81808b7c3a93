#pragma once
// State shared by one compilation: the catalog, the text being translated (positions refer
// to it), the first construct found that DIFFERENTIAL cannot maintain, the base tables read,
// and the nesting depth that keeps absurd inputs from exhausting the stack.
//
// Translation does not stop at an unsupported construct: it records the first one, puts a
// typed placeholder in its place and carries on, so that errors elsewhere in the query
// (unknown names, LIMIT without ORDER BY, …) still surface and `sources` stays complete.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "frontend/pg.hpp"

namespace pgt::frontend {

/// How a correlated subquery is translated (see correlation.hpp).
enum class correlation_mode { discover, pull_up, lift };

/// What discovery decided for a subquery node (SubLink or RangeSubselect), shared by every
/// copy of the translation context so that nested subqueries are discovered once.
struct correlation_decision {
    std::optional<correlation_mode> mode; ///< nullopt: the subquery reads no outer value
    std::vector<sql_type> types;          ///< of the outer values it reads, in order
    std::string refusal;                  ///< non-empty: a correlation that cannot be maintained
};

class context {
public:
    context(const catalog& cat, const parse_fn& parse, const options& opts, std::string_view text)
        : cat(cat), parse(parse), opts(opts), text_(text) {}

    const catalog& cat;
    const parse_fn& parse;
    const options& opts;

    /// 0-based byte offset for a node location, or -1 (unknown, or inside a view's text).
    int position(int location) const { return in_view_ > 0 ? -1 : location; }
    /// "line L, column C" (1-based) of a location in the text being translated.
    std::string line_and_column(int location) const;

    [[noreturn]] void fail(const char* code, const std::string& message, int location,
                           std::string hint = {}) const;
    /// Records a construct DIFFERENTIAL cannot maintain (the first one wins).
    void unsupported(const std::string& construct, int location);
    bool has_unsupported() const { return unsupported_.has_value(); }
    const std::optional<unsupported_error>& first_unsupported() const { return unsupported_; }

    /// A base table the query reads (kept once, in first-use order).
    void add_source(const ir::table_ptr& t);
    const std::vector<ir::table_ptr>& sources() const { return sources_; }

    /// Column references written in the query, for the position of grouping errors.
    void note_location(const ir::expr_ptr& e, int location) { locations_[e.get()] = {e, location}; }
    int location_of(const ir::expr* e) const;

    /// A fresh id for each range (table instance) in the query.
    int new_range_id() { return next_range_id_++; }

    /// Column references resolved so far: all of them, and those to a column of an enclosing
    /// query level (an aggregate reading only the latter belongs to that level).
    struct reference_counts {
        long long all = 0, outer = 0;
    } references;

    /// Discovery results by subquery node; copies of the context share them.
    std::map<const void*, correlation_decision>& decisions() { return *decisions_; }

    /// Views: translated once per compilation (a view read twice shares its tree);
    /// `expanding_views` guards against a view that reads itself.
    std::map<std::string, ir::rel_ptr> view_cache;
    std::vector<std::string> expanding_views;

    /// While a view's own text is translated, locations refer to it: positions are off.
    class view_text_guard {
    public:
        view_text_guard(context& c, std::string_view view_text)
            : c_(c), saved_(c.text_) {
            ++c_.in_view_;
            c_.text_ = view_text;
        }
        ~view_text_guard() {
            --c_.in_view_;
            c_.text_ = saved_;
        }
        view_text_guard(const view_text_guard&) = delete;
        view_text_guard& operator=(const view_text_guard&) = delete;

    private:
        context& c_;
        std::string_view saved_;
    };

    /// One level of nesting (a SELECT, a FROM item, an expression node); deeper than
    /// options::max_depth is refused before the recursion goes on.
    class depth_guard {
    public:
        depth_guard(context& c, int location);
        ~depth_guard() { --c_.depth_; }
        depth_guard(const depth_guard&) = delete;
        depth_guard& operator=(const depth_guard&) = delete;

    private:
        context& c_;
    };

private:
    std::string_view text_;
    int in_view_ = 0;
    int depth_ = 0;
    int next_range_id_ = 0;
    std::optional<unsupported_error> unsupported_;
    std::shared_ptr<std::map<const void*, correlation_decision>> decisions_ =
        std::make_shared<std::map<const void*, correlation_decision>>();
    std::vector<ir::table_ptr> sources_;
    // Holds the nodes too, so that an address is never reused for another node.
    std::unordered_map<const ir::expr*, std::pair<ir::expr_ptr, int>> locations_;
};

} // namespace pgt::frontend
