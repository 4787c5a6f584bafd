// Interned strings of one run.
#include "trace/string_table.h"

#include <stdexcept>

namespace interleave::core {

StringTable::StringTable() {
    m_strings.emplace_back();
    rebuildIndex();
}

StringTable::StringTable(const StringTable& other) : m_strings(other.m_strings) {
    rebuildIndex();
}

StringTable& StringTable::operator=(const StringTable& other) {
    if (this != &other) {
        m_strings = other.m_strings;
        rebuildIndex();
    }
    return *this;
}

void StringTable::rebuildIndex() {
    m_index.clear();
    for (std::size_t i = 0; i < m_strings.size(); ++i) {
        m_index.emplace(m_strings[i], static_cast<std::uint32_t>(i));
    }
}

std::uint32_t StringTable::intern(std::string_view text) {
    if (auto found = m_index.find(text); found != m_index.end()) {
        return found->second;
    }
    const auto id = static_cast<std::uint32_t>(m_strings.size());
    m_strings.emplace_back(text);
    m_index.emplace(m_strings.back(), id);
    return id;
}

std::uint32_t StringTable::find(std::string_view text) const {
    auto found = m_index.find(text);
    return found == m_index.end() ? 0 : found->second;
}

const std::string& StringTable::at(std::uint32_t id) const {
    if (id >= m_strings.size()) {
        throw std::out_of_range("string id out of range");
    }
    return m_strings[id];
}

} // namespace interleave::core
