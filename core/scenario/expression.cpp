// Recursive-descent parser and evaluator for the arithmetic in lesson files ("$requests * $latency_ms").
#include "scenario/expression.h"
#include "runtime/cores.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace interleave::core {

struct Expression::Node {
    enum class Kind : std::uint8_t { Number, Variable, Cores, Negate, Add, Subtract, Multiply, Divide, Call };
    Kind kind = Kind::Number;
    double value = 0;
    std::string name; // variable or function name
    std::vector<std::shared_ptr<const Node>> operands;
};

namespace {

using NodePtr = std::shared_ptr<const Expression::Node>;
using Kind = Expression::Node::Kind;

bool isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isIdentifierChar(char c) {
    return isIdentifierStart(c) || (c >= '0' && c <= '9');
}
bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

std::string formatConstant(double value) {
    if (std::isfinite(value) && value == std::floor(value) && std::abs(value) < 1e15) {
        return fmt::format("{}", static_cast<long long>(value));
    }
    return fmt::format("{}", value);
}

NodePtr makeNode(Kind kind, std::vector<NodePtr> operands = {}) {
    auto node = std::make_shared<Expression::Node>();
    node->kind = kind;
    node->operands = std::move(operands);
    return node;
}

// A lesson file is untrusted: the parser recurses once per nesting level, and evaluation and the tree's destruction
// once per node, so both are bounded before the stack is.
constexpr std::size_t kMaxExpressionLength = 4096;
constexpr int kMaxNesting = 64;   // parentheses, calls and signs inside one another
constexpr int kMaxOperands = 500; // numbers, names and parenthesised parts

class Parser {
public:
    Parser(std::string_view text, const SourceLocation& where) : m_text(text), m_where(where) {}

    NodePtr parseAll() {
        if (m_text.size() > kMaxExpressionLength) {
            fail(0,
                 fmt::format("an expression of {} characters; the limit is {}", m_text.size(), kMaxExpressionLength));
        }
        skipSpaces();
        if (atEnd()) {
            fail(0, "expected a number, a $parameter or an expression, found nothing");
        }
        NodePtr root = parseSum();
        skipSpaces();
        if (!atEnd()) {
            fail(m_position, fmt::format("unexpected '{}' in expression '{}'", m_text[m_position], m_text));
        }
        return root;
    }

private:
    [[noreturn]] void fail(std::size_t offset, const std::string& message) const {
        SourceLocation location = m_where;
        if (location.column > 0) {
            location.column += static_cast<int>(offset);
        }
        throw LessonError(location, message);
    }

    bool atEnd() const { return m_position >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text[m_position]; }

    void skipSpaces() {
        while (!atEnd() && (m_text[m_position] == ' ' || m_text[m_position] == '\t')) {
            ++m_position;
        }
    }

    bool accept(char c) {
        skipSpaces();
        if (peek() == c) {
            ++m_position;
            return true;
        }
        return false;
    }

    NodePtr parseSum() {
        NodePtr left = parseProduct();
        for (;;) {
            if (accept('+')) {
                left = makeNode(Kind::Add, {left, parseProduct()});
            } else if (accept('-')) {
                left = makeNode(Kind::Subtract, {left, parseProduct()});
            } else {
                return left;
            }
        }
    }

    NodePtr parseProduct() {
        NodePtr left = parseUnary();
        for (;;) {
            if (accept('*')) {
                left = makeNode(Kind::Multiply, {left, parseUnary()});
            } else if (accept('/')) {
                left = makeNode(Kind::Divide, {left, parseUnary()});
            } else {
                return left;
            }
        }
    }

    NodePtr parseUnary() {
        skipSpaces();
        if (++m_operands > kMaxOperands) {
            fail(m_position, fmt::format("expression '{}' has more than {} operands", shortText(), kMaxOperands));
        }
        if (m_depth >= kMaxNesting) {
            fail(m_position, fmt::format("expression '{}' nests deeper than {} levels", shortText(), kMaxNesting));
        }
        ++m_depth;
        NodePtr result;
        if (accept('-')) {
            result = makeNode(Kind::Negate, {parseUnary()});
        } else if (accept('+')) {
            result = parseUnary();
        } else {
            result = parsePrimary();
        }
        --m_depth;
        return result;
    }

    // The expression for a message, cut when it is long.
    std::string shortText() const {
        return m_text.size() <= 40 ? std::string(m_text) : std::string(m_text.substr(0, 37)) + "...";
    }

    NodePtr parsePrimary() {
        skipSpaces();
        const std::size_t start = m_position;
        const char c = peek();
        if (atEnd()) {
            fail(start, fmt::format("expression '{}' ends where a number or $parameter is expected", m_text));
        }
        if (isDigit(c) || c == '.') {
            return parseNumber();
        }
        if (c == '$') {
            ++m_position;
            std::string name = readIdentifier();
            if (name.empty()) {
                fail(start, "'$' must be followed by a parameter name, as in $requests");
            }
            if (name == "cores") {
                return makeNode(Kind::Cores);
            }
            auto node = std::make_shared<Expression::Node>();
            node->kind = Kind::Variable;
            node->name = std::move(name);
            return node;
        }
        if (c == '(') {
            ++m_position;
            NodePtr inner = parseSum();
            if (!accept(')')) {
                fail(m_position, fmt::format("missing ')' in expression '{}'", m_text));
            }
            return inner;
        }
        if (isIdentifierStart(c)) {
            std::string name = readIdentifier();
            if (name == "cores") {
                return makeNode(Kind::Cores);
            }
            if (name == "min" || name == "max" || name == "ceil" || name == "floor" || name == "round") {
                return parseCall(std::move(name), start);
            }
            fail(start, fmt::format("unknown name '{}': parameters are written ${}, and the functions are min, max, "
                                    "ceil, floor and round",
                                    name, name));
        }
        fail(start, fmt::format("unexpected '{}' in expression '{}'", c, m_text));
    }

