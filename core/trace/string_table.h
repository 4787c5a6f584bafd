// Interned strings of one run (task, primitive and counter names); events refer to them by id.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace interleave::core {

class StringTable {
public:
    StringTable();
    StringTable(const StringTable& other);
    StringTable& operator=(const StringTable& other);
    StringTable(StringTable&&) noexcept = default;
    StringTable& operator=(StringTable&&) noexcept = default;
    ~StringTable() = default;

    // Not for the hot path: intern names before a run starts. Id 0 is always the empty string.
    std::uint32_t intern(std::string_view text);
    std::uint32_t find(std::string_view text) const; // 0 when absent
    const std::string& at(std::uint32_t id) const;
    std::size_t size() const { return m_strings.size(); }

private:
    void rebuildIndex();
    std::deque<std::string> m_strings; // deque: stable addresses for the string_view keys
    std::unordered_map<std::string_view, std::uint32_t> m_index;
};

} // namespace interleave::core
