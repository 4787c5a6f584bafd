// TimelinePainter's geometry: which rows each variant has (lanes, folded groups, collapsed blocks), how tall they are
// and which row a point falls on. The drawing is in timeline_painter.cpp.
#include "timeline_painter.h"

#include "metrics/cpython_comparison.h"

#include <QLocale>

#include <algorithm>

namespace interleave::ui {

namespace {

const std::vector<TimelineLane> kNoLanes;

} // namespace

QString groupedCount(std::size_t count) {
    QLocale locale;
    locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
    return locale.toString(static_cast<qulonglong>(count));
}

std::int64_t TimelinePainter::dataEndNs() const {
    std::int64_t end = 0;
    for (const SharedTimeline& data : m_variants) {
        end = std::max(end, data ? data->endNs() : 0);
    }
    return end;
}

const std::vector<TimelineLane>& TimelinePainter::lanesOf(int variant) const {
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
    return data ? data->lanes(m_mode) : kNoLanes;
}

void TimelinePainter::setRowLimit(std::size_t limit) {
    m_rowLimit = limit;
    invalidateRows();
}

void TimelinePainter::setFolding(const TimelineFolding& folding) {
    m_folding = folding;
    invalidateRows();
}

GroupKey TimelinePainter::groupKey(int variant, int group) const {
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
    const TaskGroup& entry = data->groups()[static_cast<std::size_t>(group)];
    return GroupKey{variant, entry.parent, entry.name};
}

bool TimelinePainter::groupExpanded(int variant, int group) const {
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
    return m_folding.expanded(groupKey(variant, group), data->groups()[static_cast<std::size_t>(group)].size);
}

void TimelinePainter::setGroupExpanded(int variant, int group, bool expanded) {
    m_folding.setExpanded(groupKey(variant, group), expanded);
    invalidateRows();
}

void TimelinePainter::setVariantCollapsed(int variant, bool collapsed) {
    m_folding.setVariantCollapsed(variant, collapsed);
    invalidateRows();
}

QString TimelinePainter::groupLabel(int variant, int group) const {
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
    const TaskGroup& entry = data->groups()[static_cast<std::size_t>(group)];
    return QStringLiteral("%1 × %2").arg(entry.name, groupedCount(entry.size));
}

const TimelinePainter::VariantRows& TimelinePainter::rowsOf(int variant) const {
    if (m_rows.size() != m_variants.size()) {
        m_rows.resize(m_variants.size());
    }
    VariantRows& rows = m_rows[static_cast<std::size_t>(variant)];
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
    const std::size_t laneCount = data != nullptr ? data->lanes(m_mode).size() : 0;
    const std::uint64_t dataRevision = data != nullptr ? data->structureRevision() : 0;
    if (rows.viewRevision != m_viewRevision || rows.data != data || rows.dataRevision != dataRevision ||
        rows.laneCount != laneCount) {
        buildRows(variant, rows);
        rows.viewRevision = m_viewRevision;
        rows.data = data;
        rows.dataRevision = dataRevision;
        rows.laneCount = laneCount;
    }
    return rows;
}

void TimelinePainter::buildRows(int variant, VariantRows& out) const {
    out.rows.clear();
    out.tops.assign(1, 0);
    out.hiddenLanes = 0;
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
    if (data == nullptr || m_folding.variantCollapsed(variant)) {
        return;
    }
    const auto& lanes = data->lanes(m_mode);
    const auto& groups = data->groups();
    const bool grouping = m_mode == LaneMode::ByTask && !groups.empty();
    // Each group's size, and the members in lane order of the expanded ones only: a folded group of 100,000 tasks
    // is one row, and listing its members cost the frame that first drew it milliseconds of allocations.
    std::vector<std::uint32_t> sizes(grouping ? groups.size() : 0, 0);
    for (std::size_t lane = 0; grouping && lane < lanes.size(); ++lane) {
        if (lanes[lane].group >= 0) {
            ++sizes[static_cast<std::size_t>(lanes[lane].group)];
        }
    }
    constexpr std::uint32_t kFolded = 0xFFFFFFFFU;
    std::vector<std::uint32_t> expandedAt(sizes.size(), kFolded); // index into `members`
    std::vector<std::vector<std::uint32_t>> members;
    for (std::size_t group = 0; group < sizes.size(); ++group) {
        if (sizes[group] >= 2 &&
            m_folding.expanded(GroupKey{variant, groups[group].parent, groups[group].name}, sizes[group])) {
            expandedAt[group] = static_cast<std::uint32_t>(members.size());
            members.emplace_back().reserve(sizes[group]);
        }
    }
    if (!members.empty()) {
        for (std::size_t lane = 0; lane < lanes.size(); ++lane) {
            const int group = lanes[lane].group;
            if (group >= 0 && expandedAt[static_cast<std::size_t>(group)] != kFolded) {
                members[expandedAt[static_cast<std::size_t>(group)]].push_back(static_cast<std::uint32_t>(lane));
            }
        }
    }
    std::vector<bool> placed(sizes.size(), false);
    for (std::size_t lane = 0; lane < lanes.size(); ++lane) {
        const int group = grouping ? lanes[lane].group : -1;
        const auto slot = static_cast<std::size_t>(group);
        if (group < 0 || sizes[slot] < 2) {
            out.rows.push_back(RowEntry{RowKind::Lane, static_cast<std::uint32_t>(lane), -1});
            continue;
        }
        if (placed[slot]) {
            continue;
        }
        // The group row stands where its first member would; expanded, its members follow it.
        placed[slot] = true;
        out.rows.push_back(RowEntry{RowKind::Group, static_cast<std::uint32_t>(group), group});
        if (expandedAt[slot] != kFolded) {
            for (const std::uint32_t member : members[expandedAt[slot]]) {
                out.rows.push_back(RowEntry{RowKind::Lane, member, group});
            }
        }
    }
    if (out.rows.size() > m_rowLimit) {
        for (std::size_t row = m_rowLimit; row < out.rows.size(); ++row) {
            const RowEntry& entry = out.rows[row];
            const bool expanded = entry.kind == RowKind::Group && row + 1 < out.rows.size() &&
                                  out.rows[row + 1].kind == RowKind::Lane && out.rows[row + 1].group == entry.group;
            if (entry.kind == RowKind::Lane) {
                ++out.hiddenLanes;
            } else if (!expanded) {
                out.hiddenLanes += sizes[entry.index];
            }
        }
        out.rows.resize(m_rowLimit);
    }
    out.tops.reserve(out.rows.size() + 1);
    for (const RowEntry& entry : out.rows) {
        out.tops.push_back(out.tops.back() + (entry.kind == RowKind::Group ? m_metrics.group : m_metrics.lane));
    }
}

std::size_t TimelinePainter::rowCount(int variant) const {
    return rowsOf(variant).rows.size();
}

std::size_t TimelinePainter::hiddenLaneCount(int variant) const {
    return rowsOf(variant).hiddenLanes;
}

bool TimelinePainter::showsLoopLag(const TimelineData& data) const {
    // The lag lane is shown for every loop variant as soon as one of them lagged for real (so "with to_thread the
    // loop keeps up" shows as a flat lane beside the frozen one), and for none when all of it is host noise: at
    // 1280×720 its rows are the room the lesson's lanes need.
    if (!data.hasLoopLag()) {
        return false;
    }
    return std::any_of(m_variants.begin(), m_variants.end(), [](const SharedTimeline& variant) {
        return variant && variant->loopLagPeakMs() >= TimelineData::kLagNoiseMs;
    });
}

bool TimelinePainter::gilUnmeasured(int variant) const {
    // A run in CPython set below its engine run that has a GIL lane: the row is there, saying that CPython does not
    // tell who holds the GIL, rather than missing as if there were none.
    if (variant == 0) {
        return false;
    }
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
    const TimelineData* engine = m_variants[static_cast<std::size_t>(variant) - 1].get();
    return data != nullptr && engine != nullptr && !data->hasGil() && engine->hasGil() &&
           core::engineVariantOf(m_labels[static_cast<std::size_t>(variant)].toStdString()).has_value();
}

bool TimelinePainter::hasGilRow(int variant) const {
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
    return data != nullptr && (data->hasGil() || gilUnmeasured(variant));
}

int TimelinePainter::fixedHeight(int variant) const {
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
    if (data == nullptr || m_folding.variantCollapsed(variant)) {
        return 0;
    }
    return (hasGilRow(variant) ? m_metrics.lane : 0) + (showsLoopLag(*data) ? m_metrics.lag : 0) +
           static_cast<int>(data->lockLanes().size()) * m_metrics.lane;
}

int TimelinePainter::blockHeight(int variant) const {
    return m_metrics.header + fixedHeight(variant) + rowsOf(variant).tops.back();
}

int TimelinePainter::contentHeight() const {
    int height = 0;
    for (int variant = 0; variant < static_cast<int>(m_variants.size()); ++variant) {
        height += blockHeight(variant);
    }
    return height;
}

RowHit TimelinePainter::rowAt(int contentY) const {
    int top = 0;
    for (int variant = 0; variant < static_cast<int>(m_variants.size()); ++variant) {
        const int height = blockHeight(variant);
        if (contentY < top || contentY >= top + height) {
            top += height;
            continue;
        }
        const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
        if (contentY < top + m_metrics.header || data == nullptr) {
            return RowHit{variant, RowKind::Header, 0, -1, top, m_metrics.header};
        }
        top += m_metrics.header;
        if (hasGilRow(variant)) {
            if (contentY < top + m_metrics.lane) {
                return RowHit{variant, RowKind::Gil, 0, -1, top, m_metrics.lane};
            }
            top += m_metrics.lane;
        }
        if (showsLoopLag(*data)) {
            if (contentY < top + m_metrics.lag) {
                return RowHit{variant, RowKind::LoopLag, 0, -1, top, m_metrics.lag};
            }
            top += m_metrics.lag;
        }
        const std::size_t locks = data->lockLanes().size();
        if (contentY < top + static_cast<int>(locks) * m_metrics.lane) {
            const auto lock = static_cast<std::size_t>((contentY - top) / m_metrics.lane);
            return RowHit{variant,       RowKind::Lock, lock, -1, top + static_cast<int>(lock) * m_metrics.lane,
                          m_metrics.lane};
        }
        top += static_cast<int>(locks) * m_metrics.lane;
        const VariantRows& rows = rowsOf(variant);
        const auto after = std::upper_bound(rows.tops.begin(), rows.tops.end(), contentY - top);
        const auto row = static_cast<std::size_t>(after - rows.tops.begin()) - 1;
        if (row >= rows.rows.size()) {
            return {};
        }
        const RowEntry& entry = rows.rows[row];
        return RowHit{variant,     entry.kind,           entry.kind == RowKind::Lane ? entry.index : 0,
                      entry.group, top + rows.tops[row], rows.tops[row + 1] - rows.tops[row]};
    }
    return {};
}

} // namespace interleave::ui
