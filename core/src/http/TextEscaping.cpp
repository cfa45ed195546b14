#include "http/TextEscaping.h"

#include <cstdio>

namespace watchdog {

namespace {

std::string hexEscape(const char* prefix, unsigned value, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, value);
    return buf;
}

}  // namespace

bool isUnsafeCodePoint(char32_t c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

std::size_t decodeUtf8(const std::string& text, std::size_t at, char32_t& codePoint) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    std::size_t length = 0;
    char32_t min = 0;
    if (lead < 0x80) {
        codePoint = lead;
        return 1;
    }
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        min = 0x80;
        codePoint = lead & 0x1fu;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        min = 0x800;
        codePoint = lead & 0x0fu;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        min = 0x10000;
        codePoint = lead & 0x07u;
    } else {
        return 0;
    }
    if (at + length > text.size()) return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xc0u) != 0x80) return 0;
        codePoint = (codePoint << 6) | (byte(at + i) & 0x3fu);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return 0;
    return length;
}

std::string escapeForLog(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char32_t c = 0;
        const std::size_t n = decodeUtf8(text, i, c);
        if (n == 0) {
            out += hexEscape("\\x", static_cast<unsigned char>(text[i]), 2);
            ++i;
            continue;
        }
        if (!isUnsafeCodePoint(c))
            out.append(text, i, n);
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x80)
            out += hexEscape("\\x", static_cast<unsigned>(c), 2);
        else
            out += hexEscape("\\u", static_cast<unsigned>(c), 4);
        i += n;
    }
    return out;
}

std::string escapeJsonText(const std::string& json) {
    std::string out;
    out.reserve(json.size());
    for (std::size_t i = 0; i < json.size();) {
        char32_t c = 0;
        const std::size_t n = decodeUtf8(json, i, c);
        if (n == 0) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        // C0 controls are already escaped by the stringifier (they cannot appear raw in JSON).
        if (c >= 0x20 && isUnsafeCodePoint(c))
            out += hexEscape("\\u", static_cast<unsigned>(c), 4);
        else
            out.append(json, i, n);
        i += n;
    }
    return out;
}

}  // namespace watchdog
