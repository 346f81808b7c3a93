#include "pg/parser.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <parser/parser.h>
}

namespace pgt::server {

const void* parse(const std::string& sql) {
    return pg::call([&] { return static_cast<const void*>(raw_parser(sql.c_str(), RAW_PARSE_DEFAULT)); });
}

} // namespace pgt::server
