#include "config/json_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace herd {

namespace {

constexpr std::string_view number_chars = "0123456789+-.eE";

// Finds what nlohmann would recurse into or throw on without a position, before it parses:
// brackets past max_json_depth, numbers beyond a double. Strings are skipped (escapes included);
// syntax is left to the parser.
class BoundsScan {
public:
    explicit BoundsScan(std::string_view text) : text_(text) {}

    void run() {
        int depth = 0;
        while (i_ < text_.size()) {
            const char c = text_[i_];
            if (c == '"') {
                skip_string();
            } else if (c == '[' || c == '{') {
                if (++depth > max_json_depth)
                    fail("nested deeper than " + std::to_string(max_json_depth) + " levels of arrays and objects");
                advance();
            } else if (c == ']' || c == '}') {
                --depth;
                advance();
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                check_number();
            } else {
                advance();
            }
        }
    }

private:
    void advance() {
        if (text_[i_] == '\n') ++line_, column_ = 0;
        ++i_, ++column_;
    }
    void skip_string() {
        advance();
        while (i_ < text_.size() && text_[i_] != '"') {
            if (text_[i_] == '\\' && i_ + 1 < text_.size()) advance();
            advance();
        }
        if (i_ < text_.size()) advance();
    }
    // nlohmann reads a number with strtod and refuses infinity (out_of_range.406, no position).
    void check_number() {
        const std::size_t end = std::min(text_.find_first_not_of(number_chars, i_), text_.size());
        const std::string number(text_.substr(i_, end - i_));
        if (std::isinf(std::strtod(number.c_str(), nullptr)))
            fail("number " + (number.size() > 40 ? number.substr(0, 37) + "..." : number) +
                 " is out of range (a number must fit a double: at most about 1.8e308)");
        column_ += end - i_;
        i_ = end;
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw JsonTextError("line " + std::to_string(line_) + ", column " + std::to_string(column_) + ": " + what);
    }

    std::string_view text_;
    std::size_t i_ = 0, line_ = 1, column_ = 1;
};

}  // namespace

nlohmann::ordered_json parse_json(std::string_view text, const nlohmann::ordered_json::parser_callback_t& on_event) {
    BoundsScan(text).run();
    try {
        return nlohmann::ordered_json::parse(text, on_event);
    } catch (const nlohmann::ordered_json::exception& e) {
        // e.what() is "[json.exception.parse_error.101] parse error at line L, column C: ...".
        const std::string what = e.what();
        const auto bracket = what.find("] ");
        throw JsonTextError("not valid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
    }
}

}  // namespace herd
