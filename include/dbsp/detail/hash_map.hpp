#pragma once
/// \file
/// `detail::hash_map<K, V, Hash>`: the hash table under Z-sets and indexed Z-sets.
///
/// Open addressing with linear probing and backward-shift deletion; entries live inline in
/// one array, next to their cached hash. A lookup in a large table then costs one or two
/// cache misses, where `std::unordered_map` chases a bucket pointer, a node, and (for an
/// indexed Z-set) the nodes of the group; with the prefetching this layout allows, a join
/// step against 1,000,000-row sides went from 3.0 to 0.86 ms (docs/PERFORMANCE.md).
///
/// Entries are `std::pair<K, V>`, iterated in table order. Inserting may move every entry
/// and erasing may move later ones, so both invalidate iterators and references.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace dbsp::detail {

template <class K, class V, class Hash>
class hash_map {
public:
    using key_type = K;
    using mapped_type = V;
    using value_type = std::pair<K, V>;

private:
    struct slot {
        std::uint64_t hash = 0;
        std::optional<value_type> entry; // empty slot when disengaged
    };

    template <bool Const>
    class basic_iterator {
        using slot_ptr = std::conditional_t<Const, const slot*, slot*>;

    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = hash_map::value_type;
        using difference_type = std::ptrdiff_t;
        using reference = std::conditional_t<Const, const value_type&, value_type&>;
        using pointer = std::conditional_t<Const, const value_type*, value_type*>;

        basic_iterator() = default;
        basic_iterator(slot_ptr p, slot_ptr end) : p_(p), end_(end) { skip_empty(); }
        operator basic_iterator<true>() const
            requires(!Const)
        {
            return {p_, end_};
        }

        reference operator*() const { return *p_->entry; }
        pointer operator->() const { return &*p_->entry; }
        basic_iterator& operator++() {
            ++p_;
            skip_empty();
            return *this;
        }
        basic_iterator operator++(int) {
            auto r = *this;
            ++*this;
            return r;
        }
        friend bool operator==(const basic_iterator& a, const basic_iterator& b) {
            return a.p_ == b.p_;
        }

    private:
        friend hash_map;
        void skip_empty() {
            while (p_ != end_ && !p_->entry) ++p_;
        }
        slot_ptr p_ = nullptr;
        slot_ptr end_ = nullptr;
    };

public:
    using iterator = basic_iterator<false>;
    using const_iterator = basic_iterator<true>;

    hash_map() = default;
    hash_map(const hash_map&) = default;
    hash_map& operator=(const hash_map&) = default;
    // The moved-from map is empty (the defaults would leave its size behind).
    hash_map(hash_map&& o) noexcept
        : slots_(std::move(o.slots_)), size_(std::exchange(o.size_, 0)) {
        o.slots_.clear();
    }
    hash_map& operator=(hash_map&& o) noexcept {
        slots_ = std::move(o.slots_);
        size_ = std::exchange(o.size_, 0);
        o.slots_.clear();
        return *this;
    }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    iterator begin() { return {slots_.data(), slots_.data() + slots_.size()}; }
    iterator end() { return {slots_.data() + slots_.size(), slots_.data() + slots_.size()}; }
    const_iterator begin() const { return {slots_.data(), slots_.data() + slots_.size()}; }
    const_iterator end() const {
        return {slots_.data() + slots_.size(), slots_.data() + slots_.size()};
    }

    /// Room for `n` entries without growing.
    void reserve(std::size_t n) {
        if (n > capacity_limit(slots_.size())) rehash(capacity_for(n));
    }
    void clear() {
        for (auto& s : slots_) s.entry.reset();
        size_ = 0;
    }

    iterator find(const K& k) { return {find_slot(k), slots_.data() + slots_.size()}; }
    const_iterator find(const K& k) const {
        return {find_slot(k), slots_.data() + slots_.size()};
    }
    bool contains(const K& k) const { return find_slot(k) != slots_.data() + slots_.size(); }

    /// Inserts `(k, V(args…))` unless `k` is present; returns the entry and whether it is new.
    template <class Key, class... Args>
    std::pair<iterator, bool> try_emplace(Key&& k, Args&&... args) {
        const std::uint64_t h = Hash{}(k);
        if (!slots_.empty()) {
            for (std::size_t i = home(h);; i = next(i)) {
                slot& s = slots_[i];
                if (!s.entry) break;
                if (s.hash == h && s.entry->first == k) return {at(i), false};
            }
        }
        if (size_ + 1 > capacity_limit(slots_.size())) rehash(capacity_for(size_ + 1));
        std::size_t i = home(h);
        while (slots_[i].entry) i = next(i);
        slots_[i].hash = h;
        slots_[i].entry.emplace(std::piecewise_construct,
                                std::forward_as_tuple(std::forward<Key>(k)),
                                std::forward_as_tuple(std::forward<Args>(args)...));
        ++size_;
        return {at(i), true};
    }

