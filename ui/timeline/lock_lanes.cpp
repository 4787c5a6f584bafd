#include "timeline/lock_lanes.h"

namespace interleave::ui {

namespace {

constexpr std::string_view kHolderSuffix = ".holder";

void closeTenure(TimelineLane& lane, std::int64_t timeNs) {
    if (!lane.spans.empty() && lane.spans.back().open) {
        TimelineSpan& last = lane.spans.back();
        last.endNs = std::max(timeNs, last.startNs);
        last.open = false;
    }
}

} // namespace

bool LockLanes::isHolderCounter(std::string_view name) {
    return name.size() > kHolderSuffix.size() && name.ends_with(kHolderSuffix) && name != "gil.holder";
}

void LockLanes::sample(std::uint32_t counterId, std::string_view counterName, std::int64_t timeNs, double holder) {
    auto [found, added] = m_index.try_emplace(counterId, m_lanes.size());
    if (added) {
        TimelineLane lane;
        const std::string_view lock = counterName.substr(0, counterName.size() - kHolderSuffix.size());
        lane.name = QStringLiteral("lock ") + QString::fromUtf8(lock.data(), static_cast<qsizetype>(lock.size()));
        lane.nameId = counterId;
        m_lanes.push_back(std::move(lane));
    }
    TimelineLane& lane = m_lanes[found->second];
    closeTenure(lane, timeNs);
    if (holder >= 0) {
        const auto task = static_cast<std::uint32_t>(holder);
        lane.spans.push_back(
            TimelineSpan{timeNs, timeNs, task, core::TaskState::Running, 0, 0, static_cast<std::uint16_t>(task), true});
    }
}

bool LockLanes::sampleIfHolder(const core::Trace& trace, std::uint32_t counterId, std::int64_t timeNs, double value) {
    auto [known, added] = m_isHolder.try_emplace(counterId, false);
    if (added) {
        known->second = counterId < trace.strings.size() && isHolderCounter(trace.strings.at(counterId));
    }
    if (!known->second) {
        return false;
    }
    sample(counterId, trace.strings.at(counterId), timeNs, value);
    return true;
}

void LockLanes::closeAll(std::int64_t timeNs) {
    for (TimelineLane& lane : m_lanes) {
        closeTenure(lane, timeNs);
    }
}

} // namespace interleave::ui
