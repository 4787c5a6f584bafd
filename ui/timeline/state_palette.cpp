// StatePalette: Okabe–Ito colours per state, a high-contrast presenter variant with patterns, and state names.
#include "state_palette.h"

#include <array>

namespace interleave::ui {

namespace {

using core::TaskState;

// Index = TaskState. Okabe–Ito: green running, orange ready, sky blue I/O, vermillion blocked, purple GIL.
constexpr std::array<QRgb, core::kTaskStateCount> kNormal = {
    0xFFE69F00, // Ready: orange
    0xFF009E73, // Running: bluish green
    0xFF56B4E9, // WaitingIo: sky blue
    0xFFD55E00, // Blocked: vermillion
    0xFFCC79A7, // WaitingGil: reddish purple
    0xFF999999, // Done: grey
    0xFF000000, // Failed: black
    0xFFBBBBBB, // Cancelled: light grey
    0xFF0072B2, // Starting: blue
    0xFFE0E0E0, // Idle: very light grey
};

// Bright on near-black for projectors.
constexpr std::array<QRgb, core::kTaskStateCount> kPresenter = {
    0xFFFFC20A, // Ready
    0xFF00E0A8, // Running
    0xFF7FD4FF, // WaitingIo
    0xFFFF6E1A, // Blocked
    0xFFFF8FD8, // WaitingGil
    0xFFB0B0B0, // Done
    0xFFFFFFFF, // Failed
    0xFF8A8A8A, // Cancelled
    0xFF4DA3FF, // Starting
    0xFF5A5A5A, // Idle
};

constexpr std::array<Qt::BrushStyle, core::kTaskStateCount> kPatterns = {
    Qt::Dense4Pattern,    // Ready
    Qt::SolidPattern,     // Running
    Qt::HorPattern,       // WaitingIo
    Qt::DiagCrossPattern, // Blocked
    Qt::BDiagPattern,     // WaitingGil
    Qt::Dense6Pattern,    // Done
    Qt::CrossPattern,     // Failed
    Qt::FDiagPattern,     // Cancelled
    Qt::VerPattern,       // Starting
    Qt::Dense7Pattern,    // Idle
};

constexpr std::array<QRgb, core::kMarkerKindCount> kMarkers = {
    0xFFE69F00, // Timeout
    0xFFF0E442, // Retry
    0xFF999999, // Cancel
    0xFFD55E00, // Exception
    0xFFCC0066, // Deadlock
    0xFF000000, // BrokenPool
    0xFF0072B2, // Cleanup
    0xFF7F7F7F, // Instant (imported traces): neutral grey
    0xFF882255, // Stalled: the watchdog ended the run
    0xFFEE3377, // Redelivery: a broker gave the job to a worker again (magenta: it stands out on running green)
    0xFF332288, // DeadLetter: the job went to the dead-letter list
};

std::size_t slot(TaskState state) {
    const auto index = static_cast<std::size_t>(state);
    return index < core::kTaskStateCount ? index : 0;
}

} // namespace

QColor StatePalette::color(TaskState state) const {
    return QColor::fromRgba((m_presenter ? kPresenter : kNormal)[slot(state)]);
}

Qt::BrushStyle StatePalette::pattern(TaskState state) const {
    return m_presenter ? kPatterns[slot(state)] : Qt::SolidPattern;
}

QColor StatePalette::background(TaskState state) const {
    return m_presenter ? color(state).darker(300) : color(state);
}

QBrush StatePalette::brush(TaskState state) const {
    return QBrush(color(state), pattern(state));
}

QColor StatePalette::markerColor(core::MarkerKind kind) const {
    const auto index = static_cast<std::size_t>(kind);
    QColor result = QColor::fromRgba(kMarkers[index < kMarkers.size() ? index : 3]);
    if (m_presenter && result == Qt::black) {
        result = Qt::white;
    }
    return result;
}

QColor StatePalette::canvas() const {
    return m_presenter ? QColor(0x12, 0x12, 0x12) : QColor(Qt::white);
}

QColor StatePalette::text() const {
    return m_presenter ? QColor(Qt::white) : QColor(0x20, 0x20, 0x20);
}

QColor StatePalette::gridLine() const {
    return m_presenter ? QColor(0x40, 0x40, 0x40) : QColor(0xE4, 0xE4, 0xE4);
}

QColor StatePalette::outline() const {
    return m_presenter ? QColor(Qt::white) : QColor(Qt::black);
}

QString stateName(TaskState state, const QString& subject) {
    switch (state) {
    case TaskState::Ready:
        return QStringLiteral("ready");
    case TaskState::Running:
        return QStringLiteral("running");
    case TaskState::WaitingIo:
        return subject.isEmpty() ? QStringLiteral("waiting for I/O")
                                 : QStringLiteral("waiting for I/O (%1)").arg(subject);
    case TaskState::Blocked:
        return subject.isEmpty() ? QStringLiteral("blocked") : QStringLiteral("blocked on %1").arg(subject);
    case TaskState::WaitingGil:
        return QStringLiteral("waiting for the GIL");
    case TaskState::Done:
        return QStringLiteral("done");
    case TaskState::Failed:
        return QStringLiteral("failed");
    case TaskState::Cancelled:
        return QStringLiteral("cancelled");
    case TaskState::Starting:
        return QStringLiteral("starting");
    case TaskState::Idle: // a worker's lane: "messaging" when it waited for work that was queued
        return subject.isEmpty() ? QStringLiteral("idle") : subject;
    }
    return QStringLiteral("unknown");
}

QString markerName(core::MarkerKind kind) {
    return QString::fromUtf8(core::toString(kind));
}

} // namespace interleave::ui
