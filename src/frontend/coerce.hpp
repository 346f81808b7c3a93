#pragma once
// Coercions the parser applies implicitly: unknown-typed literals take the type their
// context demands (PostgreSQL types a literal directly rather than casting it), conditions
// must be boolean, UNION branches are cast to the unified column types.
#include <optional>
#include <string_view>
#include <vector>

#include "frontend/context.hpp"

namespace pgt::frontend {

/// An unknown-typed literal as a literal of type `t` (22P02/22003 when its text is not valid
/// input for a numeric or boolean type); any other expression unchanged.
ir::expr_ptr coerce_unknown(const ir::expr_ptr& e, const sql_type& t);

/// An optionally signed decimal integer `text` fits in integer type `k`.
bool integer_literal_fits(std::string_view text, type_kind k);

/// CAST(e AS t), as volatile as the conversion (date/time ones depend on the session): `vol`
/// as the catalog says, or as pgt/typing.hpp knows it for the built-in types.
ir::expr_ptr make_cast(const ir::expr_ptr& e, const sql_type& t, ir::volatility vol);
ir::expr_ptr make_cast(const ir::expr_ptr& e, const sql_type& t);

/// `e` as type `t`: unknown literals retyped, other types CAST; the same type (modifiers
/// aside) is left alone.
ir::expr_ptr coerce_to(const ir::expr_ptr& e, const sql_type& t);

/// A condition (`WHERE`, `JOIN/ON`, `CASE/WHEN`, …): boolean, or an unknown literal read as
/// one; anything else is 42804 `argument of WHERE must be type boolean, not type integer`.
ir::expr_ptr to_boolean(context& ctx, const ir::expr_ptr& e, std::string_view construct, int location);

/// The catalog's common type of values of `types` (CASE, UNION, …, named by `construct`);
/// nullopt when a type stands in for an untranslated construct or the catalog cannot tell.
std::optional<sql_type> common_type(context& ctx, const std::vector<sql_type>& types, std::string_view construct,
                                    const std::vector<int>& positions = {});

using ir::never_null;

} // namespace pgt::frontend
