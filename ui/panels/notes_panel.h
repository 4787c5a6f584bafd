// The lesson notes: title, summary and the teacher's notes as paragraphs.
#pragma once

#include "scenario/scenario.h"

#include <QTextBrowser>

namespace interleave::ui {

class NotesPanel : public QTextBrowser {
    Q_OBJECT

public:
    explicit NotesPanel(QWidget* parent = nullptr);

    void setScenario(const core::Scenario& scenario);
    void clearScenario();
    void setPresenterMode(bool on);

    // The HTML shown for a lesson; paragraphs of the notes are split on blank lines.
    static QString notesHtml(const core::Scenario& scenario);
};

} // namespace interleave::ui
