// TimelineFolding: which group lanes are expanded and which variant blocks are collapsed. View state (Perfetto's
// track groups): it lives in the view, survives live frames and new data, and a figure may carry it.
#pragma once

#include <QString>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>

namespace interleave::ui {

// A group lane, by variant (its index in the timeline) and the group's parent task and name: the same key for the
// live data and for the rebuilt data of a finished run.
struct GroupKey {
    int variant = 0;
    std::uint32_t parent = 0;
    QString name;
    bool operator<(const GroupKey& other) const {
        return std::tie(variant, parent, name) < std::tie(other.variant, other.parent, other.name);
    }
};

class TimelineFolding {
public:
    // Groups of more than this many tasks start folded; smaller ones start expanded.
    static constexpr std::size_t kAutoFoldAbove = 16;

    // The user's choice when there is one, else the default for a group of `members` (so the 17th member arriving
    // folds a group that was expanded only by default).
    bool expanded(const GroupKey& key, std::size_t members) const {
        auto found = m_groups.find(key);
        return found != m_groups.end() ? found->second : !m_foldByDefault && members <= kAutoFoldAbove;
    }
    // Every group the user has not opened starts folded, whatever its size: blocks set side by side (the engine's
    // and CPython's) that would not all fit in the view expanded.
    bool foldsByDefault() const { return m_foldByDefault; }
    void setFoldByDefault(bool fold) {
        if (fold != m_foldByDefault) {
            m_foldByDefault = fold;
            ++m_revision;
        }
    }
    void setExpanded(const GroupKey& key, bool expanded) {
        m_groups[key] = expanded;
        ++m_revision;
    }
    bool userChose(const GroupKey& key) const { return m_groups.count(key) != 0; }

    bool variantCollapsed(int variant) const { return m_collapsedVariants.count(variant) != 0; }
    void setVariantCollapsed(int variant, bool collapsed) {
        if (collapsed) {
            m_collapsedVariants.insert(variant);
        } else {
            m_collapsedVariants.erase(variant);
        }
        ++m_revision;
    }

    // Bumped by every change: views cache their rows against it.
    std::uint64_t revision() const { return m_revision; }

private:
    std::map<GroupKey, bool> m_groups; // only the groups the user toggled
    std::set<int> m_collapsedVariants;
    bool m_foldByDefault = false;
    std::uint64_t m_revision = 0;
};

} // namespace interleave::ui