    NodePtr parseCall(std::string name, std::size_t start) {
        if (!accept('(')) {
            fail(m_position, fmt::format("'{}' must be followed by '(', as in {}($a, $b)", name, name));
        }
        std::vector<NodePtr> arguments;
        arguments.push_back(parseSum());
        while (accept(',')) {
            arguments.push_back(parseSum());
        }
        if (!accept(')')) {
            fail(m_position, fmt::format("missing ')' after the arguments of {}", name));
        }
        const bool single = name == "ceil" || name == "floor" || name == "round";
        if (single && arguments.size() != 1) {
            fail(start, fmt::format("{} takes one argument (got {})", name, arguments.size()));
        }
        auto node = std::make_shared<Expression::Node>();
        node->kind = Kind::Call;
        node->name = std::move(name);
        node->operands = std::move(arguments);
        return node;
    }

    NodePtr parseNumber() {
        const std::size_t start = m_position;
        while (isDigit(peek()) || peek() == '.') {
            ++m_position;
        }
        if (peek() == 'e' || peek() == 'E') {
            std::size_t exponent = m_position + 1;
            if (exponent < m_text.size() && (m_text[exponent] == '+' || m_text[exponent] == '-')) {
                ++exponent;
            }
            if (exponent < m_text.size() && isDigit(m_text[exponent])) {
                m_position = exponent;
                while (isDigit(peek())) {
                    ++m_position;
                }
            }
        }
        double value = 0;
        const char* first = m_text.data() + start;
        const char* last = m_text.data() + m_position;
        auto [end, error] = std::from_chars(first, last, value);
        if (error != std::errc() || end != last) {
            fail(start, fmt::format("'{}' is not a number", m_text.substr(start, m_position - start)));
        }
        if (isIdentifierStart(peek())) {
            fail(m_position,
                 fmt::format("unexpected '{}' after the number {}", peek(), m_text.substr(start, m_position - start)));
        }
        auto node = std::make_shared<Expression::Node>();
        node->kind = Kind::Number;
        node->value = value;
        return node;
    }

    std::string readIdentifier() {
        const std::size_t start = m_position;
        if (!isIdentifierStart(peek())) {
            return {};
        }
        while (isIdentifierChar(peek())) {
            ++m_position;
        }
        return std::string(m_text.substr(start, m_position - start));
    }

    std::string_view m_text;
    const SourceLocation& m_where;
    std::size_t m_position = 0;
    int m_depth = 0;    // parseUnary calls in progress
    int m_operands = 0; // parseUnary calls so far
};

double coreCount(const ParameterValues& values) {
    if (auto found = values.find("cores"); found != values.end()) {
        return found->second;
    }
    return usableCores();
}

double evaluateNode(const Expression::Node& node, const ParameterValues& values, const std::string& text) {
    auto operand = [&](std::size_t i) { return evaluateNode(*node.operands[i], values, text); };
    switch (node.kind) {
    case Kind::Number:
        return node.value;
    case Kind::Cores:
        return coreCount(values);
    case Kind::Variable: {
        auto found = values.find(node.name);
        if (found == values.end()) {
            throw UsageError(fmt::format("expression '{}' uses ${}, which has no value", text, node.name));
        }
        return found->second;
    }
    case Kind::Negate:
        return -operand(0);
    case Kind::Add:
        return operand(0) + operand(1);
    case Kind::Subtract:
        return operand(0) - operand(1);
    case Kind::Multiply:
        return operand(0) * operand(1);
    case Kind::Divide:
        return operand(0) / operand(1);
    case Kind::Call: {
        if (node.name == "ceil") {
            return std::ceil(operand(0));
        }
        if (node.name == "floor") {
            return std::floor(operand(0));
        }
        if (node.name == "round") {
            return std::round(operand(0));
        }
        double result = operand(0);
        for (std::size_t i = 1; i < node.operands.size(); ++i) {
            result = node.name == "min" ? std::min(result, operand(i)) : std::max(result, operand(i));
        }
        return result;
    }
    }
    return 0;
}

void collectVariables(const Expression::Node& node, std::vector<std::string>& names) {
    if (node.kind == Kind::Variable && std::find(names.begin(), names.end(), node.name) == names.end()) {
        names.push_back(node.name);
    }
    for (const auto& child : node.operands) {
        collectVariables(*child, names);
    }
}

} // namespace

Expression::Expression() : m_root(std::make_shared<Node>()), m_text("0") {}

Expression Expression::constant(double value) {
    Expression expression;
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::Number;
    node->value = value;
    expression.m_root = std::move(node);
    expression.m_text = formatConstant(value);
    return expression;
}

Expression Expression::parse(std::string_view text, const SourceLocation& where) {
    Parser parser(text, where);
    NodePtr root = parser.parseAll();
    Expression expression;
    expression.m_root = std::move(root);
    expression.m_text = std::string(text);
    expression.m_location = where;
    return expression;
}

double Expression::evaluate(const ParameterValues& values) const {
    return evaluateNode(*m_root, values, m_text);
}

std::vector<std::string> Expression::variables() const {
    std::vector<std::string> names;
    collectVariables(*m_root, names);
    return names;
}

std::string formatNumber(double value) {
    if (value == std::floor(value) && std::abs(value) < 1e15) {
        return fmt::format("{}", static_cast<long long>(value));
    }
    return fmt::format("{:.6g}", value);
}

} // namespace interleave::core
