// SummaryPanel: fills the variant and expectation tables from a core::LessonReport.
#include "panels/summary_panel.h"

#include "charts/charts_panel.h"
#include "charts/stage_chart.h"

#include <QApplication>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <vector>

namespace interleave::ui {

namespace {

const QColor kPassColor(0x1a, 0x7f, 0x37);
const QColor kFailColor(0xcf, 0x22, 0x2e);
const QColor kNotMeasuredColor(0x6e, 0x77, 0x81);

QString formatNumber(double value) {
    if (value == std::round(value) && std::abs(value) < 1e12) {
        return QString::number(static_cast<long long>(value)); // counts and peaks
    }
    const double magnitude = std::abs(value);
    const int decimals = magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3;
    return QString::number(value, 'f', decimals);
}

QString optionalNumber(const std::optional<double>& value, const QString& suffix = {}) {
    return value ? formatNumber(*value) + suffix : QStringLiteral("–");
}

QTableWidgetItem* readOnlyItem(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

QTableWidgetItem* numberItem(const QString& text) {
    auto* item = readOnlyItem(text);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QColor verdictColor(core::Verdict verdict) {
    switch (verdict) {
    case core::Verdict::Pass:
        return kPassColor;
    case core::Verdict::Fail:
        return kFailColor;
    case core::Verdict::NotMeasured:
        break;
    }
    return kNotMeasuredColor;
}

// A table that never scrolls sideways: every column shares the width (the text ones get more) and text wraps.
QTableWidget* makeTable(const QStringList& headers, const std::vector<int>& wrappingColumns, QWidget* parent) {
    auto* table = new QTableWidget(0, static_cast<int>(headers.size()), parent);
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->setVisible(false);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setWordWrap(true);
    table->setTextElideMode(Qt::ElideNone);
    table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    QHeaderView* header = table->horizontalHeader();
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setMinimumSectionSize(16);
    for (int column = 0; column < table->columnCount(); ++column) {
        const bool wraps = std::find(wrappingColumns.begin(), wrappingColumns.end(), column) != wrappingColumns.end();
        header->setSectionResizeMode(column, wraps ? QHeaderView::Stretch : QHeaderView::Interactive);
    }
    return table;
}

// The fixed columns as wide as their contents, but never so wide together that the stretching (wrapping) ones get
// squeezed out: each takes at most an equal share of the width.
void fitColumns(QTableWidget* table) {
    QHeaderView* header = table->horizontalHeader();
    const int share = std::max(24, table->viewport()->width() / std::max(1, table->columnCount()));
    for (int column = 0; column < table->columnCount(); ++column) {
        if (header->sectionResizeMode(column) == QHeaderView::Interactive) {
            table->resizeColumnToContents(column);
            header->resizeSection(column, std::min(header->sectionSize(column), share));
        }
    }
}

// Rows as tall as their wrapped text. With a `maxHeight`, the table is as tall as its rows (every variant shows) up
// to that height, past which it scrolls, so that a small dock keeps room for the verdict and the expectations.
void fitRows(QTableWidget* table, int maxHeight = -1) {
    fitColumns(table);
    table->resizeRowsToContents();
    if (maxHeight < 0) {
        return;
    }
    int height = table->horizontalHeader()->height() + 2 * table->frameWidth();
    for (int row = 0; row < table->rowCount(); ++row) {
        height += table->rowHeight(row);
    }
    table->setFixedHeight(std::min(height, std::max(maxHeight, table->horizontalHeader()->height() * 3)));
}

// The width, in average characters of the panel's font, below which the tables would squeeze their columns to a word
// or two and the wrapped-text form reads better.
constexpr int kTableChars = 80;

// "Items in the queue 100, Producers blocked on put 1"; two primitives of one kind keep their names apart
// ("Semaphore permits in use · db 10").
QString peaksText(const std::map<std::string, std::int64_t>& peaks) {
    QStringList words;
    for (const auto& entry : peaks) {
        words << SummaryPanel::counterInWords(QString::fromStdString(entry.first));
    }
    QStringList parts;
    qsizetype index = 0;
    for (const auto& [counter, peak] : peaks) {
        QString label = words[index++];
        const QString name = QString::fromStdString(counter);
        if (words.count(label) > 1 && name.contains(QLatin1Char('.'))) {
            label += QStringLiteral(" · ") + name.section(QLatin1Char('.'), 0, -2);
        }
        parts << QStringLiteral("%1 %2").arg(label).arg(peak);
    }
    return parts.join(QStringLiteral(", "));
}

QString variantName(const core::VariantSummary& variant) {
    // The status only when the run did not complete ("semaphore (stopped)").
    QString name = QString::fromStdString(variant.variant);
    if (variant.outcome.status != core::RunStatus::Completed) {
        name +=
            QStringLiteral(" (%1)").arg(QString::fromStdString(std::string(core::toString(variant.outcome.status))));
    }
    return name;
}

// A CPython run's makespan against its engine variant's, "+3.6% ✔", with the whole comparison as its tooltip.
QTableWidgetItem* cpythonItem(const core::LessonReport& report, const std::string& variant) {
    const auto found = std::find_if(report.cpython.begin(), report.cpython.end(),
                                    [&](const core::CpythonComparison& each) { return each.pythonVariant == variant; });
    if (found == report.cpython.end() || found->status != core::RunStatus::Completed) {
        return numberItem(QStringLiteral("–"));
    }
    const core::CpythonComparison& each = *found;
    const QString off = QStringLiteral("%1%2%").arg(each.offPercent() >= 0 ? QStringLiteral("+") : QString(),
                                                    QString::number(each.offPercent(), 'f', 1));
    auto* item = numberItem(
        each.judged ? QStringLiteral("%1 %2").arg(off, each.agrees ? QStringLiteral("✔") : QStringLiteral("✘")) : off);
    item->setForeground(!each.judged ? kNotMeasuredColor : each.agrees ? kPassColor : kFailColor);
    item->setToolTip(SummaryPanel::cpythonSentence(each));
    return item;
}

QString colored(const QString& html, const QColor& color) {
    return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color.name(), html);
}

} // namespace

SummaryPanel::SummaryPanel(QWidget* parent)
    : QWidget(parent), m_message(new QLabel(this)), m_errors(new QLabel(this)), m_verdictLine(new QLabel(this)),

