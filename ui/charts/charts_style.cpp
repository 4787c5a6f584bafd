// ChartsPanel's names and style: chart titles and legends in words, each line's colour and dash, fonts and the
// presenter palette. Data and axes are in charts_panel.cpp, the column and the own-scale charts in charts_layout.cpp.
#include "charts/charts_panel.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <array>

namespace interleave::ui {

namespace {

// Okabe-Ito: distinguishable with the common colour-vision deficiencies; variants also differ by dash pattern.
const std::array<QColor, 7> kLightColours = {
    QColor(0x00, 0x72, 0xb2), QColor(0xd5, 0x5e, 0x00), QColor(0x00, 0x9e, 0x73), QColor(0xcc, 0x79, 0xa7),
    QColor(0xe6, 0x9f, 0x00), QColor(0x56, 0xb4, 0xe9), QColor(0x00, 0x00, 0x00)};
const std::array<QColor, 7> kDarkColours = {
    QColor(0x56, 0xb4, 0xe9), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0xd0, 0x9a), QColor(0xf0, 0x9c, 0xd0),
    QColor(0xf0, 0xe4, 0x42), QColor(0xff, 0x80, 0x40), QColor(0xff, 0xff, 0xff)};
const std::array<Qt::PenStyle, 4> kVariantStyles = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};

} // namespace

void ChartsPanel::updateTitlesAndLegends() {
    // What each primitive is, from its counters: only a semaphore has in_use, a condition lock_waiters (and held, as a
    // lock does), a queue depth, a buffer size, a shared variable writes. What has waiters and nothing else is an
    // event.
    QHash<QString, QString> kinds;
    for (const Binding& binding : m_bindings) {
        if (binding.primitive.isEmpty() || binding.home >= kChartCount) {
            continue;
        }
        QString kind;
        switch (static_cast<ChartKind>(binding.home)) {
        case ChartKind::SemaphoreInUse:
            kind = tr("semaphore");
            break;
        case ChartKind::LockHeld:
            kind = tr("lock");
            break;
        case ChartKind::CondWaiting:
            kind = tr("condition");
            break;
        case ChartKind::QueueDepth: // or a buffer's size
            kind = binding.counter.endsWith(QLatin1String(".depth")) ? tr("queue") : tr("buffer");
            break;
        case ChartKind::Putters:
        case ChartKind::Getters:
        case ChartKind::Unfinished:
            kind = tr("queue");
            break;
        case ChartKind::Taken:
            kind = tr("buffer");
            break;
        case ChartKind::Writes:
        case ChartKind::Value:
            kind = tr("variable");
            break;
        default:
            continue;
        }
        QString& known = kinds[binding.primitive];
        if (known.isEmpty() || kind == tr("condition")) {
            known = kind; // a condition's held would say lock
        }
    }
    auto kindOf = [&](const QString& primitive) { return kinds.value(primitive, tr("event")); };
    std::vector<QSet<QString>> primitives(m_charts.size()); // per quantity (home chart)
    for (const Binding& binding : m_bindings) {
        primitives[binding.home].insert(binding.primitive);
    }
    // The waiters chart says what they wait for.
    ChartSlot& waiters = m_charts[static_cast<std::size_t>(ChartKind::Waiters)];
    QSet<QString> waitedKinds;
    for (const QString& primitive : primitives[static_cast<std::size_t>(ChartKind::Waiters)]) {
        waitedKinds.insert(kindOf(primitive));
    }
    if (waitedKinds.size() == 1) {
        const QString kind = *waitedKinds.begin();
        const bool several = primitives[static_cast<std::size_t>(ChartKind::Waiters)].size() > 1;
        waiters.title = several ? tr("Tasks waiting, per %1").arg(kind) : tr("Tasks waiting for the %1").arg(kind);
    } else {
        waiters.title = quantityTitle(ChartKind::Waiters);
    }
    // The items chart says whether they wait in a queue, a buffer or both.
    ChartSlot& items = m_charts[static_cast<std::size_t>(ChartKind::QueueDepth)];
    QSet<QString> holders;
    for (const QString& primitive : primitives[static_cast<std::size_t>(ChartKind::QueueDepth)]) {
        holders.insert(kindOf(primitive));
    }
    if (holders.size() > 1) {
        items.title = tr("Items in the queue or buffer");
    } else if (holders.contains(tr("buffer"))) {
        items.title = tr("Items in the buffer");
    } else {
        items.title = quantityTitle(ChartKind::QueueDepth);
    }

    for (const Binding& binding : m_bindings) {
        const QString& variantName = m_variantNames[binding.variant];
        QString label;
        if (binding.home >= kChartCount) {
            label =
                variantName.isEmpty() ? binding.counter : QStringLiteral("%1 · %2").arg(variantName, binding.counter);
        } else if (primitives[binding.home].size() > 1) {
            const QString primitive = QStringLiteral("%1 %2").arg(kindOf(binding.primitive), binding.primitive);
            label = variantName.isEmpty() ? primitive : QStringLiteral("%1 · %2").arg(primitive, variantName);
        } else {
            label = variantName.isEmpty() ? binding.counter : variantName;
        }
        binding.line->name = label;
    }
    // A chart on its own scale is named after its quantity's chart (its legend says whose lines it took).
    for (ChartSlot& slot : m_charts) {
        if (slot.scaleOf) {
            std::size_t home = *slot.scaleOf;
            while (m_charts[home].scaleOf) {
                home = *m_charts[home].scaleOf;
            }
            slot.title = tr("%1 · own scale").arg(m_charts[home].title);
        }
    }
    std::vector<std::vector<const ChartLine*>> lines(m_charts.size()); // each chart's, in legend order
    for (const Binding& binding : m_bindings) {
        lines[binding.chartIndex].push_back(binding.line.get());
    }
    for (std::size_t index = 0; index < m_charts.size(); ++index) {
        m_charts[index].view->setTitle(m_charts[index].title);
        m_charts[index].view->setLines(std::move(lines[index]));
    }
    restyleSeries();
    layOutShownCharts();
}

