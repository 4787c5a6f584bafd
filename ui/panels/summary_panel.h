// The summary panel: each variant's figures and each expectation's verdict after a run, or a status message.
// Wide, it shows two tables; narrower than the tables need (a small screen, presenter mode's large type), the same
// figures as wrapped text, one paragraph per variant and per expectation, so that nothing scrolls sideways.
#pragma once

#include "metrics/lesson_report.h"

#include <QString>

#include <QWidget>
#include <optional>

class QLabel;
namespace interleave::ui {
class StageChart;
}
class QScrollArea;
class QTableWidget;

namespace interleave::ui {

class SummaryPanel : public QWidget {
    Q_OBJECT

public:
    // The variants table's last column, shown when variants ran in CPython too: CPython's makespan against the
    // engine's, in %.
    static constexpr int kCpythonColumn = 5;
    // Columns of the expectations table.
    enum ExpectationColumn { MarkColumn, TextColumn, VariantColumn, MeasuredColumn, DetailColumn };

    explicit SummaryPanel(QWidget* parent = nullptr);

    void setReport(const core::LessonReport& report);
    void clear();
    // A one-line status above the tables ("Running gather…"); `isError` shows it in red (e.g. a refused limit).
    void setMessage(const QString& message, bool isError = false);
    void setPresenterMode(bool on);

    static QString verdictMark(core::Verdict verdict); // "✔", "✘" or "–"
    // "gather in CPython 3.11: 1062 ms against the engine's 1021 ms, +4.0% (agrees: within ±15%) · max lag …"
    static QString cpythonSentence(const core::CpythonComparison& comparison);
    // A peak's counter in words ("items.depth" -> "Items in the queue"), as the charts name it.
    static QString counterInWords(const QString& counter);

    // Whether the narrow, wrapped-text form is shown instead of the tables.
    bool isCompact() const { return m_compact; }
    QLabel* compactText() const { return m_compactText; }

    QTableWidget* variantTable() const { return m_variants; }
    QTableWidget* expectationTable() const { return m_expectations; }
    QLabel* messageLabel() const { return m_message; }
    QLabel* errorLabel() const { return m_errors; }
    StageChart* stageChart() const { return m_stages; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fillVariants(const core::LessonReport& report);
    void fillExpectations(const core::LessonReport& report);
    static QString cpythonHtml(const core::LessonReport& report); // the compact form's paragraph
    void applyFonts();
    void fillCompact();
    // Picks the tables or the wrapped text for the panel's width and font, and fits the tables' rows.
    void relayout();

    QLabel* m_message = nullptr;
    QLabel* m_errors = nullptr;
    QLabel* m_verdictLine = nullptr;
    QTableWidget* m_variants = nullptr;
    StageChart* m_stages = nullptr; // where each variant's time went, when its steps name stages
    QTableWidget* m_expectations = nullptr;
    QWidget* m_tables = nullptr; // the two tables and the verdict line between them
    QScrollArea* m_compactArea = nullptr;
    QLabel* m_compactText = nullptr;
    std::optional<core::LessonReport> m_report;
    bool m_presenterMode = false;
    bool m_compact = false;
};

} // namespace interleave::ui
