// NotesPanel: renders a lesson's title, summary and notes as simple HTML.
#include "panels/notes_panel.h"

#include <QApplication>
#include <QRegularExpression>
#include <QStringList>

namespace interleave::ui {

NotesPanel::NotesPanel(QWidget* parent) : QTextBrowser(parent) {
    setOpenExternalLinks(true);
    setReadOnly(true);
}

QString NotesPanel::notesHtml(const core::Scenario& scenario) {
    QString html;
    html += QStringLiteral("<h2>%1 &nbsp;%2</h2>")
                .arg(QString::fromStdString(scenario.alias()).toHtmlEscaped(),
                     QString::fromStdString(scenario.title).toHtmlEscaped());
    if (!scenario.summary.empty()) {
        html += QStringLiteral("<p><i>%1</i></p>").arg(QString::fromStdString(scenario.summary).toHtmlEscaped());
    }
    static const QRegularExpression blankLine(QStringLiteral("\\n\\s*\\n"));
    const QStringList paragraphs = QString::fromStdString(scenario.notes).split(blankLine, Qt::SkipEmptyParts);
    for (const QString& paragraph : paragraphs) {
        // Lines within a paragraph are wrapped text, not breaks.
        const QString text = paragraph.simplified();
        if (!text.isEmpty()) {
            html += QStringLiteral("<p>%1</p>").arg(text.toHtmlEscaped());
        }
    }
    return html;
}

void NotesPanel::setScenario(const core::Scenario& scenario) {
    setHtml(notesHtml(scenario));
}

void NotesPanel::clearScenario() {
    clear();
}

void NotesPanel::setPresenterMode(bool on) {
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * (on ? 1.6 : 1.0));
    setFont(font);
    document()->setDefaultFont(font);
}

} // namespace interleave::ui
