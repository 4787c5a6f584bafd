// Colours, presenter-mode patterns and human names for task states and markers (Okabe–Ito, colour-blind safe).
#pragma once

#include "trace/event.h"

#include <QBrush>
#include <QColor>
#include <QString>

namespace interleave::ui {

class StatePalette {
public:
    explicit StatePalette(bool presenter = false) : m_presenter(presenter) {}

    bool presenter() const { return m_presenter; }
    QColor color(core::TaskState state) const;
    // The fill of a span: solid normally; in presenter mode a pattern per state, so states differ without colour.
    // Draw background(state) first, then this brush.
    QBrush brush(core::TaskState state) const;
    QColor background(core::TaskState state) const; // under the pattern in presenter mode
    Qt::BrushStyle pattern(core::TaskState state) const;
    QColor markerColor(core::MarkerKind kind) const;

    QColor canvas() const;   // the lanes' background
    QColor text() const;     // labels
    QColor gridLine() const; // time ticks and lane separators
    QColor outline() const;  // around spans and the selection
    double outlineWidth() const { return m_presenter ? 2.0 : 1.0; }

private:
    bool m_presenter = false;
};

// "running", "waiting for I/O", "blocked on sem", "waiting for the GIL", ...; `subject` may be empty.
QString stateName(core::TaskState state, const QString& subject = {});
QString markerName(core::MarkerKind kind);

} // namespace interleave::ui