    /// Starts loading the slot where a lookup of `k` begins. Batched lookups call this for
    /// every key first, so that their cache misses overlap instead of queueing.
    void prefetch(const K& k) const {
        if (!slots_.empty()) prefetch_address(&slots_[home(Hash{}(k))]);
    }
    /// Starts loading the first slots (for a small map, all of them).
    void prefetch_entries() const {
        if (!slots_.empty()) prefetch_address(slots_.data());
    }

    void erase(const_iterator it) { erase_at(static_cast<std::size_t>(it.p_ - slots_.data())); }

    friend bool operator==(const hash_map& a, const hash_map& b) {
        if (a.size_ != b.size_) return false;
        for (const auto& [k, v] : a) {
            const slot* s = b.find_slot(k);
            if (s == b.slots_.data() + b.slots_.size() || !(s->entry->second == v)) return false;
        }
        return true;
    }

private:
    static void prefetch_address([[maybe_unused]] const void* p) {
#if defined(__GNUC__) || defined(__clang__)
        __builtin_prefetch(p);
#endif
    }

    // At most 3/4 of the slots full (linear probing degrades past that), and never all of
    // them, so that every probe run ends at an empty slot.
    static std::size_t capacity_limit(std::size_t slots) {
        return slots == 0 ? 0 : slots - std::max<std::size_t>(1, slots / 4);
    }
    static std::size_t capacity_for(std::size_t n) {
        std::size_t slots = 4;
        while (capacity_limit(slots) < n) slots *= 2;
        return slots;
    }
    // The slot an entry wants: the top bits of the hash, salted by the table size and mixed
    // (murmur3's finaliser). The salt matters: iterating a table yields its keys sorted by
    // slot, and inserting them in that order into a smaller table that uses the same bits
    // piles them into one probe run, which made a 1,000,000-key merge quadratic. Tables of
    // different sizes order keys independently; equal sizes share an order, which is harmless.
    // The mixing spreads a weak user hash (`dbsp_hash`).
    std::size_t home(std::uint64_t h) const {
        const int bits = std::countr_zero(slots_.size());
        h ^= static_cast<std::uint64_t>(bits) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33;
        return static_cast<std::size_t>(h >> (64 - bits));
    }
    std::size_t next(std::size_t i) const { return (i + 1) & (slots_.size() - 1); }
    iterator at(std::size_t i) { return {slots_.data() + i, slots_.data() + slots_.size()}; }

    const slot* find_slot(const K& k) const {
        const slot* end = slots_.data() + slots_.size();
        if (size_ == 0) return end;
        const std::uint64_t h = Hash{}(k);
        for (std::size_t i = home(h);; i = next(i)) {
            const slot& s = slots_[i];
            if (!s.entry) return end;
            if (s.hash == h && s.entry->first == k) return &s;
        }
    }
    slot* find_slot(const K& k) {
        return const_cast<slot*>(std::as_const(*this).find_slot(k));
    }

    void rehash(std::size_t slots) {
        std::vector<slot> old(slots);
        old.swap(slots_);
        for (auto& s : old) {
            if (!s.entry) continue;
            std::size_t i = home(s.hash);
            while (slots_[i].entry) i = next(i);
            slots_[i].hash = s.hash;
            slots_[i].entry = std::move(s.entry);
        }
    }

    // Backward-shift deletion: pull later entries of the probe run into the hole, so that
    // lookups never need tombstones.
    void erase_at(std::size_t hole) {
        slots_[hole].entry.reset();
        --size_;
        for (std::size_t i = next(hole); slots_[i].entry; i = next(i)) {
            const std::size_t want = home(slots_[i].hash);
            // Move entry i into the hole unless its home lies cyclically in (hole, i].
            const bool stays = hole <= i ? (hole < want && want <= i) : (hole < want || want <= i);
            if (stays) continue;
            slots_[hole].hash = slots_[i].hash;
            slots_[hole].entry = std::move(slots_[i].entry);
            slots_[i].entry.reset();
            hole = i;
        }
    }

    std::vector<slot> slots_;
    std::size_t size_ = 0;
};

} // namespace dbsp::detail