void ChartsPanel::restyleSeries() {
    std::vector<int> indexInHome(m_charts.size(), 0);
    for (Binding& binding : m_bindings) {
        styleSeries(binding, indexInHome[binding.home]++);
    }
}

void ChartsPanel::styleSeries(Binding& binding, int colourIndex) const {
    const auto& colours = m_presenterMode ? kDarkColours : kLightColours;
    QPen pen(colours[static_cast<std::size_t>(colourIndex) % colours.size()]);
    // Thin lines in the window: the raster engine draws a 1 px stroke (dashed too) on its fast path, while a wider
    // dashed stroke of a thousand steps cost 15 ms a frame (L8 at 20,000 items). Presenter lines are thick for the
    // back row, and solid: a thick dashed stroke cost 40 ms; there the variants differ by colour and legend.
    pen.setWidthF(m_presenterMode ? 3.0 : 1.0);
    pen.setStyle(m_presenterMode ? Qt::SolidLine : kVariantStyles[binding.variant % kVariantStyles.size()]);
    binding.line->pen = pen;
    m_charts[binding.chartIndex].view->update();
}

void ChartsPanel::setPresenterMode(bool on) {
    m_presenterMode = on;
    applyStyle();
}

void ChartsPanel::applyStyle() {
    for (ChartSlot& slot : m_charts) {
        styleChart(slot);
    }
    QPalette palette;
    if (m_presenterMode) {
        palette.setColor(QPalette::Window, Qt::black);
        palette.setColor(QPalette::WindowText, QColor(0xB0, 0xB0, 0xB0));
    }
    setPalette(palette);
    setAutoFillBackground(m_presenterMode);
    restyleSeries();
    updateVisibility(); // minimum heights depend on the mode; also lays the charts out
}

void ChartsPanel::styleChart(ChartSlot& slot) const {
    ChartStyle style;
    style.labels = font();
    const double scale = m_presenterMode ? 1.4 : 0.9;
    style.labels.setPointSizeF(std::max(6.0, QFont().pointSizeF() * scale));
    style.title = style.labels;
    style.title.setBold(true);
    if (m_presenterMode) {
        style.background = Qt::black;
        style.text = Qt::white;
        style.axis = Qt::white;
        style.grid = QColor(0x60, 0x60, 0x60);
    }
    slot.view->setChartStyle(style);
}

} // namespace interleave::ui