      m_variants(makeTable({tr("Variant"), tr("Makespan\n(ms)"), tr("Speedup\n(×)"), tr("Max lag\n(ms)"), tr("Peaks")},
                           {0, 4}, this)),
      m_stages(new StageChart(this)),
      m_expectations(
          makeTable({QString(), tr("Expectation"), tr("Variant"), tr("Measured"), tr("Detail")}, {1, 4}, this)),
      m_tables(new QWidget(this)), m_compactArea(new QScrollArea(this)), m_compactText(new QLabel) {
    for (QLabel* label : {m_message, m_errors, m_verdictLine, m_compactText}) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->hide();
    }
    m_errors->setStyleSheet(QStringLiteral("color: %1;").arg(kFailColor.name()));
    m_compactText->setTextFormat(Qt::RichText);
    m_compactText->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_compactText->show();
    m_compactArea->setWidget(m_compactText);
    m_compactArea->setWidgetResizable(true);
    m_compactArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_compactArea->setFrameShape(QFrame::NoFrame);
    m_compactArea->hide();

    auto* tables = new QVBoxLayout(m_tables);
    tables->setContentsMargins(0, 0, 0, 0);
    tables->addWidget(m_variants);
    tables->addWidget(m_verdictLine);
    tables->addWidget(m_expectations, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addWidget(m_errors);
    layout->addWidget(m_stages); // in the wide form and the compact one alike
    layout->addWidget(m_tables, 1);
    layout->addWidget(m_compactArea, 1);
    applyFonts();
}

void SummaryPanel::setReport(const core::LessonReport& report) {
    m_report = report;
    m_message->hide();
    fillVariants(report);
    m_stages->setRows(StageChart::rowsOf(report));
    m_stages->setVisible(!m_stages->isEmpty());
    fillExpectations(report);

    QStringList errors;
    for (const auto& variant : report.variants) {
        const bool deadlocked = variant.outcome.status == core::RunStatus::Deadlocked;
        if (core::endedWithError(variant.outcome.status) || deadlocked) {
            const bool stalled = variant.outcome.status == core::RunStatus::Stalled;
            const QString why =
                variant.outcome.error.empty() ? tr("no reason given") : QString::fromStdString(variant.outcome.error);
            errors << (deadlocked ? tr("%1 deadlocked: %2")
                       : stalled  ? tr("%1 stalled: %2")
                                  : tr("%1 failed: %2"))
                          .arg(QString::fromStdString(variant.variant), why);
        }
    }
    m_errors->setText(errors.join(QLatin1Char('\n')));
    m_errors->setVisible(!errors.isEmpty());

    qsizetype passed = 0;
    qsizetype failed = 0;
    for (const auto& result : report.expectations) {
        passed += result.verdict == core::Verdict::Pass ? 1 : 0;
        failed += result.verdict == core::Verdict::Fail ? 1 : 0;
    }
    const auto total = static_cast<qsizetype>(report.expectations.size());
    if (total > 0) {
        m_verdictLine->setText(tr("%1 of %2 expectations met").arg(passed).arg(total) +
                               (failed > 0 ? tr(", %1 not met").arg(failed) : QString()));
        m_verdictLine->setStyleSheet(QStringLiteral("color: %1;")
                                         .arg((failed > 0        ? kFailColor
                                               : passed == total ? kPassColor
                                                                 : kNotMeasuredColor)
                                                  .name()));
    }
    m_verdictLine->setVisible(total > 0);
    m_expectations->setVisible(total > 0); // an imported trace has no lesson, so nothing to expect
    fillCompact();
    relayout();
}

void SummaryPanel::fillCompact() {
    if (!m_report) {
        m_compactText->clear();
        return;
    }
    QString html;
    for (const auto& variant : m_report->variants) {
        QStringList figures{tr("%1 ms").arg(formatNumber(variant.makespanMs))};
        if (variant.speedup) {
            figures << tr("speedup %1×").arg(formatNumber(*variant.speedup));
        }
        if (variant.maxLagMs) {
            figures << tr("max lag %1 ms").arg(formatNumber(*variant.maxLagMs));
        }
        const QString name = variantName(variant).toHtmlEscaped();
        html += QStringLiteral("<p><b>%1</b> · %2")
                    .arg(core::endedWithError(variant.outcome.status) ? colored(name, kFailColor) : name,
                         figures.join(QStringLiteral(" · ")).toHtmlEscaped());
        if (!variant.peaks.empty()) {
            html += QStringLiteral("<br>") +
                    colored(tr("peaks: %1").arg(peaksText(variant.peaks)).toHtmlEscaped(), kNotMeasuredColor);
        }
        html += QStringLiteral("</p>");
    }
    html += cpythonHtml(*m_report);
    if (!m_report->expectations.empty()) {
        html += QStringLiteral("<p><b>%1</b></p><table cellspacing=\"0\" cellpadding=\"2\">")
                    .arg(colored(m_verdictLine->text().toHtmlEscaped(), m_verdictLine->palette().windowText().color()));
        for (const auto& result : m_report->expectations) {
            const QColor color = verdictColor(result.verdict);
            const QString text = QString::fromStdString(result.expectation.text).toHtmlEscaped();
            const QString where = QStringLiteral("%1 · %2").arg(QString::fromStdString(result.expectation.variant),
                                                                QString::fromStdString(result.detail));
            html += QStringLiteral("<tr><td><b>%1</b>&nbsp;</td><td>%2<br>%3</td></tr>")
                        .arg(colored(verdictMark(result.verdict), color),
                             result.verdict == core::Verdict::Fail ? colored(text, kFailColor) : text,
                             colored(where.toHtmlEscaped(), kNotMeasuredColor));
        }
        html += QStringLiteral("</table>");
    }
    m_compactText->setText(html);
}

void SummaryPanel::relayout() {
    const int needed = kTableChars * QFontMetrics(m_variants->font()).averageCharWidth();
    m_compact = width() < needed;
    m_tables->setVisible(!m_compact);
    m_compactArea->setVisible(m_compact && m_report.has_value());
    if (m_compact && m_presenterMode && m_report) {
        // Presenter type is large: as large as lets every variant and expectation show without scrolling, down to
        // a floor that still reads from the back of a room.
        QFont font = m_variants->font();
        const double floor = QApplication::font().pointSizeF() * 1.15;
        const int room = m_compactArea->viewport()->height();
        const int textWidth = m_compactArea->viewport()->width();
        while (true) {
            m_compactText->setFont(font);
            if (font.pointSizeF() <= floor || m_compactText->heightForWidth(textWidth) <= room) {
                break;
            }
            font.setPointSizeF(std::max(floor, font.pointSizeF() * 0.92));
        }
    }
    if (!m_compact) {
        fitRows(m_variants, height() / 2);
        fitRows(m_expectations);
    }
    // Its bars always; its legend when that leaves the panel at least half its height for the rest.
    const int whole = m_stages->heightFor(width());
    m_stages->setFixedHeight(m_stages->isEmpty()     ? 0
                             : whole <= height() / 2 ? whole
                                                     : std::min(whole, m_stages->barsHeightFor(width())));
}

void SummaryPanel::fillVariants(const core::LessonReport& report) {
    m_variants->setRowCount(static_cast<int>(report.variants.size()));
    m_variants->setColumnCount(report.cpython.empty() ? kCpythonColumn : kCpythonColumn + 1);
    if (!report.cpython.empty()) {
        m_variants->setHorizontalHeaderItem(kCpythonColumn, new QTableWidgetItem(tr("CPython\nvs engine")));
        m_variants->horizontalHeader()->setSectionResizeMode(kCpythonColumn, QHeaderView::Interactive);
    }
    int row = 0;
    for (const auto& variant : report.variants) {
        // A column of "completed" took the room the numbers need on a small screen: the name says when it did not.
        auto* nameItem = readOnlyItem(variantName(variant));
        if (core::endedWithError(variant.outcome.status)) {
            nameItem->setForeground(kFailColor);
            nameItem->setToolTip(QString::fromStdString(variant.outcome.error));
        }
        m_variants->setItem(row, 0, nameItem);
        m_variants->setItem(row, 1, numberItem(formatNumber(variant.makespanMs)));
        m_variants->setItem(row, 2, numberItem(optionalNumber(variant.speedup)));
        m_variants->setItem(row, 3, numberItem(optionalNumber(variant.maxLagMs)));
        auto* peaksItem = readOnlyItem(peaksText(variant.peaks));
        QStringList counters;
        for (const auto& [counter, peak] : variant.peaks) {
            counters << QStringLiteral("%1 %2").arg(QString::fromStdString(counter)).arg(peak);
        }
        peaksItem->setToolTip(counters.join(QLatin1Char('\n'))); // the counters' own names
        m_variants->setItem(row, 4, peaksItem);
        if (!report.cpython.empty()) {
            m_variants->setItem(row, kCpythonColumn, cpythonItem(report, variant.variant));
        }
        ++row;
    }
}

void SummaryPanel::fillExpectations(const core::LessonReport& report) {
    m_expectations->setRowCount(static_cast<int>(report.expectations.size()));
    int row = 0;
    for (const auto& result : report.expectations) {
        auto* mark = readOnlyItem(verdictMark(result.verdict));
        mark->setForeground(verdictColor(result.verdict));
        mark->setTextAlignment(Qt::AlignCenter);
        QFont bold = mark->font();
        bold.setBold(true);
        mark->setFont(bold);
        mark->setToolTip(QString::fromStdString(std::string(core::toString(result.verdict))));
        auto* text = readOnlyItem(QString::fromStdString(result.expectation.text));
        if (result.verdict == core::Verdict::Fail) {
            text->setForeground(kFailColor);
        }
        m_expectations->setItem(row, MarkColumn, mark);
        m_expectations->setItem(row, TextColumn, text);
        m_expectations->setItem(row, VariantColumn, readOnlyItem(QString::fromStdString(result.expectation.variant)));
        m_expectations->setItem(row, MeasuredColumn, numberItem(optionalNumber(result.measured)));
        m_expectations->setItem(row, DetailColumn, readOnlyItem(QString::fromStdString(result.detail)));
        ++row;
    }
}

QString SummaryPanel::cpythonSentence(const core::CpythonComparison& each) {
    // "gather in CPython 3.11: 1062 ms against the engine's 1021 ms, +4.0% (agrees: within ±15%) · max lag 1.2 against
    // 0.4 ms · peaks: Tasks in flight 100 against 100"
    const QString variant = QString::fromStdString(each.variant);
    const QString python = // "CPython 3.11", from "gather · CPython 3.11"
        QString::fromStdString(each.pythonVariant).section(QStringLiteral(" · "), -1);
    if (each.status != core::RunStatus::Completed) {
        return tr("%1 in %2: %3")
            .arg(variant, python, QString::fromStdString(std::string(core::toString(each.status))));
    }
    const QString off = QStringLiteral("%1%2%").arg(each.offPercent() >= 0 ? QStringLiteral("+") : QString(),
                                                    QString::number(each.offPercent(), 'f', 1));
    const QString verdict = !each.judged  ? tr("not expected to agree")
                            : each.agrees ? tr("agrees: within ±%1%").arg(each.tolerance * 100)
                                          : tr("outside ±%1%").arg(each.tolerance * 100);
    QStringList parts{
        tr("%1 in %2: %3 ms against the engine's %4 ms, %5 (%6)")
            .arg(variant, python, formatNumber(each.pythonMs), formatNumber(each.engineMs), off, verdict)};
    if (each.engineLagMs || each.pythonLagMs) {
        parts << tr("max lag %1 against %2 ms").arg(optionalNumber(each.pythonLagMs), optionalNumber(each.engineLagMs));
    }
    QStringList peaks;
    for (const core::PeakPair& peak : each.peaks) {
        peaks << tr("%1 %2 against %3")
                     .arg(counterInWords(QString::fromStdString(peak.counter)))
                     .arg(peak.python)
                     .arg(peak.engine);
    }
    if (!peaks.isEmpty()) {
        parts << tr("peaks: %1").arg(peaks.join(QStringLiteral(", ")));
    }
    return parts.join(QStringLiteral(" · "));
}

QString SummaryPanel::cpythonHtml(const core::LessonReport& report) {
    if (report.cpython.empty()) {
        return {};
    }
    QString html = QStringLiteral("<p><b>%1</b>").arg(tr("The engine against real CPython").toHtmlEscaped());
    for (const core::CpythonComparison& each : report.cpython) {
        const bool completed = each.status == core::RunStatus::Completed;
        const QColor color = !completed     ? (each.status == core::RunStatus::Stopped ? kNotMeasuredColor : kFailColor)
                             : !each.judged ? kNotMeasuredColor
                             : each.agrees  ? kPassColor
                                            : kFailColor;
        html +=
            QStringLiteral("<br>%1 %2").arg(colored(QStringLiteral("●"), color), cpythonSentence(each).toHtmlEscaped());
    }
    html +=
        QStringLiteral("<br>") +
        colored(tr("No GIL lane for CPython: it does not say who holds the GIL.").toHtmlEscaped(), kNotMeasuredColor);
    return html + QStringLiteral("</p>");
}

void SummaryPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    relayout(); // wrapped text changes height with the width, and a narrow panel takes the compact form
}

void SummaryPanel::clear() {
    m_report.reset();
    m_compactText->clear();
    m_variants->setRowCount(0);
    m_stages->setRows({});
    m_stages->hide();
    m_expectations->setRowCount(0);
    m_expectations->show();
    m_message->clear();
    m_message->hide();
    m_errors->clear();
    m_errors->hide();

    m_verdictLine->hide();
    relayout();
}

void SummaryPanel::setMessage(const QString& message, bool isError) {
    m_message->setText(message);
    m_message->setStyleSheet(isError ? QStringLiteral("color: %1;").arg(kFailColor.name()) : QString());
    m_message->setVisible(!message.isEmpty());
}

QString SummaryPanel::verdictMark(core::Verdict verdict) {
    switch (verdict) {
    case core::Verdict::Pass:
        return QStringLiteral("✔");
    case core::Verdict::Fail:
        return QStringLiteral("✘");
    case core::Verdict::NotMeasured:
        break;
    }
    return QStringLiteral("–");
}

QString SummaryPanel::counterInWords(const QString& counter) {
    ChartsPanel::ChartKind kind{};
    if (!ChartsPanel::chartFor(counter, &kind)) {
        return counter;
    }
    if (kind == ChartsPanel::ChartKind::Waiters) {
        return tr("Tasks waiting on %1").arg(counter.section(QLatin1Char('.'), 0, -2));
    }
    if (kind == ChartsPanel::ChartKind::QueueDepth && !counter.endsWith(QLatin1String(".depth"))) {
        return tr("Items in the buffer"); // a buffer's size shares the queue's chart
    }
    return ChartsPanel::quantityTitle(kind);
}

void SummaryPanel::setPresenterMode(bool on) {
    m_presenterMode = on;
    applyFonts();
}

void SummaryPanel::applyFonts() {
    QFont base = font();
    base.setPointSizeF(QApplication::font().pointSizeF() * (m_presenterMode ? 1.6 : 1.0));
    for (QWidget* widget :
         {static_cast<QWidget*>(m_variants), static_cast<QWidget*>(m_expectations), static_cast<QWidget*>(m_message),
          static_cast<QWidget*>(m_errors), static_cast<QWidget*>(m_compactText), static_cast<QWidget*>(m_stages)}) {
        widget->setFont(base);
    }
    QFont bold = base;
    bold.setBold(true);
    m_verdictLine->setFont(bold);
    relayout();
}

} // namespace interleave::ui
