// Syntax colouring for the Python listings: keywords, builtins, strings (also triple-quoted), comments, numbers,
// decorators, with async/await emphasised.
#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include <vector>

namespace interleave::ui {

class PythonHighlighter : public QSyntaxHighlighter {
    Q_OBJECT

public:
    explicit PythonHighlighter(QTextDocument* document);

    // Dark backgrounds need lighter colours; re-highlights the document.
    void setDarkTheme(bool dark);

protected:
    void highlightBlock(const QString& text) override;

private:
    // Block states: inside a triple-quoted string that the line did not close.
    enum BlockState { Normal = 0, InTripleSingle = 1, InTripleDouble = 2 };

    struct Rule {
        QRegularExpression pattern;
        const QTextCharFormat* format;
    };

    void buildFormats(bool dark);
    // Marks strings and comments left to right, so a '#' inside a string is not a comment and vice versa.
    void highlightStringsAndComments(const QString& text);

    std::vector<Rule> m_rules;
    QTextCharFormat m_keyword;
    QTextCharFormat m_asyncKeyword;
    QTextCharFormat m_builtin;
    QTextCharFormat m_string;
    QTextCharFormat m_comment;
    QTextCharFormat m_number;
    QTextCharFormat m_decorator;
    QTextCharFormat m_definitionName;
};

} // namespace interleave::ui
