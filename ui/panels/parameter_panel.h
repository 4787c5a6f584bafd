// The parameter panel: a spin box and a slider per lesson parameter, generated from the Scenario.
#pragma once

#include "scenario/scenario.h"

#include <QWidget>

#include <vector>

class QAbstractSpinBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QSlider;

namespace interleave::ui {

class ParameterPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr int kSliderSteps = 1000; // slider resolution for mapped (wide or fractional) ranges

    explicit ParameterPanel(QWidget* parent = nullptr);

    void setScenario(const core::Scenario& scenario); // rebuilds the rows; values start at the defaults
    core::ParameterValues values() const;
    // Sets the named parameters (unknown names are ignored), each clamped to its range; emits valuesChanged once
    // when anything changed.
    void setValues(const core::ParameterValues& values);
    void resetToDefaults();

    // For tests and the main window: the widgets of one parameter (nullptr when unknown).
    QAbstractSpinBox* spinBox(const QString& name) const;
    QSlider* slider(const QString& name) const;
    QPushButton* resetButton() const { return m_resetButton; }

Q_SIGNALS:
    void valuesChanged();

private:
    struct Row {
        core::ParameterDecl decl;
        QLabel* label = nullptr;
        QAbstractSpinBox* spin = nullptr;
        QSlider* slider = nullptr;
        bool logarithmic = false;
        bool mapped = false; // slider runs 0..kSliderSteps instead of min..max
    };

    void clearRows();
    void addRow(const core::ParameterDecl& decl);
    double spinValue(const Row& row) const;
    void setSpinValue(const Row& row, double value);
    int sliderPosition(const Row& row, double value) const;
    double valueAtSlider(const Row& row, int position) const;
    void onSpinChanged(std::size_t index);
    void onSliderMoved(std::size_t index, int position);

    QGridLayout* m_grid = nullptr;
    QLabel* m_emptyLabel = nullptr;
    QPushButton* m_resetButton = nullptr;
    std::vector<Row> m_rows;
    bool m_bulkUpdate = false; // setValues / reset: one valuesChanged at the end
    bool m_syncing = false;    // slider <-> spin box echo guard
};

} // namespace interleave::ui
