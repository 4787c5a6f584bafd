// The summary panel: each variant's figures and each expectation's verdict after a run, or a status message.
#pragma once

#include "metrics/lesson_report.h"

#include <QString>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace interleave::ui {

class SummaryPanel : public QWidget {
    Q_OBJECT

public:
    // Columns of the expectations table.
    enum ExpectationColumn { MarkColumn, TextColumn, VariantColumn, MeasuredColumn, DetailColumn };

    explicit SummaryPanel(QWidget* parent = nullptr);

    void setReport(const core::LessonReport& report);
    void clear();
    // A one-line status above the tables ("Running gather…"); `isError` shows it in red (e.g. a refused limit).
    void setMessage(const QString& message, bool isError = false);
    void setPresenterMode(bool on);

    static QString verdictMark(core::Verdict verdict); // "✔", "✘" or "–"

    QTableWidget* variantTable() const { return m_variants; }
    QTableWidget* expectationTable() const { return m_expectations; }
    QLabel* messageLabel() const { return m_message; }
    QLabel* errorLabel() const { return m_errors; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fillVariants(const core::LessonReport& report);
    void fillExpectations(const core::LessonReport& report);
    void applyFonts();

    QLabel* m_message = nullptr;
    QLabel* m_errors = nullptr;
    QLabel* m_verdictLine = nullptr;
    QTableWidget* m_variants = nullptr;
    QTableWidget* m_expectations = nullptr;
    bool m_presenterMode = false;
};

} // namespace interleave::ui
