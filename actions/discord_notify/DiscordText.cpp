#include "DiscordText.h"

namespace watchdog::discord_notify {

namespace {

const char* kEllipsis = "\xE2\x80\xA6";  // U+2026, one UTF-16 unit

// Length in bytes of a valid UTF-8 sequence starting at text[i], or 0 if it is not valid there.
std::size_t validSequence(const std::string& text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    std::size_t len = 0;
    unsigned long cp = 0;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else
        return 0;
    if (i + len > text.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    return len;
}

bool isSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string sanitizeUtf8(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t len = validSequence(text, i);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text, i, len);
            i += len;
        }
    }
    return out;
}

std::string trim(const std::string& text) {
    std::size_t b = 0, e = text.size();
    while (b < e && isSpace(static_cast<unsigned char>(text[b]))) ++b;
    while (e > b && isSpace(static_cast<unsigned char>(text[e - 1]))) --e;
    return text.substr(b, e - b);
}

std::size_t discordLength(const std::string& utf8) {
    const std::string t = trim(utf8);
    std::size_t units = 0;
    for (unsigned char c : t) {
        if ((c & 0xC0) == 0x80) continue;  // continuation byte
        units += (c >= 0xF0) ? 2 : 1;      // 4-byte sequences are surrogate pairs in UTF-16
    }
    return units;
}

std::string truncateTo(const std::string& text, std::size_t max) {
    const std::string t = trim(sanitizeUtf8(text));
    if (discordLength(t) <= max) return t;
    if (max == 0) return {};
    std::string out;
    std::size_t units = 0;
    for (std::size_t i = 0; i < t.size();) {
        const std::size_t len = validSequence(t, i);
        const std::size_t w = len == 4 ? 2 : 1;
        if (units + w > max - 1) break;  // keep one unit for the ellipsis
        out.append(t, i, len);
        units += w;
        i += len;
    }
    return trim(out) + kEllipsis;
}

}  // namespace watchdog::discord_notify
