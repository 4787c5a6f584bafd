// PythonHighlighter: regular expressions for words, then a small scanner for strings and comments.
#include "panels/python_highlighter.h"

#include <QStringList>

#include <algorithm>

namespace interleave::ui {

namespace {

QString wordAlternation(const QStringList& words) {
    return QStringLiteral("\\b(?:%1)\\b").arg(words.join(QLatin1Char('|')));
}

} // namespace

PythonHighlighter::PythonHighlighter(QTextDocument* document) : QSyntaxHighlighter(document) {
    buildFormats(false);

    const QStringList keywords = {
        QStringLiteral("and"),      QStringLiteral("as"),       QStringLiteral("assert"), QStringLiteral("break"),
        QStringLiteral("class"),    QStringLiteral("continue"), QStringLiteral("def"),    QStringLiteral("del"),
        QStringLiteral("elif"),     QStringLiteral("else"),     QStringLiteral("except"), QStringLiteral("finally"),
        QStringLiteral("for"),      QStringLiteral("from"),     QStringLiteral("global"), QStringLiteral("if"),
        QStringLiteral("import"),   QStringLiteral("in"),       QStringLiteral("is"),     QStringLiteral("lambda"),
        QStringLiteral("nonlocal"), QStringLiteral("not"),      QStringLiteral("or"),     QStringLiteral("pass"),
        QStringLiteral("raise"),    QStringLiteral("return"),   QStringLiteral("try"),    QStringLiteral("while"),
        QStringLiteral("with"),     QStringLiteral("yield"),    QStringLiteral("None"),   QStringLiteral("True"),
        QStringLiteral("False"),    QStringLiteral("match"),    QStringLiteral("case")};
    const QStringList builtins = {
        QStringLiteral("print"),       QStringLiteral("range"),      QStringLiteral("len"),
        QStringLiteral("list"),        QStringLiteral("dict"),       QStringLiteral("set"),
        QStringLiteral("tuple"),       QStringLiteral("int"),        QStringLiteral("float"),
        QStringLiteral("str"),         QStringLiteral("sum"),        QStringLiteral("min"),
        QStringLiteral("max"),         QStringLiteral("open"),       QStringLiteral("enumerate"),
        QStringLiteral("zip"),         QStringLiteral("map"),        QStringLiteral("sorted"),
        QStringLiteral("isinstance"),  QStringLiteral("super"),      QStringLiteral("self"),
        QStringLiteral("Exception"),   QStringLiteral("ValueError"), QStringLiteral("TimeoutError"),
        QStringLiteral("RuntimeError")};

    m_rules.push_back({QRegularExpression(wordAlternation(keywords)), &m_keyword});
    m_rules.push_back({QRegularExpression(wordAlternation(builtins)), &m_builtin});
    m_rules.push_back({QRegularExpression(QStringLiteral("\\b(?:async|await)\\b")), &m_asyncKeyword});
    m_rules.push_back(
        {QRegularExpression(QStringLiteral("\\b(?:0[xX][0-9a-fA-F_]+|\\d[\\d_]*\\.?[\\d_]*(?:[eE][+-]?\\d+)?)\\b")),
         &m_number});
    m_rules.push_back({QRegularExpression(QStringLiteral("^\\s*@[\\w.]+")), &m_decorator});
    m_rules.push_back({QRegularExpression(QStringLiteral("(?<=\\bdef |\\bclass )\\w+")), &m_definitionName});
}

void PythonHighlighter::buildFormats(bool dark) {
    auto colour = [dark](const char* light, const char* darkColour) {
        return QColor(QLatin1String(dark ? darkColour : light));
    };
    m_keyword = {};
    m_keyword.setForeground(colour("#0033b3", "#7aa2ff"));
    m_keyword.setFontWeight(QFont::Bold);
    m_asyncKeyword = {};
    m_asyncKeyword.setForeground(colour("#a0118c", "#ff7ee2"));
    m_asyncKeyword.setFontWeight(QFont::Black);
    m_asyncKeyword.setFontUnderline(true);
    m_builtin = {};
    m_builtin.setForeground(colour("#00627a", "#5ee0ff"));
    m_string = {};
    m_string.setForeground(colour("#067d17", "#8ddc6a"));
    m_comment = {};
    m_comment.setForeground(colour("#6e7781", "#a0a8b0"));
    m_comment.setFontItalic(true);
    m_number = {};
    m_number.setForeground(colour("#1750eb", "#ffd166"));
    m_decorator = {};
    m_decorator.setForeground(colour("#9e880d", "#ffe066"));
    m_definitionName = {};
    m_definitionName.setForeground(colour("#00627a", "#5ee0ff"));
    m_definitionName.setFontWeight(QFont::Bold);
}

void PythonHighlighter::setDarkTheme(bool dark) {
    buildFormats(dark);
    rehighlight();
}

void PythonHighlighter::highlightBlock(const QString& text) {
    for (const Rule& rule : m_rules) {
        auto matches = rule.pattern.globalMatch(text);
        while (matches.hasNext()) {
            const auto match = matches.next();
            setFormat(static_cast<int>(match.capturedStart()), static_cast<int>(match.capturedLength()), *rule.format);
        }
    }
    // Last, so string and comment colours win over any word found inside them.
    highlightStringsAndComments(text);
}

void PythonHighlighter::highlightStringsAndComments(const QString& text) {
    setCurrentBlockState(Normal);
    const auto length = static_cast<int>(text.size());
    int position = 0;

    // Continue a triple-quoted string from an earlier line.
    if (previousBlockState() == InTripleSingle || previousBlockState() == InTripleDouble) {
        const QString delimiter =
            previousBlockState() == InTripleSingle ? QStringLiteral("'''") : QStringLiteral("\"\"\"");
        const auto end = static_cast<int>(text.indexOf(delimiter));
        if (end < 0) {
            setFormat(0, length, m_string);
            setCurrentBlockState(previousBlockState());
            return;
        }
        setFormat(0, end + 3, m_string);
        position = end + 3;
    }

    while (position < length) {
        const QChar character = text.at(position);
        if (character == QLatin1Char('#')) {
            setFormat(position, length - position, m_comment);
            return;
        }
        if (character != QLatin1Char('\'') && character != QLatin1Char('"')) {
            ++position;
            continue;
        }
        // Include a prefix such as f, r, b, rb just before the quote.
        int start = position;
        while (start > 0 && QStringLiteral("rRbBfFuU").contains(text.at(start - 1)) &&
               (start - 1 == 0 || !text.at(start - 2).isLetterOrNumber())) {
            --start;
        }
        const QString triple(3, character);
        if (text.mid(position, 3) == triple) {
            const auto end = static_cast<int>(text.indexOf(triple, position + 3));
            if (end < 0) {
                setFormat(start, length - start, m_string);
                setCurrentBlockState(character == QLatin1Char('\'') ? InTripleSingle : InTripleDouble);
                return;
            }
            setFormat(start, end + 3 - start, m_string);
            position = end + 3;
            continue;
        }
        int end = position + 1;
        while (end < length && text.at(end) != character) {
            end += text.at(end) == QLatin1Char('\\') ? 2 : 1;
        }
        end = std::min(end + 1, length);
        setFormat(start, end - start, m_string);
        position = end;
    }
}

} // namespace interleave::ui
