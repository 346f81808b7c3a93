#include "errors.hpp"

#include <limits>

namespace pgt::detail {

const char* integer_type_label(type_kind k) {
    switch (k) {
    case type_kind::int2: return "smallint";
    case type_kind::int4: return "integer";
    default: return "bigint";
    }
}

void throw_integer_out_of_range(type_kind k) {
    throw error(sqlstate::numeric_value_out_of_range,
                std::string(integer_type_label(k)) + " out of range");
}

std::int64_t check_integer_range(std::int64_t v, type_kind k) {
    bool fits = true;
    if (k == type_kind::int2)
        fits = v >= std::numeric_limits<std::int16_t>::min() && v <= std::numeric_limits<std::int16_t>::max();
    else if (k == type_kind::int4)
        fits = v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max();
    if (!fits) throw_integer_out_of_range(k);
    return v;
}

void throw_invalid_input(const char* type_label, std::string_view text) {
    throw error(sqlstate::invalid_text_representation,
                std::string("invalid input syntax for type ") + type_label + ": \"" +
                    std::string(text) + "\"");
}

} // namespace pgt::detail
