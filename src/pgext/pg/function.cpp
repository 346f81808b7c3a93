#include "pg/function.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>

extern "C" {
#include <catalog/pg_type.h>
#include <commands/event_trigger.h>
#include <commands/trigger.h>
#include <utils/array.h>
#include <utils/builtins.h>
#include <utils/rel.h>
#include <utils/timestamp.h>
#include <utils/uuid.h>
}

namespace pgt::pg {

char* inject_failure_at = nullptr;

namespace {
/// Runs `f`; an exception leaving it becomes ereport(ERROR) naming `name`. Message parts are
/// copied into palloc'd memory inside the handlers, so that no C++ object is alive when
/// ereport() longjmps out of the caller's frame.
template <class F>
void raising(F&& f, const char* name) {
    const char* code = nullptr;
    char* message = nullptr;
    char* detail = nullptr;
    char* hint = nullptr;
    char* query = nullptr;
    int position = -1;
    try {
        if (inject_failure_at && strcmp(inject_failure_at, name) == 0)
            throw std::runtime_error(std::string("injected failure at ") + name);
        f();
        return;
    } catch (const error& e) {
        code = e.code().size() == 5 ? pstrdup(e.code().c_str()) : "XX000";
        message = pstrdup(e.what());
        detail = pstrdup(e.detail().c_str());
        hint = pstrdup(e.hint().c_str());
        position = e.position();
        query = pstrdup(e.query().c_str());
    } catch (const std::exception& e) {
        code = "XX000";
        message = psprintf("pg_trickle internal error: %s", e.what());
    } catch (...) {
        code = "XX000";
        message = pstrdup("pg_trickle internal error: unknown exception");
    }
    raise(code, message, detail, hint, name, position, query);
}
} // namespace

Datum invoke(Datum (*impl)(FunctionCallInfo), FunctionCallInfo fcinfo, const char* name) {
    Datum result = 0;
    raising([&] { result = impl(fcinfo); }, name);
    return result;
}

void invoke_hook(void (*impl)(), const char* name) { raising(impl, name); }

void invoke_worker(void (*impl)(Datum), Datum arg, const char* name) {
    raising([&] { impl(arg); }, name);
}

std::optional<std::string> text_arg(FunctionCallInfo fcinfo, int i) {
    if (PG_NARGS() <= i || PG_ARGISNULL(i)) return std::nullopt;
    text* t = PG_GETARG_TEXT_PP(i);
    return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

std::string required_text_arg(FunctionCallInfo fcinfo, int i, const char* what) {
    auto v = text_arg(fcinfo, i);
    if (!v) throw error("22004", std::string(what) + " must not be NULL");
    return *v;
}

std::optional<bool> bool_arg(FunctionCallInfo fcinfo, int i) {
    if (PG_NARGS() <= i || PG_ARGISNULL(i)) return std::nullopt;
    return PG_GETARG_BOOL(i);
}

Datum text_result(const std::string& s) {
    return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
}

Datum text_array_result(const std::vector<std::string>& items) {
    return call([&] {
        ArrayBuildState* state = nullptr;
        for (const auto& s : items)
            state = accumArrayResult(state, PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))),
                                     false, TEXTOID, CurrentMemoryContext);
        return state ? makeArrayResult(state, CurrentMemoryContext) : PointerGetDatum(construct_empty_array(TEXTOID));
    });
}

Datum uuid_result(const unsigned char* bytes) {
    auto* u = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
    std::memcpy(u->data, bytes, UUID_LEN);
    return UUIDPGetDatum(u);
}

Datum timestamptz_result(std::int64_t unix_ms) {
    const TimestampTz t = (unix_ms - (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * 86400000LL) * 1000;
    return TimestampTzGetDatum(t);
}

std::vector<std::optional<std::string_view>> text_array_arg(FunctionCallInfo fcinfo, int i) {
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(i);
    Datum* values;
    bool* nulls;
    int count;
    call([&] { deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &values, &nulls, &count); });
    std::vector<std::optional<std::string_view>> out;
    out.reserve(count);
    for (int e = 0; e < count; ++e) {
        if (nulls[e]) {
            out.emplace_back(std::nullopt);
        } else {
            text* t = DatumGetTextPP(values[e]);
            out.emplace_back(std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
        }
    }
    return out;
}

namespace {

/// The types visit_argument_images reads.
enum class image_kind { int2, int4, int8, text };

image_kind image_kind_of(Oid type, const char* function) {
    switch (type) {
    case INT2OID: return image_kind::int2;
    case INT4OID: return image_kind::int4;
    case INT8OID: return image_kind::int8;
    case TEXTOID:
    case VARCHAROID: return image_kind::text;
    default: break;
    }
    const char* name = call([&] { return format_type_be(type); });
    throw error(sqlstate::invalid_parameter_value, std::string(function) + " takes integers and text, not type " + name);
}

/// The arguments' kinds, read once per call site (fn_extra).
const image_kind* argument_kinds(FunctionCallInfo fcinfo, const char* function) {
    FmgrInfo* f = fcinfo->flinfo;
    if (f->fn_extra) return static_cast<const image_kind*>(f->fn_extra);
    if (get_fn_expr_variadic(f))
        throw error(sqlstate::invalid_parameter_value, std::string(function) + " takes its values as separate arguments, not as a VARIADIC array");
    const std::size_t n = static_cast<std::size_t>(std::max<short>(fcinfo->nargs, 1));
    auto* kinds = static_cast<image_kind*>(call([&] { return MemoryContextAlloc(f->fn_mcxt, sizeof(image_kind) * n); }));
    for (short i = 0; i < fcinfo->nargs; ++i) kinds[i] = image_kind_of(get_fn_expr_argtype(f, i), function);
    f->fn_extra = kinds;
    return kinds;
}

} // namespace

void visit_argument_images(FunctionCallInfo fcinfo, const char* function, const std::function<void(std::optional<std::string_view>)>& visit) {
    const image_kind* kinds = argument_kinds(fcinfo, function);
    char digits[MAXINT8LEN + 1];
    for (short i = 0; i < fcinfo->nargs; ++i) {
        if (PG_ARGISNULL(i)) {
            visit(std::nullopt);
            continue;
        }
        switch (kinds[i]) {
        case image_kind::int2: visit(std::string_view(digits, static_cast<std::size_t>(pg_itoa(PG_GETARG_INT16(i), digits)))); break;
        case image_kind::int4: visit(std::string_view(digits, static_cast<std::size_t>(pg_ltoa(PG_GETARG_INT32(i), digits)))); break;
        case image_kind::int8: visit(std::string_view(digits, static_cast<std::size_t>(pg_lltoa(PG_GETARG_INT64(i), digits)))); break;
        case image_kind::text: {
            const text* t = call([&] { return PG_GETARG_TEXT_PP(i); });
            visit(std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
            break;
        }
        }
    }
}

TriggerData* trigger_data(FunctionCallInfo fcinfo) {
    return CALLED_AS_TRIGGER(fcinfo) ? reinterpret_cast<TriggerData*>(fcinfo->context) : nullptr;
}
bool fired_after_statement(const TriggerData* td) {
    return TRIGGER_FIRED_AFTER(td->tg_event) && TRIGGER_FIRED_FOR_STATEMENT(td->tg_event);
}
std::string trigger_table_name(const TriggerData* td) { return RelationGetRelationName(td->tg_relation); }
unsigned trigger_table(const TriggerData* td) { return RelationGetRelid(td->tg_relation); }
bool called_as_event_trigger(FunctionCallInfo fcinfo) { return CALLED_AS_EVENT_TRIGGER(fcinfo); }

} // namespace pgt::pg
