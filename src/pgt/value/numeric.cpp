// numeric: representation, order, hashing, and the exact operations (+ − × and sign changes).

#include <vector>

#include "dbsp/hash.hpp"
#include "pgt/error.hpp"
#include "numeric_impl.hpp"

namespace pgt {

namespace {
const big_int zero_coef;

// PostgreSQL's error for values beyond its storage format.
[[noreturn]] void throw_numeric_overflow() {
    throw error(sqlstate::numeric_value_out_of_range, "value overflows numeric format");
}

int kind_rank(numeric_impl::kind k) {
    switch (k) {
    case numeric_impl::kind::neg_inf: return 0;
    case numeric_impl::kind::finite: return 1;
    case numeric_impl::kind::pos_inf: return 2;
    case numeric_impl::kind::nan: break;
    }
    return 3;
}
} // namespace

// ---- primitives -----------------------------------------------------------------------------

const big_int& numeric_impl::coef(const numeric& n) { return n.coef_ ? n.coef_->coef : zero_coef; }

numeric numeric_impl::make(big_int coef, int dscale) {
    if (dscale > max_dscale) throw_numeric_overflow();
    numeric n;
    n.dscale_ = dscale;
    if (coef != 0) {
        if (digit_count(coef) - dscale > max_integral_digits) throw_numeric_overflow();
        n.coef_ = std::make_shared<const numeric::rep>(numeric::rep{std::move(coef)});
    }
    return n;
}

numeric numeric_impl::special(kind k) {
    numeric n;
    n.kind_ = k;
    return n;
}

big_int numeric_impl::pow10(int n) {
    // Most scale adjustments are small: keep those precomputed.
    static const std::vector<big_int> small = [] {
        std::vector<big_int> v(64);
        v[0] = 1;
        for (std::size_t i = 1; i < v.size(); ++i) v[i] = v[i - 1] * 10;
        return v;
    }();
    if (static_cast<std::size_t>(n) < small.size()) return small[static_cast<std::size_t>(n)];
    return boost::multiprecision::pow(big_int(10), static_cast<unsigned>(n));
}

big_int numeric_impl::coef_at(const numeric& n, int scale) {
    const big_int& c = coef(n);
    if (scale == n.dscale_ || c == 0) return c;
    return c * pow10(scale - n.dscale_);
}

int numeric_impl::digit_count(const big_int& c) {
    if (c == 0) return 0;
    big_int m = boost::multiprecision::abs(c);
    // floor(msb · log10 2) + 1 never exceeds the digit count and misses it by at most one.
    int d = static_cast<int>(static_cast<double>(boost::multiprecision::msb(m)) * 0.30102999566398) + 1;
    if (m >= pow10(d)) ++d;
    return d;
}

big_int numeric_impl::div_round(const big_int& n, const big_int& d) {
    big_int q, r;
    boost::multiprecision::divide_qr(n, d, q, r);
    if (r != 0 && 2 * boost::multiprecision::abs(r) >= boost::multiprecision::abs(d))
        q += ((n < 0) != (d < 0)) ? -1 : 1;
    return q;
}

// ---- construction and inspection --------------------------------------------------------------

numeric numeric::from_int64(std::int64_t v) { return numeric_impl::make(big_int(v), 0); }
numeric numeric::nan() { return numeric_impl::special(kind::nan); }
numeric numeric::infinity(bool negative) {
    return numeric_impl::special(negative ? kind::neg_inf : kind::pos_inf);
}

int numeric::signum() const {
    switch (kind_) {
    case kind::pos_inf: return 1;
    case kind::neg_inf: return -1;
    case kind::nan: return 0;
    case kind::finite: break;
    }
    return coef_ ? coef_->coef.sign() : 0;
}

// ---- order and hashing -------------------------------------------------------------------------

std::strong_ordering operator<=>(const numeric& a, const numeric& b) {
    int ra = kind_rank(a.kind_), rb = kind_rank(b.kind_);
    if (ra != rb || !a.is_finite()) return ra <=> rb;
    if (int sa = a.signum(), sb = b.signum(); sa != sb) return sa <=> sb;
    int scale = std::max(a.dscale_, b.dscale_);
    return numeric_impl::coef_at(a, scale).compare(numeric_impl::coef_at(b, scale)) <=> 0;
}

std::uint64_t numeric::hash() const {
    if (!is_finite()) return 0x6e756d6572696300ULL + static_cast<std::uint64_t>(kind_);
    if (!coef_) return 0;
    // Hash the value with trailing zeros stripped, so that 1.5 and 1.50 hash alike.
    big_int c = coef_->coef, q, r;
    std::int64_t exponent = -dscale_;
    // Strip 16 zeros at a time while possible, then single ones.
    for (int step : {16, 1}) {
        const big_int divisor = numeric_impl::pow10(step);
        for (;;) {
            boost::multiprecision::divide_qr(c, divisor, q, r);
            if (r != 0) break;
            c = std::move(q);
            exponent += step;
        }
    }
    std::vector<unsigned char> bytes;
    boost::multiprecision::export_bits(boost::multiprecision::abs(c), std::back_inserter(bytes), 8);
    std::uint64_t h = dbsp::detail::hash_bytes(bytes.data(), bytes.size());
    h = dbsp::detail::hash_mix(h, static_cast<std::uint64_t>(exponent));
    return dbsp::detail::hash_mix(h, c < 0 ? 1 : 2);
}

// ---- exact arithmetic --------------------------------------------------------------------------

numeric numeric::operator-() const {
    switch (kind_) {
    case kind::pos_inf: return infinity(true);
    case kind::neg_inf: return infinity(false);
    case kind::nan: return *this;
    case kind::finite: break;
    }
    return numeric_impl::make(-numeric_impl::coef(*this), dscale_);
}

numeric operator+(const numeric& a, const numeric& b) {
    if (a.is_nan() || b.is_nan()) return numeric::nan();
    if (a.is_infinite() || b.is_infinite()) {
        if (a.is_infinite() && b.is_infinite() && a.signum() != b.signum()) return numeric::nan();
        return a.is_infinite() ? a : b;
    }
    int scale = std::max(a.dscale_, b.dscale_);
    return numeric_impl::make(numeric_impl::coef_at(a, scale) + numeric_impl::coef_at(b, scale), scale);
}

numeric operator-(const numeric& a, const numeric& b) { return a + -b; }

numeric operator*(const numeric& a, const numeric& b) {
    if (a.is_nan() || b.is_nan()) return numeric::nan();
    if (a.is_infinite() || b.is_infinite()) {
        int s = a.signum() * b.signum();
        return s == 0 ? numeric::nan() : numeric::infinity(s < 0);
    }
    return numeric_impl::make(numeric_impl::coef(a) * numeric_impl::coef(b), a.dscale_ + b.dscale_);
}

numeric numeric::abs() const { return signum() < 0 ? -*this : *this; }

numeric numeric::sign() const {
    if (is_nan()) return *this;
    return from_int64(signum());
}

} // namespace pgt
