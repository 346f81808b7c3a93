#pragma once
/// \file
/// `pgt::error`: every refusal and failure of the compiler, carrying a PostgreSQL SQLSTATE so
/// that the extension can report it as-is (users never see XX000 for a bad query).

#include <stdexcept>
#include <string>

#include "pgt/detail/no_postgres.hpp"

namespace pgt {

/// SQLSTATE codes used by the compiler and the extension.
namespace sqlstate {
inline constexpr const char* syntax_error = "42601";
inline constexpr const char* feature_not_supported = "0A000";
inline constexpr const char* invalid_parameter_value = "22023";
inline constexpr const char* undefined_table = "42P01";
inline constexpr const char* undefined_column = "42703";
inline constexpr const char* undefined_function = "42883";
inline constexpr const char* ambiguous_column = "42702";
inline constexpr const char* duplicate_column = "42701";
inline constexpr const char* duplicate_table = "42P07";
inline constexpr const char* duplicate_object = "42710";
inline constexpr const char* undefined_object = "42704";
inline constexpr const char* datatype_mismatch = "42804";
inline constexpr const char* grouping_error = "42803";
inline constexpr const char* wrong_object_type = "42809";
inline constexpr const char* statement_too_complex = "54001";
inline constexpr const char* program_limit_exceeded = "54000";
inline constexpr const char* numeric_value_out_of_range = "22003";
inline constexpr const char* division_by_zero = "22012";
inline constexpr const char* invalid_text_representation = "22P02";
inline constexpr const char* datetime_field_overflow = "22008";
inline constexpr const char* invalid_datetime_format = "22007";
inline constexpr const char* cardinality_violation = "21000";
inline constexpr const char* insufficient_privilege = "42501";
inline constexpr const char* string_data_right_truncation = "22001";
inline constexpr const char* null_value_not_allowed = "22004";
inline constexpr const char* read_only_sql_transaction = "25006";
inline constexpr const char* object_not_in_prerequisite_state = "55000";
inline constexpr const char* dependent_objects_still_exist = "2BP01";
inline constexpr const char* invalid_schema_name = "3F000";
inline constexpr const char* undefined_parameter = "42P02";
inline constexpr const char* invalid_object_definition = "42P17";
inline constexpr const char* internal_error = "XX000";
} // namespace sqlstate

class error : public std::runtime_error {
public:
    error(std::string code, std::string message, std::string detail = {}, std::string hint = {},
          int position = -1)
        : std::runtime_error(message), code_(std::move(code)), detail_(std::move(detail)),
          hint_(std::move(hint)), position_(position) {}

    /// Five-character SQLSTATE.
    const std::string& code() const { return code_; }
    const std::string& detail() const { return detail_; }
    const std::string& hint() const { return hint_; }
    /// 0-based byte offset into the query text, or -1.
    int position() const { return position_; }
    /// The text `position` points into, when known (so that a client can show the spot).
    const std::string& query() const { return query_; }
    void set_query(std::string q) { query_ = std::move(q); }

private:
    std::string code_, detail_, hint_;
    int position_;
    std::string query_;
};

/// A construct the compiler cannot maintain incrementally (DIFFERENTIAL). The query itself may
/// be valid SQL: AUTO mode falls back to FULL refresh with `construct()` as the reason.
class unsupported_error : public error {
public:
    explicit unsupported_error(std::string construct, int position = -1, std::string detail = {})
        : error(sqlstate::feature_not_supported,
                "unsupported operator for DIFFERENTIAL mode: " + construct, std::move(detail),
                "Use refresh_mode = 'FULL' or refresh_mode = 'AUTO' to maintain this query by "
                "full recomputation.",
                position),
          construct_(std::move(construct)) {}
    const std::string& construct() const { return construct_; }

private:
    std::string construct_;
};

/// A cancel, `statement_timeout` or shutdown (class 57, operator intervention): the server has
/// already cleared the request, so such an error must reach the client as it is, never be
/// caught and turned into another error or a fallback.
inline bool interruption(const error& e) { return e.code().starts_with("57"); }

} // namespace pgt
